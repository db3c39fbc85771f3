package memory

import (
	"context"

	"slices"

	"github.com/esximcp/esximcp/domain"
)

// CreateVM implements ports.Lifecycle.
func (h *Hypervisor) CreateVM(ctx context.Context, spec domain.CreateSpec, at domain.Placement) (domain.VM, error) {
	if err := h.enter(ctx, "CreateVM"); err != nil {
		return domain.VM{}, err
	}
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return domain.VM{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t, err := h.target(at, spec.Name)
	if err != nil {
		return domain.VM{}, err
	}
	var nets []*network
	if !at.Network.IsZero() {
		n := findByID(t.dc.networks, at.Network.ID)
		if n == nil {
			return domain.VM{}, gone("network", at.Network)
		}
		nets = []*network{n}
	}
	rec := &vmRecord{diskBytes: int64(spec.DiskGB) << 30}
	rec.vm = domain.VM{
		ID: h.newID("vm"), Name: domain.EscapeName(spec.Name), PowerState: domain.PoweredOff,
		CPU: spec.CPU, MemoryMB: spec.MemoryMB, GuestID: spec.GuestID,
	}
	rec.place(t.dc, t.folder, t.host, t.pool, []*datastore{t.datastore}, nets)
	h.vms[rec.vm.ID] = rec
	return rec.summary(), nil
}

// CloneVM implements ports.Lifecycle.
func (h *Hypervisor) CloneVM(ctx context.Context, src domain.VM, name string, at domain.Placement) (domain.VM, error) {
	if err := h.enter(ctx, "CloneVM"); err != nil {
		return domain.VM{}, err
	}
	if h.standalone {
		return domain.VM{}, errNoClone
	}
	if err := domain.ValidateName("new_name", name); err != nil {
		return domain.VM{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	from, err := h.lookup(src)
	if err != nil {
		return domain.VM{}, err
	}
	t, err := h.target(at, name)
	if err != nil {
		return domain.VM{}, err
	}
	if t.dc != from.dc {
		return domain.VM{}, domain.Errorf(domain.CodeInvalidArgument, "a clone must stay in the datacenter of its source %s", src)
	}
	rec := &vmRecord{diskBytes: from.diskBytes}
	rec.vm = domain.VM{
		ID: h.newID("vm"), Name: domain.EscapeName(name), PowerState: domain.PoweredOff,
		CPU: from.vm.CPU, MemoryMB: from.vm.MemoryMB, GuestID: from.vm.GuestID,
	}
	rec.place(t.dc, t.folder, t.host, t.pool, []*datastore{t.datastore}, slices.Clone(from.networks))
	h.vms[rec.vm.ID] = rec
	return rec.summary(), nil
}

// DeleteVM implements ports.Lifecycle.
func (h *Hypervisor) DeleteVM(ctx context.Context, vm domain.VM) error {
	if err := h.enter(ctx, "DeleteVM"); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	rec, err := h.lookup(vm)
	if err != nil {
		return err
	}
	if rec.vm.PowerState != domain.PoweredOff {
		return domain.Errorf(domain.CodeConflict, "%s is %s: power it off before deleting it", rec.vm, rec.vm.PowerState)
	}
	delete(h.vms, rec.vm.ID)
	return nil
}

// target is a checked placement for a new VM.
type target struct {
	dc        *datacenter
	folder    *folder
	host      *host
	pool      object
	datastore *datastore
}

// target checks that every object of at still exists and that at's folder
// has no VM named name, and chooses the host. The caller holds h.mu.
func (h *Hypervisor) target(at domain.Placement, name string) (target, error) {
	var t target
	if t.dc = findByID(h.dcs, at.Datacenter.ID); t.dc == nil {
		return t, gone("datacenter", at.Datacenter)
	}
	if t.folder = findByID(t.dc.folders, at.Folder.ID); t.folder == nil {
		return t, gone("folder", at.Folder)
	}
	if t.datastore = findByID(t.dc.datastores, at.Datastore.ID); t.datastore == nil {
		return t, gone("datastore", at.Datastore)
	}
	switch {
	case at.Host.ID != "":
		if t.host = findByID(t.dc.hosts, at.Host.ID); t.host == nil {
			return t, gone("host", at.Host)
		}
	case at.Cluster.ID != "":
		cl := findByID(t.dc.clusters, at.Cluster.ID)
		if cl == nil {
			return t, gone("cluster", at.Cluster)
		}
		if t.host = h.leastLoaded(cl.hosts); t.host == nil {
			return t, domain.Errorf(domain.CodeConflict, "cluster %s has no host to run the VM", at.Cluster.Path)
		}
	default:
		return t, domain.Errorf(domain.CodeInvalidArgument, "the placement names no host or cluster")
	}
	t.pool = t.host.pool
	path := t.folder.path + "/" + domain.EscapeName(name)
	for _, rec := range h.vms {
		if rec.vm.Path == path {
			return t, domain.Errorf(domain.CodeAlreadyExists, "folder %s already holds a VM named %q (%s)", t.folder.path, rec.vm.Name, rec.vm.ID)
		}
	}
	return t, nil
}

// leastLoaded returns the host of hosts that runs the fewest VMs, as DRS
// would spread them. The caller holds h.mu.
func (h *Hypervisor) leastLoaded(hosts []*host) *host {
	load := make(map[*host]int, len(hosts))
	for _, rec := range h.vms {
		load[rec.host]++
	}
	var best *host
	for _, ho := range hosts {
		if best == nil || load[ho] < load[best] {
			best = ho
		}
	}
	return best
}

func findByID[T named](list []T, id string) T {
	var zero T
	for _, x := range list {
		if x.obj().id == id {
			return x
		}
	}
	return zero
}

func gone(kind string, o domain.ObjectRef) error {
	return domain.Errorf(domain.CodeNotFound, "%s %q (%s) no longer exists", kind, o.Name, o.ID)
}
