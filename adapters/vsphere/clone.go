package vsphere

import (
	"context"
	"strings"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// errNoClone is the answer of a standalone ESXi host to a clone: vSphere
// itself would answer NotSupported, which says nothing useful.
var errNoClone = domain.Errorf(domain.CodeInvalidArgument,
	"cloning needs vCenter: this is a standalone ESXi host, which cannot clone VMs; create a new VM with createVM instead")

// PlaceClone implements ports.Placement. Empty fields of req keep the
// source's folder, resource pool (its compute resource's root pool for a
// template, which has none) and first datastore.
func (h *Hypervisor) PlaceClone(ctx context.Context, src domain.VM, req domain.PlacementRequest) (domain.Placement, error) {
	if !h.vcenter {
		return domain.Placement{}, errNoClone
	}
	if err := req.Validate(); err != nil {
		return domain.Placement{}, err
	}
	_, from, err := h.current(ctx, src, propPool)
	if err != nil {
		return domain.Placement{}, err
	}
	t, err := h.placementTopology(ctx)
	if err != nil {
		return domain.Placement{}, err
	}
	folder, host := t.get(from.folder()), t.get(from.host)
	dc := t.datacenterOf(from.folder())
	if folder == nil || host == nil || dc == nil {
		return domain.Placement{}, domain.Errorf(domain.CodeNotFound, "the folder or host of %s no longer exists", src)
	}
	pl := &placer{t: t, dc: dc}
	p := domain.Placement{Datacenter: t.objectRef(dc), Folder: t.objectRef(folder)}
	if req.Folder != "" {
		if folder, err = pl.folder(req.Folder); err != nil {
			return domain.Placement{}, err
		}
		p.Folder = t.objectRef(folder)
	}
	var hosts []*entity
	cr := t.computeOf(host)
	switch {
	case req.Cluster != "" || req.Host != "":
		if hosts, err = pl.compute(req, &p); err != nil {
			return domain.Placement{}, err
		}
	case cr == nil:
		return domain.Placement{}, domain.Errorf(domain.CodeNotFound, "the compute resource of %s no longer exists", src)
	case cr.ref.Type == "ClusterComputeResource":
		p.Cluster, p.ResourcePool, hosts = t.objectRef(cr), pl.rootPool(cr), pl.usableHosts(cr)
	default:
		p.Host, p.ResourcePool, hosts = t.objectRef(host), pl.rootPool(cr), []*entity{host}
	}
	if pool := t.get(from.pool); pool != nil && req.Cluster == "" && req.Host == "" {
		p.ResourcePool = t.objectRef(pool)
	}
	if req.Datastore == "" && len(from.datastores) > 0 {
		if ds := t.get(from.datastores[0]); ds != nil {
			req.Datastore = t.path(ds.ref)
		}
	}
	ds, err := pl.datastore(req.Datastore, hosts)
	if err != nil {
		return domain.Placement{}, err
	}
	p.Datastore = t.objectRef(ds)
	return p, nil
}

// CloneVM implements ports.Lifecycle: a full clone, powered off, with the
// source's hardware and networks.
func (h *Hypervisor) CloneVM(ctx context.Context, src domain.VM, name string, at domain.Placement) (domain.VM, error) {
	if !h.vcenter {
		return domain.VM{}, errNoClone
	}
	if err := domain.ValidateName("new_name", name); err != nil {
		return domain.VM{}, err
	}
	from, _, err := h.current(ctx, src)
	if err != nil {
		return domain.VM{}, err
	}
	if !strings.HasPrefix(from.Path, at.Datacenter.Path+"/") {
		return domain.VM{}, domain.Errorf(domain.CodeInvalidArgument, "a clone must stay in the datacenter of its source %s", from)
	}
	tg, err := h.checkTarget(ctx, at, name)
	if err != nil {
		return domain.VM{}, err
	}
	ds := tg.datastore.ref
	spec := types.VirtualMachineCloneSpec{
		Location: types.VirtualMachineRelocateSpec{Pool: &tg.pool, Host: tg.host, Datastore: &ds, Folder: &tg.folder},
	}
	what := "clone " + from.String() + " to " + at.VMPath(name)
	res, err := h.start(ctx, "CloneVM_Task", what, func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.CloneVM_Task(ctx, h.client, &types.CloneVM_Task{
			This: vmRef(from.ID), Folder: tg.folder, Name: name, Spec: spec,
		})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	})
	if err != nil {
		return domain.VM{}, err
	}
	return h.created(ctx, res, at.VMPath(name))
}
