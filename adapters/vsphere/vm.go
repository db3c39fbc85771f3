package vsphere

import (
	"cmp"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// vmPaths are the properties of a VM that a summary (domain.VM) needs,
// and no more: listings read them for every VM.
var vmPaths = []string{
	"name", "parent", "parentVApp",
	"config.template", "config.guestId", "config.guestFullName",
	"config.hardware.numCPU", "config.hardware.memoryMB",
	"runtime.powerState", "runtime.host",
	"guest.guestFullName", "guest.ipAddress",
	"datastore", "network",
}

// The properties some operations read besides vmPaths.
const (
	propTools   = "guest.toolsRunningStatus"
	propStorage = "summary.storage"
	propGranted = "summary.quickStats.grantedMemory"
	propPool    = "resourcePool"
)

// vmProps is what the adapter read of one VM.
type vmProps struct {
	ref        types.ManagedObjectReference
	name       string
	parent     types.ManagedObjectReference // its folder
	parentVApp types.ManagedObjectReference // its vApp, when it has no folder
	template   bool
	guestID    string
	configOS   string // config.guestFullName: what the VM is configured as
	guestOS    string // guest.guestFullName: what VMware Tools report
	ip         string
	cpu        int
	memoryMB   int
	power      types.VirtualMachinePowerState
	host       types.ManagedObjectReference
	datastores []types.ManagedObjectReference
	networks   []types.ManagedObjectReference

	tools     string
	storage   *types.VirtualMachineStorageSummary
	grantedMB int64
	pool      types.ManagedObjectReference
}

// decodeVM reads the properties of o, a VirtualMachine.
func decodeVM(o types.ObjectContent) vmProps {
	p := vmProps{ref: o.Obj}
	for _, dp := range o.PropSet {
		p.set(dp.Name, dp.Val)
	}
	return p
}

// set reads the value val of the property name; a nil val clears it, as
// a property removed in an update does.
func (p *vmProps) set(name string, val any) {
	switch name {
	case "name":
		p.name = propString(val)
	case "parent":
		p.parent = propRef(val)
	case "parentVApp":
		p.parentVApp = propRef(val)
	case "config.template":
		p.template = propBool(val)
	case "config.guestId":
		p.guestID = propString(val)
	case "config.guestFullName":
		p.configOS = propString(val)
	case "config.hardware.numCPU":
		p.cpu = int(propInt(val))
	case "config.hardware.memoryMB":
		p.memoryMB = int(propInt(val))
	case "runtime.powerState":
		p.power = types.VirtualMachinePowerState(propString(val))
	case "runtime.host":
		p.host = propRef(val)
	case "guest.guestFullName":
		p.guestOS = propString(val)
	case "guest.ipAddress":
		p.ip = propString(val)
	case "datastore":
		p.datastores = propRefs(val)
	case "network":
		p.networks = propRefs(val)
	case propTools:
		p.tools = propString(val)
	case propStorage:
		switch s := val.(type) {
		case types.VirtualMachineStorageSummary:
			p.storage = &s
		case *types.VirtualMachineStorageSummary:
			p.storage = s
		default:
			p.storage = nil
		}
	case propGranted:
		p.grantedMB = propInt(val)
	case propPool:
		p.pool = propRef(val)
	}
}

// folder returns the object the VM's inventory path goes through: its
// folder, or its vApp.
func (p *vmProps) folder() types.ManagedObjectReference {
	if p.parent.Value != "" {
		return p.parent
	}
	return p.parentVApp
}

// summary returns the VM as the domain sees it (see guest for its guest OS
// and IP address).
func (t *topology) summary(p *vmProps) domain.VM {
	vm := domain.VM{
		ID:         p.ref.Value,
		Name:       p.name,
		PowerState: domain.PowerState(p.power),
		CPU:        p.cpu,
		MemoryMB:   p.memoryMB,
		GuestID:    p.guestID,
		Template:   p.template,
		Datastores: t.names(p.datastores),
		Networks:   t.names(p.networks),
	}
	if dir := t.path(p.folder()); dir != "" {
		vm.Path = dir + "/" + p.name
	}
	if dc := t.datacenterOf(p.folder()); dc != nil {
		vm.Datacenter = dc.name
	}
	if host := t.get(p.host); host != nil {
		vm.Host = host.name
		if cl := t.clusterOf(host); cl != nil {
			vm.Cluster = cl.name
		}
	}
	vm.GuestOS, vm.IPAddress = p.guest()
	return vm
}

// guest returns the guest OS and IP address of a running guest, empty
// otherwise, as the memory adapter has them. A guest that reports no OS
// shows the one it is configured as.
func (p *vmProps) guest() (os, ip string) {
	if p.power != types.VirtualMachinePowerStatePoweredOn {
		return "", ""
	}
	return cmp.Or(p.guestOS, p.configOS), p.ip
}
