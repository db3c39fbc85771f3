package simulator

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	vcsim "github.com/vmware/govmomi/simulator"
)

// servingState tracks the HTTP server in front of the model: first the one
// vcsim starts, then, after Stop and Resume, one of ours on the same
// address and with the same handler and certificate.
type servingState struct {
	mu      sync.Mutex
	addr    string
	handler http.Handler
	tls     *tls.Config

	first  *vcsim.Server // while vcsim's own server runs
	own    *http.Server  // while ours runs
	done   chan struct{} // closed when our server's Serve returns
	closed bool
}

func (st *servingState) start(srv *vcsim.Server) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.first = srv
	st.addr = srv.Listener.Addr().String()
	st.handler = srv.Config.Handler
	st.tls = srv.TLS.Clone()
}

// stop closes the running server, if any, with its connections. The caller
// holds st.mu.
func (st *servingState) stop() {
	switch {
	case st.first != nil:
		st.first.Close()
		st.first = nil
	case st.own != nil:
		_ = st.own.Close()
		<-st.done
		st.own, st.done = nil, nil
	}
}

// close stops serving for good. It reports whether this call closed it.
func (st *servingState) close() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return false
	}
	st.stop()
	st.closed = true
	return true
}

// Stop makes the simulator unreachable, as a network outage or a vCenter
// restart would: it stops listening and drops every connection. The
// inventory and the sessions stay; Resume serves them again.
func (s *Simulator) Stop() {
	s.serving.mu.Lock()
	defer s.serving.mu.Unlock()
	s.serving.stop()
}

// Resume serves the simulator again, at the address it had, after Stop. It
// does nothing while the simulator serves.
func (s *Simulator) Resume() error {
	st := &s.serving
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.closed:
		return errors.New("simulator: Resume after Close")
	case st.first != nil || st.own != nil:
		return nil
	}
	// The port was just released by Stop: a few retries cover the moment
	// the kernel takes to let it go.
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", st.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("simulator: listen again on %s: %w", st.addr, err)
	}
	st.own = &http.Server{
		Handler:           st.handler,
		ReadHeaderTimeout: time.Minute,
		// Failed TLS handshakes of clients that do not trust the
		// certificate are the clients' errors to report.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	st.done = make(chan struct{})
	tlsLn := tls.NewListener(ln, st.tls.Clone())
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		_ = srv.Serve(tlsLn)
	}(st.own, st.done)
	return nil
}
