package vsphere

import (
	"context"
	"slices"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// ListVMs implements ports.Inventory with one container view and one
// retrieval of the VMs' summary properties and of the names and parents of
// the objects around them; paths are computed in memory.
func (h *Hypervisor) ListVMs(ctx context.Context, f domain.ListFilter) ([]domain.VM, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	kinds := append([]string{"VirtualMachine"}, topologyKinds...)
	props := append([]types.PropertySpec{propSpec("VirtualMachine", vmPaths...)}, topologyProps...)
	objs, err := h.retrieveView(ctx, kinds, props)
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

// ResolveVM implements ports.Inventory. Every answer is current: a path is
// looked up with the SearchIndex, an id is read directly, and a name is
// matched against the names of every VM in one retrieval.
func (h *Hypervisor) ResolveVM(ctx context.Context, ref domain.VMRef, _ ports.Consistency) (domain.VM, error) {
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

// summarizeProps returns the summaries and properties, with extra ones, of
// the VMs refs that exist. One retrieval reads the VMs with their
// ancestors, datastores, networks, and the hosts of their compute
// resources (through their resource pools); a second one is needed only
// for a VM without a pool (a template) or in a vApp. The requests are kept
// short: vcsim spends much of such a call decoding the request.
func (h *Hypervisor) summarizeProps(ctx context.Context, refs []types.ManagedObjectReference, extra ...string) ([]domain.VM, []vmProps, error) {
	if len(refs) == 0 {
		return nil, nil, nil
	}
	spec := types.PropertyFilterSpec{
		PropSet: []types.PropertySpec{
			propSpec("VirtualMachine", append(slices.Clone(vmPaths), extra...)...),
			propSpec("Folder", "name", "parent"),
			propSpec("Datacenter", "name", "parent"),
			propSpec("Datastore", "name"),
			propSpec("Network", "name"),
			propSpec("HostSystem", "name", "parent"),
			propSpec("ComputeResource", "name"),
		},
		ReportMissingObjectsInResults: types.NewBool(true),
	}
	for _, r := range refs {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: r, SelectSet: []types.BaseSelectionSpec{
			upTraversal(),
			&types.TraversalSpec{Type: "VirtualMachine", Path: "datastore"},
			&types.TraversalSpec{Type: "VirtualMachine", Path: "network"},
			&types.TraversalSpec{Type: "VirtualMachine", Path: "resourcePool", Skip: types.NewBool(true), SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{Type: "ResourcePool", Path: "owner", SelectSet: []types.BaseSelectionSpec{
					&types.TraversalSpec{Type: "ComputeResource", Path: "host"},
				}},
			}},
		}})
	}
	objs, err := h.retrieve(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	t := newTopology(h.client.ServiceContent.RootFolder)
	var props []vmProps
	for _, o := range objs {
		if o.Obj.Type != "VirtualMachine" {
			t.add(o)
			continue
		}
		if isObjectGone(missingFault(o)) {
			continue
		}
		if p := decodeVM(o); p.name != "" { // else it vanished while it was read
			props = append(props, p)
		}
	}
	around := types.PropertyFilterSpec{ // hosts of templates, and vApps
		PropSet: []types.PropertySpec{
			propSpec("HostSystem", "name", "parent"),
			propSpec("ComputeResource", "name"),
			propSpec("VirtualApp", "name", "parentFolder", "parentVApp"),
			propSpec("Folder", "name", "parent"),
			propSpec("Datacenter", "name", "parent"),
		},
		ReportMissingObjectsInResults: types.NewBool(true),
	}
	seen := make(map[types.ManagedObjectReference]bool)
	for _, p := range props {
		if p.host.Value != "" && t.get(p.host) == nil && !seen[p.host] {
			seen[p.host] = true
			around.ObjectSet = append(around.ObjectSet, types.ObjectSpec{Obj: p.host, SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{Type: "HostSystem", Path: "parent"},
			}})
		}
		if p.parent.Value == "" && p.parentVApp.Value != "" && !seen[p.parentVApp] {
			seen[p.parentVApp] = true
			around.ObjectSet = append(around.ObjectSet, types.ObjectSpec{Obj: p.parentVApp, SelectSet: vAppTraversals()})
		}
	}
	if len(around.ObjectSet) > 0 {
		more, err := h.retrieve(ctx, around)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range more {
			t.add(o)
		}
	}
	vms := make([]domain.VM, len(props))
	for i := range props {
		vms[i] = t.summary(&props[i])
	}
	return vms, props, nil
}

// upTraversal selects the ancestors of an object.
func upTraversal() *types.TraversalSpec {
	return &types.TraversalSpec{
		SelectionSpec: types.SelectionSpec{Name: "up"},
		Type:          "ManagedEntity",
		Path:          "parent",
		SelectSet:     []types.BaseSelectionSpec{&types.SelectionSpec{Name: "up"}},
	}
}

// vAppTraversals select, from a vApp, the vApps and folders above it.
func vAppTraversals() []types.BaseSelectionSpec {
	return []types.BaseSelectionSpec{
		upTraversal(),
		&types.TraversalSpec{
			SelectionSpec: types.SelectionSpec{Name: "vappUp"},
			Type:          "VirtualApp",
			Path:          "parentFolder",
			SelectSet:     []types.BaseSelectionSpec{&types.SelectionSpec{Name: "up"}},
		},
		&types.TraversalSpec{
			SelectionSpec: types.SelectionSpec{Name: "vappParent"},
			Type:          "VirtualApp",
			Path:          "parentVApp",
			SelectSet:     []types.BaseSelectionSpec{&types.SelectionSpec{Name: "vappUp"}, &types.SelectionSpec{Name: "vappParent"}},
		},
	}
}

// vmRef returns the reference of the VM whose id is id.
func vmRef(id string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VirtualMachine", Value: id}
}
