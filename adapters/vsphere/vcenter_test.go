package vsphere_test

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports/porttest"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// TestContractOnVCenter runs the contract suite on a real vCenter, only
// when VSPHERE_TEST_URL is set. The suite creates small, empty VMs with
// names starting "pt-", and deletes them. The environment:
//
//	VSPHERE_TEST_URL       https://user:password@vcenter.example.com/sdk
//	VSPHERE_TEST_CA_FILE   PEM bundle that verifies vCenter's certificate, or
//	VSPHERE_TEST_INSECURE  "true" to skip the verification
//	VSPHERE_TEST_SITE0     the first site, such as
//	                       "datacenter=DC0;cluster=Cluster;datastore=ds1;network=VM Network"
//	VSPHERE_TEST_SITE1     the second site: another datacenter, or another
//	                       folder of the first ("datacenter=DC0;folder=esximcp-test;...")
//	VSPHERE_TEST_DEFAULTS  what PlaceVM must choose for an empty request:
//	                       "datacenter=DC0;datastore=ds1;network=VM Network"
//
// Site keys are datacenter, folder, cluster, host, datastore and network.
// The ShutdownGuest behaviour needs a guest OS with VMware Tools, which
// the suite's empty VMs do not have: it is skipped.
func TestContractOnVCenter(t *testing.T) {
	raw := os.Getenv("VSPHERE_TEST_URL")
	if raw == "" {
		t.Skip("VSPHERE_TEST_URL is not set: no real vCenter to test")
	}
	u, err := url.Parse(raw)
	require.NoError(t, err, "VSPHERE_TEST_URL")
	opts := vsphere.Options{
		Host:     raw,
		CAFile:   os.Getenv("VSPHERE_TEST_CA_FILE"),
		Insecure: os.Getenv("VSPHERE_TEST_INSECURE") == "true",
	}
	sites := [2]domain.PlacementRequest{site(t, "VSPHERE_TEST_SITE0"), site(t, "VSPHERE_TEST_SITE1")}
	defaults := site(t, "VSPHERE_TEST_DEFAULTS")
	h := vcsimtest.Connect(t, opts)
	admin := vcsimtest.NewAdmin(t, u, opts.CAFile)
	porttest.Run(t, func(t *testing.T) *porttest.Fixture {
		return &porttest.Fixture{
			Hypervisor:  h,
			Sites:       sites,
			Defaults:    porttest.Defaults{Datacenter: defaults.Datacenter, Datastore: defaults.Datastore, Network: defaults.Network},
			CannotClone: !h.CanClone(),
			MarkAsTemplate: func(t *testing.T, vm domain.VM) {
				admin.MarkAsTemplate(t, vm.ID)
			},
			Suspend: func(t *testing.T, vm domain.VM) {
				admin.Suspend(t, vm.ID)
			},
			StartGuestTools: func(t *testing.T, _ domain.VM) {
				t.Skip("the suite's VMs have no guest OS, hence no VMware Tools, on a real vCenter")
			},
		}
	})
}

// site reads a placement request from the environment variable name.
func site(t *testing.T, name string) domain.PlacementRequest {
	t.Helper()
	var r domain.PlacementRequest
	for kv := range strings.SplitSeq(os.Getenv(name), ";") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		require.True(t, ok, "%s: %q is not key=value", name, kv)
		switch strings.TrimSpace(k) {
		case "datacenter":
			r.Datacenter = v
		case "folder":
			r.Folder = v
		case "cluster":
			r.Cluster = v
		case "host":
			r.Host = v
		case "datastore":
			r.Datastore = v
		case "network":
			r.Network = v
		default:
			t.Fatalf("%s: unknown key %q", name, k)
		}
	}
	require.NotEmpty(t, r.Datacenter, "%s must name a datacenter", name)
	return r
}
