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
// reads the task and, in the same retrieval, what a power operation
// changes of the VM: its power state, its host (DRS may place a VM that
// powers on) and its guest. The VM afterwards is vm with those, when the
// VM stayed on the host vm names; else, or when the read caught the VM
// before the change showed (want is the state the task leads to), it is
// read again whole.
func (h *Hypervisor) powerTask(ctx context.Context, vm domain.VM, name, verb string, want domain.PowerState, start func(context.Context) (types.ManagedObjectReference, error)) (domain.VM, error) {
	var read *vmProps
	if _, err := h.startReading(ctx, name, verb+" "+vm.String(), start, func(ctx context.Context, task types.ManagedObjectReference) (*types.TaskInfo, error) {
		info, p, err := h.taskAndPower(ctx, task, vmRef(vm.ID))
		read = p
		return info, err
	}); err != nil {
		return domain.VM{}, err
	}
	after, ok := h.afterPower(vm, read)
	if !ok || after.PowerState != want {
		now, _, err := h.current(ctx, vm)
		if err != nil {
			return domain.VM{}, err
		}
		after = now
	}
	h.index.remember(after)
	return after, nil
}

// powerPaths are the properties of a VM that a power operation changes,
// with config.guestFullName, which stands for a guest that reports no OS.
var powerPaths = []string{"runtime.powerState", "runtime.host", "guest.guestFullName", "guest.ipAddress", "config.guestFullName"}

// taskAndPower reads the info of task and, in the same retrieval, the
// powerPaths of the VM ref, which it decodes once the task has succeeded
// (nil when the VM is gone). The VM is read before the task: vcsim holds a
// VM for as long as a task on it runs, so that the task is then seen done
// at the first look instead of after a pause; a read that caught the VM
// just before a task it then found done is read again (see powerTask).
func (h *Hypervisor) taskAndPower(ctx context.Context, task, ref types.ManagedObjectReference) (*types.TaskInfo, *vmProps, error) {
	objs, err := h.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: ref}, {Obj: task}},
		PropSet: []types.PropertySpec{
			propSpec(task.Type, "info"),
			propSpec("VirtualMachine", powerPaths...),
		},
		ReportMissingObjectsInResults: types.NewBool(true),
	})
	if err != nil {
		return nil, nil, err
	}
	info, err := infoOf(task, objs)
	if err != nil || info.State != types.TaskInfoStateSuccess {
		return info, nil, err
	}
	for _, o := range objs {
		if o.Obj == ref && missingFault(o) == nil {
			p := decodeVM(o)
			return info, &p, nil
		}
	}
	return info, nil, nil
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

// afterPower returns vm as a power operation left it, when p, the read of
// its powerPaths afterwards, has it on the host vm names; ok is false when
// it cannot tell.
func (h *Hypervisor) afterPower(vm domain.VM, p *vmProps) (after domain.VM, ok bool) {
	if p == nil {
		return domain.VM{}, false
	}
	if host, known := h.hosts.name(p.host); !known || host != vm.Host {
		return domain.VM{}, false
	}
	after = vm.Clone()
	after.PowerState = domain.PowerState(p.power)
	after.GuestOS, after.IPAddress = p.guest()
	return after, true
}
