// Package mcptest drives an esxi-mcp-server through go-sdk's own client, as
// an MCP client would, and checks every change it makes on the simulator
// behind it with an administrator's govmomi session. The end-to-end tests
// of the binary use it over HTTP and over stdio.
package mcptest

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// Call calls tool with args and decodes its structured result into T. It
// fails the test on a protocol error or an isError result.
func Call[T any](t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) T {
	t.Helper()
	res, err := cs.CallTool(ctx(t), &mcp.CallToolParams{Name: tool, Arguments: args})
	require.NoError(t, err, "%s", tool)
	require.False(t, res.IsError, "%s failed: %s", tool, text(res))
	var out T
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &out), "%s: %s", tool, b)
	return out
}

// Fail calls tool with args, requires an isError result, and returns its
// structured error.
func Fail(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) mcpserver.ToolError {
	t.Helper()
	res, err := cs.CallTool(ctx(t), &mcp.CallToolParams{Name: tool, Arguments: args})
	require.NoError(t, err, "%s", tool)
	require.True(t, res.IsError, "%s should fail", tool)
	var out struct{ Error mcpserver.ToolError }
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &out))
	return out.Error
}

// Stats reads the vmstats resource of the VM ref names.
func Stats(t *testing.T, cs *mcp.ClientSession, ref string) map[string]any {
	t.Helper()
	res, err := cs.ReadResource(ctx(t), &mcp.ReadResourceParams{URI: "vmstats://" + url.PathEscape(ref)})
	require.NoError(t, err, "read vmstats of %s", ref)
	require.Len(t, res.Contents, 1)
	assert.Equal(t, "application/json", res.Contents[0].MIMEType)
	var stats map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.Contents[0].Text), &stats))
	return stats
}

// Journey takes a server through the original's whole journey: list,
// create, power on, stats, clone, power off, delete. admin checks each
// change on the simulator. prefix makes the VM names unique.
func Journey(t *testing.T, cs *mcp.ClientSession, admin *vcsimtest.Admin, prefix string) {
	t.Helper()
	web, clone := prefix+"web", prefix+"web-clone"

	listed := Call[mcpserver.ListVMsOutput](t, cs, "listVMs", nil)
	require.Positive(t, listed.Count, "the simulator has VMs")
	assert.Equal(t, len(listed.VMs), listed.Count)

	created := Call[mcpserver.CreateVMOutput](t, cs, "createVM", map[string]any{
		"name": web, "cpu": 2, "memory": 256, "disk_gb": 2,
	})
	require.NotEmpty(t, created.VM.ID)
	assert.False(t, created.DryRun)
	vm := Properties(t, admin, created.VM.ID)
	assert.Equal(t, web, vm.Name)
	assert.EqualValues(t, 2, vm.Config.Hardware.NumCPU)
	assert.EqualValues(t, 256, vm.Config.Hardware.MemoryMB)
	assert.Equal(t, types.VirtualMachinePowerStatePoweredOff, vm.Runtime.PowerState)

	on := Call[mcpserver.PowerOutput](t, cs, "powerOn", map[string]any{"name": web})
	assert.True(t, on.Changed)
	assert.Equal(t, types.VirtualMachinePowerStatePoweredOn, Properties(t, admin, created.VM.ID).Runtime.PowerState)
	again := Call[mcpserver.PowerOutput](t, cs, "powerOn", map[string]any{"name": created.VM.Path})
	assert.False(t, again.Changed, "powering on a running VM changes nothing")

	stats := Stats(t, cs, web)
	assert.Equal(t, "performance_manager", stats["source"])
	assert.EqualValues(t, 20, stats["interval_seconds"])
	for _, section := range []string{"cpu", "memory", "storage", "network", "disk"} {
		assert.Contains(t, stats, section, "a running VM has %s figures", section)
	}

	cloned := Call[mcpserver.CreateVMOutput](t, cs, "cloneVM", map[string]any{"template_name": web, "new_name": clone})
	require.NotEmpty(t, cloned.VM.ID)
	cvm := Properties(t, admin, cloned.VM.ID)
	assert.Equal(t, clone, cvm.Name)
	assert.EqualValues(t, 2, cvm.Config.Hardware.NumCPU, "a clone keeps its source's shape")

	off := Call[mcpserver.PowerOutput](t, cs, "powerOff", map[string]any{"name": created.VM.ID})
	assert.True(t, off.Changed)
	assert.Equal(t, types.VirtualMachinePowerStatePoweredOff, Properties(t, admin, created.VM.ID).Runtime.PowerState)
	offStats := Stats(t, cs, created.VM.ID)
	assert.Contains(t, offStats, "storage")
	assert.NotContains(t, offStats, "cpu", "a powered-off VM has no live figures")

	for _, name := range []string{clone, web} {
		deleted := Call[mcpserver.DeleteVMOutput](t, cs, "deleteVM", map[string]any{"name": name})
		assert.Equal(t, name, deleted.Deleted.Name)
		assert.False(t, Exists(t, admin, deleted.Deleted.Path), "%s is gone from the simulator", deleted.Deleted.Path)
	}
	e := Fail(t, cs, "getVM", map[string]any{"name": web})
	assert.Equal(t, "not_found", e.Code)
}

// Properties returns what the simulator has of the VM id.
func Properties(t *testing.T, admin *vcsimtest.Admin, id string) mo.VirtualMachine {
	t.Helper()
	var vm mo.VirtualMachine
	require.NoError(t, admin.VM(id).Properties(ctx(t), admin.VM(id).Reference(), []string{"name", "config.hardware", "runtime.powerState"}, &vm),
		"read %s on the simulator", id)
	return vm
}

// Exists reports whether the simulator has an object at the inventory path.
func Exists(t *testing.T, admin *vcsimtest.Admin, path string) bool {
	t.Helper()
	ref, err := object.NewSearchIndex(admin.Client.Client).FindByInventoryPath(ctx(t), path)
	require.NoError(t, err)
	return ref != nil
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return c
}
