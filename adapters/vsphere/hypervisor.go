// Package vsphere implements every port of esximcp (ports.Hypervisor) on
// VMware vCenter or a standalone ESXi host, with govmomi.
//
// It is built for large inventories and long-running servers:
//   - with Options.InventoryCache, a live index answers listings and the
//     lookups of reads without a round trip; it follows vCenter's updates
//     (WaitForUpdatesEx) and shows the adapter's own changes at once;
//   - otherwise, and while the index is not ready, a listing is one
//     PropertyCollector retrieval of exactly the properties it needs, never
//     a round trip per VM; paths come from one retrieval of the folder tree;
//   - a VM is found by inventory path (SearchIndex), by id (a direct
//     reference) or by name in every datacenter, and a name that matches
//     several VMs is an ambiguous error that lists them, never the first;
//   - every task is awaited with the caller's context and a task timeout;
//   - a keepalive checks the session and logs in again when it has
//     expired, and a call refused with NotAuthenticated is retried once
//     after a fresh login.
//
// Only errors.go knows vSphere's faults: every method returns domain
// errors (see ports).
package vsphere

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

var _ ports.Hypervisor = (*Hypervisor)(nil)

// The defaults of Options.
const (
	DefaultTaskTimeout = 10 * time.Minute
	DefaultKeepAlive   = 5 * time.Minute
)

// Options configure a connection to vCenter or ESXi.
type Options struct {
	// Host is vCenter's or the ESXi host's address: "vc.example.com",
	// "10.0.0.5:8443", or a URL such as "https://vc.example.com/sdk" (the
	// simulator's form). https and the /sdk path are added when missing. A
	// URL may carry the user and password, used when User and Password are
	// empty.
	Host string
	// User and Password log in. The password is never logged nor shown in
	// an error.
	User     string
	Password string
	// Insecure skips the verification of vCenter's TLS certificate.
	Insecure bool
	// CAFile is a PEM bundle of the certificate authorities to trust for
	// vCenter's certificate, instead of the system's.
	CAFile string
	// TaskTimeout bounds the wait for one vSphere task (and for a guest
	// shutdown). Zero means DefaultTaskTimeout.
	TaskTimeout time.Duration
	// KeepAlive is the interval at which the session is checked, and
	// restored when it has expired. Zero means DefaultKeepAlive; a negative
	// value turns the keepalive off (calls still log in again when they
	// find the session lost).
	KeepAlive time.Duration
	// Logger receives the adapter's log lines. Nil discards them.
	Logger *slog.Logger
	// InventoryCache keeps a live index of the inventory, built after the
	// login and kept current by vCenter's updates: listings and Cached
	// lookups then cost no round trip. Reads ask vCenter while the index
	// is not ready; mutations always confirm their target with vCenter.
	// See IndexStatus and WaitIndex.
	InventoryCache bool

	indexTuning indexTuning // tests shrink the index's waits and pages
}

// Hypervisor is a logged-in connection to vCenter or ESXi that implements
// ports.Hypervisor. Its methods are safe for concurrent use. Close logs out.
type Hypervisor struct {
	client      *vim25.Client
	sessions    *session.Manager
	login       *url.Userinfo // never logged
	host        string        // "vCenter at host:port", for messages
	userName    string
	vcenter     bool // false on a standalone ESXi host, which cannot clone
	taskTimeout time.Duration
	log         *slog.Logger

	loginMu sync.Mutex    // one login at a time
	gen     atomic.Uint64 // counts logins: caches of one session are keyed by it

	counters counterCache
	hosts    hostMemo
	index    *index // nil without Options.InventoryCache

	stopKeepAlive context.CancelFunc
	keepAliveDone chan struct{}
	closeOnce     sync.Once
	closed        atomic.Bool
}

// New connects to the vCenter or ESXi host opts.Host and logs in. An
// unreachable host is an unavailable error, rejected credentials a
// forbidden one; both name the host, never the password.
func New(ctx context.Context, opts Options) (*Hypervisor, error) {
	u, login, err := endpoint(opts)
	if err != nil {
		return nil, err
	}
	h := &Hypervisor{
		login:       login,
		host:        describeHost(u, true),
		userName:    login.Username(),
		taskTimeout: opts.TaskTimeout,
		log:         opts.Logger,
	}
	if h.taskTimeout <= 0 {
		h.taskTimeout = DefaultTaskTimeout
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}

	sc := soap.NewClient(u, opts.Insecure)
	if opts.CAFile != "" {
		if err := sc.SetRootCAs(opts.CAFile); err != nil {
			return nil, domain.Wrap(domain.CodeInvalidArgument, err,
				"ca_file "+opts.CAFile+" is not a readable PEM bundle of certificates")
		}
	}
	if h.client, err = vim25.NewClient(ctx, sc); err != nil {
		sc.CloseIdleConnections()
		return nil, h.translate(err, "connect to "+h.host)
	}
	about := h.client.ServiceContent.About
	h.vcenter = about.ApiType == "VirtualCenter"
	h.host = describeHost(u, h.vcenter)
	h.sessions = session.NewManager(h.client)
	if err := h.sessions.Login(ctx, h.login); err != nil {
		sc.CloseIdleConnections()
		return nil, h.translate(err, "log in to "+h.host)
	}
	h.gen.Add(1)
	h.log.Info("logged in to vSphere", "host", u.Host, "user", h.userName,
		"product", about.FullName, "api_type", about.ApiType)

	if opts.InventoryCache {
		// Start-up does not wait for the index: reads ask vCenter until it
		// is ready.
		h.index = newIndex(h, opts.indexTuning)
		h.index.start(ctx)
	}

	h.keepAliveDone = make(chan struct{})
	every := opts.KeepAlive
	if every == 0 {
		every = DefaultKeepAlive
	}
	if every < 0 {
		close(h.keepAliveDone)
		h.stopKeepAlive = func() {}
		return h, nil
	}
	// The keepalive outlives New's context: it lives until Close.
	kctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.stopKeepAlive = cancel
	go h.keepAlive(kctx, every)
	return h, nil
}

// Close stops the keepalive and logs out. Calls made after Close fail with
// unavailable. It is safe to call more than once; later calls return nil.
func (h *Hypervisor) Close(ctx context.Context) error {
	var err error
	h.closeOnce.Do(func() {
		h.closed.Store(true)
		h.stopKeepAlive()
		<-h.keepAliveDone
		h.index.close(ctx)
		h.loginMu.Lock() // let a login in progress finish first
		defer h.loginMu.Unlock()
		if lerr := h.sessions.Logout(ctx); lerr != nil && !isNotAuthenticated(lerr) {
			err = h.translate(lerr, "log out of "+h.host)
		}
		h.client.CloseIdleConnections()
		h.log.Info("logged out of vSphere", "host", h.host)
	})
	return err
}

// CanClone reports whether the hypervisor can clone VMs: vCenter can, a
// standalone ESXi host cannot.
func (h *Hypervisor) CanClone() bool { return h.vcenter }

var errClosed = domain.Errorf(domain.CodeUnavailable, "the vSphere connection is closed")

// endpoint returns the SDK URL of opts.Host, without credentials, and the
// credentials to log in with.
func endpoint(opts Options) (*url.URL, *url.Userinfo, error) {
	if strings.TrimSpace(opts.Host) == "" {
		return nil, nil, domain.Errorf(domain.CodeInvalidArgument, "vcenter_host is required: give the host name or address of vCenter or ESXi")
	}
	u, err := soap.ParseURL(strings.TrimSpace(opts.Host))
	if err != nil || u.Host == "" {
		return nil, nil, domain.Errorf(domain.CodeInvalidArgument,
			"vcenter_host %q is not a host, host:port or https URL", redactURL(opts.Host))
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, nil, domain.Errorf(domain.CodeInvalidArgument, "vcenter_host %q must use https", redactURL(opts.Host))
	}
	user, password := opts.User, opts.Password
	if user == "" && password == "" && u.User != nil {
		user = u.User.Username()
		password, _ = u.User.Password()
	}
	u.User = nil
	switch {
	case user == "":
		return nil, nil, domain.Errorf(domain.CodeInvalidArgument, "vcenter_user is required to log in to %s", u.Host)
	case password == "":
		return nil, nil, domain.Errorf(domain.CodeInvalidArgument, "vcenter_password is required to log in to %s as %s", u.Host, user)
	}
	return u, url.UserPassword(user, password), nil
}

// redactURL returns s with any password in it replaced, for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(s, "@"); i >= 0 {
			return "…@" + s[i+1:]
		}
		return s
	}
	return u.Redacted()
}

// describeHost names the server at u in messages.
func describeHost(u *url.URL, vcenter bool) string {
	if vcenter {
		return "vCenter at " + u.Host
	}
	return "ESXi host at " + u.Host
}

// call runs f, a step that talks to vCenter, and runs it once more after a
// fresh login when vCenter refuses it because the session is not
// authenticated: such a refusal means that nothing was done, so the retry
// is safe even for a step that changes something.
func (h *Hypervisor) call(ctx context.Context, f func(context.Context) error) error {
	if h.closed.Load() {
		return errClosed
	}
	gen := h.gen.Load()
	err := f(ctx)
	if !isNotAuthenticated(err) {
		return err
	}
	if lerr := h.relogin(ctx, gen, "vCenter refused a call: the session is not authenticated"); lerr != nil {
		return lerr
	}
	if err = f(ctx); isNotAuthenticated(err) {
		return domain.Wrap(domain.CodeUnavailable, err,
			"the session with "+h.host+" was lost again right after a new login")
	}
	return err
}
