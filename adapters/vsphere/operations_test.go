package vsphere_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/object"
	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// newVM creates a small VM at req and deletes it when t ends.
func newVM(t *testing.T, h *vsphere.Hypervisor, name string, req domain.PlacementRequest) domain.VM {
	t.Helper()
	at, err := h.PlaceVM(t.Context(), req)
	require.NoError(t, err)
	vm, err := h.CreateVM(t.Context(), domain.CreateSpec{Name: name, CPU: 1, MemoryMB: 64, DiskGB: 1}.WithDefaults(), at)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
		defer cancel()
		if now, err := h.ResolveVM(ctx, domain.IDRef(vm.ID), ports.Current); err == nil {
			if now.PowerState != domain.PoweredOff {
				_, _ = h.PowerOff(ctx, now)
			}
			_ = h.DeleteVM(ctx, now)
		}
	})
	return vm
}

func TestTasks(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{})

	t.Run("ErrTimeoutNamesTheTask", func(t *testing.T) {
		h := sim.Hypervisor(t, func(o *vsphere.Options) { o.TaskTimeout = 300 * time.Millisecond })
		vm := newVM(t, h, "stuck", domain.PlacementRequest{})
		stop := sim.StallTasks("PowerOnVM_Task")
		defer stop()
		start := time.Now()
		_, err := h.PowerOn(t.Context(), vm)
		requireCode(t, domain.CodeTimeout, err)
		assert.Less(t, time.Since(start), 10*time.Second, "the wait is bounded")
		assert.Contains(t, err.Error(), "PowerOnVM_Task", "the message names the task")
		assert.Regexp(t, `\(task-\d+\)`, err.Error(), "the message holds the task id")
		assert.Contains(t, err.Error(), "task timeout of 300ms")
	})
	t.Run("ErrTimeoutAtTheRequestsDeadline", func(t *testing.T) {
		h := sim.Hypervisor(t)
		vm := newVM(t, h, "late", domain.PlacementRequest{})
		stop := sim.StallTasks("PowerOnVM_Task")
		defer stop()
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		_, err := h.PowerOn(ctx, vm)
		requireCode(t, domain.CodeTimeout, err)
		assert.Contains(t, err.Error(), "request's deadline")
		assert.Regexp(t, `\(task-\d+\)`, err.Error())
	})
}

func TestCreateVM(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{Datacenters: 2})
	h := sim.Hypervisor(t)
	admin := sim.Admin(t)

	t.Run("OKDevicesAndFiles", func(t *testing.T) {
		at, err := h.PlaceVM(t.Context(), domain.PlacementRequest{Datacenter: "DC1", Host: "DC1_H0", Network: "DC1_DVPG0"})
		require.NoError(t, err)
		vm, err := h.CreateVM(t.Context(), domain.CreateSpec{Name: "devices", CPU: 2, MemoryMB: 256, DiskGB: 3}.WithDefaults(), at)
		require.NoError(t, err)
		t.Cleanup(func() { _ = h.DeleteVM(context.WithoutCancel(t.Context()), vm) })

		var mvm mo.VirtualMachine
		require.NoError(t, admin.VM(vm.ID).Properties(t.Context(), admin.VM(vm.ID).Reference(), []string{"config"}, &mvm))
		assert.True(t, strings.HasPrefix(mvm.Config.Files.VmPathName, "[LocalDS_0] "), "files.vmPathName is on the datastore: %s", mvm.Config.Files.VmPathName)
		devices := object.VirtualDeviceList(mvm.Config.Hardware.Device)
		scsi := devices.SelectByType((*types.ParaVirtualSCSIController)(nil))
		require.Len(t, scsi, 1, "one paravirtual SCSI controller")
		disks := devices.SelectByType((*types.VirtualDisk)(nil))
		require.Len(t, disks, 1, "one disk")
		disk := disks[0].(*types.VirtualDisk)
		assert.Equal(t, int64(3)<<30, disk.CapacityInBytes)
		assert.Equal(t, scsi[0].GetVirtualDevice().Key, disk.ControllerKey, "the disk is on the controller")
		backing := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		assert.True(t, *backing.ThinProvisioned, "the disk is thin")
		nics := devices.SelectByType((*types.VirtualVmxnet3)(nil))
		require.Len(t, nics, 1, "one VMXNET3 adapter")
		port, ok := nics[0].(*types.VirtualVmxnet3).Backing.(*types.VirtualEthernetCardDistributedVirtualPortBackingInfo)
		require.True(t, ok, "a distributed port group's backing")
		assert.Equal(t, at.Network.ID, port.Port.PortgroupKey)
		assert.NotEmpty(t, port.Port.SwitchUuid)
	})
	t.Run("OKSpecialCharactersKeepTheirDevices", func(t *testing.T) {
		vm := newVM(t, h, "a/b 50%", domain.PlacementRequest{})
		assert.Equal(t, "a%2fb 50%25", vm.Name)
		var mvm mo.VirtualMachine
		require.NoError(t, admin.VM(vm.ID).Properties(t.Context(), admin.VM(vm.ID).Reference(), []string{"config.hardware.device"}, &mvm))
		devices := object.VirtualDeviceList(mvm.Config.Hardware.Device)
		assert.Len(t, devices.SelectByType((*types.VirtualDisk)(nil)), 1)
		assert.Len(t, devices.SelectByType((*types.VirtualVmxnet3)(nil)), 1)
	})
	t.Run("OKHostChosenWithoutDRS", func(t *testing.T) {
		cluster := object.NewClusterComputeResource(admin.Client.Client, admin.Find(t, "/DC0/host/DC0_C0"))
		task, err := cluster.Reconfigure(t.Context(), &types.ClusterConfigSpecEx{DrsConfig: &types.ClusterDrsConfigInfo{Enabled: types.NewBool(false)}}, true)
		require.NoError(t, err)
		require.NoError(t, task.Wait(t.Context()))

		var mu sync.Mutex
		var host *types.ManagedObjectReference
		stop := sim.Observe(func(m *vcsim.Method) {
			if req, ok := m.Body.(*types.CreateVM_Task); ok {
				mu.Lock()
				host = req.Host
				mu.Unlock()
			}
		})
		vm := newVM(t, h, "no-drs", domain.PlacementRequest{Cluster: "DC0_C0"})
		stop()
		mu.Lock()
		defer mu.Unlock()
		require.NotNil(t, host, "without DRS the adapter names the host")
		assert.Equal(t, "DC0_C0", vm.Cluster)
	})
	t.Run("ErrAlreadyExistsNamesTheFolder", func(t *testing.T) {
		vm := newVM(t, h, "taken", domain.PlacementRequest{})
		at, err := h.PlaceVM(t.Context(), domain.PlacementRequest{})
		require.NoError(t, err)
		_, err = h.CreateVM(t.Context(), domain.CreateSpec{Name: "taken", CPU: 1, MemoryMB: 4}.WithDefaults(), at)
		requireCode(t, domain.CodeAlreadyExists, err)
		assert.Contains(t, err.Error(), "/DC0/vm")
		assert.Contains(t, err.Error(), vm.ID)
	})
}

func TestVMStats(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{})
	h := sim.Hypervisor(t)
	vm, err := h.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM0"), ports.Current)
	require.NoError(t, err)

	t.Run("OKRunning", func(t *testing.T) {
		st, err := h.VMStats(t.Context(), vm)
		require.NoError(t, err)
		assert.Equal(t, "performance_manager", st.Source)
		assert.Equal(t, 20, st.IntervalSeconds)
		assert.WithinDuration(t, time.Now(), st.Timestamp, time.Minute)
		require.NotNil(t, st.CPU)
		assert.InDelta(t, 50, st.CPU.UsagePercent, 50, "a percentage")
		require.NotNil(t, st.Memory)
		assert.Equal(t, int64(vm.MemoryMB), st.Memory.GrantedMB, "vcsim grants nothing: the configured memory")
		assert.InDelta(t, 50, st.Memory.UsagePercent, 50)
		require.NotNil(t, st.Network)
		require.NotNil(t, st.Disk)
		assert.Positive(t, st.Storage.CommittedBytes+st.Storage.UncommittedBytes)
	})
	t.Run("OKCountersLookedUpOncePerSession", func(t *testing.T) {
		h := sim.Hypervisor(t, noKeepAlive)
		var mu sync.Mutex
		lookups := 0
		stop := sim.Observe(func(m *vcsim.Method) {
			if req, ok := m.Body.(*types.RetrievePropertiesEx); ok {
				for _, s := range req.SpecSet {
					for _, o := range s.ObjectSet {
						if o.Obj.Type == "PerformanceManager" {
							mu.Lock()
							lookups++
							mu.Unlock()
						}
					}
				}
			}
		})
		defer stop()
		for range 3 {
			_, err := h.VMStats(t.Context(), vm)
			require.NoError(t, err)
		}
		mu.Lock()
		assert.Equal(t, 1, lookups, "three samples, one lookup of the counters")
		mu.Unlock()

		sim.Admin(t).TerminateSessions(t)
		_, err := h.VMStats(t.Context(), vm)
		require.NoError(t, err)
		mu.Lock()
		assert.Equal(t, 2, lookups, "a new session looks them up again")
		mu.Unlock()
	})
}

func TestCloneVM(t *testing.T) {
	t.Run("ErrStandaloneESXiSaysWhy", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{ESX: true})
		h := sim.Hypervisor(t)
		assert.False(t, h.CanClone())
		vm, err := h.ResolveVM(t.Context(), domain.NameRef("ha-host_VM0"), ports.Current)
		require.NoError(t, err)
		_, err = h.PlaceClone(t.Context(), vm, domain.PlacementRequest{})
		requireCode(t, domain.CodeInvalidArgument, err)
		assert.Contains(t, err.Error(), "cloning needs vCenter")
	})
	t.Run("OKTemplateGetsARootPool", func(t *testing.T) {
		sim := vcsimtest.Start(t, vcsimtest.Options{})
		h := sim.Hypervisor(t)
		src := newVM(t, h, "golden", domain.PlacementRequest{Cluster: "DC0_C0"})
		sim.Admin(t).MarkAsTemplate(t, src.ID)
		tmpl, err := h.ResolveVM(t.Context(), domain.IDRef(src.ID), ports.Current)
		require.NoError(t, err)
		at, err := h.PlaceClone(t.Context(), tmpl, domain.PlacementRequest{})
		require.NoError(t, err)
		assert.Equal(t, "/DC0/host/DC0_C0/Resources", at.ResourcePool.Path, "a template has no pool: its cluster's root pool")
		assert.Equal(t, "/DC0/vm", at.Folder.Path)
		assert.Equal(t, "LocalDS_0", at.Datastore.Name)
	})
}
