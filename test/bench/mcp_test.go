package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/app"
)

// mcpServer serves the whole MCP stack over h (application core, MCP
// server, HTTP handler) on a loopback listener, as the command does, until
// b ends, and returns its endpoint and an HTTP client of it.
func mcpServer(b *testing.B, h *vsphere.Hypervisor) (endpoint string, hc *http.Client) {
	b.Helper()
	srv := mcpserver.New(app.New(h, app.Options{}), mcpserver.Options{})
	ts := httptest.NewServer(srv.Handler(mcpserver.HTTPOptions{}))
	b.Cleanup(ts.Close)
	return ts.URL + "/mcp", ts.Client()
}

// mcpClient returns go-sdk's streamable HTTP client connected to a server
// of mcpServer over h. It ends with b.
func mcpClient(b *testing.B, h *vsphere.Hypervisor) *mcp.ClientSession {
	b.Helper()
	endpoint, hc := mcpServer(b, h)
	// A stateless server has no stream for server-initiated messages: the
	// client asks for none.
	transport := &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc, DisableStandaloneSSE: true}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(b.Context(), transport, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cs.Close() })
	return cs
}

// postTool calls tool with args as curl would: one POST of a JSON-RPC
// request, the answer read whole but not decoded. It fails b unless the
// answer is a 200 whose body holds every string of want.
func postTool(b *testing.B, endpoint string, hc *http.Client, tool string, args map[string]any, want ...string) {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
		"params": map[string]any{"name": tool, "arguments": args}})
	if err != nil {
		b.Fatal(err)
	}
	resp, err := hc.Post(endpoint, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatalf("%s: %v", tool, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: HTTP %d, %v", tool, resp.StatusCode, err)
	}
	for _, w := range want {
		if !bytes.Contains(answer, []byte(w)) {
			b.Fatalf("%s: the answer lacks %s: %.300s", tool, w, answer)
		}
	}
}

// callTool calls tool with args and returns its structured result as the
// client decoded it, failing b on a protocol error or an isError result.
func callTool(ctx context.Context, b *testing.B, cs *mcp.ClientSession, tool string, args map[string]any) map[string]any {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		b.Fatalf("%s: %v", tool, err)
	}
	if res.IsError {
		var text []string
		for _, c := range res.Content {
			if t, ok := c.(*mcp.TextContent); ok {
				text = append(text, t.Text)
			}
		}
		b.Fatalf("%s failed: %s", tool, strings.Join(text, "; "))
	}
	out, ok := res.StructuredContent.(map[string]any)
	if !ok {
		b.Fatalf("%s: structured content is a %T", tool, res.StructuredContent)
	}
	return out
}

// number returns the JSON number out[key] as an int, or -1.
func number(out map[string]any, key string) int {
	if f, ok := out[key].(float64); ok {
		return int(f)
	}
	return -1
}
