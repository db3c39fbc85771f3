package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
)

func TestCreateSpecValidate(t *testing.T) {
	ok := domain.CreateSpec{Name: "web01", CPU: 2, MemoryMB: 4096}.WithDefaults()
	require.NoError(t, ok.Validate())
	assert.Equal(t, 10, ok.DiskGB)
	assert.Equal(t, "otherGuest64", ok.GuestID)

	for _, tc := range []struct {
		name   string
		change func(*domain.CreateSpec)
		want   []string // the field and what is allowed
	}{
		{"EmptyName", func(s *domain.CreateSpec) { s.Name = "" }, []string{"name", "1 to 80"}},
		{"LongName", func(s *domain.CreateSpec) { s.Name = strings.Repeat("ü", 81) }, []string{"name", "81 characters", "at most 80"}},
		{"ControlInName", func(s *domain.CreateSpec) { s.Name = "web\t01" }, []string{"name", "control characters"}},
		{"BlankName", func(s *domain.CreateSpec) { s.Name = "   " }, []string{"name", "white space"}},
		{"BadUTF8", func(s *domain.CreateSpec) { s.Name = "web\xff" }, []string{"name", "UTF-8"}},
		{"ZeroCPU", func(s *domain.CreateSpec) { s.CPU = 0 }, []string{"cpu 0", "1 to 768"}},
		{"TooManyCPU", func(s *domain.CreateSpec) { s.CPU = 769 }, []string{"cpu 769", "1 to 768"}},
		{"TinyMemory", func(s *domain.CreateSpec) { s.MemoryMB = 2 }, []string{"memory 2 MiB", "4 to 25165824"}},
		{"HugeMemory", func(s *domain.CreateSpec) { s.MemoryMB = 25165828 }, []string{"memory", "24 TiB"}},
		{"OddMemory", func(s *domain.CreateSpec) { s.MemoryMB = 1023 }, []string{"memory 1023 MiB", "multiple of 4", "1020"}},
		{"NegativeDisk", func(s *domain.CreateSpec) { s.DiskGB = -1 }, []string{"disk_gb -1", "1 to 63488"}},
		{"HugeDisk", func(s *domain.CreateSpec) { s.DiskGB = 63489 }, []string{"disk_gb", "62 TiB"}},
		{"BadGuest", func(s *domain.CreateSpec) { s.GuestID = "ubuntu" }, []string{"guest_id", "otherGuest64"}},
		{"ControlInDatastore", func(s *domain.CreateSpec) { s.Placement.Datastore = "ds\n1" }, []string{"datastore", "control"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.change(&s)
			err := s.Validate()
			require.ErrorIs(t, err, domain.ErrInvalidArgument)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestCreateSpecLimitsAreInclusive(t *testing.T) {
	for _, s := range []domain.CreateSpec{
		{Name: "a", CPU: 1, MemoryMB: 4, DiskGB: 1},
		{Name: strings.Repeat("x", 80), CPU: 768, MemoryMB: 24 * 1024 * 1024, DiskGB: 62 * 1024},
		{Name: "日本語のVM", CPU: 1, MemoryMB: 4, GuestID: "windows2019srv_64Guest"},
	} {
		assert.NoError(t, s.WithDefaults().Validate(), "%+v", s)
	}
}

func TestCloneSpecValidate(t *testing.T) {
	require.NoError(t, domain.CloneSpec{Source: "tmpl", Name: "web02"}.Validate())
	err := domain.CloneSpec{Source: "", Name: "web02"}.Validate()
	require.ErrorIs(t, err, domain.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "template_name")
	err = domain.CloneSpec{Source: "tmpl", Name: ""}.Validate()
	require.ErrorIs(t, err, domain.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "new_name")
}

func TestListFilter(t *testing.T) {
	vms := []domain.VM{
		{ID: "vm-3", Name: "Web02", Path: "/DC1/vm/Web02", Datacenter: "DC1", PowerState: domain.PoweredOff},
		{ID: "vm-1", Name: "web01", Path: "/DC0/vm/web01", Datacenter: "DC0", PowerState: domain.PoweredOn},
		{ID: "vm-2", Name: "db01", Path: "/DC0/vm/db01", Datacenter: "DC0", PowerState: domain.Suspended},
		{ID: "vm-4", Name: "web-tmpl", Path: "/DC0/vm/web-tmpl", Datacenter: "DC0", PowerState: domain.PoweredOff, Template: true},
		{ID: "vm-5", Name: "a%2fb", Path: "/DC0/vm/a%2fb", Datacenter: "DC0", PowerState: domain.PoweredOff},
	}
	for _, tc := range []struct {
		name  string
		f     domain.ListFilter
		want  []string
		total int
	}{
		{"NoTemplatesByDefault", domain.ListFilter{}, []string{"vm-5", "vm-2", "vm-1", "vm-3"}, 4},
		{"Templates", domain.ListFilter{IncludeTemplates: true}, []string{"vm-5", "vm-2", "vm-4", "vm-1", "vm-3"}, 5},
		{"NameContainsIgnoresCase", domain.ListFilter{NameContains: "WEB"}, []string{"vm-1", "vm-3"}, 2},
		{"NameContainsUnescaped", domain.ListFilter{NameContains: "a/b"}, []string{"vm-5"}, 1},
		{"PowerState", domain.ListFilter{PowerState: domain.Suspended}, []string{"vm-2"}, 1},
		{"Datacenter", domain.ListFilter{Datacenter: "DC1"}, []string{"vm-3"}, 1},
		{"Limit", domain.ListFilter{Limit: 2}, []string{"vm-5", "vm-2"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.f.Validate())
			got, total := tc.f.Apply(vms)
			ids := make([]string, len(got))
			for i, vm := range got {
				ids[i] = vm.ID
			}
			assert.Equal(t, tc.want, ids)
			assert.Equal(t, tc.total, total)
		})
	}
}

func TestListFilterValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    domain.ListFilter
		want string
	}{
		{"NegativeLimit", domain.ListFilter{Limit: -1}, "limit -1"},
		{"HugeLimit", domain.ListFilter{Limit: domain.MaxListLimit + 1}, "limit"},
		{"BadPowerState", domain.ListFilter{PowerState: "on"}, "power_state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f.Validate()
			require.ErrorIs(t, err, domain.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParsePowerState(t *testing.T) {
	p, err := domain.ParsePowerState("POWEREDON")
	require.NoError(t, err)
	assert.Equal(t, domain.PoweredOn, p)
	_, err = domain.ParsePowerState("running")
	require.ErrorIs(t, err, domain.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "poweredOn, poweredOff or suspended")
}

func TestPlacementRequestOr(t *testing.T) {
	got := domain.PlacementRequest{Datastore: "fast"}.Or(domain.PlacementRequest{Datacenter: "DC0", Datastore: "slow", Network: "VM Network"})
	assert.Equal(t, domain.PlacementRequest{Datacenter: "DC0", Datastore: "fast", Network: "VM Network"}, got)
}

func TestPlacementVMPath(t *testing.T) {
	at := domain.Placement{Folder: domain.ObjectRef{Path: "/DC0/vm/web"}}
	assert.Equal(t, "/DC0/vm/web/a%2fb", at.VMPath("a/b"))
}
