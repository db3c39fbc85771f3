package domain

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The limits vSphere itself enforces on a new virtual machine.
const (
	MaxNameLength = 80               // characters of a VM name
	MinCPU        = 1                // virtual CPUs
	MaxCPU        = 768              // virtual CPUs (vSphere 8 maximum)
	MinMemoryMB   = 4                // MiB
	MaxMemoryMB   = 24 * 1024 * 1024 // MiB: 24 TiB
	MemoryStepMB  = 4                // memory must be a multiple of this
	MinDiskGB     = 1                // GiB
	MaxDiskGB     = 62 * 1024        // GiB: 62 TiB
)

// Defaults of a new virtual machine.
const (
	DefaultDiskGB  = 10
	DefaultGuestID = "otherGuest64"
)

// guestIDPattern is the shape of every vSphere guest OS identifier
// ("otherGuest64", "ubuntu64Guest", "windows2019srv_64Guest", ...).
var guestIDPattern = regexp.MustCompile(`^[a-z][A-Za-z0-9_]{0,62}Guest(64)?$`)

// ValidateName checks a name for a new virtual machine: 1 to 80 characters
// of valid UTF-8, no control characters. field names the argument in the
// message.
func ValidateName(field, name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case name == "":
		return Errorf(CodeInvalidArgument, "%s is required: give 1 to %d characters", field, MaxNameLength)
	case !utf8.ValidString(name):
		return Errorf(CodeInvalidArgument, "%s is not valid UTF-8", field)
	case n > MaxNameLength:
		return Errorf(CodeInvalidArgument, "%s is %d characters long: at most %d are allowed", field, n, MaxNameLength)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return Errorf(CodeInvalidArgument, "%s must not contain control characters (tab, newline, ...)", field)
	case strings.TrimSpace(name) == "":
		return Errorf(CodeInvalidArgument, "%s must not be only white space", field)
	}
	return nil
}

// ValidateCPU checks a number of virtual CPUs.
func ValidateCPU(field string, cpu int) error {
	if cpu < MinCPU || cpu > MaxCPU {
		return Errorf(CodeInvalidArgument, "%s %d is out of range: use %d to %d virtual CPUs", field, cpu, MinCPU, MaxCPU)
	}
	return nil
}

// ValidateMemoryMB checks an amount of memory in MiB.
func ValidateMemoryMB(field string, mb int) error {
	if mb < MinMemoryMB || mb > MaxMemoryMB {
		return Errorf(CodeInvalidArgument, "%s %d MiB is out of range: use %d to %d MiB (24 TiB)", field, mb, MinMemoryMB, MaxMemoryMB)
	}
	if mb%MemoryStepMB != 0 {
		return Errorf(CodeInvalidArgument, "%s %d MiB is not a multiple of %d MiB: try %d", field, mb, MemoryStepMB, mb-mb%MemoryStepMB)
	}
	return nil
}

// ValidateDiskGB checks a disk size in GiB.
func ValidateDiskGB(field string, gb int) error {
	if gb < MinDiskGB || gb > MaxDiskGB {
		return Errorf(CodeInvalidArgument, "%s %d GiB is out of range: use %d to %d GiB (62 TiB)", field, gb, MinDiskGB, MaxDiskGB)
	}
	return nil
}

// ValidateGuestID checks the shape of a guest OS identifier.
func ValidateGuestID(field, id string) error {
	if !guestIDPattern.MatchString(id) {
		return Errorf(CodeInvalidArgument, "%s %q is not a vSphere guest OS identifier: use one such as otherGuest64, ubuntu64Guest, rhel9_64Guest or windows2019srv_64Guest", field, id)
	}
	return nil
}

// validateObjectName checks an optional name of an inventory object given
// for placement (datastore, network, folder, ...).
func validateObjectName(field, s string) error {
	switch {
	case len(s) > 2048:
		return Errorf(CodeInvalidArgument, "%s is %d bytes long: at most 2048 are allowed", field, len(s))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return Errorf(CodeInvalidArgument, "%s must not contain control characters", field)
	}
	return nil
}
