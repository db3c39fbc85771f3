package vcsimtest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/vim25/types"
)

// Announce tells the simulator's property collectors that properties of
// the object ref changed, as vCenter tells them after any change. vcsim
// makes some changes without telling them (MarkAsTemplate, a reconfigure
// of the CPU or memory), so that an inventory index that follows its
// updates never learns of them; a test that makes such a change announces
// it. changes carry the new values, which are also set on the object.
func (s *Sim) Announce(t testing.TB, ref types.ManagedObjectReference, changes ...types.PropertyChange) {
	t.Helper()
	m := s.Model()
	obj := m.Map().Get(ref)
	require.NotNil(t, obj, "no object %s in the simulator", ref)
	ctx := m.Service.Context
	m.Map().AtomicUpdate(ctx, obj, changes)
}

// AnnounceTemplate announces that the VM id became a template.
func (s *Sim) AnnounceTemplate(t testing.TB, id string) {
	t.Helper()
	s.Announce(t, types.ManagedObjectReference{Type: "VirtualMachine", Value: id},
		types.PropertyChange{Name: "config.template", Val: true},
		types.PropertyChange{Name: "summary.config.template", Val: true})
}
