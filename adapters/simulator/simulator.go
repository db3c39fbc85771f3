// Package simulator embeds govmomi's vCenter simulator (vcsim): a vCenter
// (VPX model) or a standalone ESXi host (ESX model) served over https on a
// loopback address, with generated credentials and a fresh self-signed
// certificate. The binary serves it with --simulator; tests use it as the
// test double of vSphere.
//
// A Simulator knows nothing of the rest of esximcp: connect to it with
// URL, User, Password and CAFile as with any vCenter.
package simulator

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	vcsim "github.com/vmware/govmomi/simulator"
)

// modelMu serialises the creation of simulator models: govmomi's simulator
// changes package variables while it builds one (license_manager.go), so
// that two models created at once race. It is the one mutable package
// variable here, and every model of this module is created under it (see
// also test/vcsimtest, which creates its models through this package).
var modelMu sync.Mutex

// Options configure a Simulator. The zero value serves a vCenter shaped like
// vcsim's default VPX model on a random loopback port.
type Options struct {
	// ESX serves a standalone ESXi host (vcsim's ESX model: datacenter
	// "ha-datacenter", no vCenter) instead of a vCenter.
	ESX bool

	// Listen is the address to serve on: a loopback IP and a port, such as
	// "127.0.0.1:8989". The default, "127.0.0.1:0", picks a free port.
	Listen string

	// User and Password are the only credentials the simulator accepts.
	// Empty ones are generated.
	User     string
	Password string

	// Configure, when set, adjusts the model before it is built: the
	// number of datacenters, clusters, hosts, VMs and so on.
	Configure func(*vcsim.Model)

	// Setup, when set, is called once the model is built and before it
	// serves: the place to arrange the inventory or install hooks such as
	// vcsim's Registry.Handler, which must not change while it serves.
	Setup func(*vcsim.Model) error
}

// Simulator is a running vcsim instance. Its methods are safe for
// concurrent use.
type Simulator struct {
	model    *vcsim.Model
	url      *url.URL // without credentials
	user     string
	password string
	dir      string // our own temporary directory: the CA file
	caFile   string

	serving servingState
}

// Start builds the model that opts describe and serves it. Close the
// Simulator to stop it and remove its temporary files.
func Start(opts Options) (*Simulator, error) {
	listen, err := loopback(opts.Listen)
	if err != nil {
		return nil, err
	}
	s := &Simulator{user: opts.User, password: opts.Password}
	if s.user == "" {
		s.user = "esximcp"
	}
	if s.password == "" {
		if s.password, err = randomPassword(); err != nil {
			return nil, err
		}
	}
	if s.dir, err = os.MkdirTemp("", "esximcp-simulator-"); err != nil {
		return nil, fmt.Errorf("simulator: create a temporary directory: %w", err)
	}
	cert, certPEM, err := selfSignedCertificate()
	if err != nil {
		_ = os.RemoveAll(s.dir)
		return nil, err
	}
	s.caFile = filepath.Join(s.dir, "ca.pem")
	if err := os.WriteFile(s.caFile, certPEM, 0o600); err != nil {
		_ = os.RemoveAll(s.dir)
		return nil, fmt.Errorf("simulator: write the CA file: %w", err)
	}

	s.model = vcsim.VPX()
	if opts.ESX {
		s.model = vcsim.ESX()
	}
	if opts.Configure != nil {
		opts.Configure(s.model)
	}
	if err := s.build(listen, opts.Setup); err != nil {
		s.model.Remove()
		_ = os.RemoveAll(s.dir)
		return nil, err
	}

	svc := s.model.Service
	svc.TLS = newTLSConfig(cert)
	svc.RegisterEndpoints = true
	srv := svc.NewServer()
	s.url = &url.URL{Scheme: srv.URL.Scheme, Host: srv.URL.Host, Path: srv.URL.Path}
	s.serving.start(srv)
	return s, nil
}

// build creates the model, with its address and credentials, and runs
// setup, under modelMu.
func (s *Simulator) build(listen string, setup func(*vcsim.Model) error) error {
	modelMu.Lock()
	defer modelMu.Unlock()
	if err := s.model.Create(); err != nil {
		return fmt.Errorf("simulator: build the model: %w", err)
	}
	s.model.Service.Listen = &url.URL{Host: listen, User: url.UserPassword(s.user, s.password)}
	if setup != nil {
		if err := setup(s.model); err != nil {
			return fmt.Errorf("simulator: set the model up: %w", err)
		}
	}
	return nil
}

// URL returns the SDK URL, such as https://127.0.0.1:8989/sdk, without
// credentials.
func (s *Simulator) URL() *url.URL {
	u := *s.url
	return &u
}

// User returns the user name the simulator accepts.
func (s *Simulator) User() string { return s.user }

// Password returns the password the simulator accepts.
func (s *Simulator) Password() string { return s.password }

// CAFile returns the path of a PEM file holding the simulator's
// certificate, for clients that verify TLS. It exists until Close.
func (s *Simulator) CAFile() string { return s.caFile }

// ESX reports whether the simulator is a standalone ESXi host.
func (s *Simulator) ESX() bool {
	return s.model.ServiceContent.About.ApiType == "HostAgent"
}

// Model returns the simulator's model, for tests that arrange situations
// vSphere's API cannot (fault injection, hooks). Change it only as
// govmomi's simulator documents.
func (s *Simulator) Model() *vcsim.Model { return s.model }

// Close stops serving and removes the simulator's temporary directories.
// It is safe to call more than once.
func (s *Simulator) Close() error {
	if !s.serving.close() {
		return nil
	}
	s.model.Remove()
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("simulator: remove %s: %w", s.dir, err)
	}
	return nil
}

// loopback checks that addr is a loopback address and port, and returns it
// with the defaults filled in.
func loopback(addr string) (string, error) {
	if addr == "" {
		return "127.0.0.1:0", nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("simulator: listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", errors.New("simulator: listen address " + addr + " is not a loopback address: the simulator serves this machine only")
	}
	return net.JoinHostPort(host, port), nil
}

func randomPassword() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("simulator: generate a password: %w", err)
	}
	return hex.EncodeToString(b), nil
}
