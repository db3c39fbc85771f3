// Package vcsimtest starts govmomi's vCenter simulator for tests, connects
// the vSphere adapter and a second, administrator's client to it, and
// arranges what the adapter's ports do not do: templates, suspended VMs,
// running VMware Tools, killed sessions, tasks that never finish.
//
// Simulators are built through adapters/simulator, whose mutex serialises
// model creation (vcsim races otherwise), so tests may start them in
// parallel.
package vcsimtest

import (
	"context"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/session"
	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/adapters/simulator"
	"github.com/esximcp/esximcp/adapters/vsphere"
)

// Options describe the simulator Start builds.
type Options struct {
	// ESX builds a standalone ESXi host instead of a vCenter.
	ESX bool
	// Datacenters is the number of datacenters of a vCenter; 0 means 1.
	Datacenters int
	// User and Password are the credentials the simulator accepts;
	// generated when empty.
	User, Password string
	// Configure adjusts the model before it is built.
	Configure func(*vcsim.Model)
	// Setup arranges the model after it is built, before it serves.
	Setup func(*vcsim.Model) error
}

// Sim is a running simulator, closed when the test that started it ends.
type Sim struct {
	*simulator.Simulator
	hooks    *hooks
	password *atomic.Pointer[string] // the password logins need now
}

// Start starts a simulator for t. It is closed, and its files removed, when
// t ends.
func Start(t testing.TB, opts Options) *Sim {
	t.Helper()
	return start(t, t, opts)
}

// start starts a simulator, reporting failures to t and closing it when
// owner ends.
func start(t, owner testing.TB, opts Options) *Sim {
	t.Helper()
	hk := newHooks()
	password := new(atomic.Pointer[string])
	sim, err := simulator.Start(simulator.Options{
		ESX:      opts.ESX,
		User:     opts.User,
		Password: opts.Password,
		Configure: func(m *vcsim.Model) {
			if opts.Datacenters > 0 && !opts.ESX {
				m.Datacenter = opts.Datacenters
			}
			if opts.Configure != nil {
				opts.Configure(m)
			}
		},
		Setup: func(m *vcsim.Model) error {
			hk.install(m)
			user := m.Service.Listen.User.Username()
			m.Map().SessionManager().ValidLogin = func(req *types.Login) bool {
				p := password.Load()
				return req.UserName == user && p != nil && req.Password == *p
			}
			if opts.ESX {
				allowVMSubfolders(m)
			}
			if opts.Setup != nil {
				return opts.Setup(m)
			}
			return nil
		},
	})
	require.NoError(t, err, "start the simulator")
	owner.Cleanup(func() { _ = sim.Close() })
	p := sim.Password()
	password.Store(&p)
	return &Sim{Simulator: sim, hooks: hk, password: password}
}

// SetPassword changes the password the simulator accepts from now on, as
// an administrator changing it in vCenter would. Sessions stay; Options and
// Password still give the first one.
func (s *Sim) SetPassword(p string) { s.password.Store(&p) }

// Options returns the adapter's options to connect to s: its URL and
// credentials, its CA file to verify its certificate, and a task timeout
// of one minute.
func (s *Sim) Options() vsphere.Options {
	return vsphere.Options{
		Host:        s.URL().String(),
		User:        s.User(),
		Password:    s.Password(),
		CAFile:      s.CAFile(),
		TaskTimeout: time.Minute,
	}
}

// Hypervisor connects the vSphere adapter to s, with opts changed by
// change, and closes it when t ends.
func (s *Sim) Hypervisor(t testing.TB, change ...func(*vsphere.Options)) *vsphere.Hypervisor {
	t.Helper()
	opts := s.Options()
	for _, c := range change {
		c(&opts)
	}
	return Connect(t, opts)
}

// Connect connects the vSphere adapter with opts, and closes it when t
// ends.
func Connect(t testing.TB, opts vsphere.Options) *vsphere.Hypervisor {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
	defer cancel()
	h, err := vsphere.New(ctx, opts)
	require.NoError(t, err, "connect the vSphere adapter to %s", opts.Host)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 30*time.Second)
		defer cancel()
		_ = h.Close(ctx)
	})
	return h
}

// Admin returns an administrator's client of s: a second session, as an
// admin would open in the vSphere Client.
func (s *Sim) Admin(t testing.TB) *Admin {
	t.Helper()
	return s.admin(t, t)
}

func (s *Sim) admin(t, owner testing.TB) *Admin {
	t.Helper()
	u := s.URL()
	u.User = url.UserPassword(s.User(), s.Password())
	return newAdmin(t, owner, u, s.CAFile())
}

// Admin is an administrator's govmomi client, logged in until the test
// ends.
type Admin struct {
	*govmomi.Client
}

// NewAdmin logs in to the SDK URL u, which holds the credentials, trusting
// the certificates of the PEM file caFile, or any certificate when caFile
// is "".
func NewAdmin(t testing.TB, u *url.URL, caFile string) *Admin {
	t.Helper()
	return newAdmin(t, t, u, caFile)
}

func newAdmin(t, owner testing.TB, u *url.URL, caFile string) *Admin {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
	defer cancel()
	sc := soap.NewClient(u, caFile == "")
	if caFile != "" {
		require.NoError(t, sc.SetRootCAs(caFile), "trust %s", caFile)
	}
	vc, err := vim25.NewClient(ctx, sc)
	require.NoError(t, err, "connect to %s", u.Host)
	c := &govmomi.Client{Client: vc, SessionManager: session.NewManager(vc)}
	require.NoError(t, c.Login(ctx, u.User), "log in as an administrator to %s", u.Host)
	owner.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 30*time.Second)
		defer cancel()
		_ = c.Logout(ctx)
	})
	return &Admin{Client: c}
}

// ctx returns a context for one arrangement.
func ctx(t testing.TB) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
}
