// Package memory is an in-memory hypervisor: a real, stateful,
// concurrency-safe implementation of every port, with datacenters, folders,
// clusters, hosts, datastores (with capacity and free space), networks and
// virtual machines. Tests and library users run the application core on it
// without vSphere; ports/porttest holds it to the same contract as the
// vSphere adapter.
//
// Besides the ports, it offers what a test needs to arrange a situation:
// templates, suspended VMs, running guest tools, latency, an unreachable
// hypervisor and injected faults.
package memory

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

var _ ports.Hypervisor = (*Hypervisor)(nil)

// Hypervisor is an in-memory hypervisor. Its methods are safe for
// concurrent use; every answer is a copy that shares nothing with its state.
type Hypervisor struct {
	mu         sync.RWMutex
	standalone bool
	nextID     int
	dcs        []*datacenter
	vms        map[string]*vmRecord // by id

	faultMu sync.Mutex
	latency time.Duration
	down    string           // why the hypervisor is unreachable; "" while it is up
	faults  map[string]error // by method name
	now     func() time.Time
}

type object struct {
	id, name, path string
}

func (o object) ref() domain.ObjectRef { return domain.ObjectRef{ID: o.id, Name: o.name, Path: o.path} }

type datacenter struct {
	object
	vmFolder   *folder
	folders    []*folder
	clusters   []*cluster
	hosts      []*host // every host, standalone or in a cluster
	datastores []*datastore
	networks   []*network
}

type folder struct{ object }

type cluster struct {
	object
	pool  object
	hosts []*host
}

type host struct {
	object
	cluster *cluster // nil for a standalone host
	pool    object   // the root pool of its compute resource
}

type datastore struct {
	object
	capacity, free int64 // bytes
	hosts          map[*host]bool
	inaccessible   bool
}

type network struct {
	object
	distributed bool
}

type vmRecord struct {
	vm         domain.VM
	dc         *datacenter
	folder     *folder
	pool       object
	host       *host
	datastores []*datastore
	networks   []*network
	diskBytes  int64
	tools      bool
	bootTime   time.Time
}

// New returns a Hypervisor holding inv. It returns an error when inv names
// an object that it does not describe.
func New(inv Inventory) (*Hypervisor, error) {
	h := &Hypervisor{standalone: inv.Standalone, vms: make(map[string]*vmRecord), now: time.Now}
	for _, d := range inv.Datacenters {
		if err := h.load(d); err != nil {
			return nil, fmt.Errorf("datacenter %q: %w", d.Name, err)
		}
	}
	return h, nil
}

// NewDefault returns a Hypervisor holding DefaultInventory.
func NewDefault() *Hypervisor {
	h, err := New(DefaultInventory())
	if err != nil {
		panic("memory: the default inventory is invalid: " + err.Error())
	}
	return h
}

func (h *Hypervisor) newID(prefix string) string {
	h.nextID++
	return fmt.Sprintf("%s-%d", prefix, h.nextID)
}

func (h *Hypervisor) load(d Datacenter) error {
	name := domain.EscapeName(d.Name)
	dc := &datacenter{object: object{id: h.newID("datacenter"), name: name, path: "/" + name}}
	dc.vmFolder = &folder{object{id: h.newID("group-v"), name: "vm", path: dc.path + "/vm"}}
	dc.folders = []*folder{dc.vmFolder}
	h.dcs = append(h.dcs, dc)
	for _, f := range d.Folders {
		h.ensureFolder(dc, f)
	}
	for _, c := range d.Clusters {
		cn := domain.EscapeName(c.Name)
		cl := &cluster{object: object{id: h.newID("domain-c"), name: cn, path: dc.path + "/host/" + cn}}
		cl.pool = object{id: h.newID("resgroup"), name: "Resources", path: cl.path + "/Resources"}
		for _, hn := range c.Hosts {
			hn = domain.EscapeName(hn)
			ho := &host{object: object{id: h.newID("host"), name: hn, path: cl.path + "/" + hn}, cluster: cl, pool: cl.pool}
			cl.hosts = append(cl.hosts, ho)
			dc.hosts = append(dc.hosts, ho)
		}
		dc.clusters = append(dc.clusters, cl)
	}
	for _, hn := range d.Hosts {
		hn = domain.EscapeName(hn)
		ho := &host{object: object{id: h.newID("host"), name: hn, path: dc.path + "/host/" + hn + "/" + hn}}
		ho.pool = object{id: h.newID("resgroup"), name: "Resources", path: dc.path + "/host/" + hn + "/Resources"}
		dc.hosts = append(dc.hosts, ho)
	}
	for _, s := range d.Datastores {
		sn := domain.EscapeName(s.Name)
		ds := &datastore{
			object:   object{id: h.newID("datastore"), name: sn, path: dc.path + "/datastore/" + sn},
			capacity: s.CapacityGB << 30, free: s.FreeGB << 30, inaccessible: s.Inaccessible,
		}
		if len(s.Hosts) > 0 {
			ds.hosts = make(map[*host]bool)
			for _, hn := range s.Hosts {
				ho := findHost(dc, hn)
				if ho == nil {
					return fmt.Errorf("datastore %q: no host %q", s.Name, hn)
				}
				ds.hosts[ho] = true
			}
		}
		dc.datastores = append(dc.datastores, ds)
	}
	for _, n := range d.Networks {
		nn := domain.EscapeName(n.Name)
		prefix := "network"
		if n.Distributed {
			prefix = "dvportgroup"
		}
		dc.networks = append(dc.networks, &network{object: object{id: h.newID(prefix), name: nn, path: dc.path + "/network/" + nn}, distributed: n.Distributed})
	}
	for _, v := range d.VMs {
		if err := h.loadVM(dc, v); err != nil {
			return fmt.Errorf("vm %q: %w", v.Name, err)
		}
	}
	return nil
}

func (h *Hypervisor) loadVM(dc *datacenter, v VM) error {
	var ho *host
	switch {
	case v.Host != "":
		ho = findHost(dc, v.Host)
	case v.Cluster != "":
		if cl := findCluster(dc, v.Cluster); cl != nil && len(cl.hosts) > 0 {
			ho = cl.hosts[0]
		}
	}
	if ho == nil {
		return fmt.Errorf("no host %q or cluster %q with a host", v.Host, v.Cluster)
	}
	ds := findByName(dc.datastores, v.Datastore)
	if ds == nil {
		return fmt.Errorf("no datastore %q", v.Datastore)
	}
	var nets []*network
	for _, n := range v.Networks {
		net := findByName(dc.networks, n)
		if net == nil {
			return fmt.Errorf("no network %q", n)
		}
		nets = append(nets, net)
	}
	rec := &vmRecord{tools: v.GuestTools}
	rec.diskBytes = int64(or(v.DiskGB, domain.DefaultDiskGB)) << 30
	state := v.PowerState
	if state == "" {
		state = domain.PoweredOn
	}
	if v.Template {
		state = domain.PoweredOff
	}
	name := domain.EscapeName(v.Name)
	rec.vm = domain.VM{
		ID: h.newID("vm"), Name: name,
		PowerState: state, CPU: or(v.CPU, 1), MemoryMB: or(v.MemoryMB, 32),
		GuestID: v.GuestID, Template: v.Template, IPAddress: v.IPAddress,
	}
	rec.place(dc, h.ensureFolder(dc, v.Folder), ho, ho.pool, []*datastore{ds}, nets)
	for _, other := range h.vms {
		if other.vm.Path == rec.vm.Path {
			return fmt.Errorf("%s exists twice", rec.vm.Path)
		}
	}
	if state == domain.PoweredOn {
		rec.bootTime = h.now()
	}
	h.vms[rec.vm.ID] = rec
	return nil
}

// ensureFolder returns the VM folder at rel (relative to dc's VM folder),
// creating it and its parents as needed.
func (h *Hypervisor) ensureFolder(dc *datacenter, rel string) *folder {
	f := dc.vmFolder
	for part := range strings.SplitSeq(strings.Trim(rel, "/"), "/") {
		if part == "" {
			continue
		}
		path := f.path + "/" + domain.EscapeName(part)
		next := findByPath(dc.folders, path)
		if next == nil {
			next = &folder{object{id: h.newID("group-v"), name: domain.EscapeName(part), path: path}}
			dc.folders = append(dc.folders, next)
		}
		f = next
	}
	return f
}

func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

type named interface{ obj() *object }

func (o *object) obj() *object { return o }

func findByName[T named](list []T, name string) T {
	var zero T
	for _, x := range list {
		if n := x.obj().name; n == name || n == domain.EscapeName(name) {
			return x
		}
	}
	return zero
}

func findByPath[T named](list []T, path string) T {
	var zero T
	for _, x := range list {
		if x.obj().path == path {
			return x
		}
	}
	return zero
}

func findHost(dc *datacenter, name string) *host { return findByName(dc.hosts, name) }

func findCluster(dc *datacenter, name string) *cluster { return findByName(dc.clusters, name) }
