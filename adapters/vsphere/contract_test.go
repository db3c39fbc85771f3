package vsphere_test

import (
	"testing"

	"github.com/esximcp/esximcp/ports/porttest"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// TestContract runs the port's contract suite on govmomi's simulator: a
// vCenter with two datacenters, and a standalone ESXi host, which cannot
// clone. See vcenter_test.go for a real vCenter.
func TestContract(t *testing.T) {
	t.Run("VPX", func(t *testing.T) {
		porttest.Run(t, vcsimtest.Fixtures(t, vcsimtest.VPX))
	})
	t.Run("ESX", func(t *testing.T) {
		porttest.Run(t, vcsimtest.Fixtures(t, vcsimtest.ESX))
	})
}
