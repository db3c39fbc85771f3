package vsphere

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// toolsRunning is the guest.toolsRunningStatus of a guest whose VMware
// Tools run.
const toolsRunning = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)

// PowerOn implements ports.Power: it powers on a powered-off VM and resumes
// a suspended one. It trusts vm, as the caller resolved it with
// ports.Current, for the one check vCenter may not make (vcsim powers a
// template on); vCenter itself refuses a VM that is already on
// (InvalidPowerState, a conflict) or gone (not_found).
func (h *Hypervisor) PowerOn(ctx context.Context, vm domain.VM) (domain.VM, error) {
	if vm.Template {
		return domain.VM{}, domain.Errorf(domain.CodeConflict, "%s is a template: templates cannot be powered on", vm)
	}
	return h.powerTask(ctx, vm, "PowerOnVM_Task", "power on", domain.PoweredOn, func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.PowerOnVM_Task(ctx, h.client, &types.PowerOnVM_Task{This: vmRef(vm.ID)})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	})
}

// PowerOff implements ports.Power: a hard power off, of a running or a
// suspended VM. vCenter refuses a VM that is already off
// (InvalidPowerState, a conflict) or gone (not_found).
func (h *Hypervisor) PowerOff(ctx context.Context, vm domain.VM) (domain.VM, error) {
	return h.powerTask(ctx, vm, "PowerOffVM_Task", "power off", domain.PoweredOff, func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.PowerOffVM_Task(ctx, h.client, &types.PowerOffVM_Task{This: vmRef(vm.ID)})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	})
}

// powerTask starts a power task on vm with start, awaits it, and returns
// the VM afterwards, which it records in the inventory index. The wait
// reads the task and the VM together: the read that sees the task done is
// the read of the VM afterwards, unless it caught the VM before the change
// showed (want is the state the task leads to).
func (h *Hypervisor) powerTask(ctx context.Context, vm domain.VM, name, verb string, want domain.PowerState, start func(context.Context) (types.ManagedObjectReference, error)) (domain.VM, error) {
	var read []domain.VM
	if _, err := h.startReading(ctx, name, verb+" "+vm.String(), start, func(ctx context.Context, task types.ManagedObjectReference) (*types.TaskInfo, error) {
		info, vms, err := h.taskAndVM(ctx, task, vmRef(vm.ID))
		read = vms
		return info, err
	}); err != nil {
		return domain.VM{}, err
	}
	if len(read) != 1 || read[0].PowerState != want {
		// The read caught the VM before the change showed, or missed it.
		now, _, err := h.current(ctx, vm)
		if err != nil {
			return domain.VM{}, err
		}
		read = []domain.VM{now}
	}
	h.index.remember(read[0])
	return read[0], nil
}

// taskAndVM reads the info of task and, in the same retrieval, the summary
// of the VM ref, which it decodes only once the task has succeeded.
func (h *Hypervisor) taskAndVM(ctx context.Context, task, ref types.ManagedObjectReference) (*types.TaskInfo, []domain.VM, error) {
	spec := summarySpec([]types.ManagedObjectReference{ref})
	spec.ObjectSet = append([]types.ObjectSpec{{Obj: task}}, spec.ObjectSet...)
	spec.PropSet = append(spec.PropSet, propSpec(task.Type, "info"))
	objs, err := h.retrieve(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	info, err := infoOf(task, objs)
	if err != nil || info.State != types.TaskInfoStateSuccess {
		return info, nil, err
	}
	vms, _, err := h.summaries(ctx, objs)
	return info, vms, err
}

// ShutdownGuest implements ports.Power: it asks VMware Tools to shut the
// guest down, then waits, for at most the task timeout, until the VM is
// off. VMware Tools must be running: vSphere would otherwise fail with
// ToolsUnavailable (and vcsim would not check at all).
func (h *Hypervisor) ShutdownGuest(ctx context.Context, vm domain.VM) (domain.VM, error) {
	now, props, err := h.current(ctx, vm, propTools)
	if err != nil {
		return domain.VM{}, err
	}
	switch {
	case now.PowerState != domain.PoweredOn:
		return domain.VM{}, domain.Errorf(domain.CodeConflict, "%s is %s: only a running guest can be shut down", now, now.PowerState)
	case props.tools != toolsRunning:
		return domain.VM{}, noTools(now)
	}
	err = h.call(ctx, func(ctx context.Context) error {
		_, err := methods.ShutdownGuest(ctx, h.client, &types.ShutdownGuest{This: vmRef(now.ID)})
		return err
	})
	if isToolsUnavailable(err) {
		return domain.VM{}, noTools(now)
	}
	if err != nil {
		return domain.VM{}, h.translate(err, "shut down the guest of "+now.String())
	}
	off, err := h.waitPowerState(ctx, vmRef(now.ID), types.VirtualMachinePowerStatePoweredOff)
	switch {
	case err != nil:
		return domain.VM{}, h.translate(err, "wait for the guest of "+now.String()+" to shut down")
	case !off && ctx.Err() != nil:
		return domain.VM{}, domain.Wrap(domain.CodeTimeout, ctx.Err(), fmt.Sprintf(
			"the guest OS of %s was asked to shut down but the VM was still on at the request's deadline", now))
	case !off:
		return domain.VM{}, domain.Errorf(domain.CodeTimeout,
			"the guest OS of %s was asked to shut down but the VM was still on after the task timeout of %s: power it off without graceful if it hangs",
			now, h.taskTimeout)
	}
	after, _, err := h.current(ctx, vm)
	if err != nil {
		return domain.VM{}, err
	}
	h.index.remember(after)
	return after, nil
}

func noTools(vm domain.VM) error {
	return domain.Errorf(domain.CodeConflict,
		"%s cannot be shut down gracefully: VMware Tools are not running in its guest; power it off without graceful instead", vm)
}
