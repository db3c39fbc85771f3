package vsphere_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

func TestNew(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{Password: "s3cret-Pa55word"})
	host := sim.URL().Host

	t.Run("OK", func(t *testing.T) {
		h := sim.Hypervisor(t)
		require.NoError(t, h.Check(t.Context()))
		assert.True(t, h.CanClone(), "vCenter clones")
	})
	t.Run("OKHostPortOnly", func(t *testing.T) {
		h := sim.Hypervisor(t, func(o *vsphere.Options) { o.Host = host })
		require.NoError(t, h.Check(t.Context()), "https and /sdk are added")
	})
	t.Run("OKCredentialsInURL", func(t *testing.T) {
		u := sim.URL()
		u.User = url.UserPassword(sim.User(), sim.Password())
		h := sim.Hypervisor(t, func(o *vsphere.Options) { o.Host, o.User, o.Password = u.String(), "", "" })
		require.NoError(t, h.Check(t.Context()))
	})
	t.Run("OKInsecure", func(t *testing.T) {
		h := sim.Hypervisor(t, func(o *vsphere.Options) { o.CAFile, o.Insecure = "", true })
		require.NoError(t, h.Check(t.Context()))
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		opts := sim.Options()
		opts.Password = "wrong-Pa55word-42"
		_, err := vsphere.New(t.Context(), opts)
		requireCode(t, domain.CodeForbidden, err)
		assert.Contains(t, err.Error(), host, "the message names the host")
		assert.Contains(t, err.Error(), "user name or password")
		assert.NotContains(t, err.Error(), "wrong-Pa55word-42")
		assert.NotContains(t, err.Error(), "s3cret-Pa55word")
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		opts := sim.Options()
		opts.Host = "127.0.0.1:1"
		_, err := vsphere.New(t.Context(), opts)
		requireCode(t, domain.CodeUnavailable, err)
		assert.Contains(t, err.Error(), "127.0.0.1:1")
		assert.NotContains(t, err.Error(), "s3cret-Pa55word")
	})
	t.Run("ErrUntrustedCertificate", func(t *testing.T) {
		opts := sim.Options()
		opts.CAFile = ""
		_, err := vsphere.New(t.Context(), opts)
		requireCode(t, domain.CodeUnavailable, err)
		assert.Contains(t, err.Error(), "ca_file", "the message says how to fix it")
	})
	t.Run("ErrBadCAFile", func(t *testing.T) {
		opts := sim.Options()
		opts.CAFile = "/no/such/ca.pem"
		_, err := vsphere.New(t.Context(), opts)
		requireCode(t, domain.CodeInvalidArgument, err)
		assert.Contains(t, err.Error(), "/no/such/ca.pem")
	})
	t.Run("ErrMissingSettings", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(*vsphere.Options)
			want   string
		}{
			{"Host", func(o *vsphere.Options) { o.Host = "" }, "vcenter_host"},
			{"User", func(o *vsphere.Options) { o.User = "" }, "vcenter_user"},
			{"Password", func(o *vsphere.Options) { o.Password = "" }, "vcenter_password"},
			{"Scheme", func(o *vsphere.Options) { o.Host = "ftp://u:s3cret-Pa55word@" + host }, "https"},
		} {
			opts := sim.Options()
			tc.change(&opts)
			_, err := vsphere.New(t.Context(), opts)
			requireCode(t, domain.CodeInvalidArgument, err, tc.name)
			assert.Contains(t, err.Error(), tc.want, tc.name)
			assert.NotContains(t, err.Error(), "s3cret-Pa55word", tc.name)
		}
	})
}

func TestClose(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{})
	h, err := vsphere.New(t.Context(), sim.Options())
	require.NoError(t, err)
	before := sim.Calls("Logout")
	require.NoError(t, h.Close(t.Context()))
	assert.Equal(t, before+1, sim.Calls("Logout"), "Close logs out")
	require.NoError(t, h.Close(t.Context()), "a second Close does nothing")
	assert.Equal(t, before+1, sim.Calls("Logout"))

	_, _, err = h.ListVMs(t.Context(), domain.ListFilter{})
	requireCode(t, domain.CodeUnavailable, err)
	requireCode(t, domain.CodeUnavailable, h.Check(t.Context()))
}

// requireCode asserts that err is a domain error of code.
func requireCode(t *testing.T, code domain.Code, err error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.Equal(t, code, domain.CodeOf(err), "error %q has the wrong kind", err)
	var e *domain.Error
	require.ErrorAs(t, err, &e)
	require.NotEmpty(t, e.Message)
}
