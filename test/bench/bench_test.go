package bench

import (
	"context"
	"testing"
	"time"

	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/types"

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

func adapterList(b *testing.B, inv *inventory) {
	vms, total, err := inv.h.ListVMs(b.Context(), domain.ListFilter{})
	if err != nil {
		b.Fatal(err)
	}
	if total != inv.vms || len(vms) != inv.vms {
		b.Fatalf("adapter: %d VMs, want %d", total, inv.vms)
	}
}

// BenchmarkListVMs lists every VM of the large inventory: with one raw
// container-view Retrieve of the same properties (raw_retrieve), through
// the adapter, which also reads the folders, hosts, datastores and
// networks around the VMs for their paths and names, and creates and
// destroys its own view (adapter), and both alternately in one loop, which
// reports their ratio (side_by_side).
func BenchmarkListVMs(b *testing.B) {
	inv := large(b)
	b.Run("raw_retrieve", func(b *testing.B) {
		raw := newRawRetrieve(b, inv)
		b.ReportAllocs()
		for b.Loop() {
			raw.run(b, inv.vms)
		}
	})
	b.Run("adapter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			adapterList(b, inv)
		}
	})
	b.Run("side_by_side", func(b *testing.B) {
		raw := newRawRetrieve(b, inv)
		var rawTime, adapterTime time.Duration
		for b.Loop() {
			start := time.Now()
			raw.run(b, inv.vms)
			rawTime += time.Since(start)
			start = time.Now()
			adapterList(b, inv)
			adapterTime += time.Since(start)
		}
		b.ReportMetric(float64(adapterTime)/float64(rawTime), "adapter/raw")
		b.ReportMetric(float64(rawTime.Nanoseconds())/float64(b.N), "raw-ns/op")
		b.ReportMetric(float64(adapterTime.Nanoseconds())/float64(b.N), "adapter-ns/op")
	})
}

// BenchmarkResolveByPath resolves one VM of the large inventory by its
// inventory path: a SearchIndex lookup and the VM's summary.
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
