package vsphere

import (
	"cmp"
	"slices"
	"strings"

	"github.com/esximcp/esximcp/domain"
)

// table is the index's picture of every VM as the stream of updates has it:
// summaries by id, by name (as vSphere stores it, escaped) and by path, and
// in the order of a listing, so that a listing neither sorts nor computes
// anything. Published summaries are never changed, only replaced: a reader
// may copy one while holding index.mu for reading. Only the index's loop
// changes a table, holding index.mu.
type table struct {
	byID   map[string]*domain.VM
	byName map[string][]*domain.VM
	byPath map[string][]*domain.VM
	sorted []*domain.VM // by path, then id: domain.SortVMs's order
}

// newTable returns the table of vms, which it sorts.
func newTable(vms []*domain.VM) *table {
	v := &table{
		byID:   make(map[string]*domain.VM, len(vms)),
		byName: make(map[string][]*domain.VM, len(vms)),
		byPath: make(map[string][]*domain.VM, len(vms)),
		sorted: vms,
	}
	slices.SortFunc(v.sorted, compareVMs)
	for _, vm := range vms {
		v.byID[vm.ID] = vm
		v.key(vm)
	}
	return v
}

// compareVMs orders VMs as domain.SortVMs does.
func compareVMs(a, b *domain.VM) int {
	return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.ID, b.ID))
}

// key adds vm to the name and path maps.
func (v *table) key(vm *domain.VM) {
	v.byName[vm.Name] = append(v.byName[vm.Name], vm)
	if vm.Path != "" {
		v.byPath[vm.Path] = append(v.byPath[vm.Path], vm)
	}
}

// unkey removes vm from the name and path maps.
func (v *table) unkey(vm *domain.VM) {
	drop := func(m map[string][]*domain.VM, k string) {
		list := slices.DeleteFunc(m[k], func(o *domain.VM) bool { return o == vm })
		if len(list) == 0 {
			delete(m, k)
		} else {
			m[k] = list
		}
	}
	drop(v.byName, vm.Name)
	if vm.Path != "" {
		drop(v.byPath, vm.Path)
	}
}

// put adds vm, or replaces the VM of its id. It costs a binary search and,
// when the VM is new or moved, shifting the pointers of the sorted list.
func (v *table) put(vm *domain.VM) {
	old := v.byID[vm.ID]
	v.byID[vm.ID] = vm
	if old != nil {
		v.unkey(old)
		if i, found := slices.BinarySearchFunc(v.sorted, old, compareVMs); found {
			if old.Path == vm.Path {
				v.sorted[i] = vm
				v.key(vm)
				return
			}
			v.sorted = slices.Delete(v.sorted, i, i+1)
		}
	}
	v.key(vm)
	i, _ := slices.BinarySearchFunc(v.sorted, vm, compareVMs)
	v.sorted = slices.Insert(v.sorted, i, vm)
}

// remove removes the VM of id, if there is one.
func (v *table) remove(id string) {
	old := v.byID[id]
	if old == nil {
		return
	}
	delete(v.byID, id)
	v.unkey(old)
	if i, found := slices.BinarySearchFunc(v.sorted, old, compareVMs); found {
		v.sorted = slices.Delete(v.sorted, i, i+1)
	}
}

// candidates appends to out the VMs of v that ref may name: by path, by id
// and by name, raw and escaped. ref.Pick makes the final choice.
func (v *table) candidates(ref domain.VMRef, out []*domain.VM) []*domain.VM {
	switch ref.Kind {
	case domain.RefPath:
		return append(out, v.byPath[ref.Value]...)
	case domain.RefID:
		if vm := v.byID[ref.Value]; vm != nil {
			out = append(out, vm)
		}
		if ref.Exact {
			return out
		}
	}
	out = append(out, v.byName[ref.Value]...)
	if esc := domain.EscapeName(ref.Value); esc != ref.Value {
		out = append(out, v.byName[esc]...)
	}
	return out
}

// overlayEntry is a VM as one of our own mutations left it, read directly
// from vCenter: it hides the table's entry until the stream has caught up
// with it. vm is nil for a VM we deleted.
type overlayEntry struct {
	vm    *domain.VM
	clock uint64 // the index's clock when the read returned
}

// listFrom returns the VMs of v, as hidden or added by overlay, that f
// selects, sorted, at most f.Limit of them, and how many matched: what
// f.Apply returns for the whole inventory. Only the selected VMs are
// copied.
func listFrom(v *table, overlay map[string]overlayEntry, f domain.ListFilter) ([]domain.VM, int) {
	var ours, picked []*domain.VM
	for _, o := range overlay {
		if o.vm != nil && f.Matches(*o.vm) {
			ours = append(ours, o.vm)
		}
	}
	slices.SortFunc(ours, compareVMs)
	for _, vm := range v.sorted {
		if _, hidden := overlay[vm.ID]; hidden || !f.Matches(*vm) {
			continue
		}
		for len(ours) > 0 && compareVMs(ours[0], vm) < 0 {
			picked, ours = append(picked, ours[0]), ours[1:]
		}
		picked = append(picked, vm)
	}
	picked = append(picked, ours...)
	total := len(picked)
	if f.Limit > 0 && len(picked) > f.Limit {
		picked = picked[:f.Limit]
	}
	out := make([]domain.VM, len(picked))
	for i, vm := range picked {
		out[i] = vm.Clone()
	}
	return out, total
}

// candidatesFrom returns copies of the VMs of v, as hidden or added by
// overlay, that ref may name, sorted as a listing is.
func candidatesFrom(v *table, overlay map[string]overlayEntry, ref domain.VMRef) []domain.VM {
	var found []*domain.VM
	for _, vm := range v.candidates(ref, nil) {
		if _, hidden := overlay[vm.ID]; !hidden {
			found = append(found, vm)
		}
	}
	for _, o := range overlay {
		if o.vm != nil && ref.Matches(*o.vm) {
			found = append(found, o.vm)
		}
	}
	slices.SortFunc(found, compareVMs)
	out := make([]domain.VM, 0, len(found))
	for _, vm := range found {
		if len(out) == 0 || out[len(out)-1].ID != vm.ID {
			out = append(out, vm.Clone())
		}
	}
	return out
}
