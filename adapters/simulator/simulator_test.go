package simulator_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/esximcp/esximcp/adapters/simulator"
)

// login logs in to s as user with password, trusting s's CA file.
func login(ctx context.Context, s *simulator.Simulator, user, password string) (*vim25.Client, error) {
	sc := soap.NewClient(s.URL(), false)
	if err := sc.SetRootCAs(s.CAFile()); err != nil {
		return nil, err
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, err
	}
	return c, session.NewManager(c).Login(ctx, url.UserPassword(user, password))
}

func start(t *testing.T, opts simulator.Options) *simulator.Simulator {
	t.Helper()
	s, err := simulator.Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStart(t *testing.T) {
	t.Run("OKvCenterWithGeneratedCredentials", func(t *testing.T) {
		s := start(t, simulator.Options{})
		u := s.URL()
		assert.Equal(t, "https", u.Scheme)
		assert.Equal(t, "/sdk", u.Path)
		assert.Nil(t, u.User, "the URL holds no credentials")
		assert.Regexp(t, `^127\.0\.0\.1:\d+$`, u.Host)
		assert.NotEmpty(t, s.User())
		assert.Regexp(t, `^[0-9a-f]{32}$`, s.Password(), "a generated password")
		assert.False(t, s.ESX())

		c, err := login(t.Context(), s, s.User(), s.Password())
		require.NoError(t, err, "the CA file verifies the certificate")
		assert.Equal(t, "VirtualCenter", c.ServiceContent.About.ApiType)
		_, err = login(t.Context(), s, s.User(), "wrong")
		require.Error(t, err, "only the generated password is accepted")
	})
	t.Run("OKESXi", func(t *testing.T) {
		s := start(t, simulator.Options{ESX: true, User: "root", Password: "Secret-1"})
		assert.True(t, s.ESX())
		c, err := login(t.Context(), s, "root", "Secret-1")
		require.NoError(t, err)
		assert.Equal(t, "HostAgent", c.ServiceContent.About.ApiType)
	})
	t.Run("OKConcurrentStarts", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				s, err := simulator.Start(simulator.Options{})
				if assert.NoError(t, err) {
					assert.NoError(t, s.Close())
				}
			})
		}
		wg.Wait()
	})
	t.Run("ErrNotLoopback", func(t *testing.T) {
		for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:8989", "example.com:443", "nonsense"} {
			_, err := simulator.Start(simulator.Options{Listen: addr})
			require.Error(t, err, addr)
		}
	})
}

func TestStopResume(t *testing.T) {
	s := start(t, simulator.Options{})
	before := s.URL()
	_, err := login(t.Context(), s, s.User(), s.Password())
	require.NoError(t, err)

	s.Stop()
	_, err = login(t.Context(), s, s.User(), s.Password())
	require.Error(t, err, "a stopped simulator is unreachable")
	s.Stop() // twice does no harm

	require.NoError(t, s.Resume())
	assert.Equal(t, before, s.URL(), "it serves at the same address")
	_, err = login(t.Context(), s, s.User(), s.Password())
	require.NoError(t, err)
	require.NoError(t, s.Resume(), "resuming a running simulator does nothing")
}

func TestClose(t *testing.T) {
	s, err := simulator.Start(simulator.Options{})
	require.NoError(t, err)
	home := s.Model().Map().OptionManager().Setting
	var dirs []string
	for _, o := range home {
		if o.GetOptionValue().Key == "vcsim.home" {
			dirs = append(dirs, fmt.Sprint(o.GetOptionValue().Value))
		}
	}
	require.Len(t, dirs, 1, "vcsim records its directory")
	ca := s.CAFile()
	require.FileExists(t, ca)

	require.NoError(t, s.Close())
	assert.NoFileExists(t, ca)
	_, err = os.Stat(dirs[0])
	assert.True(t, os.IsNotExist(err), "vcsim's directory is removed")
	require.NoError(t, s.Close(), "a second Close does nothing")
	require.Error(t, s.Resume(), "a closed simulator does not resume")
}
