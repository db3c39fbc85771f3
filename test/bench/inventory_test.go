// Package bench measures the vSphere adapter, and the whole MCP path over
// HTTP, against govmomi used directly, on a large simulated inventory. Run
// it with
//
//	go test -run '^$' -bench . -benchmem ./test/bench/...
//
// BENCH_VMS sets the number of VMs added to the simulator (1000 by
// default; 10000 needs -timeout 30m). Plain `go test` only compiles the
// benchmarks.
//
// The machine running them is shared and noisy: the figures that count
// are the ratios that the side_by_side benchmarks measure by alternating a
// candidate with its baseline in one loop.
//
// "cold" is the adapter without its inventory index (every listing is one
// Retrieve), "warm" is the adapter with Options.InventoryCache, once
// WaitIndex has returned. vcsim re-collects a whole filter for every change
// of any object, so that a warm adapter makes every task, view or session
// created meanwhile cost vcsim a full collection of the inventory: each
// benchmark that needs a warm adapter starts its own (warmHypervisor) and
// closes it when it ends, and none is open while cold listings run.
package bench

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/adapters/simulator"
	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// inventory is a simulator holding many VMs, the adapter connected to it,
// and a raw govmomi client of it. It is built once per process, by the
// first benchmark that needs it, and closed by TestMain.
type inventory struct {
	sim    *simulator.Simulator
	h      *vsphere.Hypervisor // cold: without the inventory index
	client *vim25.Client
	vms    int    // VMs in the inventory
	added  int    // VMs added to the model's: bench-0000, bench-0001, ...
	name   string // the name of the added VM in the middle,
	path   string // its inventory path
	id     string // and its managed object id
}

var (
	buildOnce sync.Once
	shared    *inventory
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		ctx := context.Background()
		_ = shared.h.Close(ctx)
		_ = shared.sim.Close()
	}
	os.Exit(code)
}

// large returns the shared inventory, building it on first use.
func large(b *testing.B) *inventory {
	b.Helper()
	buildOnce.Do(func() { shared, buildErr = build(context.Background()) })
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return shared
}

// vmCount is BENCH_VMS, or 1000.
func vmCount() (int, error) {
	s := os.Getenv("BENCH_VMS")
	if s == "" {
		return 1000, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 3 {
		return 0, fmt.Errorf("BENCH_VMS=%q is not a number of at least 3", s)
	}
	return n, nil
}

// build starts a vCenter simulator and adds VMs to it with concurrent
// CreateVM calls: vcsim builds a model's VMs one by one, far more slowly.
func build(ctx context.Context) (*inventory, error) {
	n, err := vmCount()
	if err != nil {
		return nil, err
	}
	sim, err := simulator.Start(simulator.Options{})
	if err != nil {
		return nil, err
	}
	inv := &inventory{sim: sim}
	if inv.client, err = rawClient(ctx, sim); err != nil {
		_ = sim.Close()
		return nil, err
	}
	start := time.Now()
	if err := addVMs(ctx, inv.client, n); err != nil {
		_ = sim.Close()
		return nil, err
	}
	took := time.Since(start)
	if inv.h, err = connect(ctx, sim, false); err != nil {
		_ = sim.Close()
		return nil, err
	}
	inv.vms = n + 4 // and the model's own
	inv.added = n
	inv.name = benchVM(n / 2)
	inv.path = "/DC0/vm/" + inv.name
	vm, err := inv.h.ResolveVM(ctx, domain.VMRef{Kind: domain.RefPath, Value: inv.path}, ports.Current)
	if err != nil {
		_ = inv.h.Close(ctx)
		_ = sim.Close()
		return nil, err
	}
	inv.id = vm.ID
	fmt.Fprintf(os.Stderr, "bench: added %d VMs to the simulator in %s\n", n, took.Round(time.Millisecond))
	return inv, nil
}

// benchVM is the name of the i-th added VM.
func benchVM(i int) string { return fmt.Sprintf("bench-%04d", i) }

// connect connects the adapter to sim, with its inventory index or without.
func connect(ctx context.Context, sim *simulator.Simulator, cache bool) (*vsphere.Hypervisor, error) {
	return vsphere.New(ctx, vsphere.Options{
		Host: sim.URL().String(), User: sim.User(), Password: sim.Password(), CAFile: sim.CAFile(),
		InventoryCache: cache,
	})
}

// indexWait bounds the wait for an inventory index: a build of 10,000 VMs
// takes seconds on a busy machine.
const indexWait = 5 * time.Minute

// warmHypervisor returns a new adapter on inv's simulator with its
// inventory index, once the index is ready and holds every VM. It is closed
// when b ends: an open index makes vcsim collect the whole inventory
// again for every change anywhere (see the package's comment).
func warmHypervisor(b *testing.B, inv *inventory) *vsphere.Hypervisor {
	b.Helper()
	h, err := connect(b.Context(), inv.sim, true)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = h.Close(context.WithoutCancel(b.Context())) })
	waitIndex(b, h, inv)
	return h
}

// waitIndex waits until h's index is ready and holds every VM of inv.
func waitIndex(b *testing.B, h *vsphere.Hypervisor, inv *inventory) {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), indexWait)
	defer cancel()
	if err := h.WaitIndex(ctx); err != nil {
		b.Fatal(err)
	}
	if st := h.IndexStatus(); st.VMs != inv.vms {
		b.Fatalf("the index holds %d VMs, want %d", st.VMs, inv.vms)
	}
}

// rawClient logs in to sim with govmomi alone.
func rawClient(ctx context.Context, sim *simulator.Simulator) (*vim25.Client, error) {
	sc := soap.NewClient(sim.URL(), false)
	if err := sc.SetRootCAs(sim.CAFile()); err != nil {
		return nil, err
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, err
	}
	return c, session.NewManager(c).Login(ctx, url.UserPassword(sim.User(), sim.Password()))
}

// addVMs creates n VMs named bench-NNNN in DC0's VM folder, on its
// cluster, each with a network adapter on "VM Network", with 16 calls at a
// time.
func addVMs(ctx context.Context, c *vim25.Client, n int) error {
	si := object.NewSearchIndex(c)
	find := func(path string) (types.ManagedObjectReference, error) {
		ref, err := si.FindByInventoryPath(ctx, path)
		if err != nil || ref == nil {
			return types.ManagedObjectReference{}, fmt.Errorf("find %s: %v", path, err)
		}
		return ref.Reference(), nil
	}
	folder, err := find("/DC0/vm")
	if err != nil {
		return err
	}
	pool, err := find("/DC0/host/DC0_C0/Resources")
	if err != nil {
		return err
	}
	network, err := find("/DC0/network/VM Network")
	if err != nil {
		return err
	}
	work := make(chan int)
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := range work {
				if err := addVM(ctx, c, folder, pool, network, benchVM(i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	go func() {
		defer close(work)
		for i := range n {
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	return <-errs
}

func addVM(ctx context.Context, c *vim25.Client, folder, pool, network types.ManagedObjectReference, name string) error {
	nic := &types.VirtualVmxnet3{}
	nic.Key = -1
	nic.Backing = &types.VirtualEthernetCardNetworkBackingInfo{
		VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "VM Network"},
		Network:                        &network,
	}
	spec := types.VirtualMachineConfigSpec{
		Name: name, GuestId: "otherGuest64", NumCPUs: 1, MemoryMB: 64,
		Files:        &types.VirtualMachineFileInfo{VmPathName: "[LocalDS_0]"},
		DeviceChange: []types.BaseVirtualDeviceConfigSpec{&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: nic}},
	}
	task, err := object.NewFolder(c, folder).CreateVM(ctx, spec, object.NewResourcePool(c, pool), nil)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}
