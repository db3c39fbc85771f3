package vsphere

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/vmware/govmomi/vim25/types"
)

func TestHostMemo(t *testing.T) {
	root := types.ManagedObjectReference{Type: "Folder", Value: "group-d1"}
	cluster := types.ManagedObjectReference{Type: "ClusterComputeResource", Value: "domain-c1"}
	other := types.ManagedObjectReference{Type: "ClusterComputeResource", Value: "domain-c2"}
	host := types.ManagedObjectReference{Type: "HostSystem", Value: "host-1"}
	stranger := types.ManagedObjectReference{Type: "HostSystem", Value: "host-2"}
	onHost := []vmProps{{host: host}}

	seen := newTopology(root)
	seen.byRef[cluster] = &entity{ref: cluster, name: "C1"}
	seen.byRef[host] = &entity{ref: host, name: "esx-1", parent: cluster}
	var m hostMemo
	m.note(seen, onHost)
	name, ok := m.name(host)
	assert.True(t, ok)
	assert.Equal(t, "esx-1", name)
	_, ok = m.name(stranger)
	assert.False(t, ok, "a host no read saw")

	t.Run("OKFilledWhenTheReadFoundItsCluster", func(t *testing.T) {
		read := newTopology(root)
		read.byRef[cluster] = &entity{ref: cluster, name: "C1 renamed"}
		m.fill(read, onHost)
		if assert.NotNil(t, read.get(host)) {
			assert.Equal(t, "esx-1", read.get(host).name)
			assert.Equal(t, "C1 renamed", read.clusterOf(read.get(host)).name, "the cluster is the one read now")
		}
	})
	t.Run("NotFilledWhenTheHostMovedToAnotherCluster", func(t *testing.T) {
		read := newTopology(root)
		read.byRef[other] = &entity{ref: other, name: "C2"}
		m.fill(read, onHost)
		assert.Nil(t, read.get(host), "the read found the VM's pool elsewhere: the host is read again")
	})
	t.Run("NotFilledForAHostItNeverSaw", func(t *testing.T) {
		read := newTopology(root)
		read.byRef[cluster] = &entity{ref: cluster, name: "C1"}
		m.fill(read, []vmProps{{host: stranger}})
		assert.Nil(t, read.get(stranger))
	})
	t.Run("OKReadHostsWin", func(t *testing.T) {
		read := newTopology(root)
		read.byRef[cluster] = &entity{ref: cluster, name: "C1"}
		read.byRef[host] = &entity{ref: host, name: "esx-1.example.com", parent: cluster}
		m.fill(read, onHost)
		assert.Equal(t, "esx-1.example.com", read.get(host).name, "fill adds, never replaces")
	})
}
