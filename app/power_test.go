package app_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

func TestPowerOn(t *testing.T) {
	ctx := context.Background()
	t.Run("Changed", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "p", CPU: 1, MemoryMB: 64})
		require.NoError(t, err)
		res, err := s.PowerOn(ctx, domain.PowerSpec{VM: "p"})
		require.NoError(t, err)
		assert.True(t, res.Changed)
		assert.Equal(t, domain.PoweredOn, res.VM.PowerState)
	})
	t.Run("AlreadyOnIsUnchanged", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		res, err := s.PowerOn(ctx, domain.PowerSpec{VM: "DC0_H0_VM0"})
		require.NoError(t, err)
		assert.False(t, res.Changed)
		assert.Equal(t, domain.PoweredOn, res.VM.PowerState)
	})
	t.Run("ResumesSuspended", func(t *testing.T) {
		s, h := newService(t, app.Options{})
		vm, err := s.GetVM(ctx, "DC0_H0_VM0")
		require.NoError(t, err)
		require.NoError(t, h.Suspend(vm.ID))
		res, err := s.PowerOn(ctx, domain.PowerSpec{VM: vm.ID})
		require.NoError(t, err)
		assert.True(t, res.Changed)
		assert.Equal(t, domain.PoweredOn, res.VM.PowerState)
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "p", CPU: 1, MemoryMB: 64})
		require.NoError(t, err)
		res, err := s.PowerOn(ctx, domain.PowerSpec{VM: "p", DryRun: true})
		require.NoError(t, err)
		assert.True(t, res.Changed, "it would change")
		assert.True(t, res.DryRun)
		require.NotNil(t, res.Plan)
		assert.Len(t, res.Plan.Steps, 1)
		vm, err := s.GetVM(ctx, "p")
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOff, vm.PowerState)
	})
	t.Run("ErrTemplate", func(t *testing.T) {
		s, h := newService(t, app.Options{})
		created, err := s.CreateVM(ctx, domain.CreateSpec{Name: "tmpl", CPU: 1, MemoryMB: 64})
		require.NoError(t, err)
		require.NoError(t, h.MarkAsTemplate(created.VM.ID))
		_, err = s.PowerOn(ctx, domain.PowerSpec{VM: "tmpl"})
		requireCode(t, domain.CodeInvalidArgument, err)
		assert.Contains(t, err.Error(), "template")
	})
	t.Run("ErrAmbiguousChangesNothing", func(t *testing.T) {
		s := app.New(ambiguousInventory(t), app.Options{})
		before := inventory(t, s)
		_, err := s.PowerOn(ctx, domain.PowerSpec{VM: "twin"})
		requireCode(t, domain.CodeAmbiguous, err)
		assert.Equal(t, before, inventory(t, s))
	})
}

func TestPowerOff(t *testing.T) {
	ctx := context.Background()
	t.Run("Changed", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		res, err := s.PowerOff(ctx, domain.PowerSpec{VM: "DC0_H0_VM0"})
		require.NoError(t, err)
		assert.True(t, res.Changed)
		assert.Equal(t, domain.PoweredOff, res.VM.PowerState)
	})
	t.Run("AlreadyOffIsUnchanged", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "p", CPU: 1, MemoryMB: 64})
		require.NoError(t, err)
		for _, graceful := range []bool{false, true} {
			res, err := s.PowerOff(ctx, domain.PowerSpec{VM: "p", Graceful: graceful})
			require.NoError(t, err)
			assert.False(t, res.Changed)
		}
	})
	t.Run("Graceful", func(t *testing.T) {
		s, h := newService(t, app.Options{})
		vm, err := s.GetVM(ctx, "DC0_H0_VM0")
		require.NoError(t, err)
		require.NoError(t, h.SetGuestTools(vm.ID, true))
		res, err := s.PowerOff(ctx, domain.PowerSpec{VM: vm.ID, Graceful: true})
		require.NoError(t, err)
		assert.True(t, res.Changed)
		assert.Equal(t, domain.PoweredOff, res.VM.PowerState)
	})
	t.Run("ErrGracefulWithoutTools", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.PowerOff(ctx, domain.PowerSpec{VM: "DC0_H0_VM0", Graceful: true})
		requireCode(t, domain.CodeConflict, err)
		assert.Contains(t, err.Error(), "VMware Tools")
		vm, err := s.GetVM(ctx, "DC0_H0_VM0")
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOn, vm.PowerState)
	})
	t.Run("ErrGracefulWhenSuspended", func(t *testing.T) {
		s, h := newService(t, app.Options{})
		vm, err := s.GetVM(ctx, "DC0_H0_VM0")
		require.NoError(t, err)
		require.NoError(t, h.Suspend(vm.ID))
		_, err = s.PowerOff(ctx, domain.PowerSpec{VM: vm.ID, Graceful: true})
		requireCode(t, domain.CodeConflict, err)
		res, err := s.PowerOff(ctx, domain.PowerSpec{VM: vm.ID})
		require.NoError(t, err, "a hard power off stops a suspended VM")
		assert.True(t, res.Changed)
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		res, err := s.PowerOff(ctx, domain.PowerSpec{VM: "DC0_H0_VM0", Graceful: true, DryRun: true})
		require.NoError(t, err)
		assert.True(t, res.Changed)
		require.NotNil(t, res.Plan)
		assert.Contains(t, res.Plan.Steps[0], "shut down the guest OS")
		vm, err := s.GetVM(ctx, "DC0_H0_VM0")
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOn, vm.PowerState)
	})
	t.Run("RacedToTheSameStateIsUnchanged", func(t *testing.T) {
		_, h := newService(t, app.Options{})
		s := app.New(&racer{Hypervisor: h}, app.Options{})
		res, err := s.PowerOff(ctx, domain.PowerSpec{VM: "DC0_H0_VM0"})
		require.NoError(t, err, "the hypervisor's conflict is moot: the VM is off as asked")
		assert.False(t, res.Changed)
		assert.Equal(t, domain.PoweredOff, res.VM.PowerState)
	})
}

// racer is a memory hypervisor on which another client powers a VM off
// right after the first time the service resolves it.
type racer struct {
	*memory.Hypervisor
	once sync.Once
}

func (r *racer) ResolveVM(ctx context.Context, ref domain.VMRef, c ports.Consistency) (domain.VM, error) {
	vm, err := r.Hypervisor.ResolveVM(ctx, ref, c)
	if err == nil {
		r.once.Do(func() { _, _ = r.Hypervisor.PowerOff(ctx, vm) })
	}
	return vm, err
}
