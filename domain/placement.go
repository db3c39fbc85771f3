package domain

import "strings"

// PlacementRequest says where a new virtual machine should go. Every field
// is optional: an empty field is filled from configuration, then from the
// hypervisor's own choice (see ports.Placement).
type PlacementRequest struct {
	Datacenter string // datacenter name or path
	Folder     string // VM folder: absolute inventory path, or a path relative to the datacenter's VM folder
	Cluster    string // cluster name or path
	Host       string // host name or path
	Datastore  string // datastore name or path
	Network    string // network (port group or distributed port group) name or path
}

// Validate checks that the request's names are well formed. Whether the
// objects exist is for the hypervisor to say.
func (r PlacementRequest) Validate() error {
	for _, f := range []struct{ field, value string }{
		{"datacenter", r.Datacenter}, {"folder", r.Folder}, {"cluster", r.Cluster},
		{"host", r.Host}, {"datastore", r.Datastore}, {"network", r.Network},
	} {
		if err := validateObjectName(f.field, f.value); err != nil {
			return err
		}
	}
	return nil
}

// Or returns r with every empty field taken from d.
func (r PlacementRequest) Or(d PlacementRequest) PlacementRequest {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return PlacementRequest{
		Datacenter: pick(r.Datacenter, d.Datacenter),
		Folder:     pick(r.Folder, d.Folder),
		Cluster:    pick(r.Cluster, d.Cluster),
		Host:       pick(r.Host, d.Host),
		Datastore:  pick(r.Datastore, d.Datastore),
		Network:    pick(r.Network, d.Network),
	}
}

// ObjectRef identifies one inventory object other than a VM.
type ObjectRef struct {
	ID   string // managed object id, e.g. "datastore-12"
	Name string
	Path string // inventory path
}

// IsZero reports whether o names nothing.
func (o ObjectRef) IsZero() bool { return o.ID == "" && o.Name == "" && o.Path == "" }

// Placement is a resolved, checked location for a new virtual machine: every
// object in it existed when it was resolved.
type Placement struct {
	Datacenter   ObjectRef
	Folder       ObjectRef
	Cluster      ObjectRef // zero on a standalone host
	Host         ObjectRef // zero when the cluster (DRS) chooses
	ResourcePool ObjectRef
	Datastore    ObjectRef
	Network      ObjectRef // zero: the VM gets no network adapter
}

// VMPath returns the inventory path a VM named name would have in p's folder.
func (p Placement) VMPath(name string) string {
	return strings.TrimRight(p.Folder.Path, "/") + "/" + EscapeName(name)
}
