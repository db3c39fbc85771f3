package vsphere

import (
	"context"
	"slices"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// ListVMs implements ports.Inventory. The inventory index answers it
// when it is ready, without a round trip; otherwise it costs one container
// view and one retrieval of the VMs' summary properties and of the names
// and parents of the objects around them; paths are computed in memory.
func (h *Hypervisor) ListVMs(ctx context.Context, f domain.ListFilter) ([]domain.VM, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if h.closed.Load() {
		return nil, 0, errClosed
	}
	if vms, total, ok := h.index.list(f); ok {
		return vms, total, nil
	}
	objs, err := h.retrieveView(ctx, listingKinds(), listingProps())
	if err != nil {
		return nil, 0, h.translate(err, "list VMs")
	}
	t := newTopology(h.client.ServiceContent.RootFolder)
	var vms []vmProps
	for _, o := range objs {
		if o.Obj.Type == "VirtualMachine" {
			if p := decodeVM(o); p.name != "" {
				vms = append(vms, p)
			}
			continue
		}
		t.add(o)
	}
	all := make([]domain.VM, 0, len(vms))
	for i := range vms {
		if vm := t.summary(&vms[i]); f.Matches(vm) {
			all = append(all, vm)
		}
	}
	selected, total := f.Apply(all)
	return selected, total, nil
}

// ResolveVM implements ports.Inventory.
//
// With the inventory index ready, a Cached lookup is answered by the index
// alone. A Current one, the lookup of a mutation's target, is confirmed
// with vCenter: a path the index knows is read back with its ancestors in
// one retrieval, and must still be that VM's path (a path names at most
// one VM, so that the index cannot hide a second one); a name is matched
// against the names of every VM vCenter has now, as the index may not yet
// have seen a VM someone else just created or renamed to that name, which
// would make the name ambiguous; an id is read directly.
//
// Directly, a path is looked up with the SearchIndex, an id is read
// directly, and a name is matched against the names of every VM in one
// retrieval.
func (h *Hypervisor) ResolveVM(ctx context.Context, ref domain.VMRef, c ports.Consistency) (domain.VM, error) {
	if h.closed.Load() {
		return domain.VM{}, errClosed
	}
	if c == ports.Current && ref.Kind != domain.RefPath {
		return h.resolveDirect(ctx, ref)
	}
	if cands, ok := h.index.candidates(ref); ok {
		if c == ports.Cached {
			return ref.Pick(cands)
		}
		if vm, ok, err := h.confirm(ctx, ref, cands); ok || err != nil {
			return vm, err
		}
	}
	return h.resolveDirect(ctx, ref)
}

// confirm reads the index's candidates for ref from vCenter and returns
// ref's pick among them, or its error. It reports false, for a direct
// lookup instead, when there is no candidate, or one has vanished or no
// longer matches.
func (h *Hypervisor) confirm(ctx context.Context, ref domain.VMRef, cands []domain.VM) (domain.VM, bool, error) {
	if len(cands) == 0 {
		return domain.VM{}, false, nil
	}
	refs := make([]types.ManagedObjectReference, len(cands))
	for i, vm := range cands {
		refs[i] = vmRef(vm.ID)
	}
	vms, err := h.summarize(ctx, refs)
	if err != nil {
		return domain.VM{}, false, h.translate(err, "read VM "+ref.String())
	}
	if len(vms) != len(cands) || slices.ContainsFunc(vms, func(vm domain.VM) bool { return !ref.Matches(vm) }) {
		return domain.VM{}, false, nil
	}
	domain.SortVMs(vms)
	vm, err := ref.Pick(vms)
	return vm, true, err
}

// resolveDirect resolves ref with vCenter alone.
func (h *Hypervisor) resolveDirect(ctx context.Context, ref domain.VMRef) (domain.VM, error) {
	var refs []types.ManagedObjectReference
	switch {
	case ref.Kind == domain.RefPath:
		found, err := h.findByPath(ctx, ref.Value)
		if err != nil {
			return domain.VM{}, h.translate(err, "look up "+ref.Value)
		}
		if found == nil || found.Type != "VirtualMachine" {
			return domain.VM{}, ref.NotFound()
		}
		refs = []types.ManagedObjectReference{*found}
	case ref.Kind == domain.RefID && ref.Exact:
		refs = []types.ManagedObjectReference{vmRef(ref.Value)}
	default:
		named, err := h.findByName(ctx, ref)
		if err != nil {
			return domain.VM{}, h.translate(err, "look up VM "+ref.String())
		}
		refs = named
		if ref.Kind == domain.RefID && !slices.Contains(refs, vmRef(ref.Value)) {
			refs = append(refs, vmRef(ref.Value))
		}
	}
	vms, err := h.summarize(ctx, refs)
	if err != nil {
		return domain.VM{}, h.translate(err, "read VM "+ref.String())
	}
	domain.SortVMs(vms)
	return ref.Pick(vms)
}

// current returns vm as vSphere has it now; not_found when it is gone.
func (h *Hypervisor) current(ctx context.Context, vm domain.VM, extra ...string) (domain.VM, *vmProps, error) {
	vms, props, err := h.summarizeProps(ctx, []types.ManagedObjectReference{vmRef(vm.ID)}, extra...)
	if err != nil {
		return domain.VM{}, nil, h.translate(err, "read VM "+vm.String())
	}
	if len(vms) == 0 {
		return domain.VM{}, nil, domain.Errorf(domain.CodeNotFound, "VM %s no longer exists", vm)
	}
	return vms[0], &props[0], nil
}

// findByPath returns the object at an inventory path, or nil.
func (h *Hypervisor) findByPath(ctx context.Context, path string) (*types.ManagedObjectReference, error) {
	var found *types.ManagedObjectReference
	err := h.call(ctx, func(ctx context.Context) error {
		r, err := object.NewSearchIndex(h.client).FindByInventoryPath(ctx, path)
		if err == nil && r != nil {
			ref := r.Reference()
			found = &ref
		}
		return err
	})
	return found, err
}

// findByName returns every VM whose name ref matches, in any datacenter.
func (h *Hypervisor) findByName(ctx context.Context, ref domain.VMRef) ([]types.ManagedObjectReference, error) {
	objs, err := h.retrieveView(ctx, []string{"VirtualMachine"}, []types.PropertySpec{propSpec("VirtualMachine", "name")})
	if err != nil {
		return nil, err
	}
	var out []types.ManagedObjectReference
	for _, o := range objs {
		for _, p := range o.PropSet {
			if p.Name == "name" && ref.MatchesName(propString(p.Val)) {
				out = append(out, o.Obj)
			}
		}
	}
	return out, nil
}

// summarize returns the summaries of the VMs refs that exist, leaving out
// the others.
func (h *Hypervisor) summarize(ctx context.Context, refs []types.ManagedObjectReference) ([]domain.VM, error) {
	vms, _, err := h.summarizeProps(ctx, refs)
	return vms, err
}

// vmRef returns the reference of the VM whose id is id.
func vmRef(id string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VirtualMachine", Value: id}
}
