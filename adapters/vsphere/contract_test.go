package vsphere_test

import (
	"testing"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/ports/porttest"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// withIndex turns the inventory index on.
func withIndex(o *vsphere.Options) { o.InventoryCache = true }

// TestContract runs the port's contract suite on govmomi's simulator: a
// vCenter with two datacenters, and a standalone ESXi host, which cannot
// clone, both with the inventory index, whose Cached reads right after
// each mutation prove that the adapter reads its own writes; and the
// vCenter without it, where every read asks vCenter. See vcenter_test.go
// for a real vCenter.
func TestContract(t *testing.T) {
	t.Run("VPX", func(t *testing.T) {
		porttest.Run(t, vcsimtest.Fixtures(t, vcsimtest.VPX, withIndex))
	})
	t.Run("ESX", func(t *testing.T) {
		porttest.Run(t, vcsimtest.Fixtures(t, vcsimtest.ESX, withIndex))
	})
	t.Run("VPXWithoutIndex", func(t *testing.T) {
		porttest.Run(t, vcsimtest.Fixtures(t, vcsimtest.VPX))
	})
}
