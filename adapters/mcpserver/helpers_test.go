package mcpserver_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
)

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a Server over the application core over an in-memory
// hypervisor, with its log.
type fixture struct {
	hv   *memory.Hypervisor
	srv  *mcpserver.Server
	logs *logBuffer
}

// newFixture returns a fixture over hv (the default inventory when nil).
func newFixture(t *testing.T, hv *memory.Hypervisor, appOpts app.Options, opts mcpserver.Options) *fixture {
	t.Helper()
	if hv == nil {
		hv = memory.NewDefault()
	}
	logs := new(logBuffer)
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	appOpts.Logger = log
	opts.Logger = log
	return &fixture{hv: hv, srv: mcpserver.New(app.New(hv, appOpts), opts), logs: logs}
}

// client is an MCP client session that checks every structured result
// against the tool's output schema, as the TypeScript SDK does.
type client struct {
	t       *testing.T
	cs      *mcp.ClientSession
	schemas map[string]*jsonschema.Resolved
}

// connect returns a client of f's server over in-memory transports.
func (f *fixture) connect(t *testing.T) *client {
	t.Helper()
	ctx := t.Context()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := f.srv.MCP().Connect(ctx, st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	require.NoError(t, err)
	t.Cleanup(func() { cs.Close() })
	return newClient(t, cs)
}

// newClient wraps cs, reading the output schemas of its tools.
func newClient(t *testing.T, cs *mcp.ClientSession) *client {
	t.Helper()
	tools, err := cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	c := &client{t: t, cs: cs, schemas: map[string]*jsonschema.Resolved{}}
	for _, tool := range tools.Tools {
		key := mustJSON(t, tool.OutputSchema)
		if r, ok := resolvedSchemas.Load(key); ok {
			c.schemas[tool.Name] = r.(*jsonschema.Resolved)
			continue
		}
		var s jsonschema.Schema
		remarshal(t, tool.OutputSchema, &s)
		r, err := s.Resolve(nil)
		require.NoError(t, err, tool.Name)
		resolvedSchemas.Store(key, r)
		c.schemas[tool.Name] = r
	}
	return c
}

// resolvedSchemas caches resolved output schemas by their JSON: every
// fixture lists the same tools, and resolving is slow under -race.
var resolvedSchemas sync.Map

// call calls a tool, requires a result (not a protocol error) and checks
// its structured content against the output schema.
func (c *client) call(name string, args map[string]any) *mcp.CallToolResult {
	c.t.Helper()
	res, err := c.cs.CallTool(c.t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(c.t, err)
	require.NotNil(c.t, res.StructuredContent, "every result has structuredContent")
	var v any
	remarshal(c.t, res.StructuredContent, &v)
	require.NoError(c.t, c.schemas[name].Validate(v), "structuredContent of %s must match its outputSchema: %s", name, mustJSON(c.t, v))
	return res
}

// ok calls a tool and decodes its successful result into T.
func ok[T any](c *client, name string, args map[string]any) T {
	c.t.Helper()
	res := c.call(name, args)
	require.False(c.t, res.IsError, "%s failed: %s", name, textOf(res))
	var out T
	remarshal(c.t, res.StructuredContent, &out)
	return out
}

// rejects calls a tool with arguments that violate its input schema, and
// returns the structured error of the JSON-RPC -32602 answer.
func rejects(c *client, name string, args map[string]any) *mcpserver.ToolError {
	c.t.Helper()
	_, err := c.cs.CallTool(c.t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	var rpcErr *jsonrpc.Error
	require.ErrorAs(c.t, err, &rpcErr, "%s with bad arguments is a protocol fault", name)
	require.Equal(c.t, int64(jsonrpc.CodeInvalidParams), rpcErr.Code)
	var te mcpserver.ToolError
	require.NoError(c.t, json.Unmarshal(rpcErr.Data, &te), "data is {code, message}")
	require.Equal(c.t, rpcErr.Message, te.Message)
	return &te
}

// fails calls a tool that must fail, and returns its structured error.
func fails(c *client, name string, args map[string]any) *mcpserver.ToolError {
	c.t.Helper()
	res := c.call(name, args)
	require.True(c.t, res.IsError, "%s should fail: %s", name, mustJSON(c.t, res.StructuredContent))
	var out struct{ Error *mcpserver.ToolError }
	remarshal(c.t, res.StructuredContent, &out)
	require.NotNil(c.t, out.Error, "structuredContent.error")
	require.Equal(c.t, out.Error.Message, textOf(res), "the text content is the error's sentence")
	return out.Error
}

func textOf(res *mcp.CallToolResult) string {
	var s string
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			s += t.Text
		}
	}
	return s
}

func remarshal(t *testing.T, from, to any) {
	t.Helper()
	b, err := json.Marshal(from)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, to))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// twins returns a hypervisor with a VM named "twin" in each of two
// datacenters, as vCenter allows.
func twins(t *testing.T) *memory.Hypervisor {
	t.Helper()
	dc0, dc1 := memory.DefaultDatacenter("DC0"), memory.DefaultDatacenter("DC1")
	dc0.VMs = append(dc0.VMs, memory.VM{Name: "twin", Host: "DC0_H0", Datastore: "LocalDS_0", PowerState: domain.PoweredOff})
	dc1.VMs = append(dc1.VMs, memory.VM{Name: "twin", Host: "DC1_H0", Datastore: "LocalDS_0", PowerState: domain.PoweredOn})
	hv, err := memory.New(memory.Inventory{Datacenters: []memory.Datacenter{dc0, dc1}})
	require.NoError(t, err)
	return hv
}

// vmNamed returns the VM of hv named name, failing when there is none.
func vmNamed(t *testing.T, hv *memory.Hypervisor, name string) domain.VM {
	t.Helper()
	vms, _, err := hv.ListVMs(t.Context(), domain.ListFilter{IncludeTemplates: true})
	require.NoError(t, err)
	for _, vm := range vms {
		if vm.Name == domain.EscapeName(name) {
			return vm
		}
	}
	require.Failf(t, "no VM", "no VM named %q", name)
	return domain.VM{}
}

// countVMs returns how many VMs and templates hv holds.
func countVMs(t *testing.T, hv *memory.Hypervisor) int {
	t.Helper()
	_, total, err := hv.ListVMs(t.Context(), domain.ListFilter{IncludeTemplates: true})
	require.NoError(t, err)
	return total
}
