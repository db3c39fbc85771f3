package vsphere

import (
	"context"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// The properties placement reads of the objects VMs run on and use.
var placementProps = []types.PropertySpec{
	propSpec("Folder", "name", "parent", "childType"),
	propSpec("Datacenter", "name", "parent", "vmFolder"),
	propSpec("ComputeResource", "name", "parent", "resourcePool", "host"),
	propSpec("HostSystem", "name", "parent", "datastore", "network", "runtime.connectionState", "runtime.inMaintenanceMode"),
	propSpec("Datastore", "name", "parent", "summary.accessible", "summary.freeSpace"),
	propSpec("Network", "name", "parent"),
	propSpec("ResourcePool", "name", "parent"),
}

var placementKinds = []string{"Folder", "Datacenter", "ComputeResource", "HostSystem", "Datastore", "Network", "ResourcePool"}

// networkKinds are the types of network a NIC can use.
var networkKinds = []string{"Network", "DistributedVirtualPortgroup", "OpaqueNetwork"}

// placementTopology reads every datacenter, folder, compute resource, host,
// datastore and network in one retrieval.
func (h *Hypervisor) placementTopology(ctx context.Context) (*topology, error) {
	objs, err := h.retrieveView(ctx, placementKinds, placementProps)
	if err != nil {
		return nil, h.translate(err, "read the inventory for placement")
	}
	t := newTopology(h.client.ServiceContent.RootFolder)
	for _, o := range objs {
		t.add(o)
	}
	return t, nil
}

// PlaceVM implements ports.Placement.
func (h *Hypervisor) PlaceVM(ctx context.Context, req domain.PlacementRequest) (domain.Placement, error) {
	if err := req.Validate(); err != nil {
		return domain.Placement{}, err
	}
	t, err := h.placementTopology(ctx)
	if err != nil {
		return domain.Placement{}, err
	}
	pl, err := newPlacer(t, req)
	if err != nil {
		return domain.Placement{}, err
	}
	p := domain.Placement{Datacenter: t.objectRef(pl.dc)}
	folder, err := pl.folder(req.Folder)
	if err != nil {
		return domain.Placement{}, err
	}
	p.Folder = t.objectRef(folder)
	hosts, err := pl.compute(req, &p)
	if err != nil {
		return domain.Placement{}, err
	}
	ds, err := pl.datastore(req.Datastore, hosts)
	if err != nil {
		return domain.Placement{}, err
	}
	p.Datastore = t.objectRef(ds)
	switch {
	case req.Network != "":
		n, err := pl.named("network", req.Network, t.in(pl.dc, networkKinds...))
		if err != nil {
			return domain.Placement{}, err
		}
		if !reaches(hosts, func(host *entity) []types.ManagedObjectReference { return host.networks }, n) {
			return domain.Placement{}, domain.Errorf(domain.CodeInvalidArgument,
				"network %q is not available on the chosen host or cluster: pick another network, host or cluster", req.Network)
		}
		p.Network = t.objectRef(n)
	default:
		if n := findNamed(t.in(pl.dc, networkKinds...), "VM Network"); n != nil {
			p.Network = t.objectRef(n)
		}
	}
	return p, nil
}

// placer resolves the fields of a placement request in one datacenter.
type placer struct {
	t  *topology
	dc *entity
}

// newPlacer chooses the datacenter of req: the one it names, the one an
// absolute path in it lies in, or the first.
func newPlacer(t *topology, req domain.PlacementRequest) (*placer, error) {
	dcs := t.datacenters()
	if req.Datacenter != "" {
		dc, err := (&placer{t: t}).named("datacenter", req.Datacenter, dcs)
		return &placer{t: t, dc: dc}, err
	}
	for _, f := range []struct{ field, value string }{
		{"folder", req.Folder}, {"cluster", req.Cluster}, {"host", req.Host},
		{"datastore", req.Datastore}, {"network", req.Network},
	} {
		if !strings.HasPrefix(f.value, "/") {
			continue
		}
		var best *entity // the deepest datacenter the path lies in (datacenters may nest in folders)
		for _, dc := range dcs {
			if p := t.path(dc.ref); strings.HasPrefix(f.value, p+"/") && (best == nil || len(p) > len(t.path(best.ref))) {
				best = dc
			}
		}
		if best == nil {
			return nil, domain.Errorf(domain.CodeNotFound, "%s %q does not exist: no datacenter holds that path; known datacenters: %s",
				f.field, f.value, strings.Join(known(t, dcs, true), ", "))
		}
		return &placer{t: t, dc: best}, nil
	}
	if len(dcs) == 0 {
		return nil, domain.Errorf(domain.CodeNotFound, "the inventory has no datacenter")
	}
	return &placer{t: t, dc: dcs[0]}, nil
}

// folder returns the VM folder s names: an absolute path, or a path
// relative to the datacenter's VM folder; "" is the VM folder itself.
func (pl *placer) folder(s string) (*entity, error) {
	vmFolder := pl.t.get(pl.dc.vmFolder)
	if vmFolder == nil {
		return nil, domain.Errorf(domain.CodeNotFound, "datacenter %q has no VM folder", pl.dc.name)
	}
	root := pl.t.path(vmFolder.ref)
	var folders []*entity
	for _, f := range pl.t.in(pl.dc, "Folder") {
		if p := pl.t.path(f.ref); (p == root || strings.HasPrefix(p, root+"/")) && slices.Contains(f.childType, "VirtualMachine") {
			folders = append(folders, f)
		}
	}
	path := strings.TrimRight(s, "/")
	if !strings.HasPrefix(s, "/") {
		path = root
		for part := range strings.SplitSeq(strings.Trim(s, "/"), "/") {
			if part != "" {
				path += "/" + domain.EscapeName(part)
			}
		}
	}
	for _, f := range folders {
		if pl.t.path(f.ref) == path {
			return f, nil
		}
	}
	return nil, domain.Errorf(domain.CodeNotFound, "folder %q does not exist; known: %s", s, strings.Join(known(pl.t, folders, true), ", "))
}

// compute sets p's cluster, host and resource pool from req, or to the
// first cluster, else the first standalone host, and returns the hosts the
// VM may run on.
func (pl *placer) compute(req domain.PlacementRequest, p *domain.Placement) ([]*entity, error) {
	t := pl.t
	var cluster *entity
	if req.Cluster != "" {
		var err error
		if cluster, err = pl.named("cluster", req.Cluster, t.in(pl.dc, "ClusterComputeResource")); err != nil {
			return nil, err
		}
	}
	if req.Host != "" {
		host, err := pl.named("host", req.Host, t.in(pl.dc, "HostSystem"))
		if err != nil {
			return nil, err
		}
		if cluster != nil && host.parent != cluster.ref {
			return nil, domain.Errorf(domain.CodeInvalidArgument,
				"host %q is not in cluster %q: name a host of that cluster, or leave one of them out", req.Host, req.Cluster)
		}
		if !host.usable() {
			return nil, domain.Errorf(domain.CodeInvalidArgument,
				"host %q cannot run a new VM: it is %s%s; pick another host", req.Host, host.connection, maintenance(host))
		}
		cr := t.computeOf(host)
		if cr == nil {
			return nil, domain.Errorf(domain.CodeNotFound, "host %q has no compute resource", req.Host)
		}
		p.Host, p.ResourcePool = t.objectRef(host), pl.rootPool(cr)
		if cl := t.clusterOf(host); cl != nil {
			p.Cluster = t.objectRef(cl)
		}
		return []*entity{host}, nil
	}
	if cluster != nil {
		hosts := pl.usableHosts(cluster)
		if len(hosts) == 0 {
			return nil, domain.Errorf(domain.CodeConflict, "cluster %q has no connected host out of maintenance mode to run the VM", req.Cluster)
		}
		p.Cluster, p.ResourcePool = t.objectRef(cluster), pl.rootPool(cluster)
		return hosts, nil
	}
	for _, cl := range t.in(pl.dc, "ClusterComputeResource") {
		if hosts := pl.usableHosts(cl); len(hosts) > 0 {
			p.Cluster, p.ResourcePool = t.objectRef(cl), pl.rootPool(cl)
			return hosts, nil
		}
	}
	for _, cr := range t.in(pl.dc, "ComputeResource") {
		if hosts := pl.usableHosts(cr); len(hosts) > 0 {
			p.Host, p.ResourcePool = t.objectRef(hosts[0]), pl.rootPool(cr)
			return hosts[:1], nil
		}
	}
	return nil, domain.Errorf(domain.CodeNotFound, "datacenter %q has no cluster or host to run a VM on", pl.dc.name)
}

// usableHosts returns the hosts of a compute resource that can run a VM.
func (pl *placer) usableHosts(cr *entity) []*entity {
	var out []*entity
	for _, r := range cr.hosts {
		if host := pl.t.get(r); host != nil && host.usable() {
			out = append(out, host)
		}
	}
	return out
}

// rootPool returns the root resource pool of a compute resource. vSphere
// names every root pool "Resources".
func (pl *placer) rootPool(cr *entity) domain.ObjectRef {
	return domain.ObjectRef{ID: cr.pool.Value, Name: "Resources", Path: pl.t.path(cr.ref) + "/Resources"}
}

// datastore returns the datastore s names, which one of hosts must reach,
// or, for "", the reachable datastore with the most free space.
func (pl *placer) datastore(s string, hosts []*entity) (*entity, error) {
	all := pl.t.in(pl.dc, "Datastore")
	mounts := func(host *entity) []types.ManagedObjectReference { return host.datastores }
	if s != "" {
		ds, err := pl.named("datastore", s, all)
		if err != nil {
			return nil, err
		}
		if !ds.accessible || !reaches(hosts, mounts, ds) {
			return nil, domain.Errorf(domain.CodeInvalidArgument,
				"datastore %q is not accessible from the chosen host or cluster: pick another datastore, host or cluster", s)
		}
		return ds, nil
	}
	var best *entity
	for _, ds := range all {
		if ds.accessible && reaches(hosts, mounts, ds) && (best == nil || ds.freeBytes > best.freeBytes) {
			best = ds
		}
	}
	if best == nil {
		return nil, domain.Errorf(domain.CodeNotFound, "no accessible datastore in datacenter %q for the chosen host or cluster", pl.dc.name)
	}
	return best, nil
}
