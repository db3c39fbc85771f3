package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
)

func TestDeleteVM(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		created, err := s.CreateVM(ctx, domain.CreateSpec{Name: "doomed", CPU: 1, MemoryMB: 64})
		require.NoError(t, err)
		res, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: "doomed"})
		require.NoError(t, err)
		assert.Equal(t, created.VM.ID, res.Deleted.ID)
		assert.False(t, res.DryRun)
		_, err = s.GetVM(ctx, created.VM.ID)
		requireCode(t, domain.CodeNotFound, err)
	})
	t.Run("ErrConflictWhenPoweredOn", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		before := inventory(t, s)
		_, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: "DC0_H0_VM0"})
		requireCode(t, domain.CodeConflict, err)
		assert.Contains(t, err.Error(), "poweredOn")
		assert.Contains(t, err.Error(), "force")
		assert.Equal(t, before, inventory(t, s))
	})
	t.Run("ErrConflictWhenSuspended", func(t *testing.T) {
		s, h := newService(t, app.Options{})
		vm, err := s.GetVM(ctx, "DC0_H0_VM0")
		require.NoError(t, err)
		require.NoError(t, h.Suspend(vm.ID))
		_, err = s.DeleteVM(ctx, domain.DeleteSpec{VM: vm.ID})
		requireCode(t, domain.CodeConflict, err)
		assert.Contains(t, err.Error(), "suspended")
	})
	t.Run("ForcePowersOffFirst", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		res, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: "/DC0/vm/DC0_H0_VM0", Force: true})
		require.NoError(t, err)
		assert.Equal(t, "DC0_H0_VM0", res.Deleted.Name)
		_, err = s.GetVM(ctx, "DC0_H0_VM0")
		requireCode(t, domain.CodeNotFound, err)
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		before := inventory(t, s)
		res, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: "DC0_H0_VM0", Force: true, DryRun: true})
		require.NoError(t, err)
		assert.True(t, res.DryRun)
		assert.Equal(t, "DC0_H0_VM0", res.Deleted.Name)
		require.NotNil(t, res.Plan)
		assert.Equal(t, domain.ActionDelete, res.Plan.Action)
		require.Len(t, res.Plan.Steps, 2)
		assert.Contains(t, res.Plan.Steps[0], "power off")
		assert.Contains(t, res.Plan.Steps[1], "destroy")
		assert.Equal(t, before, inventory(t, s))
	})
	t.Run("ErrAmbiguousDeletesNothing", func(t *testing.T) {
		s := app.New(ambiguousInventory(t), app.Options{})
		before := inventory(t, s)
		_, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: "twin", Force: true})
		requireCode(t, domain.CodeAmbiguous, err)
		cands := domain.AsError(err).Candidates
		require.Len(t, cands, 2)
		assert.Equal(t, "/DC0/vm/twin", cands[0].Path)
		assert.Equal(t, "/DC1/vm/twin", cands[1].Path)
		assert.Equal(t, before, inventory(t, s))
		res, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: cands[0].ID})
		require.NoError(t, err, "an id picks one")
		assert.Equal(t, "/DC0/vm/twin", res.Deleted.Path)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s, _ := newService(t, app.Options{})
		_, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: "nope"})
		requireCode(t, domain.CodeNotFound, err)
	})
}
