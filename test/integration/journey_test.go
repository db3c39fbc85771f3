package integration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
)

// TestJourney walks the original's journey end to end: list, create, power
// on, read the figures, clone, power off, delete. The steps depend on each
// other and run in order.
func TestJourney(t *testing.T) {
	e := newEnv(t)
	var web, clone domain.VM

	t.Run("List", func(t *testing.T) {
		res, err := e.svc.ListVMs(ctx(t), domain.ListFilter{Datacenter: "DC0"})
		require.NoError(t, err)
		assert.Equal(t, 4, res.Total, "the model's four VMs of DC0")
	})
	t.Run("Create", func(t *testing.T) {
		res, err := e.svc.CreateVM(ctx(t), domain.CreateSpec{
			Name: "web01", CPU: 2, MemoryMB: 2048, DiskGB: 20, GuestID: "ubuntu64Guest",
			Placement: domain.PlacementRequest{Datacenter: "DC0", Cluster: "DC0_C0"},
		})
		require.NoError(t, err)
		web = res.VM
		assert.Equal(t, "/DC0/vm/web01", web.Path)
		assert.Equal(t, domain.PoweredOff, web.PowerState)
		assert.Equal(t, 2, web.CPU)
		assert.Equal(t, 2048, web.MemoryMB)
		assert.Equal(t, "DC0_C0", web.Cluster)
		assert.Equal(t, []string{"LocalDS_0"}, web.Datastores)
		assert.Equal(t, []string{"VM Network"}, web.Networks)
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		before := e.inventory(t)
		res, err := e.svc.CreateVM(ctx(t), domain.CreateSpec{Name: "web99", CPU: 1, MemoryMB: 512, DryRun: true})
		require.NoError(t, err)
		assert.True(t, res.DryRun)
		assert.Equal(t, "/DC0/vm/web99", res.VM.Path)
		assert.Equal(t, before, e.inventory(t))
	})
	t.Run("PowerOn", func(t *testing.T) {
		res, err := e.svc.PowerOn(ctx(t), domain.PowerSpec{VM: "web01"})
		require.NoError(t, err)
		assert.True(t, res.Changed)
		assert.Equal(t, domain.PoweredOn, res.VM.PowerState)
		again, err := e.svc.PowerOn(ctx(t), domain.PowerSpec{VM: web.Path})
		require.NoError(t, err)
		assert.False(t, again.Changed, "powering on a running VM changes nothing")
	})
	t.Run("Stats", func(t *testing.T) {
		st, err := e.svc.VMStats(ctx(t), web.ID)
		require.NoError(t, err)
		assert.Equal(t, "performance_manager", st.Source)
		assert.WithinDuration(t, time.Now(), st.Timestamp, time.Minute)
		require.NotNil(t, st.CPU)
		require.NotNil(t, st.Memory)
		assert.Equal(t, int64(2048), st.Memory.GrantedMB)
		assert.Positive(t, st.Storage.CommittedBytes+st.Storage.UncommittedBytes)
	})
	t.Run("Clone", func(t *testing.T) {
		res, err := e.svc.CloneVM(ctx(t), domain.CloneSpec{Source: "web01", Name: "web02"})
		require.NoError(t, err)
		clone = res.VM
		assert.Equal(t, "/DC0/vm/web02", clone.Path, "a clone goes to its source's folder")
		assert.Equal(t, domain.PoweredOff, clone.PowerState)
		assert.Equal(t, web.CPU, clone.CPU)
		assert.Equal(t, web.MemoryMB, clone.MemoryMB)
		assert.Equal(t, web.Datastores, clone.Datastores, "and keeps its datastore")
	})
	t.Run("PowerOff", func(t *testing.T) {
		res, err := e.svc.PowerOff(ctx(t), domain.PowerSpec{VM: "web01"})
		require.NoError(t, err)
		assert.True(t, res.Changed)
		assert.Equal(t, domain.PoweredOff, res.VM.PowerState)
	})
	t.Run("Delete", func(t *testing.T) {
		for _, vm := range []domain.VM{web, clone} {
			res, err := e.svc.DeleteVM(ctx(t), domain.DeleteSpec{VM: vm.ID})
			require.NoError(t, err)
			assert.Equal(t, vm.ID, res.Deleted.ID)
			_, err = e.svc.GetVM(ctx(t), vm.ID)
			requireCode(t, domain.CodeNotFound, err)
		}
		res, err := e.svc.ListVMs(ctx(t), domain.ListFilter{NameContains: "web"})
		require.NoError(t, err)
		assert.Empty(t, res.VMs)
	})
	t.Run("DeleteRunningNeedsForce", func(t *testing.T) {
		vm := e.create(t, "db01", domain.PlacementRequest{})
		_, err := e.svc.PowerOn(ctx(t), domain.PowerSpec{VM: vm.ID})
		require.NoError(t, err)
		_, err = e.svc.DeleteVM(ctx(t), domain.DeleteSpec{VM: vm.ID})
		requireCode(t, domain.CodeConflict, err)
		_, err = e.svc.DeleteVM(ctx(t), domain.DeleteSpec{VM: vm.ID, Force: true})
		require.NoError(t, err)
	})
	t.Run("GracefulPowerOff", func(t *testing.T) {
		vm := e.create(t, "app01", domain.PlacementRequest{})
		_, err := e.svc.PowerOn(ctx(t), domain.PowerSpec{VM: vm.ID})
		require.NoError(t, err)
		_, err = e.svc.PowerOff(ctx(t), domain.PowerSpec{VM: vm.ID, Graceful: true})
		requireCode(t, domain.CodeConflict, err, "no VMware Tools")
		assert.Contains(t, err.Error(), "VMware Tools")
		e.sim.Admin(t).StartGuestTools(t, vm.ID)
		res, err := e.svc.PowerOff(ctx(t), domain.PowerSpec{VM: vm.ID, Graceful: true})
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOff, res.VM.PowerState)
		_, err = e.svc.DeleteVM(ctx(t), domain.DeleteSpec{VM: vm.ID})
		require.NoError(t, err)
	})
}
