package vcsimtest

import (
	"path"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
	"github.com/esximcp/esximcp/ports/porttest"
)

// Model is a simulator model the contract suite runs on.
type Model int

// The models of the contract suite.
const (
	// VPX is a vCenter with two datacenters, DC0 and DC1, each shaped like
	// vcsim's default: a cluster of three hosts, a standalone host, the
	// datastore LocalDS_0 and the networks "VM Network" and DCn_DVPG0.
	VPX Model = iota
	// ESX is a standalone ESXi host: datacenter "ha-datacenter", datastore
	// LocalDS_0, network "VM Network", and a VM folder "sub".
	ESX
)

// Fixtures returns the newFixture function of porttest.Run for model m.
// The subtests of one group of the suite (ListVMs, PlaceVM, ...) share a
// simulator, which is closed when t ends; each subtest gets its own
// adapter, logged in for it alone, with its options changed by change. A
// shared simulator is what the suite is built for (it names its VMs
// uniquely and deletes them), and one model per group keeps the run short
// on a small machine.
func Fixtures(t *testing.T, m Model, change ...func(*vsphere.Options)) func(t *testing.T) *porttest.Fixture {
	outer := t
	var mu sync.Mutex
	sims := make(map[string]*Sim)
	return func(t *testing.T) *porttest.Fixture {
		t.Helper()
		group := path.Dir(t.Name())
		mu.Lock()
		sim := sims[group]
		if sim == nil {
			sim = start(t, outer, Options{ESX: m == ESX, Datacenters: 2})
			if m == ESX {
				sim.admin(t, outer).CreateFolder(t, "/ha-datacenter/vm", "sub")
			}
			sims[group] = sim
		}
		mu.Unlock()
		return sim.Fixture(t, m, change...)
	}
}

// Fixture returns the contract suite's fixture for an adapter connected to
// s, which is model m, with its options changed by change. An adapter with
// an inventory index is returned once the index is ready, so that the
// suite's reads exercise it.
func (s *Sim) Fixture(t *testing.T, m Model, change ...func(*vsphere.Options)) *porttest.Fixture {
	t.Helper()
	h := s.Hypervisor(t, change...)
	if h.IndexStatus().State != vsphere.IndexDisabled {
		ctx, cancel := ctx(t)
		defer cancel()
		require.NoError(t, h.WaitIndex(ctx), "the inventory index did not get ready")
	}
	admin := s.Admin(t)
	f := &porttest.Fixture{
		Hypervisor: h,
		Sites: [2]domain.PlacementRequest{
			{Datacenter: "DC0", Cluster: "DC0_C0", Datastore: "LocalDS_0", Network: "VM Network"},
			{Datacenter: "DC1", Host: "DC1_H0", Datastore: "LocalDS_0", Network: "DC1_DVPG0"},
		},
		Defaults: porttest.Defaults{Datacenter: "DC0", Datastore: "LocalDS_0", Network: "VM Network"},
		MarkAsTemplate: func(t *testing.T, vm domain.VM) {
			admin.MarkAsTemplate(t, vm.ID)
			if h.IndexStatus().State != vsphere.IndexDisabled {
				s.AnnounceTemplate(t, vm.ID)
				waitCached(t, h, vm.ID, func(vm domain.VM) bool { return vm.Template })
			}
		},
		Suspend: func(t *testing.T, vm domain.VM) {
			admin.Suspend(t, vm.ID)
		},
		StartGuestTools: func(t *testing.T, vm domain.VM) {
			admin.StartGuestTools(t, vm.ID)
		},
	}
	if m == ESX {
		f.Sites = [2]domain.PlacementRequest{
			{Datacenter: "ha-datacenter", Datastore: "LocalDS_0", Network: "VM Network"},
			{Datacenter: "ha-datacenter", Folder: "sub", Datastore: "LocalDS_0", Network: "VM Network"},
		}
		f.Defaults = porttest.Defaults{Datacenter: "ha-datacenter", Datastore: "LocalDS_0", Network: "VM Network"}
		f.CannotClone = true
	}
	return f
}

// waitCached waits until the Cached answer of h about the VM id satisfies
// ok: an administrator's change reaches an inventory index moments later.
func waitCached(t *testing.T, h *vsphere.Hypervisor, id string, ok func(domain.VM) bool) {
	t.Helper()
	require.Eventually(t, func() bool {
		vm, err := h.ResolveVM(t.Context(), domain.IDRef(id), ports.Cached)
		return err == nil && ok(vm)
	}, 10*time.Second, 5*time.Millisecond, "the inventory index did not see the change of %s", id)
}
