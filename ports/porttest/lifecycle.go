package porttest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

var createTests = []test{
	{"WithDefaults", func(t *testing.T, e *env) {
		s := spec(e.name("defaults"))
		vm := e.create(t, s, -1)
		assert.Equal(t, s.Name, vm.Name)
		assert.Equal(t, "/"+e.Defaults.Datacenter+"/vm/"+s.Name, vm.Path)
		assert.Equal(t, e.Defaults.Datacenter, vm.Datacenter)
		assert.Equal(t, domain.PoweredOff, vm.PowerState, "a new VM is powered off")
		assert.Equal(t, []string{e.Defaults.Datastore}, vm.Datastores)
		if e.Defaults.Network != "" {
			assert.Equal(t, []string{e.Defaults.Network}, vm.Networks)
		}
		assert.Equal(t, domain.DefaultGuestID, vm.GuestID)
		assert.Equal(t, vm, e.current(t, vm), "CreateVM returns the VM as the hypervisor has it")
	}},
	{"WithExplicitPlacement", func(t *testing.T, e *env) {
		s := spec(e.name("explicit"))
		s.CPU, s.MemoryMB, s.DiskGB, s.GuestID = 4, 2048, 20, "rhel9_64Guest"
		vm := e.create(t, s, 1)
		assert.Equal(t, e.place(t, 1).VMPath(s.Name), vm.Path)
		assert.Equal(t, e.Sites[1].Datacenter, vm.Datacenter)
		assert.Equal(t, []string{e.Sites[1].Datastore}, vm.Datastores)
		assert.Equal(t, []string{e.Sites[1].Network}, vm.Networks)
		assert.Equal(t, 4, vm.CPU)
		assert.Equal(t, 2048, vm.MemoryMB)
		assert.Equal(t, "rhel9_64Guest", vm.GuestID)
	}},
	{"ErrVanishedDatastoreCreatesNothing", func(t *testing.T, e *env) {
		at := e.place(t, 0)
		at.Datastore = domain.ObjectRef{ID: "datastore-999999999", Name: "vanished", Path: "/" + e.Sites[0].Datacenter + "/datastore/vanished"}
		requireCreatesNothing(t, e, at)
	}},
	{"ErrVanishedNetworkCreatesNothing", func(t *testing.T, e *env) {
		at := e.place(t, 0)
		at.Network = domain.ObjectRef{ID: "network-999999999", Name: "vanished", Path: "/" + e.Sites[0].Datacenter + "/network/vanished"}
		requireCreatesNothing(t, e, at)
	}},
	{"ErrAlreadyExistsInFolder", func(t *testing.T, e *env) {
		s := spec(e.name("dup"))
		first := e.create(t, s, 0)
		_, err := e.Hypervisor.CreateVM(e.ctx(t), s, e.place(t, 0))
		requireCode(t, domain.CodeAlreadyExists, err)
		vms, _, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix, IncludeTemplates: true})
		require.NoError(t, err)
		assert.Equal(t, []string{first.ID}, ids(vms), "the first VM is the only one")
	}},
}

// requireCreatesNothing asserts that CreateVM at a placement with a
// vanished object fails with not_found and leaves nothing behind.
func requireCreatesNothing(t *testing.T, e *env, at domain.Placement) {
	t.Helper()
	s := spec(e.name("never"))
	before, beforeTotal, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{IncludeTemplates: true})
	require.NoError(t, err)
	vm, err := e.Hypervisor.CreateVM(e.ctx(t), s, at)
	if err == nil {
		e.cleanup(t, vm)
	}
	requireCode(t, domain.CodeNotFound, err)
	after, afterTotal, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{IncludeTemplates: true})
	require.NoError(t, err)
	assert.Equal(t, beforeTotal, afterTotal)
	assert.Equal(t, ids(before), ids(after))
	_, err = e.Hypervisor.ResolveVM(e.ctx(t), domain.NameRef(s.Name), ports.Current)
	requireCode(t, domain.CodeNotFound, err)
}

var cloneTests = []test{
	{"KeepsSourceShape", func(t *testing.T, e *env) {
		s := spec(e.name("src"))
		s.CPU, s.MemoryMB, s.GuestID = 2, 256, "ubuntu64Guest"
		src := e.create(t, s, 1)
		at, err := e.Hypervisor.PlaceClone(e.ctx(t), src, domain.PlacementRequest{})
		if e.CannotClone {
			requireCode(t, domain.CodeInvalidArgument, err)
			return
		}
		require.NoError(t, err)
		assert.Equal(t, e.place(t, 1).Folder.ID, at.Folder.ID, "a clone goes to its source's folder")
		assert.Equal(t, src.Datastores[0], at.Datastore.Name, "a clone keeps its source's datastore")
		assert.NotEmpty(t, at.ResourcePool.ID)

		clone, err := e.Hypervisor.CloneVM(e.ctx(t), src, e.name("copy"), at)
		require.NoError(t, err)
		e.cleanup(t, clone)
		assert.NotEqual(t, src.ID, clone.ID)
		assert.Equal(t, e.name("copy"), clone.Name)
		assert.Equal(t, at.VMPath(e.name("copy")), clone.Path)
		assert.Equal(t, domain.PoweredOff, clone.PowerState)
		assert.Equal(t, src.CPU, clone.CPU)
		assert.Equal(t, src.MemoryMB, clone.MemoryMB)
		assert.Equal(t, src.GuestID, clone.GuestID)
		assert.Equal(t, src.Datastores, clone.Datastores)
		assert.Equal(t, src.Networks, clone.Networks)
		assert.Equal(t, src.Datacenter, clone.Datacenter)
		assert.Equal(t, src, e.current(t, src), "the source is unchanged")
	}},
	{"FromTemplate", func(t *testing.T, e *env) {
		require.NotNil(t, e.MarkAsTemplate, "the fixture must provide MarkAsTemplate")
		tmpl := e.create(t, spec(e.name("tmpl")), 0)
		e.MarkAsTemplate(t, tmpl)
		tmpl = e.current(t, tmpl)
		require.True(t, tmpl.Template)
		at, err := e.Hypervisor.PlaceClone(e.ctx(t), tmpl, domain.PlacementRequest{})
		if e.CannotClone {
			requireCode(t, domain.CodeInvalidArgument, err)
			return
		}
		require.NoError(t, err)
		clone, err := e.Hypervisor.CloneVM(e.ctx(t), tmpl, e.name("fromtmpl"), at)
		require.NoError(t, err)
		e.cleanup(t, clone)
		assert.False(t, clone.Template, "a clone of a template is a VM")
		assert.Equal(t, domain.PoweredOff, clone.PowerState)
		assert.Equal(t, tmpl.CPU, clone.CPU)
	}},
	{"ToExplicitFolder", func(t *testing.T, e *env) {
		src := e.create(t, spec(e.name("src")), 0)
		target := e.place(t, 0).Folder
		if e.Sites[0].Datacenter == e.Sites[1].Datacenter {
			target = e.place(t, 1).Folder
		}
		at, err := e.Hypervisor.PlaceClone(e.ctx(t), src, domain.PlacementRequest{Folder: target.Path})
		if e.CannotClone {
			requireCode(t, domain.CodeInvalidArgument, err)
			return
		}
		require.NoError(t, err)
		assert.Equal(t, target.ID, at.Folder.ID)
		_, err = e.Hypervisor.PlaceClone(e.ctx(t), src, domain.PlacementRequest{Datastore: "no-such-datastore"})
		requireCode(t, domain.CodeNotFound, err)
	}},
	{"ErrCannotCloneCreatesNothing", func(t *testing.T, e *env) {
		if !e.CannotClone {
			// A hypervisor that clones must refuse a name taken in the folder.
			src := e.create(t, spec(e.name("src")), 0)
			at, err := e.Hypervisor.PlaceClone(e.ctx(t), src, domain.PlacementRequest{})
			require.NoError(t, err)
			_, err = e.Hypervisor.CloneVM(e.ctx(t), src, src.Name, at)
			requireCode(t, domain.CodeAlreadyExists, err)
			return
		}
		src := e.create(t, spec(e.name("src")), 0)
		_, err := e.Hypervisor.CloneVM(e.ctx(t), src, e.name("copy"), e.place(t, 0))
		requireCode(t, domain.CodeInvalidArgument, err)
		_, err = e.Hypervisor.ResolveVM(e.ctx(t), domain.NameRef(e.name("copy")), ports.Current)
		requireCode(t, domain.CodeNotFound, err)
	}},
}

var deleteTests = []test{
	{"PoweredOff", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("doomed")), 0)
		require.NoError(t, e.Hypervisor.DeleteVM(e.ctx(t), vm))
		for _, c := range []ports.Consistency{ports.Current, ports.Cached} {
			_, err := e.Hypervisor.ResolveVM(e.ctx(t), domain.IDRef(vm.ID), c)
			requireCode(t, domain.CodeNotFound, err, "a deleted VM is gone")
		}
		vms, _, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix, IncludeTemplates: true})
		require.NoError(t, err)
		assert.Empty(t, vms)
	}},
	{"Template", func(t *testing.T, e *env) {
		require.NotNil(t, e.MarkAsTemplate, "the fixture must provide MarkAsTemplate")
		vm := e.create(t, spec(e.name("tmpl")), 0)
		e.MarkAsTemplate(t, vm)
		require.NoError(t, e.Hypervisor.DeleteVM(e.ctx(t), e.current(t, vm)))
		_, err := e.Hypervisor.ResolveVM(e.ctx(t), domain.IDRef(vm.ID), ports.Current)
		requireCode(t, domain.CodeNotFound, err)
	}},
	{"ErrConflictWhenPoweredOn", func(t *testing.T, e *env) {
		vm := e.powerOn(t, e.create(t, spec(e.name("running")), 0))
		err := e.Hypervisor.DeleteVM(e.ctx(t), vm)
		requireCode(t, domain.CodeConflict, err)
		assert.Equal(t, domain.PoweredOn, e.current(t, vm).PowerState, "the VM is untouched")
	}},
	{"ErrConflictWhenSuspended", func(t *testing.T, e *env) {
		require.NotNil(t, e.Suspend, "the fixture must provide Suspend")
		vm := e.powerOn(t, e.create(t, spec(e.name("sleeping")), 0))
		e.Suspend(t, vm)
		err := e.Hypervisor.DeleteVM(e.ctx(t), e.current(t, vm))
		requireCode(t, domain.CodeConflict, err)
		assert.Equal(t, domain.Suspended, e.current(t, vm).PowerState, "the VM is untouched")
	}},
	{"ErrNotFoundWhenGone", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("once")), 0)
		require.NoError(t, e.Hypervisor.DeleteVM(e.ctx(t), vm))
		requireCode(t, domain.CodeNotFound, e.Hypervisor.DeleteVM(e.ctx(t), vm))
	}},
}
