package memory

import (
	"github.com/esximcp/esximcp/domain"
)

// The methods in this file arrange situations that the ports do not
// create, as an administrator would in vCenter.

// MarkAsTemplate turns the powered-off VM id into a template.
func (h *Hypervisor) MarkAsTemplate(id string) error {
	return h.arrange(id, func(rec *vmRecord) error {
		if rec.vm.PowerState != domain.PoweredOff {
			return domain.Errorf(domain.CodeConflict, "%s is %s: only a powered-off VM can become a template", rec.vm, rec.vm.PowerState)
		}
		rec.vm.Template = true
		return nil
	})
}

// Suspend suspends the powered-on VM id.
func (h *Hypervisor) Suspend(id string) error {
	return h.arrange(id, func(rec *vmRecord) error {
		if rec.vm.PowerState != domain.PoweredOn {
			return domain.Errorf(domain.CodeConflict, "%s is %s: only a powered-on VM can be suspended", rec.vm, rec.vm.PowerState)
		}
		rec.vm.PowerState = domain.Suspended
		return nil
	})
}

// SetGuestTools says whether the guest tools of VM id run while it is on.
func (h *Hypervisor) SetGuestTools(id string, running bool) error {
	return h.arrange(id, func(rec *vmRecord) error {
		rec.tools = running
		return nil
	})
}

// SetIPAddress sets the IP address the guest of VM id reports while it is
// on.
func (h *Hypervisor) SetIPAddress(id, ip string) error {
	return h.arrange(id, func(rec *vmRecord) error {
		rec.vm.IPAddress = ip
		return nil
	})
}

func (h *Hypervisor) arrange(id string, change func(*vmRecord) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec, err := h.lookup(domain.VM{ID: id})
	if err != nil {
		return err
	}
	return change(rec)
}
