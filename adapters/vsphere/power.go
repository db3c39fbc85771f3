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
// a suspended one.
func (h *Hypervisor) PowerOn(ctx context.Context, vm domain.VM) (domain.VM, error) {
	now, _, err := h.current(ctx, vm)
	if err != nil {
		return domain.VM{}, err
	}
	switch {
	case now.Template:
		return domain.VM{}, domain.Errorf(domain.CodeConflict, "%s is a template: templates cannot be powered on", now)
	case now.PowerState == domain.PoweredOn:
		return domain.VM{}, domain.Errorf(domain.CodeConflict, "%s is already powered on", now)
	}
	return h.powerTask(ctx, now, "PowerOnVM_Task", "power on", func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.PowerOnVM_Task(ctx, h.client, &types.PowerOnVM_Task{This: vmRef(now.ID)})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	})
}

// PowerOff implements ports.Power: a hard power off, of a running or a
// suspended VM.
func (h *Hypervisor) PowerOff(ctx context.Context, vm domain.VM) (domain.VM, error) {
	now, _, err := h.current(ctx, vm)
	if err != nil {
		return domain.VM{}, err
	}
	if now.PowerState == domain.PoweredOff {
		return domain.VM{}, domain.Errorf(domain.CodeConflict, "%s is already powered off", now)
	}
	return h.powerTask(ctx, now, "PowerOffVM_Task", "power off", func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.PowerOffVM_Task(ctx, h.client, &types.PowerOffVM_Task{This: vmRef(now.ID)})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	})
}

// powerTask runs a power task on vm and returns the VM afterwards.
func (h *Hypervisor) powerTask(ctx context.Context, vm domain.VM, name, verb string, f func(context.Context) (types.ManagedObjectReference, error)) (domain.VM, error) {
	if _, err := h.start(ctx, name, verb+" "+vm.String(), f); err != nil {
		return domain.VM{}, err
	}
	after, _, err := h.current(ctx, vm)
	return after, err
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
	return after, err
}

func noTools(vm domain.VM) error {
	return domain.Errorf(domain.CodeConflict,
		"%s cannot be shut down gracefully: VMware Tools are not running in its guest; power it off without graceful instead", vm)
}
