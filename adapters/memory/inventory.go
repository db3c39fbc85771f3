package memory

import "github.com/esximcp/esximcp/domain"

// Inventory describes what a Hypervisor holds when it starts. Names are
// plain names (an inventory path is built from them); the zero values of
// optional fields are documented on each field.
type Inventory struct {
	// Standalone makes the hypervisor behave as an ESXi host without
	// vCenter: it cannot clone.
	Standalone  bool
	Datacenters []Datacenter
}

// Datacenter describes one datacenter.
type Datacenter struct {
	Name string
	// Folders are VM folders, as paths relative to the datacenter's VM
	// folder ("web", "web/prod"); parents are created as needed.
	Folders    []string
	Clusters   []Cluster
	Hosts      []string // standalone hosts
	Datastores []Datastore
	Networks   []Network
	VMs        []VM
}

// Cluster describes a cluster and its hosts.
type Cluster struct {
	Name  string
	Hosts []string
}

// Datastore describes a datastore.
type Datastore struct {
	Name       string
	CapacityGB int64
	FreeGB     int64
	// Hosts are the hosts that mount it; empty means every host of the
	// datacenter.
	Hosts []string
	// Inaccessible marks a datastore that no host can reach now.
	Inaccessible bool
}

// Network describes a standard port group or, with Distributed, a
// distributed port group.
type Network struct {
	Name        string
	Distributed bool
}

// VM describes a virtual machine or template.
type VM struct {
	Name   string
	Folder string // relative to the datacenter's VM folder; "" for the folder itself
	// Host places the VM on a host; Cluster, when Host is empty, places it on
	// the cluster's first host. One of them is required.
	Host       string
	Cluster    string
	Datastore  string // required
	Networks   []string
	CPU        int // default 1
	MemoryMB   int // default 32
	DiskGB     int // default 10
	GuestID    string
	PowerState domain.PowerState // default poweredOn
	Template   bool
	IPAddress  string
	// GuestTools marks the guest tools as running while the VM is on.
	GuestTools bool
}

// DefaultInventory mirrors the inventory of govmomi's simulator VPX model
// with its default settings, so that a test reads the same on both
// adapters: datacenter DC0 with cluster DC0_C0 (hosts DC0_C0_H0 to _H2), a
// standalone host DC0_H0, datastore LocalDS_0, the networks "VM Network"
// and DC0_DVPG0, and four powered-on VMs.
func DefaultInventory() Inventory {
	return Inventory{Datacenters: []Datacenter{DefaultDatacenter("DC0")}}
}

// DefaultDatacenter returns a datacenter shaped like the simulator's VPX
// model's, with every name prefixed by name instead of DC0 (except the
// datastore LocalDS_0 and the network "VM Network", which the simulator
// names the same in every datacenter).
func DefaultDatacenter(name string) Datacenter {
	vm := func(vmName, host, cluster string) VM {
		return VM{
			Name: vmName, Host: host, Cluster: cluster, Datastore: "LocalDS_0",
			Networks: []string{name + "_DVPG0"}, CPU: 1, MemoryMB: 32, DiskGB: 10,
			GuestID: "otherGuest", PowerState: domain.PoweredOn,
		}
	}
	return Datacenter{
		Name:       name,
		Clusters:   []Cluster{{Name: name + "_C0", Hosts: []string{name + "_C0_H0", name + "_C0_H1", name + "_C0_H2"}}},
		Hosts:      []string{name + "_H0"},
		Datastores: []Datastore{{Name: "LocalDS_0", CapacityGB: 4096, FreeGB: 4056}},
		Networks:   []Network{{Name: "VM Network"}, {Name: name + "_DVPG0", Distributed: true}},
		VMs: []VM{
			vm(name+"_H0_VM0", name+"_H0", ""),
			vm(name+"_H0_VM1", name+"_H0", ""),
			vm(name+"_C0_RP0_VM0", "", name+"_C0"),
			vm(name+"_C0_RP0_VM1", "", name+"_C0"),
		},
	}
}
