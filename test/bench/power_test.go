package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
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
// Each way powers a VM of its own. The adapter looks
// a name up (Current) in the names of every VM that vCenter has now, as its
// index may not have seen yet a VM that would make the name ambiguous; the
// cold adapter looks a path up with the SearchIndex and reads the VM, the
// warm one takes the VM from its index and confirms it with that read.
// Either awaits the task with reads of the task and of what a power
// operation changes of the VM. The
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
		powerWays(b, inv.h, direct)
	})
	b.Run("warm", func(b *testing.B) {
		powerWays(b, warmHypervisor(b, inv), direct)
	})
}

// powerWays runs the power cycles through h:
//   - mcp_by_path, mcp_by_name: through MCP, naming a VM by its inventory
//     path, or another one by its name;
//   - side_by_side_path: in one loop, direct, the cycle of a third VM with
//     govmomi; core_path, that of a fourth one by path through the
//     application core alone (no MCP); http_path, that of a fifth one
//     through the MCP server over HTTP, posted and read as curl would (no
//     go-sdk client); and mcp_path (core_path/direct, http_path/direct,
//     mcp_path/direct);
//   - side_by_side_name: direct and mcp_name in one loop (mcp_name/direct).
//
// The lookups by name load vcsim the most: they come last.
func powerWays(b *testing.B, h *vsphere.Hypervisor, direct *object.VirtualMachine) {
	endpoint, hc := mcpServer(b, h)
	cs := mcpClient(b, h)
	core := app.New(h, app.Options{})
	for _, way := range []struct{ by, vm string }{{"path", "/DC0/vm/" + benchVM(1)}, {"name", benchVM(0)}} {
		b.Run("mcp_by_"+way.by, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mcpCycle(b, cs, way.vm)
			}
		})
		b.Run("side_by_side_"+way.by, func(b *testing.B) {
			steps := []step{{"mcp_" + way.by, func() { mcpCycle(b, cs, way.vm) }}}
			if way.by == "path" {
				steps = append([]step{
					{"core_path", func() { coreCycle(b, core, "/DC0/vm/"+benchVM(2)) }},
					{"http_path", func() { postCycle(b, endpoint, hc, "/DC0/vm/"+benchVM(3)) }},
				}, steps...)
			}
			sideBySide(b, step{"direct", func() { directCycle(b, direct) }}, steps...)
		})
	}
}

// coreCycle powers the VM name on and off through the application core,
// and checks that each call changed its power state.
func coreCycle(b *testing.B, core *app.Service, name string) {
	for _, c := range []struct {
		run  func(context.Context, domain.PowerSpec) (app.PowerResult, error)
		want domain.PowerState
	}{{core.PowerOn, domain.PoweredOn}, {core.PowerOff, domain.PoweredOff}} {
		res, err := c.run(b.Context(), domain.PowerSpec{VM: name})
		if err != nil || !res.Changed || res.VM.PowerState != c.want {
			b.Fatalf("%s: changed %v, power state %s, %v; want a change to %s", name, res.Changed, res.VM.PowerState, err, c.want)
		}
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

// postCycle powers the VM name on and off with the tools, each call posted
// as curl would post it, and checks that each call changed its power state.
func postCycle(b *testing.B, endpoint string, hc *http.Client, name string) {
	for _, c := range []struct{ tool, want string }{{"powerOn", "poweredOn"}, {"powerOff", "poweredOff"}} {
		postTool(b, endpoint, hc, c.tool, map[string]any{"name": name}, `"changed":true`, `"power_state":"`+c.want+`"`)
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
