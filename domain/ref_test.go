package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
)

func TestParseVMRef(t *testing.T) {
	for _, tc := range []struct {
		in    string
		kind  domain.RefKind
		value string
		exact bool
	}{
		{"web01", domain.RefName, "web01", false},
		{"Web 01 (prod)", domain.RefName, "Web 01 (prod)", false},
		{"a/b", domain.RefName, "a/b", false},
		{"日本語", domain.RefName, "日本語", false},
		{"vm-", domain.RefName, "vm-", false},
		{"vm-42x", domain.RefName, "vm-42x", false},
		{"/DC0/vm/web01", domain.RefPath, "/DC0/vm/web01", false},
		{"/DC0/vm/folder/web01/", domain.RefPath, "/DC0/vm/folder/web01", false},
		{"vm-42", domain.RefID, "vm-42", false},
		{"42", domain.RefID, "42", false},
		{"VirtualMachine:vm-42", domain.RefID, "vm-42", true},
		{"VirtualMachine:7", domain.RefID, "7", true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			ref, err := domain.ParseVMRef("name", tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.kind, ref.Kind)
			assert.Equal(t, tc.value, ref.Value)
			assert.Equal(t, tc.exact, ref.Exact)
		})
	}
}

func TestParseVMRefErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"Empty", "", "name is required"},
		{"ControlCharacter", "web\n01", "control characters"},
		{"RootPath", "/", "not a valid inventory path"},
		{"DoubleSlash", "/DC0//web", "not a valid inventory path"},
		{"TypedWithoutID", "VirtualMachine:", "no id"},
		{"TooLong", strings.Repeat("x", 2049), "at most 2048"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := domain.ParseVMRef("name", tc.in)
			require.ErrorIs(t, err, domain.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestVMRefMatches(t *testing.T) {
	web := domain.VM{ID: "vm-1", Name: "web", Path: "/DC0/vm/web"}
	slashed := domain.VM{ID: "vm-2", Name: "a%2fb", Path: "/DC0/vm/a%2fb"}
	numeric := domain.VM{ID: "vm-3", Name: "vm-1", Path: "/DC0/vm/vm-1"}
	for _, tc := range []struct {
		ref  string
		vm   domain.VM
		want bool
	}{
		{"web", web, true},
		{"Web", web, false},
		{"/DC0/vm/web", web, true},
		{"/DC1/vm/web", web, false},
		{"vm-1", web, true},
		{"VirtualMachine:vm-1", web, true},
		{"a/b", slashed, true},
		{"a%2fb", slashed, true},
		{"vm-1", numeric, true},
		{"VirtualMachine:vm-1", numeric, false},
	} {
		ref, err := domain.ParseVMRef("name", tc.ref)
		require.NoError(t, err)
		assert.Equal(t, tc.want, ref.Matches(tc.vm), "%q matches %s", tc.ref, tc.vm)
	}
}

func TestVMRefPick(t *testing.T) {
	a := domain.VM{ID: "vm-1", Name: "web", Path: "/DC0/vm/web", Datacenter: "DC0"}
	b := domain.VM{ID: "vm-2", Name: "web", Path: "/DC1/vm/web", Datacenter: "DC1"}
	c := domain.VM{ID: "vm-3", Name: "db", Path: "/DC0/vm/db", Datacenter: "DC0"}

	t.Run("OK", func(t *testing.T) {
		got, err := domain.NameRef("db").Pick([]domain.VM{a, b, c})
		require.NoError(t, err)
		assert.Equal(t, c, got)
	})
	t.Run("DuplicatesOfOneVMAreOne", func(t *testing.T) {
		got, err := domain.NameRef("db").Pick([]domain.VM{c, c})
		require.NoError(t, err)
		assert.Equal(t, c, got)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := domain.NameRef("mail").Pick([]domain.VM{a, b, c})
		require.ErrorIs(t, err, domain.ErrNotFound)
		assert.Contains(t, err.Error(), `"mail"`)
	})
	t.Run("ErrAmbiguous", func(t *testing.T) {
		_, err := domain.NameRef("web").Pick([]domain.VM{a, b, c})
		require.ErrorIs(t, err, domain.ErrAmbiguous)
		e := domain.AsError(err)
		assert.Equal(t, []domain.Candidate{
			{ID: "vm-1", Name: "web", Path: "/DC0/vm/web", Datacenter: "DC0"},
			{ID: "vm-2", Name: "web", Path: "/DC1/vm/web", Datacenter: "DC1"},
		}, e.Candidates)
		assert.Contains(t, e.Message, "/DC0/vm/web (vm-1)")
		assert.Contains(t, e.Message, "/DC1/vm/web (vm-2)")
		assert.Contains(t, e.Message, "inventory path or id")
	})
}

func TestEscapeName(t *testing.T) {
	for in, want := range map[string]string{
		"web":    "web",
		"a/b":    "a%2fb",
		"50%":    "50%25",
		`c\d`:    "c%5cd",
		"%2f":    "%252f",
		"ü/日本":   "ü%2f日本",
		"%%//\\": "%25%25%2f%2f%5c",
	} {
		assert.Equal(t, want, domain.EscapeName(in), "EscapeName(%q)", in)
	}
}
