package domain

import (
	"cmp"
	"slices"
	"strings"
)

// Matches reports whether vm passes every criterion of f except Limit.
func (f ListFilter) Matches(vm VM) bool {
	if vm.Template && !f.IncludeTemplates {
		return false
	}
	if f.PowerState != "" && !strings.EqualFold(string(vm.PowerState), string(f.PowerState)) {
		return false
	}
	if f.Datacenter != "" && vm.Datacenter != f.Datacenter && vm.Datacenter != EscapeName(f.Datacenter) {
		return false
	}
	return f.NameContains == "" || containsFold(vm.Name, f.NameContains) || containsFold(vm.Name, EscapeName(f.NameContains))
}

// Apply returns the VMs of vms that f selects, sorted by path, and how many
// matched before Limit cut the list.
func (f ListFilter) Apply(vms []VM) (selected []VM, total int) {
	for _, vm := range vms {
		if f.Matches(vm) {
			selected = append(selected, vm)
		}
	}
	SortVMs(selected)
	total = len(selected)
	if f.Limit > 0 && len(selected) > f.Limit {
		selected = selected[:f.Limit:f.Limit]
	}
	return selected, total
}

// SortVMs sorts vms by inventory path, then id: the order of every listing.
func SortVMs(vms []VM) {
	slices.SortFunc(vms, func(a, b VM) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.ID, b.ID))
	})
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
