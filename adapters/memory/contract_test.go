package memory_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports/porttest"
)

// TestContract runs the port's contract suite on an inventory shaped like
// the simulator's VPX model with two datacenters, and on one shaped like a
// standalone ESXi host.
func TestContract(t *testing.T) {
	t.Run("VPX", func(t *testing.T) {
		porttest.Run(t, func(t *testing.T) *porttest.Fixture {
			h, err := memory.New(memory.Inventory{Datacenters: []memory.Datacenter{
				memory.DefaultDatacenter("DC0"), memory.DefaultDatacenter("DC1"),
			}})
			require.NoError(t, err)
			return fixture(h, [2]domain.PlacementRequest{
				{Datacenter: "DC0", Cluster: "DC0_C0", Datastore: "LocalDS_0", Network: "VM Network"},
				{Datacenter: "DC1", Host: "DC1_H0", Datastore: "LocalDS_0", Network: "DC1_DVPG0"},
			}, porttest.Defaults{Datacenter: "DC0", Datastore: "LocalDS_0", Network: "VM Network"})
		})
	})
	t.Run("ESX", func(t *testing.T) {
		porttest.Run(t, func(t *testing.T) *porttest.Fixture {
			h, err := memory.New(memory.Inventory{Standalone: true, Datacenters: []memory.Datacenter{{
				Name:       "ha-datacenter",
				Folders:    []string{"sub"},
				Hosts:      []string{"localhost.localdomain"},
				Datastores: []memory.Datastore{{Name: "LocalDS_0", CapacityGB: 1024, FreeGB: 1004}},
				Networks:   []memory.Network{{Name: "VM Network"}},
			}}})
			require.NoError(t, err)
			f := fixture(h, [2]domain.PlacementRequest{
				{Datacenter: "ha-datacenter", Datastore: "LocalDS_0", Network: "VM Network"},
				{Datacenter: "ha-datacenter", Folder: "sub", Datastore: "LocalDS_0", Network: "VM Network"},
			}, porttest.Defaults{Datacenter: "ha-datacenter", Datastore: "LocalDS_0", Network: "VM Network"})
			f.CannotClone = true
			return f
		})
	})
}

func fixture(h *memory.Hypervisor, sites [2]domain.PlacementRequest, d porttest.Defaults) *porttest.Fixture {
	return &porttest.Fixture{
		Hypervisor: h,
		Sites:      sites,
		Defaults:   d,
		MarkAsTemplate: func(t *testing.T, vm domain.VM) {
			require.NoError(t, h.MarkAsTemplate(vm.ID))
		},
		Suspend: func(t *testing.T, vm domain.VM) {
			require.NoError(t, h.Suspend(vm.ID))
		},
		StartGuestTools: func(t *testing.T, vm domain.VM) {
			require.NoError(t, h.SetGuestTools(vm.ID, true))
		},
	}
}
