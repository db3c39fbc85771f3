package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/test/mcptest"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// served is a run() serving in the background, as the binary would.
type served struct {
	mcpURL string
	logs   func() []map[string]any // the JSON log lines so far
	stop   func() int              // cancels run's context and returns its exit code
}

// serveInBackground calls run with args and env until the test ends, and
// waits until it serves MCP. readLogs returns what it logged so far.
func serveInBackground(t *testing.T, args []string, env map[string]string, readLogs func() string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	var stderr mcptest.Log
	if readLogs == nil {
		readLogs = stderr.String
	}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, &stderr)
	}()
	var once sync.Once
	code := -1
	s := &served{
		logs: func() []map[string]any { return mcptest.JSONLines(readLogs()) },
		stop: func() int {
			once.Do(func() { cancel(); code = <-done })
			return code
		},
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.After(time.Minute)
	for s.mcpURL == "" {
		select {
		case c := <-done:
			require.FailNow(t, "run ended before it served", "exit code %d; stderr:\n%s\nlog:\n%s", c, stderr.String(), readLogs())
		case <-deadline:
			require.FailNow(t, "run did not serve within a minute", "log:\n%s", readLogs())
		case <-time.After(20 * time.Millisecond):
		}
		if line := mcptest.Find(s.logs(), "serving MCP"); line != nil {
			s.mcpURL, _ = line["url"].(string)
		}
	}
	return s
}

// client connects go-sdk's streamable HTTP client to s, sending apiKey as a
// bearer token when it is set.
func (s *served) client(t *testing.T, apiKey string) *mcp.ClientSession {
	t.Helper()
	hc := &http.Client{Transport: bearer{apiKey, http.DefaultTransport}}
	c := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil)
	cs, err := c.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: s.mcpURL, HTTPClient: hc}, nil)
	require.NoError(t, err, "connect to %s", s.mcpURL)
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// admin logs in to the embedded simulator with the URL and credentials
// run logged.
func (s *served) admin(t *testing.T) *vcsimtest.Admin {
	t.Helper()
	return mcptest.SimulatorAdmin(t, mcptest.Find(s.logs(), "serving an embedded vCenter simulator"))
}

func TestServeSimulatorOverHTTP(t *testing.T) {
	const key = "e2e-key-0123456789"
	s := serveInBackground(t, []string{"--simulator", "--listen", "127.0.0.1:0", "--log-format", "json"},
		map[string]string{"MCP_API_KEY": key}, nil)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/mcp$`, s.mcpURL, "the start-up line names the URL it serves")

	t.Run("Journey", func(t *testing.T) {
		mcptest.Journey(t, s.client(t, key), s.admin(t), "e2e-")
	})
	t.Run("ErrNoToken", func(t *testing.T) {
		resp, err := http.Post(s.mcpURL, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})
	t.Run("PlainCurl", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, s.mcpURL, strings.NewReader(
			`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"listVMs","arguments":{"power_state":"poweredOn"}}}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		var answer struct {
			ID     int `json:"id"`
			Result struct {
				StructuredContent struct{ Count int } `json:"structuredContent"`
			} `json:"result"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
		assert.Equal(t, 7, answer.ID)
		assert.Equal(t, 4, answer.Result.StructuredContent.Count, "the simulator's four VMs are on")
	})
	t.Run("ReadyzReportsTheInventoryIndex", func(t *testing.T) {
		type index struct {
			State string
			VMs   int
		}
		var last index
		require.Eventually(t, func() bool {
			resp, err := http.Get(strings.TrimSuffix(s.mcpURL, "/mcp") + "/readyz")
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, "a building index does not make the server unready")
			var body struct {
				Status string
				Index  index `json:"inventory_index"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			require.Equal(t, "ready", body.Status)
			last = body.Index
			return last.State == "ready"
		}, 10*time.Second, 20*time.Millisecond, "the inventory index is on by default and gets ready")
		assert.Equal(t, 4, last.VMs, "the index holds the simulator's four VMs (the journey deleted its own)")
	})

	require.Equal(t, 0, s.stop(), "SIGINT/SIGTERM end the server with exit code 0")
	logs := s.logs()
	assert.NotNil(t, mcptest.Find(logs, "logged out of vSphere"), "it logs out of vCenter when it stops")
	for _, l := range logs {
		assert.NotContains(t, fmt.Sprint(l), key, "the API key is never logged")
	}
}

func TestServeWithoutTheInventoryIndex(t *testing.T) {
	s := serveInBackground(t, []string{"--simulator", "--listen", "127.0.0.1:0", "--log-format", "json"},
		map[string]string{"MCP_INVENTORY_CACHE": "false"}, nil)
	resp, err := http.Get(strings.TrimSuffix(s.mcpURL, "/mcp") + "/readyz")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Status string
		Index  struct{ State string } `json:"inventory_index"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, "ready", body.Status)
	assert.Equal(t, "disabled", body.Index.State, "MCP_INVENTORY_CACHE=false turns the index off")

	listed := mcptest.Call[struct{ Count int }](t, s.client(t, ""), "listVMs", nil)
	assert.Equal(t, 4, listed.Count, "every read asks vCenter")
	require.Equal(t, 0, s.stop())
}

// TestServeWithTheOriginalsConfigFile connects to a vCenter (a simulator
// with an administrator's credentials) with a config file written the
// original's way, logging to a file in a directory that does not exist.
func TestServeWithTheOriginalsConfigFile(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{User: "administrator@vsphere.local", Password: "Original-Pa55"})
	dir := t.TempDir()
	logFile := filepath.Join(dir, "logs", "vmware_mcp.log")
	cfg := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`vcenter_host: "%s"
vcenter_user: "administrator@vsphere.local"
vcenter_password: "Original-Pa55"
datacenter: "DC0"        # Optional
cluster: "DC0_C0"              # Optional
datastore: "LocalDS_0"          # Optional
network: "VM Network"                # Optional
insecure: true                       # Skip SSL certificate verification
log_file: "%s"   # Log file path
log_level: "INFO"                    # Log level
`, sim.URL().Host, logFile)), 0o600))

	readLogs := func() string {
		b, _ := os.ReadFile(logFile)
		return string(b)
	}
	s := serveInBackground(t, []string{"-c", cfg, "--listen", "127.0.0.1:0", "--log-format", "json"}, nil, readLogs)
	cs := s.client(t, "")
	created := mcptest.Call[struct {
		VM struct{ ID, Path, Cluster string }
	}](t, cs, "createVM", map[string]any{"name": "from-config", "cpu": 1, "memory": 64})
	assert.Equal(t, "/DC0/vm/from-config", created.VM.Path)
	assert.Equal(t, "DC0_C0", created.VM.Cluster, "the configured cluster is the default")
	admin := sim.Admin(t)
	assert.True(t, mcptest.Exists(t, admin, "/DC0/vm/from-config"))
	mcptest.Call[map[string]any](t, cs, "deleteVM", map[string]any{"name": created.VM.ID})
	assert.False(t, mcptest.Exists(t, admin, "/DC0/vm/from-config"))

	require.Equal(t, 0, s.stop())
	assert.NotContains(t, readLogs(), "Original-Pa55", "the password is never logged")
}

func TestServeFailsClearlyWhenVCenterRefusesTheLogin(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{User: "administrator@vsphere.local", Password: "right-Pa55"})
	r := runWith(t, []string{"--listen", "127.0.0.1:0"}, map[string]string{
		"VCENTER_HOST": sim.URL().Host, "VCENTER_USER": "administrator@vsphere.local",
		"VCENTER_PASSWORD": "wrong-Pa55", "VCENTER_CA_FILE": sim.CAFile(),
	})
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, sim.URL().Host, "the error names the host")
	assert.Contains(t, r.stderr, "password")
	assert.NotContains(t, r.stderr, "wrong-Pa55")
	assert.NotContains(t, r.stderr, "serving MCP", "nothing was served")
}

// bearer adds an Authorization header to every request when key is set.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if b.key != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+b.key)
	}
	return b.next.RoundTrip(r)
}
