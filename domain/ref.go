package domain

import (
	"fmt"
	"strings"
	"unicode"
)

// RefKind tells how a VMRef names a virtual machine.
type RefKind uint8

// The kinds of VMRef.
const (
	// RefName is a VM name, matched exactly (case-sensitive) in every
	// datacenter.
	RefName RefKind = iota + 1
	// RefPath is an absolute inventory path such as "/DC0/vm/web/web01".
	RefPath
	// RefID is a managed object id such as "vm-42". A string that only looks
	// like an id ("vm-42", "42") also matches a VM of that name, so that a
	// VM named like an id is never mistaken for another.
	RefID
)

func (k RefKind) String() string {
	switch k {
	case RefName:
		return "name"
	case RefPath:
		return "path"
	case RefID:
		return "id"
	}
	return "unknown"
}

// VMRef names an existing virtual machine by name, inventory path or managed
// object id. Build one with ParseVMRef.
type VMRef struct {
	Kind  RefKind
	Value string
	// Exact is true for an id given with its type ("VirtualMachine:vm-42"),
	// which matches the id only, never a name.
	Exact bool
}

const vmTypePrefix = "VirtualMachine:"

// ParseVMRef tells apart the three ways of naming a VM:
//   - a string that starts with "/" is an inventory path (a trailing "/" is
//     ignored);
//   - "vm-<digits>" (vCenter) or "<digits>" (ESXi) is a managed object id, and
//     also matches a VM of that name; "VirtualMachine:vm-42" is an id only;
//   - anything else is a VM name. A name may contain "/" (vSphere stores it
//     escaped as "%2f", see EscapeName).
//
// field names the argument in error messages. An empty string, one longer
// than 2048 bytes, or one with control characters is an invalid_argument
// error.
func ParseVMRef(field, s string) (VMRef, error) {
	switch {
	case s == "":
		return VMRef{}, Errorf(CodeInvalidArgument, "%s is required: give a VM name, an inventory path such as /DC0/vm/web01, or an id such as vm-42", field)
	case len(s) > 2048:
		return VMRef{}, Errorf(CodeInvalidArgument, "%s is %d bytes long: at most 2048 are allowed", field, len(s))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return VMRef{}, Errorf(CodeInvalidArgument, "%s must not contain control characters", field)
	}
	if strings.HasPrefix(s, "/") {
		p := strings.TrimRight(s, "/")
		if p == "" || strings.Contains(p, "//") {
			return VMRef{}, Errorf(CodeInvalidArgument, "%s %q is not a valid inventory path: use /<datacenter>/vm/[<folder>/]<name>", field, s)
		}
		return VMRef{Kind: RefPath, Value: p}, nil
	}
	if id, ok := strings.CutPrefix(s, vmTypePrefix); ok {
		if id == "" {
			return VMRef{}, Errorf(CodeInvalidArgument, "%s %q has no id after %q", field, s, vmTypePrefix)
		}
		return VMRef{Kind: RefID, Value: id, Exact: true}, nil
	}
	if looksLikeID(s) {
		return VMRef{Kind: RefID, Value: s}, nil
	}
	return VMRef{Kind: RefName, Value: s}, nil
}

// NameRef returns a reference to the VM named name.
func NameRef(name string) VMRef { return VMRef{Kind: RefName, Value: name} }

// IDRef returns a reference to the VM whose managed object id is id, and to
// nothing else.
func IDRef(id string) VMRef { return VMRef{Kind: RefID, Value: id, Exact: true} }

func looksLikeID(s string) bool {
	digits := strings.TrimPrefix(s, "vm-")
	if digits == "" {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String returns the reference as a user typed it.
func (r VMRef) String() string {
	if r.Kind == RefID && r.Exact {
		return vmTypePrefix + r.Value
	}
	return r.Value
}

// MatchesName reports whether r, read as a name, matches the stored name
// name: either exactly, or once escaped the way vSphere escapes names.
func (r VMRef) MatchesName(name string) bool {
	if r.Kind == RefPath || (r.Kind == RefID && r.Exact) {
		return false
	}
	return name == r.Value || name == EscapeName(r.Value)
}

// Matches reports whether vm is a VM that r names.
func (r VMRef) Matches(vm VM) bool {
	switch r.Kind {
	case RefPath:
		return vm.Path == r.Value
	case RefID:
		return vm.ID == r.Value || r.MatchesName(vm.Name)
	case RefName:
		return r.MatchesName(vm.Name)
	}
	return false
}

// Pick returns the one VM among candidates that r matches. None is a
// not_found error; two or more are an ambiguous error that lists every
// candidate: Pick never chooses among several.
func (r VMRef) Pick(candidates []VM) (VM, error) {
	var found []VM
	seen := make(map[string]bool, 2)
	for _, vm := range candidates {
		if r.Matches(vm) && !seen[vm.ID] {
			seen[vm.ID] = true
			found = append(found, vm)
		}
	}
	switch len(found) {
	case 0:
		return VM{}, r.NotFound()
	case 1:
		return found[0], nil
	}
	return VM{}, r.Ambiguous(found)
}

// NotFound returns the not_found error for r.
func (r VMRef) NotFound() *Error {
	return Errorf(CodeNotFound, "no VM matches %s %q", r.Kind, r.String())
}

// Ambiguous returns the ambiguous error for r and the VMs it matched.
func (r VMRef) Ambiguous(matches []VM) *Error {
	cands := make([]Candidate, len(matches))
	paths := make([]string, len(matches))
	for i, vm := range matches {
		cands[i] = vm.Candidate()
		paths[i] = vm.String()
	}
	return &Error{
		Code: CodeAmbiguous,
		Message: fmt.Sprintf("%q matches %d VMs: %s; name one by its inventory path or id",
			r.String(), len(matches), strings.Join(paths, ", ")),
		Candidates: cands,
	}
}

// EscapeName returns name as vSphere stores an inventory object's name:
// "%" becomes "%25", "/" becomes "%2f" and "\" becomes "%5c".
func EscapeName(name string) string {
	if !strings.ContainsAny(name, `%/\`) {
		return name
	}
	return nameEscaper.Replace(name)
}

var nameEscaper = strings.NewReplacer(`%`, `%25`, `/`, `%2f`, `\`, `%5c`)
