// Package ports declares what the application core needs from a hypervisor,
// as small interfaces split by capability. An adapter (vSphere, memory, or a
// third party's) implements Hypervisor; ports/porttest checks that it
// behaves as documented here.
//
// Every error a method returns carries a domain error kind (see
// domain.Error). Besides the kinds each method lists, any method may return
// unavailable (the hypervisor cannot be reached or the session is lost and
// could not be restored), timeout (the context's deadline or the task
// timeout passed; the message names the task) and internal.
package ports

import (
	"context"

	"github.com/esximcp/esximcp/domain"
)

// Consistency says how current an answer about the inventory must be.
type Consistency uint8

const (
	// Cached allows an answer from a live index the adapter keeps, which may
	// trail the hypervisor by moments. Reads use it.
	Cached Consistency = iota
	// Current requires an answer confirmed with the hypervisor now.
	// Mutations resolve their target with it.
	Current
)

// Inventory finds virtual machines and templates.
type Inventory interface {
	// ListVMs returns the VMs f selects (every criterion but Limit), sorted
	// by path then id, at most f.Limit of them when f.Limit > 0, and the
	// number that matched before the limit. An empty result is not an error.
	// Returns invalid_argument for a filter that fails f.Validate.
	ListVMs(ctx context.Context, f domain.ListFilter) (vms []domain.VM, total int, err error)

	// ResolveVM returns the one VM that ref names (see domain.VMRef.Matches),
	// looking in every datacenter. Returns not_found when none matches and
	// ambiguous, with every candidate, when several do: it never picks one.
	ResolveVM(ctx context.Context, ref domain.VMRef, c Consistency) (domain.VM, error)
}

// Placement resolves where a new VM goes. The objects of the result existed
// when it was resolved.
type Placement interface {
	// PlaceVM resolves req for a new VM. Named objects must exist: one that
	// does not is not_found, naming the field and the value; a name that
	// matches several objects is ambiguous; a host outside the named cluster,
	// or a datastore or network the chosen compute resource cannot reach, is
	// invalid_argument. Empty fields get the hypervisor's defaults: the first
	// datacenter; the datacenter's VM folder; the first cluster, else the
	// first standalone host; the accessible datastore with the most free
	// space; the network "VM Network" if there is one, else none.
	PlaceVM(ctx context.Context, req domain.PlacementRequest) (domain.Placement, error)

	// PlaceClone resolves where a clone of src goes. Empty fields of req keep
	// src's folder, resource pool (or its cluster's or host's root pool) and
	// first datastore; req.Datacenter and req.Network are ignored. Errors are
	// those of PlaceVM, and invalid_argument when the hypervisor cannot clone
	// at all (a standalone ESXi host without vCenter).
	PlaceClone(ctx context.Context, src domain.VM, req domain.PlacementRequest) (domain.Placement, error)
}

// Lifecycle creates and destroys virtual machines.
type Lifecycle interface {
	// CreateVM creates a powered-off VM of spec (after WithDefaults) at a
	// placement PlaceVM returned: spec.CPU virtual CPUs, spec.MemoryMB MiB,
	// one thin disk of spec.DiskGB GiB on a paravirtual SCSI controller, and
	// a VMXNET3 adapter on at.Network when it is set. It ignores
	// spec.PowerOn, spec.DryRun and spec.Placement. Returns already_exists
	// when the folder holds an object of that name, not_found when an object
	// of the placement has vanished, and creates nothing on any error.
	CreateVM(ctx context.Context, spec domain.CreateSpec, at domain.Placement) (domain.VM, error)

	// CloneVM copies src (a VM or a template) to a new powered-off VM named
	// name at a placement PlaceClone returned. Returns already_exists,
	// not_found (src or an object of the placement has vanished), and
	// invalid_argument where the hypervisor cannot clone.
	CloneVM(ctx context.Context, src domain.VM, name string, at domain.Placement) (domain.VM, error)

	// DeleteVM destroys vm and its disks. Returns not_found when it is gone
	// and conflict when it is powered on or suspended.
	DeleteVM(ctx context.Context, vm domain.VM) error
}

// Power changes the power state of virtual machines. Each method returns
// the VM as it is afterwards.
type Power interface {
	// PowerOn powers vm on, or resumes it when suspended. Returns conflict
	// when it is already on or is a template, not_found when it is gone.
	PowerOn(ctx context.Context, vm domain.VM) (domain.VM, error)

	// PowerOff powers vm off at once, like pulling the plug; a suspended VM
	// is powered off too. Returns conflict when it is already off, not_found
	// when it is gone.
	PowerOff(ctx context.Context, vm domain.VM) (domain.VM, error)

	// ShutdownGuest asks the guest OS to shut down and waits until the VM is
	// off. Returns conflict when the VM is not powered on or its guest tools
	// are not running (the message says so), timeout when it is still on at
	// the deadline, not_found when it is gone.
	ShutdownGuest(ctx context.Context, vm domain.VM) (domain.VM, error)
}

// Metrics reads performance figures.
type Metrics interface {
	// VMStats returns the latest figures of vm: live figures when it is
	// powered on, storage figures always. Returns not_found when it is gone.
	VMStats(ctx context.Context, vm domain.VM) (domain.VMStats, error)
}

// Health reports whether the hypervisor can be used.
type Health interface {
	// Check returns nil while the hypervisor session is usable, else
	// unavailable with a sentence saying why.
	Check(ctx context.Context) error
}

// Hypervisor is everything the application core needs from a hypervisor.
type Hypervisor interface {
	Inventory
	Placement
	Lifecycle
	Power
	Metrics
	Health
}
