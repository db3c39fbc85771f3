package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/domain"
)

// ambiguousInventory returns a hypervisor with a VM named "twin" in each of
// two datacenters, as vCenter allows.
func ambiguousInventory(t *testing.T) *memory.Hypervisor {
	t.Helper()
	dc0, dc1 := memory.DefaultDatacenter("DC0"), memory.DefaultDatacenter("DC1")
	dc0.VMs = append(dc0.VMs, memory.VM{Name: "twin", Host: "DC0_H0", Datastore: "LocalDS_0", PowerState: domain.PoweredOff})
	dc1.VMs = append(dc1.VMs, memory.VM{Name: "twin", Host: "DC1_H0", Datastore: "LocalDS_0", PowerState: domain.PoweredOn})
	h, err := memory.New(memory.Inventory{Datacenters: []memory.Datacenter{dc0, dc1}})
	require.NoError(t, err)
	return h
}

// standalone returns a hypervisor shaped like an ESXi host without
// vCenter, with one powered-on VM esx_VM0.
func standalone(t *testing.T) *memory.Hypervisor {
	t.Helper()
	h, err := memory.New(memory.Inventory{Standalone: true, Datacenters: []memory.Datacenter{{
		Name:       "ha-datacenter",
		Hosts:      []string{"esx"},
		Datastores: []memory.Datastore{{Name: "datastore1", CapacityGB: 100, FreeGB: 90}},
		Networks:   []memory.Network{{Name: "VM Network"}},
		VMs:        []memory.VM{{Name: "esx_VM0", Host: "esx", Datastore: "datastore1"}},
	}}})
	require.NoError(t, err)
	return h
}
