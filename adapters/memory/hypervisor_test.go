package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

func TestDefaultInventoryMirrorsTheSimulator(t *testing.T) {
	h := memory.NewDefault()
	vms, total, err := h.ListVMs(context.Background(), domain.ListFilter{})
	require.NoError(t, err)
	assert.Equal(t, 4, total)
	want := map[string]string{
		"DC0_C0_RP0_VM0": "DC0_C0", "DC0_C0_RP0_VM1": "DC0_C0", "DC0_H0_VM0": "", "DC0_H0_VM1": "",
	}
	for _, vm := range vms {
		cluster, ok := want[vm.Name]
		require.True(t, ok, "unexpected VM %s", vm.Name)
		assert.Equal(t, "/DC0/vm/"+vm.Name, vm.Path)
		assert.Equal(t, cluster, vm.Cluster)
		assert.Equal(t, domain.PoweredOn, vm.PowerState)
		assert.Equal(t, []string{"LocalDS_0"}, vm.Datastores)
		assert.Equal(t, []string{"DC0_DVPG0"}, vm.Networks)
		assert.Equal(t, 1, vm.CPU)
		assert.Equal(t, 32, vm.MemoryMB)
	}
}

func TestNewRejectsAnInconsistentInventory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*memory.Datacenter)
		want   string
	}{
		{"UnknownHost", func(d *memory.Datacenter) { d.VMs[0].Host = "nope" }, `no host "nope"`},
		{"UnknownDatastore", func(d *memory.Datacenter) { d.VMs[0].Datastore = "nope" }, `no datastore "nope"`},
		{"UnknownNetwork", func(d *memory.Datacenter) { d.VMs[0].Networks = []string{"nope"} }, `no network "nope"`},
		{"DuplicateVM", func(d *memory.Datacenter) { d.VMs = append(d.VMs, d.VMs[0]) }, "exists twice"},
		{"DatastoreOnUnknownHost", func(d *memory.Datacenter) { d.Datastores[0].Hosts = []string{"nope"} }, `no host "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := memory.DefaultDatacenter("DC0")
			tc.change(&d)
			_, err := memory.New(memory.Inventory{Datacenters: []memory.Datacenter{d}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestAnswersShareNothingWithTheState(t *testing.T) {
	h := memory.NewDefault()
	ctx := context.Background()
	vm, err := h.ResolveVM(ctx, domain.NameRef("DC0_H0_VM0"), ports.Current)
	require.NoError(t, err)
	vm.Datastores[0], vm.Networks[0] = "changed", "changed"
	again, err := h.ResolveVM(ctx, domain.NameRef("DC0_H0_VM0"), ports.Current)
	require.NoError(t, err)
	assert.Equal(t, []string{"LocalDS_0"}, again.Datastores)
	assert.Equal(t, []string{"DC0_DVPG0"}, again.Networks)
}

func TestSetDown(t *testing.T) {
	h := memory.NewDefault()
	ctx := context.Background()
	h.SetDown("vCenter is restarting")
	err := h.Check(ctx)
	require.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Contains(t, err.Error(), "vCenter is restarting")
	_, _, err = h.ListVMs(ctx, domain.ListFilter{})
	require.ErrorIs(t, err, domain.ErrUnavailable)
	h.SetDown("")
	require.NoError(t, h.Check(ctx))
	_, total, err := h.ListVMs(ctx, domain.ListFilter{})
	require.NoError(t, err)
	assert.Equal(t, 4, total, "nothing was lost")
}

func TestSetLatencyHonoursTheDeadline(t *testing.T) {
	h := memory.NewDefault()
	h.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := h.ListVMs(ctx, domain.ListFilter{})
	require.ErrorIs(t, err, domain.ErrTimeout)
	assert.Contains(t, err.Error(), "ListVMs")
	assert.Less(t, time.Since(start), 10*time.Second, "the call returns at the deadline")
}

func TestInjectFault(t *testing.T) {
	h := memory.NewDefault()
	ctx := context.Background()
	boom := domain.Errorf(domain.CodeForbidden, "permission to power on denied")
	h.InjectFault("PowerOn", boom)
	vm, err := h.ResolveVM(ctx, domain.NameRef("DC0_H0_VM0"), ports.Current)
	require.NoError(t, err, "other methods work")
	_, err = h.PowerOff(ctx, vm)
	require.NoError(t, err)
	_, err = h.PowerOn(ctx, vm)
	require.True(t, errors.Is(err, boom))
	now, err := h.ResolveVM(ctx, domain.IDRef(vm.ID), ports.Current)
	require.NoError(t, err)
	assert.Equal(t, domain.PoweredOff, now.PowerState, "a fault acts before the method does")
	h.InjectFault("PowerOn", nil)
	_, err = h.PowerOn(ctx, vm)
	require.NoError(t, err)
}

func TestDatastoreReach(t *testing.T) {
	d := memory.DefaultDatacenter("DC0")
	d.Datastores = append(d.Datastores,
		memory.Datastore{Name: "big-but-far", CapacityGB: 9000, FreeGB: 9000, Hosts: []string{"DC0_H0"}},
		memory.Datastore{Name: "broken", CapacityGB: 9999, FreeGB: 9999, Inaccessible: true},
	)
	h, err := memory.New(memory.Inventory{Datacenters: []memory.Datacenter{d}})
	require.NoError(t, err)
	ctx := context.Background()

	at, err := h.PlaceVM(ctx, domain.PlacementRequest{Cluster: "DC0_C0"})
	require.NoError(t, err)
	assert.Equal(t, "LocalDS_0", at.Datastore.Name, "the largest datastore the cluster reaches")
	at, err = h.PlaceVM(ctx, domain.PlacementRequest{Host: "DC0_H0"})
	require.NoError(t, err)
	assert.Equal(t, "big-but-far", at.Datastore.Name, "the largest datastore the host reaches")
	_, err = h.PlaceVM(ctx, domain.PlacementRequest{Cluster: "DC0_C0", Datastore: "big-but-far"})
	require.ErrorIs(t, err, domain.ErrInvalidArgument)
	_, err = h.PlaceVM(ctx, domain.PlacementRequest{Datastore: "broken"})
	require.ErrorIs(t, err, domain.ErrInvalidArgument)
	_, err = h.PlaceVM(ctx, domain.PlacementRequest{Cluster: "DC0_C0", Host: "DC0_H0"})
	require.ErrorIs(t, err, domain.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "not in cluster")
}
