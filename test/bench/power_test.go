package bench

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// BenchmarkPowerCycle powers a VM of the large inventory on and off
// again, per iteration:
//   - direct: PowerOnVM_Task then PowerOffVM_Task with govmomi, each
//     awaited with Task.Wait;
//   - cold, warm: the tools powerOn then powerOff through go-sdk's client
//     over HTTP, the MCP server, the application core and the cold or warm
//     adapter, which confirms its target with vCenter (Current), starts
//     the task and awaits it (see powerWays).
//
// The MCP ways and direct each power a VM of their own. The adapter looks
// a name up (Current) in the names of every VM that vCenter has now, as its
// index may not have seen yet a VM that would make the name ambiguous; the
// cold adapter looks a path up with the SearchIndex and reads the VM, the
// warm one takes the VM from its index and confirms it with that read. The
// warm adapter comes last: every task, view or collector created while its
// index is open makes vcsim collect the whole inventory again (see the
// package's comment), a load that also falls on the direct calls it is
// compared with.
func BenchmarkPowerCycle(b *testing.B) {
	inv := large(b)
	direct := object.NewVirtualMachine(inv.client, findVM(b, inv, benchVM(inv.added-1)))
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			directCycle(b, direct)
		}
	})
	b.Run("cold", func(b *testing.B) {
		powerWays(b, mcpClient(b, inv.h), direct)
	})
	b.Run("warm", func(b *testing.B) {
		powerWays(b, mcpClient(b, warmHypervisor(b, inv)), direct)
	})
}

// powerWays runs the power cycles of cs:
//   - mcp_by_path, mcp_by_name: naming a VM by its inventory path, or
//     another one by its name;
//   - side_by_side_path, side_by_side_name: one of them alternately with
//     direct, the cycle of a third VM with govmomi, in one loop
//     (mcp_path/direct, mcp_name/direct).
//
// The lookups by name load vcsim the most: they come last.
func powerWays(b *testing.B, cs *mcp.ClientSession, direct *object.VirtualMachine) {
	for _, way := range []struct{ by, vm string }{{"path", "/DC0/vm/" + benchVM(1)}, {"name", benchVM(0)}} {
		b.Run("mcp_by_"+way.by, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mcpCycle(b, cs, way.vm)
			}
		})
		b.Run("side_by_side_"+way.by, func(b *testing.B) {
			sideBySide(b,
				step{"direct", func() { directCycle(b, direct) }},
				step{"mcp_" + way.by, func() { mcpCycle(b, cs, way.vm) }})
		})
	}
}

// mcpCycle powers the VM name (a name or a path) on and off with the
// tools, and checks that each call changed its power state.
func mcpCycle(b *testing.B, cs *mcp.ClientSession, name string) {
	for _, c := range []struct{ tool, want string }{{"powerOn", "poweredOn"}, {"powerOff", "poweredOff"}} {
		out := callTool(b.Context(), b, cs, c.tool, map[string]any{"name": name})
		vm, _ := out["vm"].(map[string]any)
		if changed, _ := out["changed"].(bool); !changed || vm["power_state"] != c.want {
			b.Fatalf("%s %s: changed %v, power state %v; want a change to %s", c.tool, name, out["changed"], vm["power_state"], c.want)
		}
	}
}

// directCycle powers vm on and off with govmomi alone.
func directCycle(b *testing.B, vm *object.VirtualMachine) {
	ctx := b.Context()
	for _, start := range []func(context.Context) (*object.Task, error){vm.PowerOn, vm.PowerOff} {
		task, err := start(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := task.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// findVM returns the reference of the added VM name, with the SearchIndex.
func findVM(b *testing.B, inv *inventory, name string) types.ManagedObjectReference {
	b.Helper()
	ref, err := object.NewSearchIndex(inv.client).FindByInventoryPath(b.Context(), "/DC0/vm/"+name)
	if err != nil || ref == nil {
		b.Fatalf("find %s: %v", name, err)
	}
	return ref.Reference()
}
