package vsphere

import (
	"sync"

	"github.com/vmware/govmomi/vim25/types"
)

// hostMemo remembers the hosts that the adapter's reads of VMs found them
// on: each host's name and parent (its cluster, or the compute resource
// of a standalone host). vCenter cannot rename a host, which keeps the name
// it was added with; it can move a host to another cluster, which a read
// tells by the cluster it finds the VM's resource pool in.
//
// A read of a VM then needs neither every host of its cluster nor a second
// round trip for its host, and the read that follows a power operation
// tells whether the VM stayed on its host (DRS may place a VM that powers
// on) without reading the host again.
type hostMemo struct {
	mu    sync.Mutex
	hosts map[types.ManagedObjectReference]hostSeen
}

type hostSeen struct {
	name   string
	parent types.ManagedObjectReference
}

// note records the hosts of the VMs props, as t has them.
func (m *hostMemo) note(t *topology, props []vmProps) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range props {
		host := t.get(props[i].host)
		if host == nil || host.ref.Type != "HostSystem" {
			continue
		}
		if m.hosts == nil {
			m.hosts = make(map[types.ManagedObjectReference]hostSeen)
		}
		m.hosts[host.ref] = hostSeen{name: host.name, parent: host.parent}
	}
}

// fill adds to t the hosts of the VMs props that t lacks and the memo
// knows, when t holds the host's parent: the read found the VM's resource
// pool in the cluster the host was in when the memo saw it.
func (m *hostMemo) fill(t *topology, props []vmProps) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range props {
		ref := props[i].host
		if ref.Value == "" || t.get(ref) != nil {
			continue
		}
		if seen, ok := m.hosts[ref]; ok && t.get(seen.parent) != nil {
			t.byRef[ref] = &entity{ref: ref, name: seen.name, parent: seen.parent}
		}
	}
}

// name returns the name of the host ref, if the memo knows it.
func (m *hostMemo) name(ref types.ManagedObjectReference) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen, ok := m.hosts[ref]
	return seen.name, ok
}
