package mcpserver_test

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/app"
)

func TestResourceTemplates(t *testing.T) {
	c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
	res, err := c.cs.ListResourceTemplates(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, res.ResourceTemplates, 1)
	tmpl := res.ResourceTemplates[0]
	assert.Equal(t, "vmstats://{vm_name}", tmpl.URITemplate)
	assert.Equal(t, "application/json", tmpl.MIMEType)
	assert.NotEmpty(t, tmpl.Description)
}

// listURIs returns the URIs of every resource, page by page.
func listURIs(t *testing.T, c *client) []string {
	t.Helper()
	var uris []string
	for r, err := range c.cs.Resources(t.Context(), nil) {
		require.NoError(t, err)
		assert.Equal(t, "application/json", r.MIMEType)
		uris = append(uris, r.URI)
	}
	return uris
}

func TestResourcesList(t *testing.T) {
	t.Run("OneResourcePerVM", func(t *testing.T) {
		c := newFixture(t, withTemplate(t), app.Options{}, mcpserver.Options{}).connect(t)
		assert.Equal(t, []string{
			"vmstats://DC0_C0_RP0_VM0", "vmstats://DC0_C0_RP0_VM1", "vmstats://DC0_H0_VM0", "vmstats://DC0_H0_VM1",
		}, listURIs(t, c), "sorted by path; the template is left out")
	})
	t.Run("FollowsTheInventory", func(t *testing.T) {
		c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
		ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 4})
		ok[mcpserver.DeleteVMOutput](c, "deleteVM", map[string]any{"name": "DC0_H0_VM0", "force": true})
		assert.Equal(t, []string{
			"vmstats://DC0_C0_RP0_VM0", "vmstats://DC0_C0_RP0_VM1", "vmstats://DC0_H0_VM1", "vmstats://web01",
		}, listURIs(t, c))
	})
	t.Run("AmbiguousNamesUsePaths", func(t *testing.T) {
		c := newFixture(t, twins(t), app.Options{}, mcpserver.Options{}).connect(t)
		uris := listURIs(t, c)
		assert.Contains(t, uris, "vmstats://%2FDC0%2Fvm%2Ftwin")
		assert.Contains(t, uris, "vmstats://%2FDC1%2Fvm%2Ftwin")
		assert.NotContains(t, uris, "vmstats://twin")
		assert.Len(t, uris, 10)
	})
	t.Run("EveryListedResourceReads", func(t *testing.T) {
		c := newFixture(t, twins(t), app.Options{}, mcpserver.Options{}).connect(t)
		for _, uri := range listURIs(t, c) {
			_, err := c.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri})
			assert.NoError(t, err, uri)
		}
	})
}

func TestResourcesListPages(t *testing.T) {
	f := newFixture(t, nil, app.Options{}, mcpserver.Options{ResourcePageSize: 3})
	c := f.connect(t)

	first, err := c.cs.ListResources(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, first.Resources, 3)
	require.NotEmpty(t, first.NextCursor)

	// VMs come and go between pages: the cursor is a position in the sorted
	// inventory, so nothing after it is skipped.
	ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": "AAA", "cpu": 1, "memory": 4})
	ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": "zzz", "cpu": 1, "memory": 4})

	second, err := c.cs.ListResources(t.Context(), &mcp.ListResourcesParams{Cursor: first.NextCursor})
	require.NoError(t, err)
	var uris []string
	for _, r := range second.Resources {
		uris = append(uris, r.URI)
	}
	assert.Equal(t, []string{"vmstats://DC0_H0_VM1", "vmstats://zzz"}, uris)
	assert.Empty(t, second.NextCursor)

	t.Run("InvalidCursor", func(t *testing.T) {
		_, err := c.cs.ListResources(t.Context(), &mcp.ListResourcesParams{Cursor: "not a cursor"})
		assert.Equal(t, int64(jsonrpc.CodeInvalidParams), rpcError(t, err).Code)
	})
	t.Run("HypervisorDown", func(t *testing.T) {
		f.hv.SetDown("vCenter does not answer")
		defer f.hv.SetDown("")
		_, err := c.cs.ListResources(t.Context(), nil)
		e := rpcError(t, err)
		assert.Equal(t, int64(jsonrpc.CodeInternalError), e.Code)
		assert.Contains(t, e.Message, "vCenter does not answer")
	})
}

// rpcError returns the JSON-RPC error err carries.
func rpcError(t *testing.T, err error) *jsonrpc.Error {
	t.Helper()
	var e *jsonrpc.Error
	require.ErrorAs(t, err, &e)
	return e
}

func TestReadStats(t *testing.T) {
	f := newFixture(t, twins(t), app.Options{}, mcpserver.Options{})
	c := f.connect(t)
	vm := vmNamed(t, f.hv, "DC0_H0_VM0")
	read := func(t *testing.T, uri string) (map[string]any, *mcp.ResourceContents) {
		t.Helper()
		res, err := c.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri})
		require.NoError(t, err)
		require.Len(t, res.Contents, 1)
		var st map[string]any
		require.NoError(t, json.Unmarshal([]byte(res.Contents[0].Text), &st))
		return st, res.Contents[0]
	}

	for _, tc := range []struct{ name, uri string }{
		{"ByName", "vmstats://DC0_H0_VM0"},
		{"ByEscapedPath", "vmstats://%2FDC0%2Fvm%2FDC0_H0_VM0"},
		{"ByID", "vmstats://" + vm.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, content := read(t, tc.uri)
			assert.Equal(t, tc.uri, content.URI)
			assert.Equal(t, "application/json", content.MIMEType)
			assert.Equal(t, vm.ID, st["vm"].(map[string]any)["id"])
			for _, key := range []string{"vm", "timestamp", "interval_seconds", "source", "cpu", "memory", "storage", "network", "disk"} {
				assert.Contains(t, st, key)
			}
			assert.Equal(t, []string{"usage_mhz", "usage_percent"}, keys(st["cpu"]))
			assert.Equal(t, []string{"active_mb", "consumed_mb", "granted_mb", "usage_percent"}, keys(st["memory"]))
			assert.Equal(t, []string{"committed_bytes", "uncommitted_bytes", "unshared_bytes"}, keys(st["storage"]))
			assert.Equal(t, []string{"received_kbps", "transmitted_kbps"}, keys(st["network"]))
			assert.Equal(t, []string{"read_kbps", "write_kbps"}, keys(st["disk"]))
		})
	}
	t.Run("PoweredOffHasStorageOnly", func(t *testing.T) {
		st, _ := read(t, "vmstats://%2FDC0%2Fvm%2Ftwin")
		assert.Contains(t, st, "storage")
		for _, live := range []string{"cpu", "memory", "network", "disk"} {
			assert.NotContains(t, st, live)
		}
	})
	t.Run("UnknownVM", func(t *testing.T) {
		_, err := c.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "vmstats://nope"})
		e := rpcError(t, err)
		assert.Equal(t, int64(-32602), e.Code)
		assert.Equal(t, "Resource not found", e.Message)
		assert.JSONEq(t, `{"uri":"vmstats://nope"}`, string(e.Data))
	})
	t.Run("Ambiguous", func(t *testing.T) {
		_, err := c.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "vmstats://twin"})
		e := rpcError(t, err)
		assert.Equal(t, int64(-32602), e.Code)
		assert.Contains(t, e.Message, "matches 2 VMs")
		var data struct {
			URI        string
			Code       string
			Candidates []mcpserver.Candidate
		}
		require.NoError(t, json.Unmarshal(e.Data, &data))
		assert.Equal(t, "vmstats://twin", data.URI)
		assert.Equal(t, "ambiguous", data.Code)
		assert.Len(t, data.Candidates, 2)
	})
	t.Run("NotAVMReference", func(t *testing.T) {
		_, err := c.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "vmstats://"})
		assert.Equal(t, int64(-32602), rpcError(t, err).Code)
	})
	t.Run("OtherScheme", func(t *testing.T) {
		_, err := c.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "file:///etc/passwd"})
		assert.Equal(t, "Resource not found", rpcError(t, err).Message)
	})
}

// TestStatsURIRoundTrip: names with "/", "%", spaces and non-ASCII letters
// reach the right VM through vmstats URIs, as listed and as StatsURI makes
// them from a name or a path.
func TestStatsURIRoundTrip(t *testing.T) {
	f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
	c := f.connect(t)
	for _, name := range []string{"a/b", "50% off", "ünïcødé VM", "日本語", "a\\b", "vm-1"} {
		t.Run(name, func(t *testing.T) {
			created := ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": name, "cpu": 1, "memory": 4})
			for _, ref := range []string{name, created.VM.Name, created.VM.Path, created.VM.ID} {
				res, err := c.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: mcpserver.StatsURI(ref)})
				require.NoError(t, err, "%s from %q", mcpserver.StatsURI(ref), ref)
				var st mcpserver.VMStats
				require.NoError(t, json.Unmarshal([]byte(res.Contents[0].Text), &st))
				assert.Equal(t, created.VM.ID, st.VM.ID)
			}
		})
	}
	for _, uri := range listURIs(t, c) {
		_, err := c.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri})
		assert.NoError(t, err, uri)
	}
}

// keys returns the sorted keys of a JSON object.
func keys(v any) []string {
	m, _ := v.(map[string]any)
	return slices.Sorted(maps.Keys(m))
}
