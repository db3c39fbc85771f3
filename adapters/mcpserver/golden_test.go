package mcpserver_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got, as indented JSON, with testdata/name.golden, or
// rewrites the file with -update.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(got))
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), buf.String(), "%s differs: run go test -update if the change is meant", path)
}

// TestToolsListGolden pins the tool surface: names, arguments,
// required-ness, schemas, descriptions and annotations (DESIGN 4.3).
func TestToolsListGolden(t *testing.T) {
	c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
	res, err := c.cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	golden(t, "tools_list", res.Tools)
}

// TestErrorResultsGolden pins the shape of a failed tool call for every
// error kind (DESIGN 4.5).
func TestErrorResultsGolden(t *testing.T) {
	type result struct {
		Content           any  `json:"content"`
		StructuredContent any  `json:"structuredContent"`
		IsError           bool `json:"isError"`
	}
	var (
		mu      sync.Mutex
		results = map[string]result{}
	)
	cases := []struct {
		code     string
		hv       func(*testing.T) *memory.Hypervisor
		readOnly bool
		fault    error
		tool     string
		args     map[string]any
	}{
		{"not_found", nil, false, nil, "getVM", map[string]any{"name": "nope"}},
		{"ambiguous", twins, false, nil, "powerOn", map[string]any{"name": "twin"}},
		{"already_exists", nil, false, nil, "createVM", map[string]any{"name": "DC0_H0_VM0", "cpu": 1, "memory": 4}},
		{"invalid_argument", nil, false, nil, "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 1023}},
		{"conflict", nil, false, nil, "deleteVM", map[string]any{"name": "DC0_H0_VM0"}},
		{"read_only", nil, true, nil, "deleteVM", map[string]any{"name": "DC0_H0_VM0"}},
		{"forbidden", nil, false, domain.Errorf(domain.CodeForbidden, "the vCenter user may not create VMs in folder /DC0/vm"), "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 4}},
		{"unavailable", nil, false, domain.Errorf(domain.CodeUnavailable, "vCenter vc.example.com is unreachable: the session could not be restored"), "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 4}},
		{"timeout", nil, false, domain.Errorf(domain.CodeTimeout, "task CreateVM_Task did not finish within 10m0s"), "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 4}},
		{"internal", nil, false, errors.New("unexpected SOAP fault: password=hunter2"), "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 4}},
	}
	t.Run("Calls", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.code, func(t *testing.T) {
				t.Parallel()
				var hv *memory.Hypervisor
				if tc.hv != nil {
					hv = tc.hv(t)
				}
				f := newFixture(t, hv, app.Options{ReadOnly: tc.readOnly}, mcpserver.Options{})
				if tc.fault != nil {
					f.hv.InjectFault("CreateVM", tc.fault)
				}
				res := f.connect(t).call(tc.tool, tc.args)
				var r result
				remarshal(t, res, &r)
				mu.Lock()
				defer mu.Unlock()
				results[tc.code] = r
			})
		}
	})
	golden(t, "error_results", results)
}

// TestSchemasUseSingleTypes: no tool schema has a type array such as
// ["null","array"], which clients with one-type schema dialects (Gemini's
// function declarations, OpenAPI 3.0) reject.
func TestSchemasUseSingleTypes(t *testing.T) {
	c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
	res, err := c.cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ty, ok := v["type"]; ok {
				_, isString := ty.(string)
				assert.True(t, isString, "%s: type %v is not a single type", path, ty)
			}
			for k, child := range v {
				walk(path+"/"+k, child)
			}
		case []any:
			for i, child := range v {
				walk(fmt.Sprintf("%s/%d", path, i), child)
			}
		}
	}
	for _, tool := range res.Tools {
		var in, out any
		remarshal(t, tool.InputSchema, &in)
		remarshal(t, tool.OutputSchema, &out)
		walk(tool.Name+"/inputSchema", in)
		walk(tool.Name+"/outputSchema", out)
	}
}
