package porttest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
)

var placeTests = []test{
	{"Defaults", func(t *testing.T, e *env) {
		at, err := e.Hypervisor.PlaceVM(e.ctx(t), domain.PlacementRequest{})
		require.NoError(t, err)
		assert.Equal(t, e.Defaults.Datacenter, at.Datacenter.Name)
		assert.Equal(t, "/"+e.Defaults.Datacenter+"/vm", at.Folder.Path, "the default folder is the datacenter's VM folder")
		assert.Equal(t, e.Defaults.Datastore, at.Datastore.Name, "the default datastore is the accessible one with the most free space")
		assert.Equal(t, e.Defaults.Network, at.Network.Name, `the default network is "VM Network" when it exists`)
		assert.NotEmpty(t, at.ResourcePool.ID, "a placement has a resource pool")
		assert.True(t, at.Cluster.ID != "" || at.Host.ID != "", "a placement has a cluster or a host")
		for _, o := range []domain.ObjectRef{at.Datacenter, at.Folder, at.Datastore} {
			assert.NotEmpty(t, o.ID, "%+v has no id", o)
			assert.NotEmpty(t, o.Path, "%+v has no path", o)
		}
	}},
	{"Explicit", func(t *testing.T, e *env) {
		for i, req := range e.Sites {
			at, err := e.Hypervisor.PlaceVM(e.ctx(t), req)
			require.NoError(t, err, "site %d", i)
			assert.Equal(t, req.Datacenter, at.Datacenter.Name, "site %d", i)
			assert.Equal(t, req.Datastore, at.Datastore.Name, "site %d", i)
			assert.Equal(t, req.Network, at.Network.Name, "site %d", i)
			if req.Cluster != "" {
				assert.Equal(t, req.Cluster, at.Cluster.Name, "site %d", i)
			}
			if req.Host != "" {
				assert.Equal(t, req.Host, at.Host.Name, "site %d", i)
			}
		}
	}},
	{"ByPath", func(t *testing.T, e *env) {
		named := e.place(t, 0)
		at, err := e.Hypervisor.PlaceVM(e.ctx(t), domain.PlacementRequest{
			Folder: named.Folder.Path, Datastore: named.Datastore.Path, Network: named.Network.Path,
		})
		require.NoError(t, err)
		assert.Equal(t, named.Datacenter.ID, at.Datacenter.ID, "the datacenter follows from the paths")
		assert.Equal(t, named.Folder.ID, at.Folder.ID)
		assert.Equal(t, named.Datastore.ID, at.Datastore.ID)
		assert.Equal(t, named.Network.ID, at.Network.ID)
	}},
	{"ErrNotFoundNamesTheField", func(t *testing.T, e *env) {
		base := e.Sites[0]
		for _, tc := range []struct {
			field  string
			change func(*domain.PlacementRequest)
		}{
			{"datacenter", func(r *domain.PlacementRequest) { r.Datacenter = "no-such-dc" }},
			{"folder", func(r *domain.PlacementRequest) { r.Folder = "no-such-folder" }},
			{"cluster", func(r *domain.PlacementRequest) { r.Cluster, r.Host = "no-such-cluster", "" }},
			{"host", func(r *domain.PlacementRequest) { r.Host, r.Cluster = "no-such-host", "" }},
			{"datastore", func(r *domain.PlacementRequest) { r.Datastore = "no-such-datastore" }},
			{"network", func(r *domain.PlacementRequest) { r.Network = "no-such-network" }},
		} {
			req := base
			tc.change(&req)
			_, err := e.Hypervisor.PlaceVM(e.ctx(t), req)
			requireCode(t, domain.CodeNotFound, err, "unknown %s", tc.field)
			assert.Contains(t, err.Error(), tc.field, "the message names the field")
			assert.Contains(t, err.Error(), "no-such-", "the message names the value")
		}
	}},
}
