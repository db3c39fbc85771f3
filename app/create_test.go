package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
)

func TestCreateVM(t *testing.T) {
	ctx := context.Background()
	t.Run("OKWithDefaults", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		res, err := s.CreateVM(ctx, domain.CreateSpec{Name: "web01", CPU: 2, MemoryMB: 4096})
		require.NoError(t, err)
		vm := res.VM
		assert.False(t, res.DryRun)
		assert.Nil(t, res.Plan)
		assert.NotEmpty(t, vm.ID)
		assert.Equal(t, "/DC0/vm/web01", vm.Path)
		assert.Equal(t, "DC0_C0", vm.Cluster, "the first cluster")
		assert.Equal(t, []string{"LocalDS_0"}, vm.Datastores)
		assert.Equal(t, []string{"VM Network"}, vm.Networks)
		assert.Equal(t, "otherGuest64", vm.GuestID)
		assert.Equal(t, domain.PoweredOff, vm.PowerState)
		got, err := s.GetVM(ctx, "web01")
		require.NoError(t, err)
		assert.Equal(t, vm, got)
	})
	t.Run("OKPoweredOn", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		res, err := s.CreateVM(ctx, domain.CreateSpec{Name: "web01", CPU: 1, MemoryMB: 64, PowerOn: true})
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOn, res.VM.PowerState)
	})
	t.Run("ConfiguredDefaults", func(t *testing.T) {
		s, _ := newService(t, app.Options{Defaults: domain.PlacementRequest{
			Datacenter: "DC1", Cluster: "DC1_C0", Datastore: "LocalDS_0", Network: "DC1_DVPG0",
		}})
		res, err := s.CreateVM(ctx, domain.CreateSpec{Name: "a", CPU: 1, MemoryMB: 64})
		require.NoError(t, err)
		assert.Equal(t, "/DC1/vm/a", res.VM.Path)
		assert.Equal(t, "DC1_C0", res.VM.Cluster)
		assert.Equal(t, []string{"DC1_DVPG0"}, res.VM.Networks)

		res, err = s.CreateVM(ctx, domain.CreateSpec{Name: "b", CPU: 1, MemoryMB: 64,
			Placement: domain.PlacementRequest{Host: "DC1_H0", Network: "VM Network"}})
		require.NoError(t, err, "a named host does not get the default cluster")
		assert.Equal(t, "DC1_H0", res.VM.Host)
		assert.Empty(t, res.VM.Cluster)
		assert.Equal(t, []string{"VM Network"}, res.VM.Networks, "the request wins over the configuration")

		res, err = s.CreateVM(ctx, domain.CreateSpec{Name: "c", CPU: 1, MemoryMB: 64,
			Placement: domain.PlacementRequest{Folder: "/DC0/vm", Cluster: "DC0_C0", Network: "VM Network"}})
		require.NoError(t, err, "an absolute folder does not get the default datacenter")
		assert.Equal(t, "/DC0/vm/c", res.VM.Path)
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		before := inventory(t, s)
		res, err := s.CreateVM(ctx, domain.CreateSpec{Name: "plan", CPU: 2, MemoryMB: 512, DiskGB: 40, PowerOn: true, DryRun: true,
			Placement: domain.PlacementRequest{Datastore: "LocalDS_0", Network: "DC0_DVPG0"}})
		require.NoError(t, err)
		assert.True(t, res.DryRun)
		assert.Empty(t, res.VM.ID, "nothing was created, so there is no id")
		assert.Equal(t, "/DC0/vm/plan", res.VM.Path)
		assert.Equal(t, []string{"DC0_DVPG0"}, res.VM.Networks)
		require.NotNil(t, res.Plan)
		assert.Equal(t, domain.ActionCreate, res.Plan.Action)
		require.NotNil(t, res.Plan.Placement)
		assert.Equal(t, "LocalDS_0", res.Plan.Placement.Datastore.Name)
		require.Len(t, res.Plan.Steps, 2)
		assert.Contains(t, res.Plan.Steps[0], "/DC0/vm/plan")
		assert.Contains(t, res.Plan.Steps[0], "40 GiB")
		assert.Contains(t, res.Plan.Steps[1], "power on")
		assert.Equal(t, before, inventory(t, s))
	})
	t.Run("DryRunChecksPlacement", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "x", CPU: 1, MemoryMB: 64, DryRun: true,
			Placement: domain.PlacementRequest{Datastore: "nope"}})
		requireCode(t, domain.CodeNotFound, err)
		assert.Contains(t, err.Error(), "datastore")
	})
	t.Run("ErrInvalidArgumentBeforeAnyCall", func(t *testing.T) {
		s, h := newService(t, app.Options{})
		h.InjectFault("ResolveVM", errors.New("must not be called"))
		h.InjectFault("PlaceVM", errors.New("must not be called"))
		_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "x", CPU: 1, MemoryMB: 1001})
		requireCode(t, domain.CodeInvalidArgument, err)
		assert.Contains(t, err.Error(), "memory")
	})
	t.Run("ErrAlreadyExistsInAnotherDatacenter", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		before := inventory(t, s)
		_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "DC1_H0_VM0", CPU: 1, MemoryMB: 64})
		requireCode(t, domain.CodeAlreadyExists, err)
		assert.Contains(t, err.Error(), "/DC1/vm/DC1_H0_VM0")
		assert.Equal(t, before, inventory(t, s))
	})
	t.Run("ErrAlreadyExistsEscaped", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "a/b", CPU: 1, MemoryMB: 64})
		require.NoError(t, err)
		_, err = s.CreateVM(ctx, domain.CreateSpec{Name: "a%2fb", CPU: 1, MemoryMB: 64})
		requireCode(t, domain.CodeAlreadyExists, err)
	})
	t.Run("ErrPowerOnKeepsTheVM", func(t *testing.T) {
		s, h := newService(t, app.Options{})
		h.InjectFault("PowerOn", domain.Errorf(domain.CodeConflict, "host is in maintenance mode"))
		_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "half", CPU: 1, MemoryMB: 64, PowerOn: true})
		requireCode(t, domain.CodeConflict, err)
		assert.Contains(t, err.Error(), "created /DC0/vm/half")
		assert.Contains(t, err.Error(), "host is in maintenance mode")
		assert.Contains(t, err.Error(), "stays powered off")
		vm, err := s.GetVM(ctx, "half")
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOff, vm.PowerState)
	})
}

func TestConcurrentCreatesOfOneNameMakeOneVM(t *testing.T) {
	s, _ := newService(t, app.Options{})
	ctx := context.Background()
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Half in each datacenter: uniqueness spans the inventory.
			dc := []string{"DC0", "DC1"}[i%2]
			_, errs[i] = s.CreateVM(ctx, domain.CreateSpec{Name: "once", CPU: 1, MemoryMB: 64,
				Placement: domain.PlacementRequest{Datacenter: dc}})
		})
	}
	wg.Wait()
	var ok int
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		requireCode(t, domain.CodeAlreadyExists, err)
	}
	assert.Equal(t, 1, ok, "exactly one create succeeds")
	res, err := s.ListVMs(ctx, domain.ListFilter{NameContains: "once"})
	require.NoError(t, err)
	assert.Len(t, res.VMs, 1)
}

func TestCloneVM(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		src, err := s.CreateVM(ctx, domain.CreateSpec{Name: "src", CPU: 4, MemoryMB: 1024, GuestID: "ubuntu64Guest",
			Placement: domain.PlacementRequest{Datacenter: "DC1"}})
		require.NoError(t, err)
		res, err := s.CloneVM(ctx, domain.CloneSpec{Source: "src", Name: "copy", PowerOn: true})
		require.NoError(t, err)
		assert.Equal(t, "/DC1/vm/copy", res.VM.Path, "the clone goes to its source's folder")
		assert.Equal(t, 4, res.VM.CPU)
		assert.Equal(t, "ubuntu64Guest", res.VM.GuestID)
		assert.Equal(t, domain.PoweredOn, res.VM.PowerState)
		assert.NotEqual(t, src.VM.ID, res.VM.ID)
	})
	t.Run("DryRun", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		before := inventory(t, s)
		res, err := s.CloneVM(ctx, domain.CloneSpec{Source: "/DC0/vm/DC0_H0_VM0", Name: "copy", DryRun: true})
		require.NoError(t, err)
		assert.True(t, res.DryRun)
		require.NotNil(t, res.Plan)
		assert.Equal(t, domain.ActionClone, res.Plan.Action)
		require.NotNil(t, res.Plan.Source)
		assert.Equal(t, "DC0_H0_VM0", res.Plan.Source.Name)
		assert.Equal(t, "/DC0/vm/copy", res.VM.Path)
		assert.Equal(t, domain.PoweredOff, res.VM.PowerState)
		assert.Empty(t, res.VM.ID)
		assert.Equal(t, before, inventory(t, s))
	})
	t.Run("ErrAmbiguousSourceChangesNothing", func(t *testing.T) {
		// The app never makes two VMs of one name, but vCenter allows them.
		s := app.New(ambiguousInventory(t), app.Options{})
		before := inventory(t, s)
		_, err := s.CloneVM(ctx, domain.CloneSpec{Source: "twin", Name: "copy"})
		requireCode(t, domain.CodeAmbiguous, err)
		assert.Len(t, domain.AsError(err).Candidates, 2)
		assert.Equal(t, before, inventory(t, s))
	})
	t.Run("ErrNewNameTaken", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.CloneVM(ctx, domain.CloneSpec{Source: "DC0_H0_VM0", Name: "DC1_H0_VM1"})
		requireCode(t, domain.CodeAlreadyExists, err)
		assert.Contains(t, err.Error(), "new_name")
	})
	t.Run("ErrSourceNotFound", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.CloneVM(ctx, domain.CloneSpec{Source: "nope", Name: "copy"})
		requireCode(t, domain.CodeNotFound, err)
	})
	t.Run("ErrStandaloneHost", func(t *testing.T) {
		h := standalone(t)
		s := app.New(h, app.Options{})
		_, err := s.CloneVM(ctx, domain.CloneSpec{Source: "esx_VM0", Name: "copy"})
		requireCode(t, domain.CodeInvalidArgument, err)
		assert.Contains(t, err.Error(), "vCenter")
	})
}
