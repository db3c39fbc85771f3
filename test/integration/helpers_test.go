// Package integration drives the application core (app.Service) over the
// vSphere adapter on govmomi's vCenter simulator: the original's whole
// journey, and the failures a vSphere admin meets (a killed session, a
// vCenter gone and back, a stuck task, a wrong password, ambiguous and
// duplicate names). No part of govmomi is mocked: vcsim is the test double.
package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// env is a vCenter simulator with two datacenters, the vSphere adapter on
// it and the application core over the adapter.
type env struct {
	sim *vcsimtest.Sim
	hv  *vsphere.Hypervisor
	svc *app.Service
}

// newEnv starts an env; change adjusts the adapter's options.
func newEnv(t *testing.T, change ...func(*vsphere.Options)) *env {
	t.Helper()
	sim := vcsimtest.Start(t, vcsimtest.Options{Datacenters: 2})
	hv := sim.Hypervisor(t, change...)
	return &env{sim: sim, hv: hv, svc: app.New(hv, app.Options{})}
}

// ctx returns a request's context: bounded, as the MCP edge bounds it.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// inventory returns every VM and template.
func (e *env) inventory(t *testing.T) []domain.VM {
	t.Helper()
	res, err := e.svc.ListVMs(ctx(t), domain.ListFilter{IncludeTemplates: true})
	require.NoError(t, err)
	return res.VMs
}

// create creates a powered-off VM through the application core.
func (e *env) create(t *testing.T, name string, at domain.PlacementRequest) domain.VM {
	t.Helper()
	res, err := e.svc.CreateVM(ctx(t), domain.CreateSpec{Name: name, CPU: 1, MemoryMB: 128, DiskGB: 1, Placement: at})
	require.NoError(t, err, "create %s", name)
	return res.VM
}

func requireCode(t *testing.T, code domain.Code, err error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.Equal(t, code, domain.CodeOf(err), "error %q has the wrong kind", err)
}
