package vcsimtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The methods in this file arrange situations as an administrator would in
// the vSphere Client, through the Admin's own session.

// VM returns the VM whose managed object id is id.
func (a *Admin) VM(id string) *object.VirtualMachine {
	return object.NewVirtualMachine(a.Client.Client, types.ManagedObjectReference{Type: "VirtualMachine", Value: id})
}

// MarkAsTemplate turns the powered-off VM id into a template.
func (a *Admin) MarkAsTemplate(t testing.TB, id string) {
	t.Helper()
	ctx, cancel := ctx(t)
	defer cancel()
	require.NoError(t, a.VM(id).MarkAsTemplate(ctx), "mark %s as a template", id)
}

// task starts a task with start and waits until it has succeeded, failing
// t with what otherwise.
func task(t testing.TB, what string, start func(context.Context) (*object.Task, error)) {
	t.Helper()
	ctx, cancel := ctx(t)
	defer cancel()
	started, err := start(ctx)
	require.NoError(t, err, what)
	require.NoError(t, started.Wait(ctx), what)
}

// Suspend suspends the powered-on VM id.
func (a *Admin) Suspend(t testing.TB, id string) {
	t.Helper()
	task(t, "suspend "+id, a.VM(id).Suspend)
}

// PowerOn powers the VM id on.
func (a *Admin) PowerOn(t testing.TB, id string) {
	t.Helper()
	task(t, "power on "+id, a.VM(id).PowerOn)
}

// PowerOff powers the VM id off.
func (a *Admin) PowerOff(t testing.TB, id string) {
	t.Helper()
	task(t, "power off "+id, a.VM(id).PowerOff)
}

// SetGuestInfo sets properties of the VM id the way vcsim lets a test do
// it: an ExtraConfig key "SET.<property path>" sets that property. For
// example "guest.toolsRunningStatus": "guestToolsRunning" makes VMware
// Tools run, "guest.ipAddress": "10.0.0.5" gives the guest an address. A
// real vCenter keeps such keys as inert ExtraConfig.
func (a *Admin) SetGuestInfo(t testing.TB, id string, props map[string]string) {
	t.Helper()
	var opts []types.BaseOptionValue
	for k, v := range props {
		opts = append(opts, &types.OptionValue{Key: "SET." + k, Value: v})
	}
	task(t, "reconfigure "+id, func(ctx context.Context) (*object.Task, error) {
		return a.VM(id).Reconfigure(ctx, types.VirtualMachineConfigSpec{ExtraConfig: opts})
	})
}

// StartGuestTools makes the VMware Tools of the VM id run (vcsim only).
func (a *Admin) StartGuestTools(t testing.TB, id string) {
	t.Helper()
	a.SetGuestInfo(t, id, map[string]string{"guest.toolsRunningStatus": string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)})
}

// TerminateSessions ends every session but the Admin's own, as an
// administrator would in the vSphere Client (Administration > Sessions).
// It returns how many it ended.
func (a *Admin) TerminateSessions(t testing.TB) int {
	t.Helper()
	ctx, cancel := ctx(t)
	defer cancel()
	var sm mo.SessionManager
	pc := property.DefaultCollector(a.Client.Client)
	require.NoError(t, pc.RetrieveOne(ctx, *a.Client.ServiceContent.SessionManager, []string{"sessionList", "currentSession"}, &sm))
	var keys []string
	for _, s := range sm.SessionList {
		if sm.CurrentSession == nil || s.Key != sm.CurrentSession.Key {
			keys = append(keys, s.Key)
		}
	}
	if len(keys) > 0 {
		require.NoError(t, a.SessionManager.TerminateSession(ctx, keys), "terminate %d sessions", len(keys))
	}
	return len(keys)
}

// CreateFolder creates the folder name in the folder parent (an inventory
// path) and returns its path.
func (a *Admin) CreateFolder(t testing.TB, parent, name string) string {
	t.Helper()
	ctx, cancel := ctx(t)
	defer cancel()
	ref, err := object.NewSearchIndex(a.Client.Client).FindByInventoryPath(ctx, parent)
	require.NoError(t, err, "find %s", parent)
	require.NotNil(t, ref, "no folder %s", parent)
	_, err = object.NewFolder(a.Client.Client, ref.Reference()).CreateFolder(ctx, name)
	require.NoError(t, err, "create folder %s/%s", parent, name)
	return parent + "/" + name
}

// Find returns the reference of the object at an inventory path.
func (a *Admin) Find(t testing.TB, path string) types.ManagedObjectReference {
	t.Helper()
	ctx, cancel := ctx(t)
	defer cancel()
	ref, err := object.NewSearchIndex(a.Client.Client).FindByInventoryPath(ctx, path)
	require.NoError(t, err, "find %s", path)
	require.NotNil(t, ref, "nothing at %s", path)
	return ref.Reference()
}

// CreateVM creates a small powered-off VM name in the folder at the
// inventory path folder, in the resource pool at the path pool, with no
// devices, as another vSphere client would, and returns its id.
func (a *Admin) CreateVM(t testing.TB, folder, pool, name string) string {
	t.Helper()
	ctx, cancel := ctx(t)
	defer cancel()
	f := object.NewFolder(a.Client.Client, a.Find(t, folder))
	p := object.NewResourcePool(a.Client.Client, a.Find(t, pool))
	spec := types.VirtualMachineConfigSpec{
		Name: name, GuestId: "otherGuest64", NumCPUs: 1, MemoryMB: 64,
		Files: &types.VirtualMachineFileInfo{VmPathName: "[LocalDS_0]"},
	}
	task, err := f.CreateVM(ctx, spec, p, nil)
	require.NoError(t, err, "create VM %s in %s", name, folder)
	info, err := task.WaitForResult(ctx)
	require.NoError(t, err, "create VM %s in %s", name, folder)
	return info.Result.(types.ManagedObjectReference).Value
}

// Rename renames the VM id.
func (a *Admin) Rename(t testing.TB, id, name string) {
	t.Helper()
	task(t, "rename "+id+" to "+name, func(ctx context.Context) (*object.Task, error) {
		return a.VM(id).Rename(ctx, name)
	})
}

// Move moves the VM id into the folder at the inventory path folder.
func (a *Admin) Move(t testing.TB, id, folder string) {
	t.Helper()
	f := object.NewFolder(a.Client.Client, a.Find(t, folder))
	task(t, "move "+id+" into "+folder, func(ctx context.Context) (*object.Task, error) {
		return f.MoveInto(ctx, []types.ManagedObjectReference{a.VM(id).Reference()})
	})
}

// RenameObject renames the managed entity at the inventory path path (a
// folder, say) to name.
func (a *Admin) RenameObject(t testing.TB, path, name string) {
	t.Helper()
	e := object.NewCommon(a.Client.Client, a.Find(t, path))
	task(t, "rename "+path+" to "+name, func(ctx context.Context) (*object.Task, error) {
		return e.Rename(ctx, name)
	})
}

// Destroy deletes the powered-off VM id.
func (a *Admin) Destroy(t testing.TB, id string) {
	t.Helper()
	task(t, "destroy "+id, a.VM(id).Destroy)
}
