package vsphere

import (
	"context"
	"slices"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// The functions in this file read VM summaries directly from vCenter, with
// the names and paths of the objects around the VMs: the answers of Current
// reads, and of every read while the inventory index is not ready.

// summarizeProps returns the summaries and properties, with extra ones, of
// the VMs refs that exist. One retrieval reads the VMs with their
// ancestors, datastores, networks, and the compute resources of their
// resource pools; their hosts come from the adapter's memo of hosts (see
// hostMemo). A second retrieval is needed only for a host the memo lacks
// or has in another cluster, for a VM without a pool (a template), or for
// one in a vApp. The requests are kept
// short: vcsim spends much of such a call decoding the request.
func (h *Hypervisor) summarizeProps(ctx context.Context, refs []types.ManagedObjectReference, extra ...string) ([]domain.VM, []vmProps, error) {
	if len(refs) == 0 {
		return nil, nil, nil
	}
	objs, err := h.retrieve(ctx, summarySpec(refs, extra...))
	if err != nil {
		return nil, nil, err
	}
	return h.summaries(ctx, objs)
}

// summarySpec returns the retrieval of the VMs refs, with the properties
// extra, and of the objects around them that their summaries name.
func summarySpec(refs []types.ManagedObjectReference, extra ...string) types.PropertyFilterSpec {
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
				&types.TraversalSpec{Type: "ResourcePool", Path: "owner"},
			}},
		}})
	}
	return spec
}

// summaries returns the summaries and properties of the VMs among objs,
// the result of a retrieval of summarySpec, reading the hosts that neither
// objs nor the memo of hosts hold, and the vApps of VMs in vApps.
func (h *Hypervisor) summaries(ctx context.Context, objs []types.ObjectContent) ([]domain.VM, []vmProps, error) {
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
	h.hosts.fill(t, props)
	around := types.PropertyFilterSpec{ // hosts the memo lacks, and vApps
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
	h.hosts.note(t, props)
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
