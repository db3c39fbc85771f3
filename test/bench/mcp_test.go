package bench

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/app"
)

// mcpClient serves the whole MCP stack over h (application core, MCP
// server, HTTP handler) on a loopback listener, as the command does, and
// returns go-sdk's streamable HTTP client connected to it. Both end with b.
func mcpClient(b *testing.B, h *vsphere.Hypervisor) *mcp.ClientSession {
	b.Helper()
	srv := mcpserver.New(app.New(h, app.Options{}), mcpserver.Options{})
	ts := httptest.NewServer(srv.Handler(mcpserver.HTTPOptions{}))
	b.Cleanup(ts.Close)
	// A stateless server has no stream for server-initiated messages: the
	// client asks for none.
	transport := &mcp.StreamableClientTransport{Endpoint: ts.URL + "/mcp", HTTPClient: ts.Client(), DisableStandaloneSSE: true}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(b.Context(), transport, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cs.Close() })
	return cs
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
