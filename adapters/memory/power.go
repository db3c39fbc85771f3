package memory

import (
	"context"

	"github.com/esximcp/esximcp/domain"
)

// PowerOn implements ports.Power.
func (h *Hypervisor) PowerOn(ctx context.Context, vm domain.VM) (domain.VM, error) {
	return h.setPower(ctx, "PowerOn", vm, func(rec *vmRecord) error {
		switch {
		case rec.vm.Template:
			return domain.Errorf(domain.CodeConflict, "%s is a template: templates cannot be powered on", rec.vm)
		case rec.vm.PowerState == domain.PoweredOn:
			return domain.Errorf(domain.CodeConflict, "%s is already powered on", rec.vm)
		}
		rec.vm.PowerState = domain.PoweredOn
		rec.bootTime = h.now()
		return nil
	})
}

// PowerOff implements ports.Power.
func (h *Hypervisor) PowerOff(ctx context.Context, vm domain.VM) (domain.VM, error) {
	return h.setPower(ctx, "PowerOff", vm, func(rec *vmRecord) error {
		if rec.vm.PowerState == domain.PoweredOff {
			return domain.Errorf(domain.CodeConflict, "%s is already powered off", rec.vm)
		}
		rec.vm.PowerState = domain.PoweredOff
		return nil
	})
}

// ShutdownGuest implements ports.Power. The guest of an in-memory VM shuts
// down at once.
func (h *Hypervisor) ShutdownGuest(ctx context.Context, vm domain.VM) (domain.VM, error) {
	return h.setPower(ctx, "ShutdownGuest", vm, func(rec *vmRecord) error {
		switch {
		case rec.vm.PowerState != domain.PoweredOn:
			return domain.Errorf(domain.CodeConflict, "%s is %s: only a running guest can be shut down", rec.vm, rec.vm.PowerState)
		case !rec.tools:
			return domain.Errorf(domain.CodeConflict,
				"%s cannot be shut down gracefully: VMware Tools are not running in its guest; power it off without graceful instead", rec.vm)
		}
		rec.vm.PowerState = domain.PoweredOff
		return nil
	})
}

// setPower applies change to vm's record under the lock.
func (h *Hypervisor) setPower(ctx context.Context, method string, vm domain.VM, change func(*vmRecord) error) (domain.VM, error) {
	if err := h.enter(ctx, method); err != nil {
		return domain.VM{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	rec, err := h.lookup(vm)
	if err != nil {
		return domain.VM{}, err
	}
	if err := change(rec); err != nil {
		return domain.VM{}, err
	}
	return rec.summary(), nil
}
