// Package bench measures the vSphere adapter against govmomi used
// directly, on a large simulated inventory. Run it with
//
//	go test -run '^$' -bench . -benchmem ./test/bench/...
//
// BENCH_VMS sets the number of VMs added to the simulator (1000 by
// default). Plain `go test` only compiles the benchmarks.
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
)

// inventory is a simulator holding many VMs, the adapter connected to it,
// and a raw govmomi client of it. It is built once per process, by the
// first benchmark that needs it, and closed by TestMain.
type inventory struct {
	sim    *simulator.Simulator
	h      *vsphere.Hypervisor
	client *vim25.Client
	vms    int    // VMs in the inventory
	path   string // the inventory path of one of the added VMs
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
	if err != nil || n < 1 {
		return 0, fmt.Errorf("BENCH_VMS=%q is not a positive number", s)
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
	inv.h, err = vsphere.New(ctx, vsphere.Options{Host: sim.URL().String(), User: sim.User(), Password: sim.Password(), CAFile: sim.CAFile()})
	if err != nil {
		_ = sim.Close()
		return nil, err
	}
	inv.vms = n + 4 // and the model's own
	inv.path = fmt.Sprintf("/DC0/vm/bench-%04d", n/2)
	fmt.Fprintf(os.Stderr, "bench: added %d VMs to the simulator in %s\n", n, time.Since(start).Round(time.Millisecond))
	return inv, nil
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
				if err := addVM(ctx, c, folder, pool, network, fmt.Sprintf("bench-%04d", i)); err != nil {
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
