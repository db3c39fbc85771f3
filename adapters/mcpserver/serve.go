package mcpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Defaults of ServeOptions.
const (
	DefaultShutdownTimeout   = 30 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
)

// ServeOptions configure Serve. The zero value serves plain HTTP with the
// default timeouts.
type ServeOptions struct {
	// TLSCertFile and TLSKeyFile, both set, make Serve speak HTTPS with this
	// PEM certificate (chain) and key.
	TLSCertFile, TLSKeyFile string
	// ShutdownTimeout bounds how long in-flight requests may finish once
	// ctx is done; then their connections are closed. Zero means
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout, ReadTimeout and IdleTimeout are those of
	// http.Server. Zero means the defaults above.
	ReadHeaderTimeout, ReadTimeout, IdleTimeout time.Duration
	// WriteTimeout is that of http.Server. Zero means none: a tool call
	// answers when its vSphere tasks end, which task_timeout bounds (and a
	// call may wait for two tasks, e.g. clone then power on). Set it above
	// twice the task timeout, if at all.
	WriteTimeout time.Duration
	// Logger receives the start line with the URL, the shutdown lines and
	// http.Server's own errors. Nil discards them.
	Logger *slog.Logger
}

// NewHTTPServer returns the http.Server that Serve runs: h behind the
// timeouts of opts and, when opts names a certificate, TLS 1.2 or later.
// It fails when the certificate or key cannot be loaded.
func NewHTTPServer(h http.Handler, opts ServeOptions) (*http.Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: or(opts.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       or(opts.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      opts.WriteTimeout,
		IdleTimeout:       or(opts.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	switch {
	case opts.TLSCertFile != "" && opts.TLSKeyFile != "":
		cert, err := tls.LoadX509KeyPair(opts.TLSCertFile, opts.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("cannot load the TLS certificate %s and key %s: %w", opts.TLSCertFile, opts.TLSKeyFile, err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	case opts.TLSCertFile != "" || opts.TLSKeyFile != "":
		return nil, errors.New("TLS needs both tls_cert_file and tls_key_file: set both, or neither to serve plain http")
	}
	return srv, nil
}

// Serve serves h on ln until ctx is done, then stops accepting, lets
// requests in flight finish for at most opts.ShutdownTimeout, closes what
// remains and returns nil. It logs one line with the URL of the MCP
// endpoint when it starts. It returns an error when it cannot serve (a bad
// certificate, a closed listener).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, opts ServeOptions) error {
	srv, err := NewHTTPServer(h, opts)
	if err != nil {
		ln.Close() //nolint:errcheck // the error above is the one to report
		return err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	scheme := "http"
	if srv.TLSConfig != nil {
		scheme = "https"
	}
	log.Info("serving MCP", slog.String("url", fmt.Sprintf("%s://%s/mcp", scheme, ln.Addr())))

	done := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			done <- srv.ServeTLS(ln, "", "")
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("serving MCP on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	timeout := or(opts.ShutdownTimeout, DefaultShutdownTimeout)
	log.Info("shutting down: letting requests in flight finish", slog.Duration("timeout", timeout))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("requests still in flight were cut off", slog.Duration("timeout", timeout), slog.String("error", err.Error()))
		srv.Close() //nolint:errcheck // closing is all that is left to do
	}
	<-done // http.ErrServerClosed
	log.Info("stopped serving MCP")
	return nil
}

func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
