package integration

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
)

func TestAmbiguousNameChangesNothing(t *testing.T) {
	e := newEnv(t)
	// vCenter allows one name in two datacenters; the app refuses to make
	// such twins, so they are made as an admin would, one per datacenter.
	at0, err := e.hv.PlaceVM(ctx(t), domain.PlacementRequest{Datacenter: "DC0"})
	require.NoError(t, err)
	at1, err := e.hv.PlaceVM(ctx(t), domain.PlacementRequest{Datacenter: "DC1"})
	require.NoError(t, err)
	spec := domain.CreateSpec{Name: "twin", CPU: 1, MemoryMB: 4}.WithDefaults()
	one, err := e.hv.CreateVM(ctx(t), spec, at0)
	require.NoError(t, err)
	two, err := e.hv.CreateVM(ctx(t), spec, at1)
	require.NoError(t, err)
	before := e.inventory(t)

	_, err = e.svc.PowerOn(ctx(t), domain.PowerSpec{VM: "twin"})
	requireCode(t, domain.CodeAmbiguous, err)
	assert.Contains(t, err.Error(), one.Path)
	assert.Contains(t, err.Error(), two.Path)
	_, err = e.svc.DeleteVM(ctx(t), domain.DeleteSpec{VM: "twin", Force: true})
	requireCode(t, domain.CodeAmbiguous, err)
	_, err = e.svc.CloneVM(ctx(t), domain.CloneSpec{Source: "twin", Name: "triplet"})
	requireCode(t, domain.CodeAmbiguous, err)
	assert.Equal(t, before, e.inventory(t), "nothing changed")

	res, err := e.svc.PowerOn(ctx(t), domain.PowerSpec{VM: two.Path})
	require.NoError(t, err, "a path names one twin")
	assert.Equal(t, two.ID, res.VM.ID)
}

func TestNameUniqueness(t *testing.T) {
	e := newEnv(t)

	t.Run("ConcurrentCreatesMakeOneVM", func(t *testing.T) {
		const n = 2
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = e.svc.CreateVM(ctx(t), domain.CreateSpec{Name: "solo", CPU: 1, MemoryMB: 4})
			})
		}
		wg.Wait()
		var ok, taken int
		for _, err := range errs {
			switch domain.CodeOf(err) {
			case "":
				ok++
			case domain.CodeAlreadyExists:
				taken++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		assert.Equal(t, 1, ok, "exactly one create succeeds")
		assert.Equal(t, 1, taken, "the other finds the name taken")
		res, err := e.svc.ListVMs(ctx(t), domain.ListFilter{NameContains: "solo"})
		require.NoError(t, err)
		assert.Len(t, res.VMs, 1, "exactly one VM")
	})
	t.Run("NameTakenInAnotherDatacenter", func(t *testing.T) {
		e.create(t, "elsewhere", domain.PlacementRequest{Datacenter: "DC1"})
		before := e.inventory(t)
		_, err := e.svc.CreateVM(ctx(t), domain.CreateSpec{Name: "elsewhere", CPU: 1, MemoryMB: 4,
			Placement: domain.PlacementRequest{Datacenter: "DC0"}})
		requireCode(t, domain.CodeAlreadyExists, err)
		assert.Contains(t, err.Error(), "/DC1/vm/elsewhere")
		assert.Equal(t, before, e.inventory(t))
	})
	t.Run("CloneToATakenName", func(t *testing.T) {
		_, err := e.svc.CloneVM(ctx(t), domain.CloneSpec{Source: "DC0_H0_VM0", Name: "elsewhere"})
		requireCode(t, domain.CodeAlreadyExists, err)
	})
}
