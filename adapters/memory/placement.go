package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/esximcp/esximcp/domain"
)

// PlaceVM implements ports.Placement.
func (h *Hypervisor) PlaceVM(ctx context.Context, req domain.PlacementRequest) (domain.Placement, error) {
	if err := h.enter(ctx, "PlaceVM"); err != nil {
		return domain.Placement{}, err
	}
	if err := req.Validate(); err != nil {
		return domain.Placement{}, err
	}
	h.mu.RLock()
	defer h.mu.RUnlock()

	dc, err := h.placementDatacenter(req)
	if err != nil {
		return domain.Placement{}, err
	}
	var p domain.Placement
	p.Datacenter = dc.ref()
	f, err := resolveFolder(dc, req.Folder)
	if err != nil {
		return domain.Placement{}, err
	}
	p.Folder = f.ref()
	hosts, err := resolveCompute(dc, req, &p)
	if err != nil {
		return domain.Placement{}, err
	}
	if p.Datastore, err = resolveDatastore(dc, req.Datastore, hosts); err != nil {
		return domain.Placement{}, err
	}
	switch {
	case req.Network != "":
		n, err := resolveNamed(dc.networks, "network", req.Network)
		if err != nil {
			return domain.Placement{}, err
		}
		p.Network = n.ref()
	default:
		if n := findByName(dc.networks, "VM Network"); n != nil {
			p.Network = n.ref()
		}
	}
	return p, nil
}

// PlaceClone implements ports.Placement.
func (h *Hypervisor) PlaceClone(ctx context.Context, src domain.VM, req domain.PlacementRequest) (domain.Placement, error) {
	if err := h.enter(ctx, "PlaceClone"); err != nil {
		return domain.Placement{}, err
	}
	if h.standalone {
		return domain.Placement{}, errNoClone
	}
	if err := req.Validate(); err != nil {
		return domain.Placement{}, err
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	rec, err := h.lookup(src)
	if err != nil {
		return domain.Placement{}, err
	}
	dc := rec.dc
	p := domain.Placement{Datacenter: dc.ref(), Folder: rec.folder.ref(), ResourcePool: rec.pool.ref()}
	if req.Folder != "" {
		f, err := resolveFolder(dc, req.Folder)
		if err != nil {
			return domain.Placement{}, err
		}
		p.Folder = f.ref()
	}
	hosts := []*host{rec.host}
	switch {
	case req.Cluster != "" || req.Host != "":
		if hosts, err = resolveCompute(dc, req, &p); err != nil {
			return domain.Placement{}, err
		}
	case rec.host.cluster != nil:
		p.Cluster = rec.host.cluster.ref()
		hosts = rec.host.cluster.hosts
	default:
		p.Host = rec.host.ref()
	}
	if req.Datastore == "" && len(rec.datastores) > 0 {
		req.Datastore = rec.datastores[0].path
	}
	if p.Datastore, err = resolveDatastore(dc, req.Datastore, hosts); err != nil {
		return domain.Placement{}, err
	}
	return p, nil
}

var errNoClone = domain.Errorf(domain.CodeInvalidArgument,
	"cloning needs vCenter: this is a standalone ESXi host, which cannot clone VMs; create a new VM with createVM instead")

// placementDatacenter returns the datacenter req names, the one an absolute
// path in req lies in, or the first.
func (h *Hypervisor) placementDatacenter(req domain.PlacementRequest) (*datacenter, error) {
	name := req.Datacenter
	if name == "" {
		for _, v := range []string{req.Folder, req.Cluster, req.Host, req.Datastore, req.Network} {
			if strings.HasPrefix(v, "/") {
				name = "/" + strings.Split(v, "/")[1]
				break
			}
		}
	}
	if name == "" {
		if len(h.dcs) == 0 {
			return nil, domain.Errorf(domain.CodeNotFound, "the inventory has no datacenter")
		}
		return h.dcs[0], nil
	}
	return resolveNamed(h.dcs, "datacenter", name)
}

// resolveFolder returns dc's VM folder at s: an absolute path, or a path
// relative to dc's VM folder; "" is the VM folder itself.
func resolveFolder(dc *datacenter, s string) (*folder, error) {
	path := s
	if !strings.HasPrefix(s, "/") {
		path = dc.vmFolder.path
		for part := range strings.SplitSeq(strings.Trim(s, "/"), "/") {
			if part != "" {
				path += "/" + domain.EscapeName(part)
			}
		}
	}
	if f := findByPath(dc.folders, strings.TrimRight(path, "/")); f != nil {
		return f, nil
	}
	return nil, notFound("folder", s, dc.folders)
}

// resolveCompute sets p's cluster, host and resource pool from req, or to
// the first cluster, else the first standalone host, and returns the hosts
// the VM may run on.
func resolveCompute(dc *datacenter, req domain.PlacementRequest, p *domain.Placement) ([]*host, error) {
	var cl *cluster
	if req.Cluster != "" {
		var err error
		if cl, err = resolveNamed(dc.clusters, "cluster", req.Cluster); err != nil {
			return nil, err
		}
	}
	if req.Host != "" {
		ho, err := resolveNamed(dc.hosts, "host", req.Host)
		if err != nil {
			return nil, err
		}
		if cl != nil && ho.cluster != cl {
			return nil, domain.Errorf(domain.CodeInvalidArgument, "host %q is not in cluster %q: name a host of that cluster, or leave one of them out", req.Host, req.Cluster)
		}
		p.Host, p.ResourcePool = ho.ref(), ho.pool.ref()
		if ho.cluster != nil {
			p.Cluster = ho.cluster.ref()
		}
		return []*host{ho}, nil
	}
	if cl == nil && len(dc.clusters) > 0 {
		cl = dc.clusters[0]
	}
	if cl != nil {
		p.Cluster, p.ResourcePool = cl.ref(), cl.pool.ref()
		return cl.hosts, nil
	}
	for _, ho := range dc.hosts {
		p.Host, p.ResourcePool = ho.ref(), ho.pool.ref()
		return []*host{ho}, nil
	}
	return nil, domain.Errorf(domain.CodeNotFound, "datacenter %q has no cluster or host to run a VM on", dc.name)
}

// resolveDatastore returns the datastore s names, which some host of hosts
// must reach, or, for "", the reachable datastore with the most free space.
func resolveDatastore(dc *datacenter, s string, hosts []*host) (domain.ObjectRef, error) {
	reachable := func(ds *datastore) bool {
		if ds.inaccessible {
			return false
		}
		return ds.hosts == nil || slices.ContainsFunc(hosts, func(ho *host) bool { return ds.hosts[ho] })
	}
	if s != "" {
		ds, err := resolveNamed(dc.datastores, "datastore", s)
		if err != nil {
			return domain.ObjectRef{}, err
		}
		if !reachable(ds) {
			return domain.ObjectRef{}, domain.Errorf(domain.CodeInvalidArgument,
				"datastore %q is not accessible from the chosen host or cluster: pick another datastore, host or cluster", s)
		}
		return ds.ref(), nil
	}
	var best *datastore
	for _, ds := range dc.datastores {
		if reachable(ds) && (best == nil || ds.free > best.free) {
			best = ds
		}
	}
	if best == nil {
		return domain.ObjectRef{}, domain.Errorf(domain.CodeNotFound, "no accessible datastore in datacenter %q for the chosen host or cluster", dc.name)
	}
	return best.ref(), nil
}

// resolveNamed returns the one object of list that s names, by inventory
// path or by name.
func resolveNamed[T named](list []T, kind, s string) (T, error) {
	var zero T
	var found []T
	for _, x := range list {
		o := x.obj()
		if o.path == strings.TrimRight(s, "/") || o.name == s || o.name == domain.EscapeName(s) {
			found = append(found, x)
		}
	}
	switch len(found) {
	case 0:
		return zero, notFound(kind, s, list)
	case 1:
		return found[0], nil
	}
	paths := make([]string, len(found))
	for i, x := range found {
		paths[i] = x.obj().path
	}
	return zero, domain.Errorf(domain.CodeAmbiguous, "%s %q matches %d objects: %s; give its inventory path", kind, s, len(found), strings.Join(paths, ", "))
}

// notFound returns the not_found error for a placement object, listing a
// few of those that exist (by path for folders, else by name) so that the
// caller can correct itself.
func notFound[T named](kind, s string, list []T) error {
	const most = 10
	if len(list) == 0 {
		return domain.Errorf(domain.CodeNotFound, "%s %q does not exist: there is none", kind, s)
	}
	known := make([]string, 0, most+1)
	for _, x := range list {
		if len(known) == most {
			known = append(known, "...")
			break
		}
		if kind == "folder" {
			known = append(known, x.obj().path)
		} else {
			known = append(known, x.obj().name)
		}
	}
	return domain.Errorf(domain.CodeNotFound, "%s %q does not exist; known: %s", kind, s, strings.Join(known, ", "))
}
