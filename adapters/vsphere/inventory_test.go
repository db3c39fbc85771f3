package vsphere_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vcsim "github.com/vmware/govmomi/simulator"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// countCalls counts the SOAP calls the simulator serves, by method, until
// the returned function is called.
func countCalls(sim *vcsimtest.Sim) (stop func() map[string]int) {
	var mu sync.Mutex
	calls := make(map[string]int)
	end := sim.Observe(func(m *vcsim.Method) {
		mu.Lock()
		defer mu.Unlock()
		calls[m.Name]++
	})
	return func() map[string]int {
		end()
		mu.Lock()
		defer mu.Unlock()
		return calls
	}
}

func TestListVMs(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{Datacenters: 2})
	h := sim.Hypervisor(t)

	t.Run("OKTheModelsVMs", func(t *testing.T) {
		vms, total, err := h.ListVMs(t.Context(), domain.ListFilter{})
		require.NoError(t, err)
		assert.Equal(t, 8, total, "two datacenters of four VMs")
		byName := make(map[string]domain.VM)
		for _, vm := range vms {
			byName[vm.Name] = vm
		}
		standalone := byName["DC1_H0_VM0"]
		assert.Equal(t, "/DC1/vm/DC1_H0_VM0", standalone.Path)
		assert.Equal(t, "DC1", standalone.Datacenter)
		assert.Equal(t, "DC1_H0", standalone.Host)
		assert.Empty(t, standalone.Cluster, "a standalone host is in no cluster")
		assert.Equal(t, []string{"LocalDS_0"}, standalone.Datastores)
		assert.Equal(t, []string{"DC1_DVPG0"}, standalone.Networks, "a distributed port group by its name")
		assert.Equal(t, domain.PoweredOn, standalone.PowerState)
		assert.Equal(t, 1, standalone.CPU)
		assert.Equal(t, 32, standalone.MemoryMB)
		assert.Equal(t, "otherGuest", standalone.GuestID)
		assert.NotEmpty(t, standalone.GuestOS, "a running guest has an OS name")
		assert.Regexp(t, `^vm-\d+$`, standalone.ID)

		clustered := byName["DC0_C0_RP0_VM0"]
		assert.Equal(t, "DC0_C0", clustered.Cluster)
		assert.Regexp(t, `^DC0_C0_H\d$`, clustered.Host)

		assert.IsIncreasing(t, paths(vms), "sorted by path")
	})
	t.Run("OKOneRetrievalWhateverTheCount", func(t *testing.T) {
		stop := countCalls(sim)
		_, _, err := h.ListVMs(t.Context(), domain.ListFilter{Datacenter: "DC1"})
		require.NoError(t, err)
		want := map[string]int{"CreateContainerView": 1, "RetrievePropertiesEx": 1, "DestroyView": 1}
		assert.Equal(t, want, stop(), "a listing is one retrieval in a container view")

		at, err := h.PlaceVM(t.Context(), domain.PlacementRequest{})
		require.NoError(t, err)
		for i := range 10 {
			vm, err := h.CreateVM(t.Context(), domain.CreateSpec{Name: "count-" + string(rune('a'+i)), CPU: 1, MemoryMB: 4, DiskGB: 1}, at)
			require.NoError(t, err)
			t.Cleanup(func() { _ = h.DeleteVM(t.Context(), vm) })
		}
		stop = countCalls(sim)
		vms, _, err := h.ListVMs(t.Context(), domain.ListFilter{})
		require.NoError(t, err)
		assert.Len(t, vms, 18)
		assert.Equal(t, want, stop(), "ten more VMs, no more round trips")
	})
	t.Run("OKIPAddressOfARunningGuest", func(t *testing.T) {
		vm, err := h.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM1"), ports.Current)
		require.NoError(t, err)
		sim.Admin(t).SetGuestInfo(t, vm.ID, map[string]string{"guest.ipAddress": "10.0.0.7"})
		got, err := h.ResolveVM(t.Context(), domain.IDRef(vm.ID), ports.Current)
		require.NoError(t, err)
		assert.Equal(t, "10.0.0.7", got.IPAddress)
		off, err := h.PowerOff(t.Context(), got)
		require.NoError(t, err)
		assert.Empty(t, off.IPAddress, "a powered-off VM has no address")
		assert.Empty(t, off.GuestOS)
	})
	t.Run("OKNestedFolders", func(t *testing.T) {
		admin := sim.Admin(t)
		admin.CreateFolder(t, admin.CreateFolder(t, "/DC0/vm", "web"), "prod")
		at, err := h.PlaceVM(t.Context(), domain.PlacementRequest{Folder: "web/prod"})
		require.NoError(t, err)
		assert.Equal(t, "/DC0/vm/web/prod", at.Folder.Path)
		vm, err := h.CreateVM(t.Context(), domain.CreateSpec{Name: "nested", CPU: 1, MemoryMB: 4, DiskGB: 1}, at)
		require.NoError(t, err)
		t.Cleanup(func() { _ = h.DeleteVM(t.Context(), vm) })
		assert.Equal(t, "/DC0/vm/web/prod/nested", vm.Path)
		got, err := h.ResolveVM(t.Context(), domain.VMRef{Kind: domain.RefPath, Value: vm.Path}, ports.Current)
		require.NoError(t, err)
		assert.Equal(t, vm, got)
	})
}

func TestResolveVM(t *testing.T) {
	sim := vcsimtest.Start(t, vcsimtest.Options{})
	h := sim.Hypervisor(t)

	t.Run("OKPathThroughTheSearchIndex", func(t *testing.T) {
		fresh := sim.Hypervisor(t)
		path := domain.VMRef{Kind: domain.RefPath, Value: "/DC0/vm/DC0_H0_VM0"}
		stop := countCalls(sim)
		first, err := fresh.ResolveVM(t.Context(), path, ports.Current)
		require.NoError(t, err)
		assert.Equal(t, "DC0_H0_VM0", first.Name)
		assert.Equal(t, "DC0_H0", first.Host)
		assert.Equal(t, map[string]int{"FindByInventoryPath": 1, "RetrievePropertiesEx": 2}, stop(),
			"the first read of a VM on a host the adapter has not seen reads the host too")

		stop = countCalls(sim)
		vm, err := fresh.ResolveVM(t.Context(), path, ports.Current)
		require.NoError(t, err)
		assert.Equal(t, first, vm)
		assert.Equal(t, map[string]int{"FindByInventoryPath": 1, "RetrievePropertiesEx": 1}, stop(),
			"a path is one SearchIndex lookup and one retrieval of the VM's summary")
	})
	t.Run("OKIDDirectly", func(t *testing.T) {
		vm, err := h.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM0"), ports.Current)
		require.NoError(t, err)
		stop := countCalls(sim)
		got, err := h.ResolveVM(t.Context(), domain.IDRef(vm.ID), ports.Current)
		require.NoError(t, err)
		assert.Equal(t, vm, got)
		assert.Equal(t, map[string]int{"RetrievePropertiesEx": 1}, stop(), "an id needs no search")
	})
	t.Run("OKTemplateNeedsASecondRetrieval", func(t *testing.T) {
		vm := newVM(t, h, "tmpl", domain.PlacementRequest{})
		sim.Admin(t).MarkAsTemplate(t, vm.ID)
		stop := countCalls(sim)
		got, err := h.ResolveVM(t.Context(), domain.IDRef(vm.ID), ports.Current)
		require.NoError(t, err)
		assert.True(t, got.Template)
		assert.Equal(t, vm.Host, got.Host, "a template has no pool: its host is read on its own")
		assert.Equal(t, vm.Cluster, got.Cluster)
		assert.Equal(t, map[string]int{"RetrievePropertiesEx": 2}, stop())
	})
	t.Run("ErrNotFoundForAFolderPath", func(t *testing.T) {
		_, err := h.ResolveVM(t.Context(), domain.VMRef{Kind: domain.RefPath, Value: "/DC0/vm"}, ports.Current)
		requireCode(t, domain.CodeNotFound, err)
	})
}

func paths(vms []domain.VM) []string {
	out := make([]string, len(vms))
	for i, vm := range vms {
		out[i] = vm.Path
	}
	return out
}
