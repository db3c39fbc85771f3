// Package porttest is the contract suite of ports.Hypervisor: one subtest
// per documented behaviour, run against any implementation, the way
// testing/slogtest checks a slog.Handler. Every adapter of this module runs
// it, and a third party's adapter can too:
//
//	func TestContract(t *testing.T) {
//		porttest.Run(t, func(t *testing.T) *porttest.Fixture {
//			return &porttest.Fixture{Hypervisor: newMyHypervisor(t), ...}
//		})
//	}
//
// The suite creates the VMs it works on, with names unique to each subtest,
// and deletes them when the subtest ends, so that it can also run against a
// shared, real vCenter.
package porttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// Fixture is a hypervisor under test and what the suite must know of it.
type Fixture struct {
	Hypervisor ports.Hypervisor

	// Sites are two placements where VMs of one name can coexist: two
	// datacenters, or two folders of one datacenter. Each must resolve with
	// PlaceVM; the suite reads Datacenter, Folder, Datastore and Network from
	// them.
	Sites [2]domain.PlacementRequest

	// Defaults is what PlaceVM must choose for an empty request.
	Defaults Defaults

	// CannotClone marks a hypervisor that cannot clone (a standalone ESXi
	// host): the suite then expects invalid_argument from PlaceClone and
	// CloneVM instead of clones.
	CannotClone bool

	// MarkAsTemplate turns a powered-off VM into a template.
	MarkAsTemplate func(t *testing.T, vm domain.VM)
	// Suspend suspends a powered-on VM.
	Suspend func(t *testing.T, vm domain.VM)
	// StartGuestTools makes the guest tools of a powered-on VM run, so that
	// ShutdownGuest can succeed.
	StartGuestTools func(t *testing.T, vm domain.VM)
}

// Defaults are the names PlaceVM must choose for an empty request.
type Defaults struct {
	Datacenter string
	Datastore  string
	Network    string // "" when the hypervisor has no "VM Network"
}

// Run runs every behaviour of the contract as a subtest of t. newFixture
// is called once per subtest; it may return a fresh hypervisor each time or
// share one.
func Run(t *testing.T, newFixture func(t *testing.T) *Fixture) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"ListVMs", listTests},
		{"ResolveVM", resolveTests},
		{"PlaceVM", placeTests},
		{"CreateVM", createTests},
		{"CloneVM", cloneTests},
		{"DeleteVM", deleteTests},
		{"Power", powerTests},
		{"VMStats", statsTests},
		{"Concurrency", concurrencyTests},
		{"Health", healthTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					f := newFixture(t)
					require.NotNil(t, f, "newFixture returned nil")
					require.NotNil(t, f.Hypervisor, "the fixture has no Hypervisor")
					tc.run(t, &env{Fixture: f, prefix: "pt-" + randomHex(3) + "-"})
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, e *env)
}

// env is one subtest's view of the fixture, with helpers that create VMs
// and delete them when the subtest ends.
type env struct {
	*Fixture
	prefix string
}

func (e *env) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// name returns a VM name unique to this subtest.
func (e *env) name(suffix string) string { return e.prefix + suffix }

// spec returns a small VM's spec.
func spec(name string) domain.CreateSpec {
	return domain.CreateSpec{Name: name, CPU: 1, MemoryMB: 64, DiskGB: 1}.WithDefaults()
}

// create places and creates a VM at site i (or at the defaults for i < 0),
// and deletes it when the test ends.
func (e *env) create(t *testing.T, s domain.CreateSpec, site int) domain.VM {
	t.Helper()
	ctx := e.ctx(t)
	var req domain.PlacementRequest
	if site >= 0 {
		req = e.Sites[site]
	}
	at, err := e.Hypervisor.PlaceVM(ctx, req)
	require.NoError(t, err, "PlaceVM(%+v)", req)
	vm, err := e.Hypervisor.CreateVM(ctx, s, at)
	require.NoError(t, err, "CreateVM(%q)", s.Name)
	require.NotEmpty(t, vm.ID, "CreateVM returned a VM without an id")
	e.cleanup(t, vm)
	return vm
}

// cleanup deletes vm, powered off, when the test ends, unless it is gone.
func (e *env) cleanup(t *testing.T, vm domain.VM) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
		defer cancel()
		now, err := e.Hypervisor.ResolveVM(ctx, domain.IDRef(vm.ID), ports.Current)
		if err != nil {
			return
		}
		if now.PowerState != domain.PoweredOff {
			_, _ = e.Hypervisor.PowerOff(ctx, now)
		}
		if err := e.Hypervisor.DeleteVM(ctx, now); err != nil {
			t.Logf("porttest: could not delete %s after the test: %v", now, err)
		}
	})
}

// place returns the placement of site i.
func (e *env) place(t *testing.T, i int) domain.Placement {
	t.Helper()
	at, err := e.Hypervisor.PlaceVM(e.ctx(t), e.Sites[i])
	require.NoError(t, err, "PlaceVM(%+v)", e.Sites[i])
	return at
}

// current returns vm as the hypervisor has it now.
func (e *env) current(t *testing.T, vm domain.VM) domain.VM {
	t.Helper()
	now, err := e.Hypervisor.ResolveVM(e.ctx(t), domain.IDRef(vm.ID), ports.Current)
	require.NoError(t, err, "ResolveVM(%s)", vm.ID)
	return now
}

// powerOn powers vm on and returns it.
func (e *env) powerOn(t *testing.T, vm domain.VM) domain.VM {
	t.Helper()
	on, err := e.Hypervisor.PowerOn(e.ctx(t), vm)
	require.NoError(t, err, "PowerOn(%s)", vm)
	return on
}

// requireCode asserts that err carries code.
func requireCode(t *testing.T, code domain.Code, err error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.Equal(t, code, domain.CodeOf(err), "error %q has the wrong kind", err)
	var e *domain.Error
	require.ErrorAs(t, err, &e)
	require.NotEmpty(t, e.Message, "a domain error must carry a message")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
