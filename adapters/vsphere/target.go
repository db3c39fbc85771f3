package vsphere

import (
	"context"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// target is a placement whose objects were checked, just before a VM is
// created or cloned there.
type target struct {
	folder    types.ManagedObjectReference
	pool      types.ManagedObjectReference
	host      *types.ManagedObjectReference // nil: the cluster (DRS) chooses
	datastore *entity
	network   *entity // nil: no network adapter
}

// The properties checkTarget reads of each object of a placement.
var targetProps = []types.PropertySpec{
	propSpec("Datacenter", "name"),
	propSpec("Folder", "name", "childType"),
	propSpec("ResourcePool", "name"),
	propSpec("HostSystem", "name"),
	propSpec("ClusterComputeResource", "name", "host", "configurationEx"),
	propSpec("Datastore", "name", "summary.accessible"),
	propSpec("Network", "name"),
	propSpec("DistributedVirtualPortgroup", "name", "key", "config.distributedVirtualSwitch"),
}

// checkTarget checks, in one retrieval, that every object of at still
// exists, and that at's folder holds no object named name. vcsim panics on
// a CreateVM with a datastore or network that does not exist, and vCenter
// answers with faults that do not say which object is missing: checking
// first gives a not_found that names it, and creates nothing.
func (h *Hypervisor) checkTarget(ctx context.Context, at domain.Placement, name string) (*target, error) {
	type want struct {
		field string
		ref   domain.ObjectRef
		mor   types.ManagedObjectReference
	}
	wants := []want{
		{"datacenter", at.Datacenter, types.ManagedObjectReference{Type: "Datacenter", Value: at.Datacenter.ID}},
		{"folder", at.Folder, types.ManagedObjectReference{Type: "Folder", Value: at.Folder.ID}},
		{"resource pool", at.ResourcePool, poolRef(at.ResourcePool.ID)},
		{"datastore", at.Datastore, types.ManagedObjectReference{Type: "Datastore", Value: at.Datastore.ID}},
	}
	switch {
	case at.Host.ID != "":
		wants = append(wants, want{"host", at.Host, types.ManagedObjectReference{Type: "HostSystem", Value: at.Host.ID}})
	case at.Cluster.ID != "":
		wants = append(wants, want{"cluster", at.Cluster, types.ManagedObjectReference{Type: "ClusterComputeResource", Value: at.Cluster.ID}})
	default:
		return nil, domain.Errorf(domain.CodeInvalidArgument, "the placement names no host or cluster")
	}
	if !at.Network.IsZero() {
		wants = append(wants, want{"network", at.Network, networkRef(at.Network.ID)})
	}
	spec := types.PropertyFilterSpec{PropSet: targetProps, ReportMissingObjectsInResults: types.NewBool(true)}
	for _, w := range wants {
		if w.ref.ID == "" {
			return nil, domain.Errorf(domain.CodeInvalidArgument, "the placement's %s has no id", w.field)
		}
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: w.mor})
	}
	objs, err := h.retrieve(ctx, spec)
	if err != nil {
		return nil, h.translate(err, "check the placement of "+at.VMPath(name))
	}
	found := newTopology(h.client.ServiceContent.RootFolder)
	for _, o := range objs {
		if missingFault(o) == nil {
			found.add(o)
		}
	}
	for _, w := range wants {
		if found.get(w.mor) == nil {
			return nil, domain.Errorf(domain.CodeNotFound, "%s %q (%s) no longer exists", w.field, w.ref.Name, w.ref.ID)
		}
	}
	tg := &target{folder: wants[1].mor, pool: wants[2].mor, datastore: found.get(wants[3].mor)}
	if !tg.datastore.accessible {
		return nil, domain.Errorf(domain.CodeConflict, "datastore %q (%s) is not accessible now", at.Datastore.Name, at.Datastore.ID)
	}
	if !at.Network.IsZero() {
		tg.network = found.get(wants[len(wants)-1].mor)
	}
	if at.Host.ID != "" {
		tg.host = &wants[4].mor
	} else if cl := found.get(wants[4].mor); !cl.drs {
		// Without DRS, vCenter does not choose a host: choose one as DRS
		// would, among those that reach the datastore and network.
		if tg.host, err = h.chooseHost(ctx, cl, tg); err != nil {
			return nil, err
		}
	}
	if err := h.nameIsFree(ctx, tg.folder, at.Folder.Path, name); err != nil {
		return nil, err
	}
	return tg, nil
}

// chooseHost returns the connected host of cluster cl, out of maintenance
// mode and reaching tg's datastore and network, that runs the fewest VMs.
func (h *Hypervisor) chooseHost(ctx context.Context, cl *entity, tg *target) (*types.ManagedObjectReference, error) {
	spec := types.PropertyFilterSpec{
		PropSet: []types.PropertySpec{propSpec("HostSystem", "name", "vm", "datastore", "network",
			"runtime.connectionState", "runtime.inMaintenanceMode")},
		ReportMissingObjectsInResults: types.NewBool(true),
	}
	for _, r := range cl.hosts {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: r})
	}
	objs, err := h.retrieve(ctx, spec)
	if err != nil {
		return nil, h.translate(err, "choose a host in cluster "+cl.name)
	}
	t := newTopology(h.client.ServiceContent.RootFolder)
	for _, o := range objs {
		t.add(o)
	}
	var best *entity
	for _, r := range cl.hosts {
		host := t.get(r)
		switch {
		case host == nil || !host.usable() || !slices.Contains(host.datastores, tg.datastore.ref):
		case tg.network != nil && !slices.Contains(host.networks, tg.network.ref):
		case best == nil || len(host.vms) < len(best.vms):
			best = host
		}
	}
	if best == nil {
		return nil, domain.Errorf(domain.CodeConflict,
			"cluster %q has no connected host out of maintenance mode that reaches datastore %q", cl.name, tg.datastore.name)
	}
	return &best.ref, nil
}

// nameIsFree returns already_exists when folder holds an object named
// name. It reads the names of the folder's children in one retrieval
// rather than with SearchIndex.FindChild: vcsim's FindChild reads them
// without the folder's lock, racing with a VM being created there, while
// the PropertyCollector lists the children under it.
func (h *Hypervisor) nameIsFree(ctx context.Context, folder types.ManagedObjectReference, folderPath, name string) error {
	objs, err := h.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj:       folder,
			Skip:      types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "Folder", Path: "childEntity"}},
		}},
		PropSet: []types.PropertySpec{propSpec("ManagedEntity", "name")},
	})
	if err != nil {
		return h.translate(err, "look for "+name+" in folder "+folderPath)
	}
	stored := domain.EscapeName(name)
	for _, o := range objs {
		for _, p := range o.PropSet {
			if p.Name != "name" || propString(p.Val) != stored {
				continue
			}
			what := "an object"
			if o.Obj.Type == "VirtualMachine" {
				what = "a VM"
			}
			return domain.Errorf(domain.CodeAlreadyExists, "folder %s already holds %s named %q (%s)", folderPath, what, stored, o.Obj.Value)
		}
	}
	return nil
}

// poolRef returns the reference of a resource pool, or vApp, of id id.
func poolRef(id string) types.ManagedObjectReference {
	if strings.HasPrefix(id, "resgroup-v") {
		return types.ManagedObjectReference{Type: "VirtualApp", Value: id}
	}
	return types.ManagedObjectReference{Type: "ResourcePool", Value: id}
}

// networkRef returns the reference of a network of id id: vCenter names
// distributed port groups "dvportgroup-N".
func networkRef(id string) types.ManagedObjectReference {
	if strings.HasPrefix(id, "dvportgroup-") {
		return types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: id}
	}
	return types.ManagedObjectReference{Type: "Network", Value: id}
}

// nicBacking returns the backing of a network adapter on n: a standard port
// group, or a distributed port group of a switch whose UUID it reads.
func (h *Hypervisor) nicBacking(ctx context.Context, n *entity) (types.BaseVirtualDeviceBackingInfo, error) {
	if n.ref.Type != "DistributedVirtualPortgroup" {
		return &types.VirtualEthernetCardNetworkBackingInfo{
			VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: n.name},
			Network:                        &n.ref,
		}, nil
	}
	objs, err := h.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet:                     []types.ObjectSpec{{Obj: n.dvSwitch}},
		PropSet:                       []types.PropertySpec{propSpec("DistributedVirtualSwitch", "name", "uuid")},
		ReportMissingObjectsInResults: types.NewBool(true),
	})
	if err != nil {
		return nil, h.translate(err, "read the distributed switch of port group "+n.name)
	}
	t := newTopology(h.client.ServiceContent.RootFolder)
	for _, o := range objs {
		t.add(o)
	}
	dvs := t.get(n.dvSwitch)
	if dvs == nil || dvs.switchUUID == "" {
		return nil, domain.Errorf(domain.CodeNotFound, "the distributed switch of port group %q (%s) no longer exists", n.name, n.ref.Value)
	}
	return &types.VirtualEthernetCardDistributedVirtualPortBackingInfo{
		Port: types.DistributedVirtualSwitchPortConnection{SwitchUuid: dvs.switchUUID, PortgroupKey: n.portgroup},
	}, nil
}
