package vsphere_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// everything is the filter of a listing of every VM and template.
var everything = domain.ListFilter{IncludeTemplates: true}

// indexed connects an adapter with the inventory index to sim, with opts
// changed by change, and waits until the index is ready.
func indexed(t *testing.T, sim *vcsimtest.Sim, change ...func(*vsphere.Options)) *vsphere.Hypervisor {
	t.Helper()
	h := sim.Hypervisor(t, append([]func(*vsphere.Options){withIndex}, change...)...)
	waitReady(t, h)
	return h
}

func waitReady(t *testing.T, h *vsphere.Hypervisor) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, h.WaitIndex(ctx), "the inventory index gets ready")
}

// list lists every VM of h.
func list(t *testing.T, h *vsphere.Hypervisor) []domain.VM {
	t.Helper()
	vms, total, err := h.ListVMs(t.Context(), everything)
	require.NoError(t, err)
	require.Len(t, vms, total)
	return vms
}

// requireSameListing waits until the index of h lists what vCenter, asked
// directly by direct, has: an administrator's change reaches the index
// moments later.
func requireSameListing(t *testing.T, h, direct *vsphere.Hypervisor, why string) {
	t.Helper()
	var got, want []domain.VM
	ok := assert.Eventually(t, func() bool {
		got, want = list(t, h), list(t, direct)
		return assert.ObjectsAreEqual(want, got)
	}, 15*time.Second, 10*time.Millisecond)
	if !ok {
		require.Equal(t, want, got, "the index lists what vCenter has: %s", why)
	}
}

// idOf returns the id of the VM whose path is path in vms.
func idOf(t *testing.T, vms []domain.VM, path string) string {
	t.Helper()
	for _, vm := range vms {
		if vm.Path == path {
			return vm.ID
		}
	}
	require.FailNow(t, "no VM at "+path)
	return ""
}

// shortPolls makes the index's long polls last a second, so that
// holdUpdates need not wait long for the next one.
var shortPolls = vsphere.WithIndexWait(time.Second)

// holdUpdates holds the index's polls for updates, and returns once its
// next poll waits, so that the index learns of no change until release.
func holdUpdates(t *testing.T, sim *vcsimtest.Sim) (release func()) {
	t.Helper()
	held, release := sim.HoldUpdates(t)
	require.Eventually(t, func() bool { return held() > 0 }, 30*time.Second, 5*time.Millisecond,
		"the index polls for updates again")
	return release
}

const pool = "/DC0/host/DC0_C0/Resources"

func TestIndex(t *testing.T) {
	t.Run("OKAnswersReadsWithoutARoundTrip", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{Datacenters: 2})
		sim.Admin(t).CreateVM(t, "/DC1/vm", "/DC1/host/DC1_C0/Resources", "DC0_H0_VM0")
		h, direct := indexed(t, sim), sim.Hypervisor(t)
		want := list(t, direct)
		require.Len(t, want, 9)
		st := h.IndexStatus()
		assert.Equal(t, vsphere.IndexReady, st.State)
		assert.Equal(t, 9, st.VMs)
		assert.Equal(t, 1, st.Builds)
		assert.False(t, st.ReadySince.IsZero())

		calls := countCalls(sim)
		assert.Equal(t, want, list(t, h), "the index lists what vCenter has, field by field")
		on, total, err := h.ListVMs(t.Context(), domain.ListFilter{PowerState: domain.PoweredOn, Datacenter: "DC1", Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, 4, total)
		require.Len(t, on, 1)
		assert.Equal(t, "/DC1/vm/DC1_C0_RP0_VM0", on[0].Path)
		for _, ref := range []domain.VMRef{domain.IDRef(want[0].ID), {Kind: domain.RefPath, Value: want[0].Path}} {
			vm, err := h.ResolveVM(t.Context(), ref, ports.Cached)
			require.NoError(t, err, "%s", ref)
			assert.Equal(t, want[0], vm)
		}
		_, err = h.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM0"), ports.Cached)
		var e *domain.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, domain.CodeAmbiguous, e.Code, "the name is in both datacenters")
		assert.Len(t, e.Candidates, 2)
		_, err = h.ResolveVM(t.Context(), domain.NameRef("nowhere"), ports.Cached)
		requireCode(t, domain.CodeNotFound, err)
		for method, n := range calls() {
			assert.Contains(t, []string{"WaitForUpdatesEx"}, method, "%d calls of %s: reads cost no round trip", n, method)
		}
	})

	t.Run("OKFollowsChangesMadeElsewhere", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h, direct := indexed(t, sim), sim.Hypervisor(t)
		admin := sim.Admin(t)

		id := admin.CreateVM(t, "/DC0/vm", pool, "made-elsewhere")
		requireSameListing(t, h, direct, "a new VM")
		admin.PowerOn(t, id)
		requireSameListing(t, h, direct, "a VM powered on")
		admin.Rename(t, id, "renamed elsewhere")
		requireSameListing(t, h, direct, "a renamed VM")
		folder := admin.CreateFolder(t, "/DC0/vm", "team")
		admin.Move(t, id, folder)
		// vcsim does not tell its collectors that the VM's parent changed.
		sim.Announce(t, types.ManagedObjectReference{Type: "VirtualMachine", Value: id},
			types.PropertyChange{Name: "parent", Val: admin.Find(t, folder)})
		requireSameListing(t, h, direct, "a VM moved to a new folder")
		admin.RenameObject(t, folder, "squad")
		requireSameListing(t, h, direct, "the folder of a VM renamed: its path changed")
		vm, err := h.ResolveVM(t.Context(), domain.VMRef{Kind: domain.RefPath, Value: "/DC0/vm/squad/renamed elsewhere"}, ports.Cached)
		require.NoError(t, err)
		assert.Equal(t, id, vm.ID)
		assert.Equal(t, domain.PoweredOn, vm.PowerState)

		other := idOf(t, list(t, direct), "/DC0/vm/DC0_H0_VM1")
		admin.PowerOff(t, other)
		requireSameListing(t, h, direct, "a VM powered off")
		admin.MarkAsTemplate(t, other)
		sim.AnnounceTemplate(t, other) // vcsim does not tell its collectors
		requireSameListing(t, h, direct, "a VM turned into a template")
		admin.PowerOff(t, id)
		admin.Destroy(t, id)
		requireSameListing(t, h, direct, "a deleted VM")
		_, err = h.ResolveVM(t.Context(), domain.IDRef(id), ports.Cached)
		requireCode(t, domain.CodeNotFound, err)
	})

	t.Run("OKTruncatedAnswersArePaged", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{Datacenters: 2})
		direct := sim.Hypervisor(t)
		calls := countCalls(sim)
		h := indexed(t, sim, vsphere.WithIndexPageSize(3))
		assert.Greater(t, calls()["WaitForUpdatesEx"], 5, "the build took several pages")
		assert.Equal(t, list(t, direct), list(t, h))

		admin := sim.Admin(t)
		for _, name := range []string{"page-a", "page-b", "page-c", "page-d", "page-e"} {
			admin.CreateVM(t, "/DC1/vm", "/DC1/host/DC1_C0/Resources", name)
		}
		requireSameListing(t, h, direct, "more changes than one page holds")
	})

	t.Run("OKReadsItsOwnWritesAtOnce", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h, direct := indexed(t, sim, shortPolls), sim.Hypervisor(t)
		release := holdUpdates(t, sim)
		ctx := t.Context()

		at, err := h.PlaceVM(ctx, domain.PlacementRequest{})
		require.NoError(t, err)
		vm, err := h.CreateVM(ctx, domain.CreateSpec{Name: "mine", CPU: 2, MemoryMB: 128, DiskGB: 1}.WithDefaults(), at)
		require.NoError(t, err)
		cached, err := h.ResolveVM(ctx, domain.NameRef("mine"), ports.Cached)
		require.NoError(t, err, "the index has the VM it created, though vCenter's updates are held")
		assert.Equal(t, vm, cached)
		assert.Equal(t, list(t, direct), list(t, h))
		assert.Equal(t, 5, h.IndexStatus().VMs)

		on, err := h.PowerOn(ctx, vm)
		require.NoError(t, err)
		cached, err = h.ResolveVM(ctx, domain.IDRef(vm.ID), ports.Cached)
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOn, cached.PowerState)
		assert.Equal(t, on, cached)
		onNow, _, err := h.ListVMs(ctx, domain.ListFilter{PowerState: domain.PoweredOn, NameContains: "mine"})
		require.NoError(t, err)
		assert.Equal(t, []domain.VM{on}, onNow)

		off, err := h.PowerOff(ctx, on)
		require.NoError(t, err)
		require.NoError(t, h.DeleteVM(ctx, off))
		_, err = h.ResolveVM(ctx, domain.NameRef("mine"), ports.Cached)
		requireCode(t, domain.CodeNotFound, err, "the index forgot the VM it deleted")
		assert.Equal(t, list(t, direct), list(t, h))
		assert.Equal(t, 4, h.IndexStatus().VMs)

		release()
		requireSameListing(t, h, direct, "the updates of our own changes, arriving late, change nothing")
		assert.Equal(t, 4, h.IndexStatus().VMs)
	})

	t.Run("ErrAmbiguousForANameTheIndexHasNotSeen", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := indexed(t, sim, shortPolls)
		admin := sim.Admin(t)
		folder := admin.CreateFolder(t, "/DC0/vm", "elsewhere")
		release := holdUpdates(t, sim)
		defer release()
		twin := admin.CreateVM(t, folder, pool, "DC0_H0_VM0")

		cached, err := h.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM0"), ports.Cached)
		require.NoError(t, err, "the index has not seen the second VM of that name")
		assert.NotEqual(t, twin, cached.ID)

		_, err = h.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM0"), ports.Current)
		var e *domain.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, domain.CodeAmbiguous, e.Code, "a mutation's target is confirmed with vCenter, which has two")
		paths := []string{e.Candidates[0].Path, e.Candidates[1].Path}
		assert.ElementsMatch(t, []string{"/DC0/vm/DC0_H0_VM0", "/DC0/vm/elsewhere/DC0_H0_VM0"}, paths)
	})

	t.Run("OKCurrentPathIsReadBack", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := indexed(t, sim, shortPolls)
		admin := sim.Admin(t)
		id := idOf(t, list(t, h), "/DC0/vm/DC0_H0_VM1")
		release := holdUpdates(t, sim)
		defer release()
		admin.Rename(t, id, "moved-on")
		newcomer := admin.CreateVM(t, "/DC0/vm", pool, "DC0_H0_VM1")

		cached, err := h.ResolveVM(t.Context(), domain.VMRef{Kind: domain.RefPath, Value: "/DC0/vm/DC0_H0_VM1"}, ports.Cached)
		require.NoError(t, err)
		assert.Equal(t, id, cached.ID, "the index has not seen the change")
		now, err := h.ResolveVM(t.Context(), domain.VMRef{Kind: domain.RefPath, Value: "/DC0/vm/DC0_H0_VM1"}, ports.Current)
		require.NoError(t, err)
		assert.Equal(t, newcomer, now.ID, "a mutation acts on the VM at that path now")
	})

	t.Run("OKCurrentReadsThePowerStateFromVCenter", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := indexed(t, sim, shortPolls)
		id := idOf(t, list(t, h), "/DC0/vm/DC0_H0_VM0")
		release := holdUpdates(t, sim)
		defer release()
		sim.Admin(t).PowerOff(t, id)

		cached, err := h.ResolveVM(t.Context(), domain.IDRef(id), ports.Cached)
		require.NoError(t, err)
		require.Equal(t, domain.PoweredOn, cached.PowerState, "the index has not seen the change")
		for _, ref := range []domain.VMRef{domain.IDRef(id), {Kind: domain.RefPath, Value: "/DC0/vm/DC0_H0_VM0"}, domain.NameRef("DC0_H0_VM0")} {
			now, err := h.ResolveVM(t.Context(), ref, ports.Current)
			require.NoError(t, err, "%s", ref)
			assert.Equal(t, domain.PoweredOff, now.PowerState, "a power operation's target, %s, is as vCenter has it", ref)
		}
	})

	t.Run("OKRebuildsInANewSession", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := indexed(t, sim, noKeepAlive, vsphere.WithIndexWait(time.Millisecond))
		direct := sim.Hypervisor(t)
		admin := sim.Admin(t)
		logins := sim.Calls("Login")
		admin.TerminateSessions(t)
		admin.CreateVM(t, "/DC0/vm", pool, "while-logged-out")

		require.Eventually(t, func() bool {
			st := h.IndexStatus()
			return st.State == vsphere.IndexReady && st.Builds == 2
		}, 15*time.Second, 5*time.Millisecond, "the index logs in again and builds again")
		assert.Equal(t, logins+1, sim.Calls("Login"), "the index logs in once")
		requireSameListing(t, h, direct, "the new build has what changed meanwhile")
	})

	t.Run("ErrBrokenFallsBackToVCenterThenRecovers", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := indexed(t, sim, vsphere.WithIndexWait(time.Millisecond), vsphere.WithIndexBackoff(time.Millisecond))
		direct := sim.Hypervisor(t)
		stop := sim.FailCalls("WaitForUpdatesEx", &types.SystemError{Reason: "the collector is busy"})
		require.Eventually(t, func() bool { return h.IndexStatus().State == vsphere.IndexBroken }, 15*time.Second, 5*time.Millisecond)
		st := h.IndexStatus()
		assert.NotEmpty(t, st.Error, "the status says what failed")
		assert.True(t, st.ReadySince.IsZero())

		// Made by another client; not the admin's, whose task waits need
		// WaitForUpdatesEx.
		at, err := direct.PlaceVM(t.Context(), domain.PlacementRequest{})
		require.NoError(t, err)
		_, err = direct.CreateVM(t.Context(), domain.CreateSpec{Name: "while-broken", CPU: 1, MemoryMB: 64, DiskGB: 1}.WithDefaults(), at)
		require.NoError(t, err)
		vm, err := h.ResolveVM(t.Context(), domain.NameRef("while-broken"), ports.Cached)
		require.NoError(t, err, "reads ask vCenter while the index is broken")
		assert.Equal(t, "/DC0/vm/while-broken", vm.Path)
		assert.Equal(t, list(t, direct), list(t, h))

		stop()
		waitReady(t, h)
		assert.Equal(t, 2, h.IndexStatus().Builds)
		assert.Equal(t, list(t, direct), list(t, h))
	})

	t.Run("OKDisabled", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := sim.Hypervisor(t)
		assert.Equal(t, vsphere.IndexStatus{State: vsphere.IndexDisabled}, h.IndexStatus())
		requireCode(t, domain.CodeUnavailable, h.WaitIndex(t.Context()))
		calls := countCalls(sim)
		list(t, h)
		assert.Positive(t, calls()["RetrievePropertiesEx"], "every read asks vCenter")
	})

	t.Run("OKCloseDestroysTheCollector", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := indexed(t, sim)
		calls := countCalls(sim)
		require.NoError(t, h.Close(t.Context()))
		got := calls()
		assert.Equal(t, 1, got["DestroyPropertyCollector"], "the index's collector is destroyed")
		requireCode(t, domain.CodeUnavailable, h.WaitIndex(t.Context()))
		_, _, err := h.ListVMs(t.Context(), everything)
		requireCode(t, domain.CodeUnavailable, err)
	})
}
