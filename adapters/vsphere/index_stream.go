package vsphere

import (
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// stream is what the index's loop has read of the inventory through its
// PropertyCollector filter: the objects around VMs and the listing
// properties of every VM, kept current by the filter's updates. It is the
// loop's alone: nothing else reads or writes it. It decodes with the same
// code as a direct listing (topology, vmProps, summary), so that a VM's
// summary is the same whichever path produced it.
type stream struct {
	topo  *topology
	vms   map[string]*vmProps
	names map[string]string // interned strings: references, guest ids, OS names
}

func newStream(root types.ManagedObjectReference) *stream {
	return &stream{topo: newTopology(root), vms: make(map[string]*vmProps), names: make(map[string]string)}
}

// changes is what one batch of updates changed.
type changes struct {
	vms      map[string]bool // ids of VMs that entered or changed
	left     []string        // ids of VMs that left
	topology bool            // a folder, host, datastore, ... changed: every path may have
}

// apply applies updates to s and returns what they changed. An enter for an
// object s already has replaces it (vCenter may send one again, after a
// filter's view changed), a modify of an object s lacks creates it.
func (s *stream) apply(updates []types.ObjectUpdate, c *changes) {
	for _, u := range updates {
		if u.Obj.Type == "VirtualMachine" {
			s.applyVM(u, c)
			continue
		}
		c.topology = true
		if u.Kind == types.ObjectUpdateKindLeave {
			delete(s.topo.byRef, u.Obj)
			continue
		}
		e := s.topo.byRef[u.Obj]
		if e == nil || u.Kind == types.ObjectUpdateKindEnter {
			e = &entity{ref: u.Obj}
		}
		for _, ch := range u.ChangeSet {
			e.set(ch.Name, changeValue(ch))
		}
		e.name = s.intern(e.name)
		e.parent = s.ref(e.parent)
		if e.name != "" {
			s.topo.byRef[u.Obj] = e
		}
	}
}

func (s *stream) applyVM(u types.ObjectUpdate, c *changes) {
	id := u.Obj.Value
	if u.Kind == types.ObjectUpdateKindLeave {
		if _, ok := s.vms[id]; ok {
			delete(s.vms, id)
			delete(c.vms, id)
			c.left = append(c.left, id)
		}
		return
	}
	p := s.vms[id]
	if p == nil || u.Kind == types.ObjectUpdateKindEnter {
		// The id is the VM's own: interning it would only grow the table.
		p = &vmProps{ref: types.ManagedObjectReference{Type: s.intern(u.Obj.Type), Value: id}}
	}
	for _, ch := range u.ChangeSet {
		p.set(ch.Name, changeValue(ch))
	}
	if p.name == "" {
		// A VM being created or destroyed can lack its name for a moment:
		// it is not a VM a caller could name yet.
		return
	}
	s.compact(p)
	s.vms[id] = p
	c.vms[id] = true
}

// changeValue returns the new value of a property change: nil when the
// property was removed.
func changeValue(ch types.PropertyChange) any {
	if ch.Op == types.PropertyChangeOpRemove || ch.Op == types.PropertyChangeOpIndirectRemove {
		return nil
	}
	return ch.Val
}

// compact interns the strings of p that many VMs share, so that an index of
// ten thousand VMs holds each host, folder, datastore and network reference
// once, not ten thousand times.
func (s *stream) compact(p *vmProps) {
	p.parent = s.ref(p.parent)
	p.parentVApp = s.ref(p.parentVApp)
	p.host = s.ref(p.host)
	p.guestID = s.intern(p.guestID)
	p.configOS = s.intern(p.configOS)
	p.guestOS = s.intern(p.guestOS)
	p.power = types.VirtualMachinePowerState(s.intern(string(p.power)))
	for i := range p.datastores {
		p.datastores[i] = s.ref(p.datastores[i])
	}
	for i := range p.networks {
		p.networks[i] = s.ref(p.networks[i])
	}
}

func (s *stream) ref(r types.ManagedObjectReference) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: s.intern(r.Type), Value: s.intern(r.Value), ServerGUID: r.ServerGUID}
}

func (s *stream) intern(v string) string {
	if v == "" {
		return ""
	}
	if w, ok := s.names[v]; ok {
		return w
	}
	s.names[v] = v
	return v
}

// forgetPaths drops the paths the topology remembers, after a change of
// the topology.
func (s *stream) forgetPaths() {
	for _, e := range s.topo.byRef {
		e.pathMemo, e.pathMemoSet = "", false
	}
}

// summary returns the summary of the VM of id, which s holds.
func (s *stream) summary(id string) *domain.VM {
	vm := s.topo.summary(s.vms[id])
	return &vm
}

// summaries returns the summary of every VM.
func (s *stream) summaries() []*domain.VM {
	out := make([]*domain.VM, 0, len(s.vms))
	for id := range s.vms {
		out = append(out, s.summary(id))
	}
	return out
}
