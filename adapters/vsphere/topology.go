package vsphere

import (
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// entity is what the adapter reads of an inventory object other than a VM.
// Names are as vSphere stores them (escaped). Fields after parent are read
// for placement only.
type entity struct {
	ref    types.ManagedObjectReference
	name   string
	parent types.ManagedObjectReference

	childType   []string                       // Folder
	vmFolder    types.ManagedObjectReference   // Datacenter
	pool        types.ManagedObjectReference   // ComputeResource: root resource pool
	hosts       []types.ManagedObjectReference // ComputeResource
	drs         bool                           // ClusterComputeResource: DRS places VMs
	vms         []types.ManagedObjectReference // HostSystem
	datastores  []types.ManagedObjectReference // HostSystem
	networks    []types.ManagedObjectReference // HostSystem
	connection  string                         // HostSystem: runtime.connectionState
	maintenance bool                           // HostSystem: runtime.inMaintenanceMode
	accessible  bool                           // Datastore
	freeBytes   int64                          // Datastore
	portgroup   string                         // DistributedVirtualPortgroup: its key
	dvSwitch    types.ManagedObjectReference   // DistributedVirtualPortgroup
	switchUUID  string                         // VmwareDistributedVirtualSwitch
	pathMemo    string
	pathMemoSet bool
}

// topology is a set of inventory objects, enough to compute the inventory
// paths and names a VM summary needs without a round trip per object.
type topology struct {
	byRef map[types.ManagedObjectReference]*entity
}

// newTopology returns a topology that knows the root folder root, which a
// container view on it leaves out.
func newTopology(root types.ManagedObjectReference) *topology {
	t := &topology{byRef: make(map[types.ManagedObjectReference]*entity)}
	t.byRef[root] = &entity{ref: root, name: "Datacenters"}
	return t
}

// The properties of the objects around VMs, for paths and names.
var topologyProps = []types.PropertySpec{
	propSpec("Folder", "name", "parent"),
	propSpec("Datacenter", "name", "parent"),
	propSpec("ComputeResource", "name", "parent"),
	propSpec("HostSystem", "name", "parent"),
	propSpec("Datastore", "name", "parent"),
	propSpec("Network", "name", "parent"),
	propSpec("VirtualApp", "name", "parentFolder", "parentVApp"),
}

// topologyKinds are the kinds of object topologyProps reads.
var topologyKinds = []string{"Folder", "Datacenter", "ComputeResource", "HostSystem", "Datastore", "Network", "VirtualApp"}

// listingKinds and listingProps are what a listing reads: the VMs, with
// vmPaths, and the objects around them, with topologyProps. A direct
// listing and the inventory index read the same.
func listingKinds() []string { return append([]string{"VirtualMachine"}, topologyKinds...) }

func listingProps() []types.PropertySpec {
	return append([]types.PropertySpec{propSpec("VirtualMachine", vmPaths...)}, topologyProps...)
}

// add reads o into t, unless it is a VM or holds no name.
func (t *topology) add(o types.ObjectContent) {
	if o.Obj.Type == "VirtualMachine" {
		return
	}
	e := t.byRef[o.Obj]
	if e == nil {
		e = &entity{ref: o.Obj}
	}
	for _, p := range o.PropSet {
		e.set(p.Name, p.Val)
	}
	if e.name == "" {
		// An object without a name is one the retrieval could not read:
		// it vanished meanwhile.
		return
	}
	t.byRef[o.Obj] = e
}

// set reads the value val of the property name of e.
func (e *entity) set(name string, val any) {
	switch name {
	case "name":
		e.name = propString(val)
	case "parent":
		e.parent = propRef(val)
	case "parentFolder":
		if r := propRef(val); r.Value != "" {
			e.parent = r
		}
	case "parentVApp":
		if r := propRef(val); r.Value != "" && e.parent.Value == "" {
			e.parent = r
		}
	case "childType":
		e.childType = propStrings(val)
	case "vmFolder":
		e.vmFolder = propRef(val)
	case "resourcePool":
		e.pool = propRef(val)
	case "host":
		e.hosts = propRefs(val)
	case "datastore":
		e.datastores = propRefs(val)
	case "network":
		e.networks = propRefs(val)
	case "runtime.connectionState":
		e.connection = propString(val)
	case "runtime.inMaintenanceMode":
		e.maintenance = propBool(val)
	case "summary.accessible":
		e.accessible = propBool(val)
	case "summary.freeSpace":
		e.freeBytes = propInt(val)
	case "key":
		e.portgroup = propString(val)
	case "config.distributedVirtualSwitch":
		e.dvSwitch = propRef(val)
	case "uuid":
		e.switchUUID = propString(val)
	case "vm":
		e.vms = propRefs(val)
	case "configurationEx":
		if cfg, ok := val.(*types.ClusterConfigInfoEx); ok {
			e.drs = cfg.DrsConfig.Enabled != nil && *cfg.DrsConfig.Enabled
		}
	}
}

// usable reports whether a host can run a new VM: it is connected and not
// in maintenance mode.
func (e *entity) usable() bool {
	return e.connection == string(types.HostSystemConnectionStateConnected) && !e.maintenance
}

// get returns the entity of ref, or nil.
func (t *topology) get(ref types.ManagedObjectReference) *entity {
	if ref.Value == "" {
		return nil
	}
	return t.byRef[ref]
}

// path returns the inventory path of ref: the names from below the root
// folder down to it, such as "/DC0/vm/web". It is "" for the root folder
// and for an object whose ancestors are unknown.
func (t *topology) path(ref types.ManagedObjectReference) string {
	e := t.get(ref)
	if e == nil {
		return ""
	}
	if e.pathMemoSet {
		return e.pathMemo
	}
	var p string
	if e.parent.Value != "" {
		if t.get(e.parent) != nil {
			if parent := t.path(e.parent); parent != "" || t.isRoot(e.parent) {
				p = parent + "/" + e.name
			}
		}
	}
	e.pathMemo, e.pathMemoSet = p, true
	return p
}

// isRoot reports whether ref is the root folder: a folder without parent.
func (t *topology) isRoot(ref types.ManagedObjectReference) bool {
	e := t.get(ref)
	return e != nil && e.ref.Type == "Folder" && e.parent.Value == ""
}

// datacenterOf returns the datacenter that holds ref, or nil.
func (t *topology) datacenterOf(ref types.ManagedObjectReference) *entity {
	for e := t.get(ref); e != nil; e = t.get(e.parent) {
		if e.ref.Type == "Datacenter" {
			return e
		}
	}
	return nil
}

// objectRef returns the domain's reference to e.
func (t *topology) objectRef(e *entity) domain.ObjectRef {
	if e == nil {
		return domain.ObjectRef{}
	}
	return domain.ObjectRef{ID: e.ref.Value, Name: e.name, Path: t.path(e.ref)}
}

// clusterOf returns the cluster a host belongs to, or nil for a standalone
// host.
func (t *topology) clusterOf(host *entity) *entity {
	if host == nil {
		return nil
	}
	if p := t.get(host.parent); p != nil && p.ref.Type == "ClusterComputeResource" {
		return p
	}
	return nil
}

// computeOf returns the compute resource (cluster or standalone) of a host.
func (t *topology) computeOf(host *entity) *entity {
	if host == nil {
		return nil
	}
	return t.get(host.parent)
}

// names returns the names of refs that t knows, in order.
func (t *topology) names(refs []types.ManagedObjectReference) []string {
	var out []string
	for _, r := range refs {
		if e := t.get(r); e != nil {
			out = append(out, e.name)
		}
	}
	return out
}

// in returns the entities of kinds (and their subtypes, as listed) that
// lie in the datacenter dc, sorted by path.
func (t *topology) in(dc *entity, kinds ...string) []*entity {
	var out []*entity
	prefix := t.path(dc.ref) + "/"
	for _, e := range t.byRef {
		if slices.Contains(kinds, e.ref.Type) && strings.HasPrefix(t.path(e.ref), prefix) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *entity) int { return strings.Compare(t.path(a.ref), t.path(b.ref)) })
	return out
}

// datacenters returns every datacenter, sorted by path.
func (t *topology) datacenters() []*entity {
	var out []*entity
	for _, e := range t.byRef {
		if e.ref.Type == "Datacenter" && t.path(e.ref) != "" {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *entity) int { return strings.Compare(t.path(a.ref), t.path(b.ref)) })
	return out
}
