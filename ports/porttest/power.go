package porttest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
)

var powerTests = []test{
	{"OnThenOff", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("cycle")), 0)
		on, err := e.Hypervisor.PowerOn(e.ctx(t), vm)
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOn, on.PowerState, "PowerOn returns the VM as it is afterwards")
		assert.Equal(t, e.current(t, vm), on, "PowerOn returns the VM as a read finds it afterwards")
		off, err := e.Hypervisor.PowerOff(e.ctx(t), on)
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOff, off.PowerState)
		assert.Equal(t, e.current(t, vm), off, "PowerOff returns the VM as a read finds it afterwards")
	}},
	{"ErrConflictWhenAlreadyOn", func(t *testing.T, e *env) {
		vm := e.powerOn(t, e.create(t, spec(e.name("on")), 0))
		_, err := e.Hypervisor.PowerOn(e.ctx(t), vm)
		requireCode(t, domain.CodeConflict, err)
		assert.Equal(t, domain.PoweredOn, e.current(t, vm).PowerState)
	}},
	{"ErrConflictWhenAlreadyOff", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("off")), 0)
		_, err := e.Hypervisor.PowerOff(e.ctx(t), vm)
		requireCode(t, domain.CodeConflict, err)
		assert.Equal(t, domain.PoweredOff, e.current(t, vm).PowerState)
	}},
	{"ErrConflictForTemplate", func(t *testing.T, e *env) {
		require.NotNil(t, e.MarkAsTemplate, "the fixture must provide MarkAsTemplate")
		vm := e.create(t, spec(e.name("tmpl")), 0)
		e.MarkAsTemplate(t, vm)
		_, err := e.Hypervisor.PowerOn(e.ctx(t), e.current(t, vm))
		require.Error(t, err)
		assert.Contains(t, []domain.Code{domain.CodeConflict, domain.CodeInvalidArgument}, domain.CodeOf(err))
		assert.Equal(t, domain.PoweredOff, e.current(t, vm).PowerState)
	}},
	{"OnResumesSuspended", func(t *testing.T, e *env) {
		require.NotNil(t, e.Suspend, "the fixture must provide Suspend")
		vm := e.powerOn(t, e.create(t, spec(e.name("resume")), 0))
		e.Suspend(t, vm)
		on, err := e.Hypervisor.PowerOn(e.ctx(t), e.current(t, vm))
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOn, on.PowerState)
	}},
	{"OffStopsSuspended", func(t *testing.T, e *env) {
		require.NotNil(t, e.Suspend, "the fixture must provide Suspend")
		vm := e.powerOn(t, e.create(t, spec(e.name("stop")), 0))
		e.Suspend(t, vm)
		off, err := e.Hypervisor.PowerOff(e.ctx(t), e.current(t, vm))
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOff, off.PowerState)
	}},
	{"ShutdownGuest", func(t *testing.T, e *env) {
		require.NotNil(t, e.StartGuestTools, "the fixture must provide StartGuestTools")
		vm := e.powerOn(t, e.create(t, spec(e.name("graceful")), 0))
		e.StartGuestTools(t, vm)
		off, err := e.Hypervisor.ShutdownGuest(e.ctx(t), e.current(t, vm))
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOff, off.PowerState, "ShutdownGuest waits until the VM is off")
		assert.Equal(t, domain.PoweredOff, e.current(t, vm).PowerState)
	}},
	{"ErrConflictShutdownGuestWithoutTools", func(t *testing.T, e *env) {
		vm := e.powerOn(t, e.create(t, spec(e.name("notools")), 0))
		_, err := e.Hypervisor.ShutdownGuest(e.ctx(t), vm)
		requireCode(t, domain.CodeConflict, err)
		assert.Contains(t, err.Error(), "Tools", "the message says the guest tools are missing")
		assert.Equal(t, domain.PoweredOn, e.current(t, vm).PowerState, "the VM stays on")
	}},
	{"ErrConflictShutdownGuestWhenOff", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("off")), 0)
		_, err := e.Hypervisor.ShutdownGuest(e.ctx(t), vm)
		requireCode(t, domain.CodeConflict, err)
	}},
	{"ErrNotFoundWhenGone", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("gone")), 0)
		require.NoError(t, e.Hypervisor.DeleteVM(e.ctx(t), vm))
		_, err := e.Hypervisor.PowerOn(e.ctx(t), vm)
		requireCode(t, domain.CodeNotFound, err, "PowerOn")
		_, err = e.Hypervisor.PowerOff(e.ctx(t), vm)
		requireCode(t, domain.CodeNotFound, err, "PowerOff")
		_, err = e.Hypervisor.ShutdownGuest(e.ctx(t), vm)
		requireCode(t, domain.CodeNotFound, err, "ShutdownGuest")
	}},
}

var statsTests = []test{
	{"PoweredOn", func(t *testing.T, e *env) {
		vm := e.powerOn(t, e.create(t, spec(e.name("busy")), 0))
		st, err := e.Hypervisor.VMStats(e.ctx(t), vm)
		require.NoError(t, err)
		assert.Equal(t, vm.ID, st.VM.ID)
		assert.Equal(t, domain.PoweredOn, st.VM.PowerState)
		assert.WithinDuration(t, time.Now(), st.Timestamp, time.Hour, "the sample is recent")
		assert.Equal(t, 20, st.IntervalSeconds)
		assert.NotEmpty(t, st.Source)
		require.NotNil(t, st.CPU, "a running VM has CPU figures")
		require.NotNil(t, st.Memory, "a running VM has memory figures")
		require.NotNil(t, st.Network, "a running VM has network figures")
		require.NotNil(t, st.Disk, "a running VM has disk figures")
		assert.GreaterOrEqual(t, st.CPU.UsageMHz, int64(0))
		assert.GreaterOrEqual(t, st.CPU.UsagePercent, 0.0)
		assert.Positive(t, st.Memory.GrantedMB, "memory is granted to a running VM")
		assert.GreaterOrEqual(t, st.Memory.UsagePercent, 0.0)
		assert.LessOrEqual(t, st.Memory.UsagePercent, 100.0)
		assert.Positive(t, st.Storage.CommittedBytes+st.Storage.UncommittedBytes, "a VM with a disk uses storage")
	}},
	{"PoweredOffHasStorageOnly", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("idle")), 0)
		st, err := e.Hypervisor.VMStats(e.ctx(t), vm)
		require.NoError(t, err)
		assert.Equal(t, vm.ID, st.VM.ID)
		assert.Nil(t, st.CPU)
		assert.Nil(t, st.Memory)
		assert.Nil(t, st.Network)
		assert.Nil(t, st.Disk)
		assert.Positive(t, st.Storage.CommittedBytes+st.Storage.UncommittedBytes, "a VM with a disk uses storage")
	}},
	{"ErrNotFoundWhenGone", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("gone")), 0)
		require.NoError(t, e.Hypervisor.DeleteVM(e.ctx(t), vm))
		_, err := e.Hypervisor.VMStats(e.ctx(t), vm)
		requireCode(t, domain.CodeNotFound, err)
	}},
}

var concurrencyTests = []test{
	{"FiftyCreatesAllLand", func(t *testing.T, e *env) {
		const n = 50
		at, ctx := e.place(t, 0), e.ctx(t)
		vms := make([]domain.VM, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				vms[i], errs[i] = e.Hypervisor.CreateVM(ctx, spec(e.name(fmt.Sprintf("vm%02d", i))), at)
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] == nil {
				e.cleanup(t, vms[i])
			}
		}
		for i, err := range errs {
			require.NoError(t, err, "create %d", i)
		}
		listed, total, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix})
		require.NoError(t, err)
		assert.Equal(t, n, total)
		seen := make(map[string]bool)
		for _, vm := range listed {
			seen[vm.ID] = true
		}
		assert.Len(t, seen, n, "every VM has its own id")
		for _, vm := range vms {
			assert.True(t, seen[vm.ID], "%s is listed", vm.Name)
		}
	}},
}

var healthTests = []test{
	{"Check", func(t *testing.T, e *env) {
		require.NoError(t, e.Hypervisor.Check(e.ctx(t)))
	}},
}
