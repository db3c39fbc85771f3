package domain

import (
	"fmt"
	"strings"
)

// PowerState is the power state of a virtual machine, spelled as vSphere
// spells it.
type PowerState string

// The power states of a virtual machine.
const (
	PoweredOn  PowerState = "poweredOn"
	PoweredOff PowerState = "poweredOff"
	Suspended  PowerState = "suspended"
)

// PowerStates lists the valid power states.
func PowerStates() []PowerState { return []PowerState{PoweredOn, PoweredOff, Suspended} }

// ParsePowerState parses s, ignoring case, into a PowerState. The empty
// string is an invalid_argument error, like any other unknown value.
func ParsePowerState(s string) (PowerState, error) {
	for _, p := range PowerStates() {
		if strings.EqualFold(s, string(p)) {
			return p, nil
		}
	}
	return "", Errorf(CodeInvalidArgument,
		"power_state %q is not valid: use poweredOn, poweredOff or suspended", s)
}

// VM is what the application knows of one virtual machine (or template).
// Empty fields are unknown or not applicable.
type VM struct {
	ID         string // managed object id, e.g. "vm-42"
	Name       string // as the hypervisor stores it (see EscapeName)
	Path       string // inventory path, e.g. "/DC0/vm/web/web01"
	Datacenter string
	PowerState PowerState
	CPU        int
	MemoryMB   int
	GuestID    string // the configured guest OS identifier, e.g. "otherGuest64"
	GuestOS    string // the guest OS full name as reported
	IPAddress  string
	Host       string
	Cluster    string
	Datastores []string
	Networks   []string
	Template   bool
}

// Candidate returns the VM as a candidate of an ambiguous reference.
func (vm VM) Candidate() Candidate {
	return Candidate{ID: vm.ID, Name: vm.Name, Path: vm.Path, Datacenter: vm.Datacenter}
}

// Clone returns a copy of vm that shares no slices with it.
func (vm VM) Clone() VM {
	vm.Datastores = append([]string(nil), vm.Datastores...)
	vm.Networks = append([]string(nil), vm.Networks...)
	return vm
}

// String returns the VM's path and id, for logs and messages.
func (vm VM) String() string {
	switch {
	case vm.Path != "" && vm.ID != "":
		return fmt.Sprintf("%s (%s)", vm.Path, vm.ID)
	case vm.Path != "":
		return vm.Path
	case vm.ID != "" && vm.Name != "":
		return fmt.Sprintf("%s (%s)", vm.Name, vm.ID)
	case vm.ID != "":
		return vm.ID
	}
	return vm.Name
}
