package porttest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

var listTests = []test{
	{"AllSortedByPath", func(t *testing.T, e *env) {
		c := e.create(t, spec(e.name("c")), 0)
		a := e.create(t, spec(e.name("a")), 0)
		b := e.create(t, spec(e.name("b")), 0)
		vms, total, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []string{a.ID, b.ID, c.ID}, ids(vms))
	}},
	{"FieldsOfANewVM", func(t *testing.T, e *env) {
		s := spec(e.name("fields"))
		s.CPU, s.MemoryMB, s.GuestID = 2, 128, "ubuntu64Guest"
		vm := e.create(t, s, 0)
		vms, _, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix})
		require.NoError(t, err)
		require.Len(t, vms, 1)
		got := vms[0]
		assert.Equal(t, vm.ID, got.ID)
		assert.Equal(t, s.Name, got.Name)
		assert.Equal(t, e.place(t, 0).VMPath(s.Name), got.Path)
		assert.Equal(t, e.Sites[0].Datacenter, got.Datacenter)
		assert.Equal(t, domain.PoweredOff, got.PowerState)
		assert.Equal(t, 2, got.CPU)
		assert.Equal(t, 128, got.MemoryMB)
		assert.Equal(t, "ubuntu64Guest", got.GuestID)
		assert.Equal(t, []string{e.Sites[0].Datastore}, got.Datastores)
		assert.Equal(t, []string{e.Sites[0].Network}, got.Networks)
		assert.False(t, got.Template)
		assert.True(t, got.Host != "" || got.Cluster != "", "a VM runs on a host or in a cluster")
	}},
	{"NameContainsIgnoresCase", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("MixedCase")), 0)
		e.create(t, spec(e.name("other")), 0)
		vms, total, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: strings.ToUpper(e.prefix + "mixedcase")})
		require.NoError(t, err)
		assert.Equal(t, 1, total)
		assert.Equal(t, []string{vm.ID}, ids(vms))
	}},
	{"PowerState", func(t *testing.T, e *env) {
		on := e.powerOn(t, e.create(t, spec(e.name("on")), 0))
		off := e.create(t, spec(e.name("off")), 0)
		for state, want := range map[domain.PowerState]string{domain.PoweredOn: on.ID, domain.PoweredOff: off.ID} {
			vms, _, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix, PowerState: state})
			require.NoError(t, err)
			assert.Equal(t, []string{want}, ids(vms), "power_state %s", state)
		}
		vms, _, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix, PowerState: domain.Suspended})
		require.NoError(t, err)
		assert.Empty(t, vms)
	}},
	{"Datacenter", func(t *testing.T, e *env) {
		first := e.create(t, spec(e.name("first")), 0)
		second := e.create(t, spec(e.name("second")), 1)
		vms, _, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix, Datacenter: e.Sites[0].Datacenter})
		require.NoError(t, err)
		if e.Sites[0].Datacenter == e.Sites[1].Datacenter {
			assert.Equal(t, sortedIDs(first, second), ids(vms))
		} else {
			assert.Equal(t, []string{first.ID}, ids(vms))
		}
		vms, total, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix, Datacenter: "no-such-datacenter"})
		require.NoError(t, err)
		assert.Empty(t, vms)
		assert.Zero(t, total)
	}},
	{"Templates", func(t *testing.T, e *env) {
		require.NotNil(t, e.MarkAsTemplate, "the fixture must provide MarkAsTemplate")
		tmpl := e.create(t, spec(e.name("tmpl")), 0)
		vm := e.create(t, spec(e.name("vm")), 0)
		e.MarkAsTemplate(t, tmpl)
		vms, _, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix})
		require.NoError(t, err)
		assert.Equal(t, []string{vm.ID}, ids(vms), "templates are left out by default")
		vms, _, err = e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix, IncludeTemplates: true})
		require.NoError(t, err)
		require.Equal(t, sortedIDs(tmpl, vm), ids(vms))
		for _, got := range vms {
			assert.Equal(t, got.ID == tmpl.ID, got.Template, "template flag of %s", got.Name)
		}
	}},
	{"LimitKeepsTotal", func(t *testing.T, e *env) {
		a := e.create(t, spec(e.name("a")), 0)
		b := e.create(t, spec(e.name("b")), 0)
		e.create(t, spec(e.name("c")), 0)
		vms, total, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.prefix, Limit: 2})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []string{a.ID, b.ID}, ids(vms))
	}},
	{"NoMatchIsEmpty", func(t *testing.T, e *env) {
		vms, total, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{NameContains: e.name("nothing-has-this-name")})
		require.NoError(t, err)
		assert.Empty(t, vms)
		assert.Zero(t, total)
	}},
	{"ErrInvalidFilter", func(t *testing.T, e *env) {
		_, _, err := e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{Limit: -1})
		requireCode(t, domain.CodeInvalidArgument, err)
		_, _, err = e.Hypervisor.ListVMs(e.ctx(t), domain.ListFilter{PowerState: "running"})
		requireCode(t, domain.CodeInvalidArgument, err)
	}},
}

var resolveTests = []test{
	{"ByNamePathAndID", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("web")), 0)
		for _, s := range []string{vm.Name, vm.Path, vm.Path + "/", vm.ID, "VirtualMachine:" + vm.ID} {
			for _, c := range []ports.Consistency{ports.Cached, ports.Current} {
				ref, err := domain.ParseVMRef("name", s)
				require.NoError(t, err)
				got, err := e.Hypervisor.ResolveVM(e.ctx(t), ref, c)
				require.NoError(t, err, "ResolveVM(%q, %v)", s, c)
				assert.Equal(t, vm.ID, got.ID, "ResolveVM(%q, %v)", s, c)
				assert.Equal(t, vm.Path, got.Path)
			}
		}
	}},
	{"SpecialCharacters", func(t *testing.T, e *env) {
		raw := e.name("a/b 50% ü")
		vm := e.create(t, spec(raw), 0)
		assert.Equal(t, domain.EscapeName(raw), vm.Name, "names are stored escaped, as vSphere does")
		for _, s := range []string{raw, domain.EscapeName(raw), vm.Path, vm.ID} {
			ref, err := domain.ParseVMRef("name", s)
			require.NoError(t, err)
			got, err := e.Hypervisor.ResolveVM(e.ctx(t), ref, ports.Current)
			require.NoError(t, err, "ResolveVM(%q)", s)
			assert.Equal(t, vm.ID, got.ID)
		}
	}},
	{"ErrNotFound", func(t *testing.T, e *env) {
		dc := "/" + e.Sites[0].Datacenter
		for _, s := range []string{e.name("missing"), dc + "/vm/" + e.name("missing"), "vm-999999999", "VirtualMachine:vm-999999999"} {
			ref, err := domain.ParseVMRef("name", s)
			require.NoError(t, err)
			for _, c := range []ports.Consistency{ports.Cached, ports.Current} {
				_, err = e.Hypervisor.ResolveVM(e.ctx(t), ref, c)
				requireCode(t, domain.CodeNotFound, err, "ResolveVM(%q)", s)
			}
		}
	}},
	{"ErrAmbiguousListsEveryCandidate", func(t *testing.T, e *env) {
		name := e.name("twin")
		one := e.create(t, spec(name), 0)
		two := e.create(t, spec(name), 1)
		require.NotEqual(t, one.Path, two.Path, "the fixture's sites must be distinct folders")
		for _, c := range []ports.Consistency{ports.Cached, ports.Current} {
			_, err := e.Hypervisor.ResolveVM(e.ctx(t), domain.NameRef(name), c)
			requireCode(t, domain.CodeAmbiguous, err)
			cands := domain.AsError(err).Candidates
			require.Len(t, cands, 2)
			got := map[string]string{cands[0].ID: cands[0].Path, cands[1].ID: cands[1].Path}
			assert.Equal(t, map[string]string{one.ID: one.Path, two.ID: two.Path}, got)
			assert.Contains(t, err.Error(), one.Path)
			assert.Contains(t, err.Error(), two.Path)
		}
		for _, vm := range []domain.VM{one, two} {
			got, err := e.Hypervisor.ResolveVM(e.ctx(t), domain.VMRef{Kind: domain.RefPath, Value: vm.Path}, ports.Current)
			require.NoError(t, err, "a path picks one twin")
			assert.Equal(t, vm.ID, got.ID)
		}
	}},
	{"IDLookingNameMatchesBoth", func(t *testing.T, e *env) {
		vm := e.create(t, spec(e.name("x")), 0)
		// A VM named like another VM's id makes that id ambiguous.
		imposter := e.create(t, spec(vm.ID), 0)
		ref, err := domain.ParseVMRef("name", vm.ID)
		require.NoError(t, err)
		_, err = e.Hypervisor.ResolveVM(e.ctx(t), ref, ports.Current)
		requireCode(t, domain.CodeAmbiguous, err)
		got, err := e.Hypervisor.ResolveVM(e.ctx(t), domain.IDRef(vm.ID), ports.Current)
		require.NoError(t, err, "a typed id matches the id only")
		assert.Equal(t, vm.ID, got.ID)
		got, err = e.Hypervisor.ResolveVM(e.ctx(t), domain.IDRef(imposter.ID), ports.Current)
		require.NoError(t, err)
		assert.Equal(t, vm.ID, got.Name)
	}},
}

func ids(vms []domain.VM) []string {
	out := make([]string, len(vms))
	for i, vm := range vms {
		out[i] = vm.ID
	}
	return out
}

// sortedIDs returns the ids of vms in the order of a listing: by path.
func sortedIDs(vms ...domain.VM) []string {
	domain.SortVMs(vms)
	return ids(vms)
}
