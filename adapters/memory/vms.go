package memory

import (
	"context"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// ListVMs implements ports.Inventory.
func (h *Hypervisor) ListVMs(ctx context.Context, f domain.ListFilter) ([]domain.VM, int, error) {
	if err := h.enter(ctx, "ListVMs"); err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	var all []domain.VM
	for _, rec := range h.vms {
		if f.Matches(rec.vm) { // cheap test first: copy only what is selected
			all = append(all, rec.summary())
		}
	}
	vms, total := f.Apply(all)
	return vms, total, nil
}

// ResolveVM implements ports.Inventory. Every answer is current.
func (h *Hypervisor) ResolveVM(ctx context.Context, ref domain.VMRef, _ ports.Consistency) (domain.VM, error) {
	if err := h.enter(ctx, "ResolveVM"); err != nil {
		return domain.VM{}, err
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if ref.Kind == domain.RefID && ref.Exact {
		if rec := h.vms[ref.Value]; rec != nil {
			return rec.summary(), nil
		}
		return domain.VM{}, ref.NotFound()
	}
	var matches []domain.VM
	for _, rec := range h.vms {
		if ref.Matches(rec.vm) {
			matches = append(matches, rec.summary())
		}
	}
	domain.SortVMs(matches)
	return ref.Pick(matches)
}

// lookup returns the record of vm, or not_found. The caller holds h.mu.
func (h *Hypervisor) lookup(vm domain.VM) (*vmRecord, error) {
	if rec := h.vms[vm.ID]; rec != nil {
		return rec, nil
	}
	return nil, domain.Errorf(domain.CodeNotFound, "VM %s no longer exists", vm)
}

// summary returns the VM as callers see it, sharing nothing with rec.
func (rec *vmRecord) summary() domain.VM {
	vm := rec.vm.Clone()
	if vm.PowerState == domain.PoweredOn {
		vm.GuestOS = guestFullName(vm.GuestID)
	} else {
		vm.IPAddress = ""
	}
	return vm
}

// place records where rec is, in rec.vm's fields as well.
func (rec *vmRecord) place(dc *datacenter, f *folder, ho *host, pool object, dss []*datastore, nets []*network) {
	rec.dc, rec.folder, rec.host, rec.pool, rec.datastores, rec.networks = dc, f, ho, pool, dss, nets
	rec.vm.Datacenter = dc.name
	rec.vm.Path = f.path + "/" + rec.vm.Name
	rec.vm.Host, rec.vm.Cluster = ho.name, ""
	if ho.cluster != nil {
		rec.vm.Cluster = ho.cluster.name
	}
	rec.vm.Datastores = make([]string, len(dss))
	for i, ds := range dss {
		rec.vm.Datastores[i] = ds.name
	}
	rec.vm.Networks = make([]string, len(nets))
	for i, n := range nets {
		rec.vm.Networks[i] = n.name
	}
}

// guestFullName returns the name a guest OS identifier stands for.
func guestFullName(id string) string {
	if name, ok := guestNames[id]; ok {
		return name
	}
	return id
}

var guestNames = map[string]string{
	"otherGuest":                 "Other (32-bit)",
	"otherGuest64":               "Other (64-bit)",
	"otherLinux64Guest":          "Other Linux (64-bit)",
	"ubuntu64Guest":              "Ubuntu Linux (64-bit)",
	"debian12_64Guest":           "Debian GNU/Linux 12 (64-bit)",
	"rhel9_64Guest":              "Red Hat Enterprise Linux 9 (64-bit)",
	"windows2019srv_64Guest":     "Microsoft Windows Server 2019 (64-bit)",
	"windows2022srvNext_64Guest": "Microsoft Windows Server 2025 (64-bit)",
}
