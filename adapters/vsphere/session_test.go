package vsphere_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// noKeepAlive turns the keepalive off, so that only calls restore a
// session.
func noKeepAlive(o *vsphere.Options) { o.KeepAlive = -1 }

func TestSession(t *testing.T) {
	t.Run("OKKilledSessionRestoredByOneLogin", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := sim.Hypervisor(t, noKeepAlive)
		admin := sim.Admin(t)
		require.Positive(t, admin.TerminateSessions(t))
		logins := sim.Calls("Login")

		vms, _, err := h.ListVMs(t.Context(), domain.ListFilter{})
		require.NoError(t, err, "the call is retried after a new login")
		assert.NotEmpty(t, vms)
		assert.Equal(t, logins+1, sim.Calls("Login"), "one login restores the session")

		_, _, err = h.ListVMs(t.Context(), domain.ListFilter{})
		require.NoError(t, err)
		assert.Equal(t, logins+1, sim.Calls("Login"), "the new session serves later calls")
	})
	t.Run("OKConcurrentCallsShareOneLogin", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := sim.Hypervisor(t, noKeepAlive)
		sim.Admin(t).TerminateSessions(t)
		logins := sim.Calls("Login")
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = h.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM0"), 0)
			})
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		assert.Equal(t, logins+1, sim.Calls("Login"), "concurrent calls that lost the session log in once")
	})
	t.Run("OKKeepAliveRestoresSession", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := sim.Hypervisor(t, func(o *vsphere.Options) { o.KeepAlive = 20 * time.Millisecond })
		sim.Admin(t).TerminateSessions(t)
		logins := sim.Calls("Login")
		require.Eventually(t, func() bool { return sim.Calls("Login") == logins+1 }, 10*time.Second, 10*time.Millisecond,
			"the keepalive logs in again")
		_, _, err := h.ListVMs(t.Context(), domain.ListFilter{})
		require.NoError(t, err)
		assert.Equal(t, logins+1, sim.Calls("Login"), "the call needed no login of its own")
	})
	t.Run("OKKeepAliveGoesOnAfterAnOutage", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := sim.Hypervisor(t, func(o *vsphere.Options) { o.KeepAlive = 20 * time.Millisecond })
		sim.Stop()
		time.Sleep(100 * time.Millisecond) // a few failed checks
		require.NoError(t, sim.Resume())
		sim.Admin(t).TerminateSessions(t)
		logins := sim.Calls("Login")
		require.Eventually(t, func() bool { return sim.Calls("Login") > logins }, 10*time.Second, 10*time.Millisecond,
			"the keepalive survives failed checks and still restores the session")
		require.NoError(t, h.Check(t.Context()))
	})
	t.Run("OKCheckRestoresSession", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := sim.Hypervisor(t, noKeepAlive)
		sim.Admin(t).TerminateSessions(t)
		logins := sim.Calls("Login")
		require.NoError(t, h.Check(t.Context()))
		assert.Equal(t, logins+1, sim.Calls("Login"))
	})
	t.Run("ErrUnavailableWhileStoppedThenRecovers", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := sim.Hypervisor(t, noKeepAlive)
		sim.Stop()
		_, _, err := h.ListVMs(t.Context(), domain.ListFilter{})
		requireCode(t, domain.CodeUnavailable, err)
		assert.Contains(t, err.Error(), sim.URL().Host, "the message names vCenter")
		requireCode(t, domain.CodeUnavailable, h.Check(t.Context()))
		_, err = h.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM0"), 0)
		requireCode(t, domain.CodeUnavailable, err)

		require.NoError(t, sim.Resume())
		require.NoError(t, h.Check(t.Context()))
		vms, _, err := h.ListVMs(t.Context(), domain.ListFilter{})
		require.NoError(t, err)
		assert.NotEmpty(t, vms)
	})
	t.Run("ErrUnavailableWhenTheNewLoginIsRefused", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{Password: "first-Pa55"})
		h := sim.Hypervisor(t, noKeepAlive)
		admin := sim.Admin(t)
		sim.SetPassword("second-Pa55") // as an administrator would change it
		admin.TerminateSessions(t)

		_, _, err := h.ListVMs(t.Context(), domain.ListFilter{})
		requireCode(t, domain.CodeUnavailable, err)
		assert.Contains(t, err.Error(), "no longer valid", "the message says why the session could not be restored")
		assert.NotContains(t, err.Error(), "first-Pa55")
		assert.NotContains(t, err.Error(), "second-Pa55")

		sim.SetPassword("first-Pa55")
		_, _, err = h.ListVMs(t.Context(), domain.ListFilter{})
		require.NoError(t, err, "the adapter logs in once the password is valid again")
	})
}
