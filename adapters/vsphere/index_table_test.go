package vsphere

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

var (
	testRoot   = types.ManagedObjectReference{Type: "Folder", Value: "group-d1"}
	testDC     = types.ManagedObjectReference{Type: "Datacenter", Value: "datacenter-2"}
	testVMs    = types.ManagedObjectReference{Type: "Folder", Value: "group-3"}
	testTeam   = types.ManagedObjectReference{Type: "Folder", Value: "group-9"}
	testHost   = types.ManagedObjectReference{Type: "HostSystem", Value: "host-20"}
	testVMOne  = types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-1"}
	testVMZero = types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-0"}
)

func assign(name string, val any) types.PropertyChange {
	return types.PropertyChange{Name: name, Op: types.PropertyChangeOpAssign, Val: val}
}

func update(kind types.ObjectUpdateKind, obj types.ManagedObjectReference, changes ...types.PropertyChange) types.ObjectUpdate {
	return types.ObjectUpdate{Kind: kind, Obj: obj, ChangeSet: changes}
}

// topologyUpdates are the enters of a datacenter DC0 with the VM folders
// vm and vm/team, and a host.
func topologyUpdates() []types.ObjectUpdate {
	enter := types.ObjectUpdateKindEnter
	return []types.ObjectUpdate{
		update(enter, testDC, assign("name", "DC0"), assign("parent", testRoot)),
		update(enter, testVMs, assign("name", "vm"), assign("parent", testDC)),
		update(enter, testTeam, assign("name", "team"), assign("parent", testVMs)),
		update(enter, testHost, assign("name", "esx-1"), assign("parent", testDC)),
	}
}

func TestStreamApply(t *testing.T) {
	enter, modify, leave := types.ObjectUpdateKindEnter, types.ObjectUpdateKindModify, types.ObjectUpdateKindLeave
	newLoaded := func(t *testing.T) *stream {
		s := newStream(testRoot)
		c := &changes{vms: make(map[string]bool)}
		s.apply(append(topologyUpdates(),
			update(enter, testVMOne, assign("name", "web01"), assign("parent", testVMs),
				assign("runtime.powerState", types.VirtualMachinePowerStatePoweredOn),
				assign("config.hardware.numCPU", int32(2)), assign("runtime.host", testHost))), c)
		require.True(t, c.topology)
		require.Equal(t, map[string]bool{"vm-1": true}, c.vms)
		return s
	}

	t.Run("OKEnter", func(t *testing.T) {
		vm := newLoaded(t).summary("vm-1")
		assert.Equal(t, "/DC0/vm/web01", vm.Path)
		assert.Equal(t, "DC0", vm.Datacenter)
		assert.Equal(t, domain.PoweredOn, vm.PowerState)
		assert.Equal(t, 2, vm.CPU)
		assert.Equal(t, "esx-1", vm.Host)
	})
	t.Run("OKRepeatedEnterReplaces", func(t *testing.T) {
		s := newLoaded(t)
		c := &changes{vms: make(map[string]bool)}
		s.apply([]types.ObjectUpdate{update(enter, testVMOne, assign("name", "web01"), assign("parent", testTeam))}, c)
		vm := s.summary("vm-1")
		assert.Equal(t, "/DC0/vm/team/web01", vm.Path)
		assert.Zero(t, vm.CPU, "an enter carries the whole object: what it lacks is gone")
		assert.Empty(t, vm.PowerState)
		assert.Len(t, s.vms, 1, "one VM, not two")
		assert.False(t, c.topology)
	})
	t.Run("OKModify", func(t *testing.T) {
		s := newLoaded(t)
		c := &changes{vms: make(map[string]bool)}
		s.apply([]types.ObjectUpdate{update(modify, testVMOne,
			assign("runtime.powerState", types.VirtualMachinePowerStatePoweredOff),
			types.PropertyChange{Name: "runtime.host", Op: types.PropertyChangeOpRemove})}, c)
		vm := s.summary("vm-1")
		assert.Equal(t, domain.PoweredOff, vm.PowerState)
		assert.Equal(t, 2, vm.CPU, "a modify keeps what it does not change")
		assert.Empty(t, vm.Host, "a removed property is cleared")
		assert.Equal(t, map[string]bool{"vm-1": true}, c.vms)
	})
	t.Run("OKModifyOfAnUnknownVMAddsIt", func(t *testing.T) {
		s := newLoaded(t)
		c := &changes{vms: make(map[string]bool)}
		s.apply([]types.ObjectUpdate{update(modify, testVMZero, assign("name", "db01"), assign("parent", testVMs))}, c)
		assert.Equal(t, "/DC0/vm/db01", s.summary("vm-0").Path)
		assert.True(t, c.vms["vm-0"])
	})
	t.Run("OKVMWithoutANameIsNotPublished", func(t *testing.T) {
		s := newLoaded(t)
		c := &changes{vms: make(map[string]bool)}
		s.apply([]types.ObjectUpdate{update(enter, testVMZero, assign("parent", testVMs))}, c)
		assert.NotContains(t, s.vms, "vm-0")
		assert.Empty(t, c.vms)
	})
	t.Run("OKLeave", func(t *testing.T) {
		s := newLoaded(t)
		c := &changes{vms: make(map[string]bool)}
		s.apply([]types.ObjectUpdate{
			update(modify, testVMOne, assign("name", "web02")),
			update(leave, testVMOne),
			update(leave, testVMZero), // never seen: nothing to do
		}, c)
		assert.Empty(t, s.vms)
		assert.Empty(t, c.vms, "a VM that left is not also changed")
		assert.Equal(t, []string{"vm-1"}, c.left)
	})
	t.Run("OKTopologyChangeMovesPaths", func(t *testing.T) {
		s := newLoaded(t)
		s.apply([]types.ObjectUpdate{update(enter, testVMOne, assign("name", "web01"), assign("parent", testTeam))}, &changes{vms: make(map[string]bool)})
		require.Equal(t, "/DC0/vm/team/web01", s.summary("vm-1").Path)
		c := &changes{vms: make(map[string]bool)}
		s.apply([]types.ObjectUpdate{update(modify, testTeam, assign("name", "squad"))}, c)
		assert.True(t, c.topology)
		s.forgetPaths()
		assert.Equal(t, "/DC0/vm/squad/web01", s.summary("vm-1").Path)
	})
	t.Run("OKSharedStringsAreInterned", func(t *testing.T) {
		s := newStream(testRoot)
		s.apply(topologyUpdates(), &changes{vms: make(map[string]bool)})
		for i := range 2 {
			ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: fmt.Sprint("vm-", 10+i)}
			s.apply([]types.ObjectUpdate{update(enter, ref, assign("name", fmt.Sprint("vm", i)),
				// Built at run time: each decoded answer holds its own copies.
				assign("parent", types.ManagedObjectReference{Type: "Folder", Value: fmt.Sprint("group-", 3)}),
				assign("config.guestId", fmt.Sprint("otherGuest", 64)))}, &changes{vms: make(map[string]bool)})
		}
		a, b := s.vms["vm-10"], s.vms["vm-11"]
		assert.Equal(t, "otherGuest64", a.guestID)
		assert.Same(t, unsafe.StringData(a.guestID), unsafe.StringData(b.guestID), "one copy of a guest id")
		assert.Same(t, unsafe.StringData(a.parent.Value), unsafe.StringData(b.parent.Value), "one copy of a folder's id")
	})
}

// randomVM returns a VM of a small space of names, paths and power states,
// so that random operations collide.
func randomVM(r *rand.Rand, id string) *domain.VM {
	names := []string{"web01", "web02", "db01", "a/b", "a%2fb"}
	folders := []string{"/DC0/vm/", "/DC0/vm/team/", "/DC1/vm/"}
	states := []domain.PowerState{domain.PoweredOn, domain.PoweredOff, domain.Suspended}
	name := names[r.IntN(len(names))]
	folder := folders[r.IntN(len(folders))]
	return &domain.VM{
		ID: id, Name: domain.EscapeName(name), Path: folder + domain.EscapeName(name),
		Datacenter: folder[1:4], PowerState: states[r.IntN(len(states))],
		Template: r.IntN(5) == 0, Datastores: []string{"ds"},
	}
}

// TestTableAgainstAModel applies random puts and removes to a table and to
// a plain map, with a random overlay of our own writes, and checks that
// every listing and every lookup of the table is what the map gives.
func TestTableAgainstAModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	filters := []domain.ListFilter{
		{}, {IncludeTemplates: true}, {IncludeTemplates: true, Limit: 3}, {PowerState: domain.PoweredOn},
		{NameContains: "WEB"}, {NameContains: "a/b", IncludeTemplates: true}, {Datacenter: "DC1", Limit: 1},
	}
	for round := range 50 {
		model := make(map[string]*domain.VM)
		v := newTable(nil)
		for range 200 {
			id := fmt.Sprint("vm-", r.IntN(40))
			if r.IntN(4) == 0 {
				delete(model, id)
				v.remove(id)
				continue
			}
			vm := randomVM(r, id)
			model[id] = vm
			v.put(vm)
		}
		overlay := make(map[string]overlayEntry)
		for range r.IntN(6) {
			id := fmt.Sprint("vm-", r.IntN(50))
			if r.IntN(3) == 0 {
				overlay[id] = overlayEntry{}
			} else {
				overlay[id] = overlayEntry{vm: randomVM(r, id)}
			}
		}

		require.Len(t, v.sorted, len(model), "round %d", round)
		require.Len(t, v.byID, len(model), "round %d", round)
		require.True(t, slices.IsSortedFunc(v.sorted, compareVMs), "round %d: the listing order holds", round)

		var effective []domain.VM
		for id, vm := range model {
			if _, ours := overlay[id]; !ours {
				effective = append(effective, vm.Clone())
			}
		}
		for _, o := range overlay {
			if o.vm != nil {
				effective = append(effective, o.vm.Clone())
			}
		}
		for _, f := range filters {
			want, wantTotal := f.Apply(slices.Clone(effective))
			got, total := listFrom(v, overlay, f)
			require.Equal(t, wantTotal, total, "round %d, filter %+v", round, f)
			require.Equal(t, len(want), len(got), "round %d, filter %+v", round, f)
			for i := range want {
				require.Equal(t, want[i], got[i], "round %d, filter %+v, VM %d", round, f, i)
			}
		}
		refs := []domain.VMRef{
			domain.NameRef("web01"), domain.NameRef("a/b"), domain.NameRef("a%2fb"), domain.IDRef("vm-7"),
			{Kind: domain.RefID, Value: "vm-3"}, {Kind: domain.RefPath, Value: "/DC0/vm/team/web02"},
		}
		for _, ref := range refs {
			var want []domain.VM
			for _, vm := range effective {
				if ref.Matches(vm) {
					want = append(want, vm)
				}
			}
			domain.SortVMs(want)
			got := candidatesFrom(v, overlay, ref)
			require.Equal(t, len(want), len(got), "round %d, %s", round, ref)
			for i := range want {
				require.Equal(t, want[i], got[i], "round %d, %s", round, ref)
			}
		}
	}
}

func TestListFromCopies(t *testing.T) {
	v := newTable([]*domain.VM{{ID: "vm-1", Name: "a", Path: "/DC0/vm/a", Datastores: []string{"ds1"}}})
	got, _ := listFrom(v, nil, domain.ListFilter{})
	got[0].Datastores[0] = "changed"
	again, _ := listFrom(v, nil, domain.ListFilter{})
	assert.Equal(t, "ds1", again[0].Datastores[0], "a caller cannot change the table through a listing")
}
