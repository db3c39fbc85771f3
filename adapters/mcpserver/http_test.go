package mcpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/app"
)

// httpFixture serves a fixture's handler on a loopback httptest server.
type httpFixture struct {
	*fixture
	url string // of /mcp
	ts  *httptest.Server
}

func newHTTPFixture(t *testing.T, hv *memory.Hypervisor, appOpts app.Options, opts mcpserver.HTTPOptions) *httpFixture {
	t.Helper()
	f := newFixture(t, hv, appOpts, mcpserver.Options{})
	ts := httptest.NewServer(f.srv.Handler(opts))
	t.Cleanup(ts.Close)
	return &httpFixture{fixture: f, url: ts.URL + "/mcp", ts: ts}
}

// response is an HTTP answer with its body decoded as JSON, when it is.
type response struct {
	status int
	header http.Header
	raw    string
	json   map[string]any
}

// errorCode returns the code of a JSON-RPC error body, 0 if there is none.
func (r response) errorCode() int {
	e, _ := r.json["error"].(map[string]any)
	code, _ := e["code"].(float64)
	return int(code)
}

// result returns the result of a JSON-RPC answer.
func (r response) result() map[string]any {
	res, _ := r.json["result"].(map[string]any)
	return res
}

// send sends req and reads the answer.
func send(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &r.json) // a batch answer or an empty body stays nil
	return r
}

// post sends body to /mcp as curl would: Content-Type only, no Accept.
func (h *httpFixture) post(t *testing.T, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	return send(t, req)
}

// rpc posts one JSON-RPC request.
func (h *httpFixture) rpc(t *testing.T, method string, params any, header ...string) response {
	t.Helper()
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	require.NoError(t, err)
	return h.post(t, string(b), header...)
}

// tool calls a tool with a raw request and returns its result.
func (h *httpFixture) tool(t *testing.T, name string, args map[string]any, header ...string) map[string]any {
	t.Helper()
	r := h.rpc(t, "tools/call", map[string]any{"name": name, "arguments": args}, header...)
	require.Equal(t, http.StatusOK, r.status, r.raw)
	require.NotNil(t, r.result(), r.raw)
	return r.result()
}

// serving checks that the server still answers.
func (h *httpFixture) serving(t *testing.T, header ...string) {
	t.Helper()
	r := h.rpc(t, "tools/list", nil, header...)
	require.Equal(t, http.StatusOK, r.status, r.raw)
	assert.Len(t, r.result()["tools"], 8)
}

func structuredOf(t *testing.T, result map[string]any) map[string]any {
	t.Helper()
	sc, ok := result["structuredContent"].(map[string]any)
	require.True(t, ok, "structuredContent in %v", result)
	return sc
}

func errorCodeOf(t *testing.T, result map[string]any) string {
	t.Helper()
	assert.Equal(t, true, result["isError"])
	e, _ := structuredOf(t, result)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// bearer is an http.RoundTripper that adds an API key.
type bearer struct{ key string }

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.key)
	return http.DefaultTransport.RoundTrip(req)
}

// TestJourneyGoSDKClient drives the server through go-sdk's own
// streamable HTTP client, with an API key, from listing to deletion.
func TestJourneyGoSDKClient(t *testing.T) {
	h := newHTTPFixture(t, nil, app.Options{}, mcpserver.HTTPOptions{APIKey: "s3cret"})
	transport := &mcp.StreamableClientTransport{Endpoint: h.url, HTTPClient: &http.Client{Transport: bearer{"s3cret"}}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "journey", Version: "1"}, nil).Connect(t.Context(), transport, nil)
	require.NoError(t, err)
	t.Cleanup(func() { cs.Close() })
	c := newClient(t, cs)

	t.Run("List", func(t *testing.T) {
		out := ok[mcpserver.ListVMsOutput](c, "listVMs", nil)
		assert.Equal(t, 4, out.Count)
	})
	t.Run("Create", func(t *testing.T) {
		out := ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": "web01", "cpu": 2, "memory": 1024})
		assert.Equal(t, "poweredOff", out.VM.PowerState)
	})
	t.Run("PowerOn", func(t *testing.T) {
		out := ok[mcpserver.PowerOutput](c, "powerOn", map[string]any{"name": "web01"})
		assert.Equal(t, "poweredOn", out.VM.PowerState)
		assert.True(t, out.Changed)
	})
	t.Run("ReadStats", func(t *testing.T) {
		res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "vmstats://web01"})
		require.NoError(t, err)
		var st mcpserver.VMStats
		require.NoError(t, json.Unmarshal([]byte(res.Contents[0].Text), &st))
		assert.Equal(t, "web01", st.VM.Name)
		assert.NotNil(t, st.CPU)
	})
	t.Run("Clone", func(t *testing.T) {
		out := ok[mcpserver.CreateVMOutput](c, "cloneVM", map[string]any{"template_name": "web01", "new_name": "web02"})
		assert.Equal(t, "web02", out.VM.Name)
	})
	t.Run("PowerOff", func(t *testing.T) {
		out := ok[mcpserver.PowerOutput](c, "powerOff", map[string]any{"name": "web01"})
		assert.Equal(t, "poweredOff", out.VM.PowerState)
	})
	t.Run("Delete", func(t *testing.T) {
		ok[mcpserver.DeleteVMOutput](c, "deleteVM", map[string]any{"name": "web01"})
		ok[mcpserver.DeleteVMOutput](c, "deleteVM", map[string]any{"name": "web02"})
		assert.Equal(t, 4, ok[mcpserver.ListVMsOutput](c, "listVMs", nil).Count)
	})
}

// TestJourneyRawHTTP drives the server as curl does: no initialize, no MCP
// headers, Content-Type: application/json only.
func TestJourneyRawHTTP(t *testing.T) {
	h := newHTTPFixture(t, nil, app.Options{}, mcpserver.HTTPOptions{})

	t.Run("Initialize", func(t *testing.T) {
		r := h.rpc(t, "initialize", map[string]any{
			"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
			"clientInfo": map[string]any{"name": "curl", "version": "8"},
		})
		require.Equal(t, http.StatusOK, r.status, r.raw)
		assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		assert.Equal(t, "2025-06-18", r.result()["protocolVersion"])
		assert.Empty(t, r.header.Get("Mcp-Session-Id"), "stateless: no session")
	})
	t.Run("ToolsList", func(t *testing.T) {
		h.serving(t)
	})
	t.Run("List", func(t *testing.T) {
		res := h.tool(t, "listVMs", nil)
		assert.Equal(t, 4.0, structuredOf(t, res)["count"])
	})
	t.Run("Create", func(t *testing.T) {
		res := h.tool(t, "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 512, "power_on": true})
		vm := structuredOf(t, res)["vm"].(map[string]any)
		assert.Equal(t, "poweredOn", vm["power_state"])
	})
	t.Run("ReadStats", func(t *testing.T) {
		r := h.rpc(t, "resources/read", map[string]any{"uri": "vmstats://web01"})
		require.Equal(t, http.StatusOK, r.status, r.raw)
		contents := r.result()["contents"].([]any)
		require.Len(t, contents, 1)
		assert.Equal(t, "application/json", contents[0].(map[string]any)["mimeType"])
	})
	t.Run("ResourcesList", func(t *testing.T) {
		r := h.rpc(t, "resources/list", nil)
		require.Equal(t, http.StatusOK, r.status, r.raw)
		assert.Len(t, r.result()["resources"], 5)
	})
	t.Run("Delete", func(t *testing.T) {
		res := h.tool(t, "deleteVM", map[string]any{"name": "web01", "force": true})
		assert.Equal(t, "web01", structuredOf(t, res)["deleted"].(map[string]any)["name"])
	})
	t.Run("Batch", func(t *testing.T) {
		r := h.post(t, `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]`)
		require.Equal(t, http.StatusOK, r.status, r.raw)
		var answers []struct {
			ID     int
			Result map[string]any
		}
		require.NoError(t, json.Unmarshal([]byte(r.raw), &answers))
		require.Len(t, answers, 2, "one answer per request")
		assert.ElementsMatch(t, []int{1, 2}, []int{answers[0].ID, answers[1].ID})
	})
	t.Run("AcceptJSONOnly", func(t *testing.T) {
		h.serving(t, "Accept", "application/json")
	})
	t.Run("AcceptBoth", func(t *testing.T) {
		h.serving(t, "Accept", "application/json, text/event-stream", "MCP-Protocol-Version", "2025-06-18")
	})
}

// TestBadInput sends what a broken or hostile client might, and checks the
// status, the JSON-RPC error, and that the server still serves afterwards.
func TestBadInput(t *testing.T) {
	h := newHTTPFixture(t, nil, app.Options{}, mcpserver.HTTPOptions{})
	big := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"listVMs","arguments":{"name_contains":"` +
		strings.Repeat("x", 2<<20) + `"}}}`
	call := func(name string, args string) string {
		return `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"` + name + `","arguments":` + args + `}}`
	}
	for _, tc := range []struct {
		name   string
		req    func(t *testing.T) *http.Request
		status int
		code   int    // JSON-RPC error code; 0 when the answer is a result
		tool   string // the structuredContent.error.code of a tool result
		check  func(t *testing.T, r response)
	}{
		{name: "MalformedJSON", req: body(h, `{"jsonrpc":"2.0","id":1,"method":`), status: 400, code: -32700},
		{name: "ArrayOfGarbage", req: body(h, `[1, "two", null, {}]`), status: 400, code: -32600},
		{name: "EmptyArray", req: body(h, `[]`), status: 400, code: -32600},
		{name: "EmptyBody", req: body(h, ``), status: 400, code: -32600},
		{name: "NotJSONRPC", req: body(h, `{"hello":"world"}`), status: 400, code: -32600},
		{name: "NoMethod", req: body(h, `{"jsonrpc":"2.0","id":5}`), status: 200, code: -32600,
			check: func(t *testing.T, r response) { assert.Equal(t, 5.0, r.json["id"], "the id is echoed") }},
		{name: "ClientAnswerIsAccepted", req: body(h, `{"jsonrpc":"2.0","id":5,"result":{}}`), status: 202},
		{name: "IDIsAnObject", req: body(h, `{"jsonrpc":"2.0","id":{},"method":"ping"}`), status: 400, code: -32600},
		{name: "WrongArgumentTypes", req: body(h, call("createVM", `{"name":"web01","cpu":"two","memory":4}`)), status: 200, code: -32602},
		{name: "MissingRequiredArguments", req: body(h, call("deleteVM", `{}`)), status: 200, code: -32602},
		{name: "NullArguments", req: body(h, call("createVM", `null`)), status: 200, code: -32602},
		{name: "ArgumentsNotAnObject", req: body(h, call("createVM", `"web01"`)), status: 200, code: -32602},
		{name: "ParamsNotAnObject", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"x"}`), status: 200, code: -32602},
		{name: "UnknownTool", req: body(h, call("formatDisk", `{}`)), status: 200, code: -32602},
		{name: "UnknownMethod", req: body(h, `{"jsonrpc":"2.0","id":"a-1","method":"vms/explode"}`), status: 200, code: -32601,
			check: func(t *testing.T, r response) { assert.Equal(t, "a-1", r.json["id"], "the id is echoed") }},
		{name: "UnknownMethodNewProtocol", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"vms/explode"}`, "MCP-Protocol-Version", "2026-07-28"), status: 404, code: -32601},
		{name: "UnknownNotification", req: body(h, `{"jsonrpc":"2.0","method":"notifications/explode"}`), status: 202},
		{name: "BatchWithUnknownMethod", req: body(h, `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"nope"}]`), status: 200,
			check: func(t *testing.T, r response) {
				var answers []map[string]any
				require.NoError(t, json.Unmarshal([]byte(r.raw), &answers))
				require.Len(t, answers, 2)
				assert.Equal(t, -32600.0, answers[0]["error"].(map[string]any)["code"])
				assert.Equal(t, -32601.0, answers[1]["error"].(map[string]any)["code"])
			}},
		{name: "PromptsList", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"prompts/list"}`), status: 200, code: -32601},
		{name: "TwoMiBBody", req: body(h, big), status: 413, code: -32000},
		{name: "TwoMiBChunkedBody", req: func(t *testing.T) *http.Request {
			req := body(h, "")(t)
			req.Body = io.NopCloser(strings.NewReader(big)) // no length: sent chunked
			req.ContentLength = -1
			return req
		}, status: 413, code: -32000},
		{name: "WrongContentType", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "Content-Type", "text/plain"), status: 415, code: -32000},
		{name: "Get", req: method(h, http.MethodGet), status: 405, code: -32000,
			check: func(t *testing.T, r response) { assert.Equal(t, "POST", r.header.Get("Allow")) }},
		{name: "Delete", req: method(h, http.MethodDelete), status: 405, code: -32000},
		{name: "CrossOriginBrowser", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), status: 403, code: -32000},
		{name: "CrossOriginByOrigin", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "Origin", "http://evil.example"), status: 403, code: -32000},
		{name: "SameOriginBrowser", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "Sec-Fetch-Site", "same-origin"), status: 200},
		{name: "ForeignHost", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "Host", "evil.example"), status: 403, code: -32000},
		{name: "UnsupportedProtocolVersion", req: body(h, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "MCP-Protocol-Version", "1999-01-01"), status: 400, code: -32600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, tc.req(t))
			assert.Equal(t, tc.status, r.status, r.raw)
			if tc.status != http.StatusAccepted && tc.status != 200 || tc.code != 0 {
				assert.Equal(t, "application/json", r.header.Get("Content-Type"), "every answer is JSON: %s", r.raw)
			}
			if tc.code != 0 {
				assert.Equal(t, tc.code, r.errorCode(), r.raw)
				assert.Equal(t, "2.0", r.json["jsonrpc"])
				assert.Contains(t, r.json, "id")
			}
			if tc.tool != "" {
				assert.Equal(t, tc.tool, errorCodeOf(t, r.result()), r.raw)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			h.serving(t)
		})
	}
	assert.Equal(t, 4, countVMs(t, h.hv), "no bad request changed anything")
}

// body returns a request maker for a POST of s to /mcp with Content-Type
// application/json (unless header sets it) and the given headers.
func body(h *httpFixture, s string, header ...string) func(*testing.T) *http.Request {
	return func(t *testing.T) *http.Request {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.url, strings.NewReader(s))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			if header[i] == "Host" {
				req.Host = header[i+1]
				continue
			}
			req.Header.Set(header[i], header[i+1])
		}
		return req
	}
}

func method(h *httpFixture, m string) func(*testing.T) *http.Request {
	return func(t *testing.T) *http.Request {
		req, err := http.NewRequestWithContext(t.Context(), m, h.url, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "text/event-stream")
		return req
	}
}

func TestAPIKey(t *testing.T) {
	h := newHTTPFixture(t, nil, app.Options{}, mcpserver.HTTPOptions{APIKey: "s3cret"})
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	for _, tc := range []struct {
		name   string
		header []string
		status int
	}{
		{"NoKey", nil, 401},
		{"WrongBearer", []string{"Authorization", "Bearer guess"}, 401},
		{"WrongXAPIKey", []string{"X-API-Key", "guess"}, 401},
		{"KeyAsBasicAuth", []string{"Authorization", "Basic czNjcmV0"}, 401},
		{"PrefixOfKey", []string{"Authorization", "Bearer s3cre"}, 401},
		{"Bearer", []string{"Authorization", "Bearer s3cret"}, 200},
		{"BearerAnyCase", []string{"Authorization", "bearer s3cret"}, 200},
		{"XAPIKey", []string{"X-API-Key", "s3cret"}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.post(t, ping, tc.header...)
			assert.Equal(t, tc.status, r.status, r.raw)
			if tc.status == http.StatusUnauthorized {
				assert.Equal(t, "Bearer", r.header.Get("WWW-Authenticate"))
				assert.Equal(t, -32000, r.errorCode())
				assert.Contains(t, r.raw, "API key")
				assert.NotContains(t, r.raw, "s3cret")
			}
		})
	}
	t.Run("HealthAndReadinessStayOpen", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/readyz"} {
			r := get(t, h.ts.URL+path)
			assert.Equal(t, http.StatusOK, r.status, path)
		}
	})
	t.Run("StillServing", func(t *testing.T) {
		h.serving(t, "Authorization", "Bearer s3cret")
	})
}

func get(t *testing.T, url string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	return send(t, req)
}

func TestHealthAndReadiness(t *testing.T) {
	var hookErr error
	var mu sync.Mutex
	h := newHTTPFixture(t, nil, app.Options{}, mcpserver.HTTPOptions{Ready: func(context.Context) (map[string]any, error) {
		mu.Lock()
		defer mu.Unlock()
		return map[string]any{"inventory_index": map[string]any{"state": "building"}}, hookErr
	}})

	t.Run("Healthz", func(t *testing.T) {
		r := get(t, h.ts.URL+"/healthz")
		assert.Equal(t, http.StatusOK, r.status)
		assert.JSONEq(t, `{"status":"ok"}`, r.raw)
	})
	t.Run("ReadyWithTheHooksDetails", func(t *testing.T) {
		r := get(t, h.ts.URL+"/readyz")
		assert.Equal(t, http.StatusOK, r.status)
		assert.JSONEq(t, `{"status":"ready","inventory_index":{"state":"building"}}`, r.raw)
	})
	t.Run("HypervisorDown", func(t *testing.T) {
		h.hv.SetDown("vCenter vc.example.com does not answer")
		defer h.hv.SetDown("")
		r := get(t, h.ts.URL+"/readyz")
		assert.Equal(t, http.StatusServiceUnavailable, r.status)
		assert.Equal(t, "unavailable", r.json["status"])
		assert.Contains(t, r.json["reason"], "vCenter vc.example.com does not answer")
		assert.Equal(t, map[string]any{"state": "building"}, r.json["inventory_index"], "the details come with a failure too")
		assert.Equal(t, http.StatusOK, get(t, h.ts.URL+"/healthz").status, "alive all the same")
	})
	t.Run("ReadyHookFails", func(t *testing.T) {
		mu.Lock()
		hookErr = errors.New("the inventory index is still loading")
		mu.Unlock()
		defer func() {
			mu.Lock()
			hookErr = nil
			mu.Unlock()
		}()
		r := get(t, h.ts.URL+"/readyz")
		assert.Equal(t, http.StatusServiceUnavailable, r.status)
		assert.Equal(t, "the inventory index is still loading", r.json["reason"])
	})
	t.Run("HypervisorDownWinsOverTheHook", func(t *testing.T) {
		mu.Lock()
		hookErr = errors.New("the inventory index is still loading")
		mu.Unlock()
		h.hv.SetDown("vCenter vc.example.com does not answer")
		defer h.hv.SetDown("")
		r := get(t, h.ts.URL+"/readyz")
		assert.Equal(t, http.StatusServiceUnavailable, r.status)
		assert.Contains(t, r.json["reason"], "vCenter vc.example.com does not answer")
	})
	t.Run("UnknownPath", func(t *testing.T) {
		r := get(t, h.ts.URL+"/sse")
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Contains(t, r.json["error"], "POST /mcp")
	})
}

// TestVMNamesThatNeedEscaping creates, reads and deletes VMs whose names
// hold "/", "%" and non-ASCII letters, through raw HTTP.
func TestVMNamesThatNeedEscaping(t *testing.T) {
	h := newHTTPFixture(t, nil, app.Options{}, mcpserver.HTTPOptions{})
	for _, name := range []string{"web/01", "100% cpu", "ünïcødé", "ウェブ"} {
		t.Run(name, func(t *testing.T) {
			created := structuredOf(t, h.tool(t, "createVM", map[string]any{"name": name, "cpu": 1, "memory": 4}))["vm"].(map[string]any)
			got := structuredOf(t, h.tool(t, "getVM", map[string]any{"name": name}))["vm"].(map[string]any)
			assert.Equal(t, created["id"], got["id"])
			got = structuredOf(t, h.tool(t, "getVM", map[string]any{"name": created["path"]}))["vm"].(map[string]any)
			assert.Equal(t, created["id"], got["id"])

			r := h.rpc(t, "resources/read", map[string]any{"uri": mcpserver.StatsURI(name)})
			require.Equal(t, http.StatusOK, r.status, r.raw)
			assert.NotEmpty(t, r.result()["contents"])

			h.tool(t, "deleteVM", map[string]any{"name": name})
			assert.Equal(t, "not_found", errorCodeOf(t, h.tool(t, "getVM", map[string]any{"name": name})))
		})
	}
}

func TestAmbiguousNameChangesNothingOverHTTP(t *testing.T) {
	h := newHTTPFixture(t, twins(t), app.Options{}, mcpserver.HTTPOptions{})
	states := func() []string {
		var out []string
		for _, c := range []string{"/DC0/vm/twin", "/DC1/vm/twin"} {
			vm := structuredOf(t, h.tool(t, "getVM", map[string]any{"name": c}))["vm"].(map[string]any)
			out = append(out, vm["power_state"].(string))
		}
		return out
	}
	before := states()
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"deleteVM", map[string]any{"name": "twin", "force": true}},
		{"powerOn", map[string]any{"name": "twin"}},
		{"powerOff", map[string]any{"name": "twin"}},
		{"cloneVM", map[string]any{"template_name": "twin", "new_name": "twin2"}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			res := h.tool(t, tc.tool, tc.args)
			assert.Equal(t, "ambiguous", errorCodeOf(t, res))
			e := structuredOf(t, res)["error"].(map[string]any)
			assert.Len(t, e["candidates"], 2)
		})
	}
	assert.Equal(t, 10, countVMs(t, h.hv))
	assert.Equal(t, before, states())
}

// TestConcurrentToolCalls sends 50 tool calls at once: reads, creates of
// distinct names, and creates of one name, of which exactly one wins.
func TestConcurrentToolCalls(t *testing.T) {
	h := newHTTPFixture(t, nil, app.Options{}, mcpserver.HTTPOptions{})
	h.hv.SetLatency(5 * time.Millisecond)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		dupWins int
		failed  []string
	)
	for i := range 50 {
		wg.Go(func() {
			var name string
			var args map[string]any
			switch {
			case i < 20:
				name, args = "createVM", map[string]any{"name": fmt.Sprintf("vm%02d", i), "cpu": 1, "memory": 4}
			case i < 30:
				name, args = "createVM", map[string]any{"name": "dup", "cpu": 1, "memory": 4}
			case i < 40:
				name, args = "listVMs", nil
			default:
				name, args = "getVM", map[string]any{"name": "DC0_H0_VM0"}
			}
			b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": map[string]any{"name": name, "arguments": args}})
			req, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, err.Error())
				return
			}
			defer resp.Body.Close()
			var r struct {
				ID     int
				Result struct {
					IsError           bool
					StructuredContent struct{ Error *mcpserver.ToolError }
				}
			}
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 || r.ID != i {
				failed = append(failed, fmt.Sprintf("call %d: status %d, id %d, %v", i, resp.StatusCode, r.ID, err))
				return
			}
			switch e := r.Result.StructuredContent.Error; {
			case i >= 20 && i < 30 && e == nil:
				dupWins++
			case i >= 20 && i < 30 && e.Code != "already_exists":
				failed = append(failed, fmt.Sprintf("call %d: %s", i, e.Message))
			case (i < 20 || i >= 30) && e != nil:
				failed = append(failed, fmt.Sprintf("call %d: %s", i, e.Message))
			}
		})
	}
	wg.Wait()
	assert.Empty(t, failed)
	assert.Equal(t, 1, dupWins, "exactly one create of a name wins")
	assert.Equal(t, 4+20+1, countVMs(t, h.hv))
	h.serving(t)
}
