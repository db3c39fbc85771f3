package bench

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// vmPaths are the VM properties the adapter's listing retrieves
// (adapters/vsphere/vm.go): the raw baseline retrieves the same ones.
var vmPaths = []string{
	"name", "parent", "parentVApp",
	"config.template", "config.guestId", "config.guestFullName",
	"config.hardware.numCPU", "config.hardware.memoryMB",
	"runtime.powerState", "runtime.host",
	"guest.guestFullName", "guest.ipAddress",
	"datastore", "network",
}

// rawRetrieve is the baseline: one Retrieve of vmPaths of every VM through
// a container view created beforehand, with the results left undecoded.
type rawRetrieve struct {
	v *view.ContainerView
}

func newRawRetrieve(b *testing.B, inv *inventory) *rawRetrieve {
	b.Helper()
	v, err := view.NewManager(inv.client).CreateContainerView(b.Context(), inv.client.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = v.Destroy(context.WithoutCancel(b.Context())) })
	return &rawRetrieve{v: v}
}

func (r *rawRetrieve) run(b *testing.B, want int) {
	var objs []types.ObjectContent
	if err := r.v.Retrieve(b.Context(), []string{"VirtualMachine"}, vmPaths, &objs); err != nil {
		b.Fatal(err)
	}
	if len(objs) != want {
		b.Fatalf("raw retrieve: %d VMs, want %d", len(objs), want)
	}
}

// adapterList lists every VM with h.
func adapterList(b *testing.B, h *vsphere.Hypervisor, inv *inventory) {
	vms, total, err := h.ListVMs(b.Context(), domain.ListFilter{})
	if err != nil {
		b.Fatal(err)
	}
	if total != inv.vms || len(vms) != inv.vms {
		b.Fatalf("adapter: %d VMs of %d, want %d", len(vms), total, inv.vms)
	}
}

// mcpList lists every VM with the tool listVMs, with a limit that lets
// every VM through, and checks that the result holds them all.
func mcpList(b *testing.B, cs *mcp.ClientSession, inv *inventory) {
	out := callTool(b.Context(), b, cs, "listVMs", map[string]any{"limit": inv.vms})
	vms, _ := out["vms"].([]any)
	if count, total := number(out, "count"), number(out, "total"); count != inv.vms || total != inv.vms || len(vms) != inv.vms {
		b.Fatalf("listVMs: count %d, total %d, %d VMs; want %d", count, total, len(vms), inv.vms)
	}
}

// postList lists every VM with one POST of tools/call listVMs, as curl
// would, and checks that the answer counts them all.
func postList(b *testing.B, endpoint string, hc *http.Client, inv *inventory) {
	n := fmt.Sprint(inv.vms)
	postTool(b, endpoint, hc, "listVMs", map[string]any{"limit": inv.vms}, `"count":`+n, `"total":`+n)
}

// step is one of the operations a side-by-side benchmark compares.
type step struct {
	name string
	run  func()
}

// sideBySide runs base and every candidate twice per iteration of one
// loop, once in order and once in reverse order, so that the machine's
// load, the collector's pauses and the order itself fall on all of them
// alike, even when an iteration takes seconds and the loop runs once. It
// reports each one's mean as "<name>-ns/op" and each candidate's time over
// base's as "<candidate>/<base>".
func sideBySide(b *testing.B, base step, candidates ...step) {
	b.Helper()
	steps := append([]step{base}, candidates...)
	times := make([]time.Duration, len(steps))
	run := func(i int) {
		start := time.Now()
		steps[i].run()
		times[i] += time.Since(start)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range steps {
			run(i)
		}
		for i := len(steps) - 1; i >= 0; i-- {
			run(i)
		}
	}
	for i, s := range steps {
		b.ReportMetric(float64(times[i].Nanoseconds())/float64(2*b.N), s.name+"-ns/op")
	}
	for i, s := range candidates {
		b.ReportMetric(float64(times[i+1])/float64(times[0]), s.name+"/"+base.name)
	}
}

// BenchmarkListVMs lists every VM of the large inventory:
//   - raw_retrieve: one raw container-view Retrieve of the same
//     properties, the baseline;
//   - cold: the adapter without its index, which also reads the folders,
//     hosts, datastores and networks around the VMs for their paths and
//     names, and creates and destroys its own view;
//   - side_by_side: raw and cold alternately in one loop (cold/raw);
//   - warm: the adapter with its index ready;
//   - mcp_http_warm: the tool listVMs through go-sdk's client, over HTTP,
//     the MCP server, the application core and the warm adapter;
//   - side_by_side_warm: raw, warm and mcp_http_warm alternately in one
//     loop (warm/raw, mcp_warm/raw).
//
// The side-by-side benchmarks' ns/op, B/op and allocs/op are those of two
// runs of each step. The warm adapter is started once the cold benchmarks
// are done (see the package's comment).
func BenchmarkListVMs(b *testing.B) {
	inv := large(b)
	b.Run("raw_retrieve", func(b *testing.B) {
		raw := newRawRetrieve(b, inv)
		b.ReportAllocs()
		for b.Loop() {
			raw.run(b, inv.vms)
		}
	})
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			adapterList(b, inv.h, inv)
		}
	})
	b.Run("side_by_side", func(b *testing.B) {
		raw := newRawRetrieve(b, inv)
		sideBySide(b,
			step{"raw", func() { raw.run(b, inv.vms) }},
			step{"cold", func() { adapterList(b, inv.h, inv) }})
	})

	warm := warmHypervisor(b, inv)
	cs := mcpClient(b, warm)
	endpoint, hc := mcpServer(b, warm)
	post := func() { postList(b, endpoint, hc, inv) }
	b.Run("warm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			adapterList(b, warm, inv)
		}
	})
	b.Run("mcp_http_warm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post()
		}
	})
	b.Run("mcp_client_warm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mcpList(b, cs, inv)
		}
	})
	b.Run("side_by_side_warm", func(b *testing.B) {
		raw := newRawRetrieve(b, inv)
		sideBySide(b,
			step{"raw", func() { raw.run(b, inv.vms) }},
			step{"warm", func() { adapterList(b, warm, inv) }},
			step{"mcp_warm", post},
			step{"mcp_client_warm", func() { mcpList(b, cs, inv) }})
	})
}

// BenchmarkResolveByPath resolves one VM of the large inventory by its
// inventory path with the cold adapter, as a mutation does (Current): a
// SearchIndex lookup and the VM's summary.
func BenchmarkResolveByPath(b *testing.B) {
	inv := large(b)
	ref := domain.VMRef{Kind: domain.RefPath, Value: inv.path}
	b.ReportAllocs()
	for b.Loop() {
		vm, err := inv.h.ResolveVM(b.Context(), ref, ports.Current)
		if err != nil {
			b.Fatal(err)
		}
		if vm.Path != inv.path {
			b.Fatalf("resolved %s, want %s", vm.Path, inv.path)
		}
	}
}

// BenchmarkResolveWarm resolves one VM of the large inventory with the
// warm adapter, as reads do (Cached): by its bare name, by its inventory
// path and by its id. The index answers without a round trip.
func BenchmarkResolveWarm(b *testing.B) {
	inv := large(b)
	warm := warmHypervisor(b, inv)
	for _, tc := range []struct {
		name string
		ref  domain.VMRef
	}{
		{"name", domain.NameRef(inv.name)},
		{"path", domain.VMRef{Kind: domain.RefPath, Value: inv.path}},
		{"id", domain.IDRef(inv.id)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				vm, err := warm.ResolveVM(b.Context(), tc.ref, ports.Cached)
				if err != nil {
					b.Fatal(err)
				}
				if vm.ID != inv.id {
					b.Fatalf("resolved %s, want %s", vm.ID, inv.id)
				}
			}
		})
	}
}
