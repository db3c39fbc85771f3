package vsphere

import (
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// The helpers in this file find the objects a placement request names, and
// word the errors when they do not exist.

// reaches reports whether some host of hosts lists e among its refs.
func reaches(hosts []*entity, refs func(*entity) []types.ManagedObjectReference, e *entity) bool {
	return slices.ContainsFunc(hosts, func(host *entity) bool { return slices.Contains(refs(host), e.ref) })
}

// named returns the one object of list that s names, by inventory path or
// by name; field names the request's field in errors.
func (pl *placer) named(field, s string, list []*entity) (*entity, error) {
	var found []*entity
	path := strings.TrimRight(s, "/")
	for _, e := range list {
		if e.name == s || e.name == domain.EscapeName(s) || pl.t.path(e.ref) == path {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return nil, domain.Errorf(domain.CodeNotFound, "%s %q does not exist; known: %s", field, s, strings.Join(known(pl.t, list, false), ", "))
	case 1:
		return found[0], nil
	}
	return nil, domain.Errorf(domain.CodeAmbiguous, "%s %q matches %d objects: %s; give its inventory path",
		field, s, len(found), strings.Join(known(pl.t, found, true), ", "))
}

// findNamed returns the object of list named name, or nil.
func findNamed(list []*entity, name string) *entity {
	for _, e := range list {
		if e.name == name {
			return e
		}
	}
	return nil
}

// known returns up to ten names (or paths) of list, for error messages
// that let the caller correct itself.
func known(t *topology, list []*entity, paths bool) []string {
	const most = 10
	if len(list) == 0 {
		return []string{"none"}
	}
	out := make([]string, 0, most+1)
	for _, e := range list {
		if len(out) == most {
			return append(out, "...")
		}
		if paths {
			out = append(out, t.path(e.ref))
		} else {
			out = append(out, e.name)
		}
	}
	return out
}

func maintenance(host *entity) string {
	if host.maintenance {
		return " and in maintenance mode"
	}
	return ""
}
