package mcpserver_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/app"
)

// served is a Serve running on a loopback port.
type served struct {
	url  string
	stop context.CancelFunc
	done chan struct{} // closed when Serve has returned err
	err  error
}

// wait returns what Serve returned.
func (s *served) wait() error {
	<-s.done
	return s.err
}

// serving starts Serve on a loopback port; the test's end stops it.
func serving(t *testing.T, h http.Handler, opts mcpserver.ServeOptions) *served {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	scheme := "http"
	if opts.TLSCertFile != "" {
		scheme = "https"
	}
	s := &served{url: scheme + "://" + ln.Addr().String(), stop: cancel, done: make(chan struct{})}
	go func() {
		s.err = mcpserver.Serve(ctx, ln, h, opts)
		close(s.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// announcing wraps h to tell when a request to /mcp has arrived.
func announcing(h http.Handler) (http.Handler, <-chan struct{}) {
	arrived := make(chan struct{})
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/mcp" {
			once.Do(func() { close(arrived) })
		}
		h.ServeHTTP(w, r)
	}), arrived
}

func TestServe(t *testing.T) {
	t.Run("DrainsRequestsInFlight", func(t *testing.T) {
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		f.hv.SetLatency(300 * time.Millisecond)
		h, arrived := announcing(f.srv.Handler(mcpserver.HTTPOptions{}))
		log := slog.New(slog.NewTextHandler(f.logs, nil))
		srv := serving(t, h, mcpserver.ServeOptions{Logger: log})
		url := srv.url

		answered := make(chan error, 1)
		var body struct {
			Result struct{ StructuredContent mcpserver.ListVMsOutput }
		}
		go func() {
			req, _ := http.NewRequest(http.MethodPost, url+"/mcp", strings.NewReader(
				`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"listVMs"}}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				defer resp.Body.Close()
				err = json.NewDecoder(resp.Body).Decode(&body)
			}
			answered <- err
		}()
		<-arrived
		srv.stop()
		require.NoError(t, <-answered, "the request in flight finished")
		assert.Equal(t, 4, body.Result.StructuredContent.Count)
		require.NoError(t, srv.wait())
		_, err := http.Get(url + "/healthz")
		assert.Error(t, err, "no longer listening")
		assert.Contains(t, f.logs.String(), `msg="serving MCP" url=`+url+"/mcp")
		assert.Contains(t, f.logs.String(), `msg="stopped serving MCP"`)
	})
	t.Run("ShutdownIsBounded", func(t *testing.T) {
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		f.hv.SetLatency(10 * time.Second)
		h, arrived := announcing(f.srv.Handler(mcpserver.HTTPOptions{}))
		srv := serving(t, h, mcpserver.ServeOptions{ShutdownTimeout: 100 * time.Millisecond})
		url := srv.url
		go func() {
			req, _ := http.NewRequest(http.MethodPost, url+"/mcp", strings.NewReader(
				`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"listVMs"}}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
		}()
		<-arrived
		start := time.Now()
		srv.stop()
		select {
		case <-srv.done:
			require.NoError(t, srv.err)
			assert.Less(t, time.Since(start), 5*time.Second)
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return after its shutdown timeout")
		}
	})
	t.Run("CallsOutliveTheReadTimeout", func(t *testing.T) {
		// A vSphere task outlasts ReadTimeout by far: the answer must still
		// arrive.
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		f.hv.SetLatency(400 * time.Millisecond)
		srv := serving(t, f.srv.Handler(mcpserver.HTTPOptions{}), mcpserver.ServeOptions{ReadTimeout: 100 * time.Millisecond})
		resp, err := http.Post(srv.url+"/mcp", "application/json", strings.NewReader(
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"listVMs"}}`))
		require.NoError(t, err)
		defer resp.Body.Close()
		var body struct {
			Result struct{ StructuredContent mcpserver.ListVMsOutput }
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		assert.Equal(t, 4, body.Result.StructuredContent.Count)
	})
	t.Run("TLS", func(t *testing.T) {
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		cert, key, pool := selfSigned(t)
		url := serving(t, f.srv.Handler(mcpserver.HTTPOptions{}), mcpserver.ServeOptions{TLSCertFile: cert, TLSKeyFile: key}).url
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		resp, err := client.Get(url + "/healthz")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.NotNil(t, resp.TLS)
	})
	t.Run("TLSNeedsCertificateAndKey", func(t *testing.T) {
		cert, _, _ := selfSigned(t)
		_, err := mcpserver.NewHTTPServer(http.NotFoundHandler(), mcpserver.ServeOptions{TLSCertFile: cert})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "tls_key_file")
	})
	t.Run("TLSCertificateMissing", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		missing := filepath.Join(t.TempDir(), "missing.pem")
		err = mcpserver.Serve(t.Context(), ln, http.NotFoundHandler(), mcpserver.ServeOptions{TLSCertFile: missing, TLSKeyFile: missing})
		require.Error(t, err)
		assert.Contains(t, err.Error(), missing)
	})
	t.Run("Timeouts", func(t *testing.T) {
		srv, err := mcpserver.NewHTTPServer(http.NotFoundHandler(), mcpserver.ServeOptions{})
		require.NoError(t, err)
		assert.Equal(t, mcpserver.DefaultReadHeaderTimeout, srv.ReadHeaderTimeout)
		assert.Equal(t, mcpserver.DefaultReadTimeout, srv.ReadTimeout)
		assert.Equal(t, mcpserver.DefaultIdleTimeout, srv.IdleTimeout)
		assert.Zero(t, srv.WriteTimeout, "a tool call may wait for long vSphere tasks")
	})
}

// selfSigned writes a certificate for 127.0.0.1 and its key to files, and
// returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
