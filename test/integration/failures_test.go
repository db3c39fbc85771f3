package integration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

func TestSessionKilledMidRun(t *testing.T) {
	e := newEnv(t, func(o *vsphere.Options) { o.KeepAlive = -1 })
	vm := e.create(t, "survivor", domain.PlacementRequest{})
	e.sim.Admin(t).TerminateSessions(t)
	logins := e.sim.Calls("Login")

	res, err := e.svc.PowerOn(ctx(t), domain.PowerSpec{VM: vm.Name})
	require.NoError(t, err, "the adapter logs in again and goes on")
	assert.Equal(t, domain.PoweredOn, res.VM.PowerState)
	assert.Equal(t, logins+1, e.sim.Calls("Login"), "with one login")

	_, err = e.svc.PowerOff(ctx(t), domain.PowerSpec{VM: vm.Name})
	require.NoError(t, err)
	assert.Equal(t, logins+1, e.sim.Calls("Login"))
	require.NoError(t, e.svc.Check(ctx(t)))
}

func TestSimulatorStoppedAndBack(t *testing.T) {
	e := newEnv(t, func(o *vsphere.Options) { o.KeepAlive = -1 })
	e.sim.Stop()

	_, err := e.svc.ListVMs(ctx(t), domain.ListFilter{})
	requireCode(t, domain.CodeUnavailable, err)
	assert.Contains(t, err.Error(), e.sim.URL().Host)
	requireCode(t, domain.CodeUnavailable, e.svc.Check(ctx(t)), "the readiness check fails")
	_, err = e.svc.CreateVM(ctx(t), domain.CreateSpec{Name: "lost", CPU: 1, MemoryMB: 4})
	requireCode(t, domain.CodeUnavailable, err)

	require.NoError(t, e.sim.Resume())
	require.NoError(t, e.svc.Check(ctx(t)), "the adapter recovers")
	e.create(t, "found", domain.PlacementRequest{})
	res, err := e.svc.ListVMs(ctx(t), domain.ListFilter{NameContains: "lost"})
	require.NoError(t, err)
	assert.Empty(t, res.VMs, "nothing was created while it was down")
}

func TestTaskThatNeverFinishes(t *testing.T) {
	e := newEnv(t, func(o *vsphere.Options) { o.TaskTimeout = 500 * time.Millisecond })
	vm := e.create(t, "stuck", domain.PlacementRequest{})
	stop := e.sim.StallTasks("PowerOnVM_Task")
	defer stop()

	start := time.Now()
	_, err := e.svc.PowerOn(ctx(t), domain.PowerSpec{VM: vm.Name})
	requireCode(t, domain.CodeTimeout, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Contains(t, err.Error(), "PowerOnVM_Task")
	assert.Regexp(t, `task-\d+`, err.Error(), "an operator can follow the task in vCenter")

	stop()
	now, err := e.hv.ResolveVM(ctx(t), domain.IDRef(vm.ID), ports.Current)
	require.NoError(t, err)
	assert.Equal(t, domain.PoweredOff, now.PowerState)
}

func TestWrongPasswordAtStartUp(t *testing.T) {
	e := newEnv(t)
	opts := e.sim.Options()
	opts.Password = "not-the-Pa55word"
	_, err := vsphere.New(ctx(t), opts)
	require.Error(t, err)
	assert.Equal(t, domain.CodeForbidden, domain.CodeOf(err))
	assert.Contains(t, err.Error(), e.sim.URL().Host, "the error names the host")
	assert.NotContains(t, err.Error(), "not-the-Pa55word", "and never the password")
	assert.NotContains(t, err.Error(), e.sim.Password())
}
