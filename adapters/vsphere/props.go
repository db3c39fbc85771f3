package vsphere

import (
	"context"
	"reflect"
	"time"

	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The helpers in this file run PropertyCollector retrievals and read the
// values of the properties they return, without reflection on whole
// managed objects: a listing of thousands of VMs decodes only what it asked
// for.

// destroyTimeout bounds the clean-up of a container view, which runs even
// when the caller's context has ended.
const destroyTimeout = 10 * time.Second

// retrieve runs one retrieval (with its continuations) of specs.
func (h *Hypervisor) retrieve(ctx context.Context, specs ...types.PropertyFilterSpec) ([]types.ObjectContent, error) {
	var out []types.ObjectContent
	err := h.call(ctx, func(ctx context.Context) error {
		var err error
		out, err = h.retrieveOnce(ctx, specs)
		return err
	})
	return out, err
}

func (h *Hypervisor) retrieveOnce(ctx context.Context, specs []types.PropertyFilterSpec) ([]types.ObjectContent, error) {
	out, err := mo.RetrievePropertiesEx(ctx, h.client, types.RetrievePropertiesEx{
		This:    h.client.ServiceContent.PropertyCollector,
		SpecSet: specs,
	})
	if err != nil {
		return nil, err
	}
	for _, o := range out {
		if f := missingFault(o); isNotAuthenticated(f) {
			return nil, f
		}
	}
	return out, nil
}

// retrieveView retrieves props of every object of the given kinds in the
// inventory: one container view on the root folder, one retrieval.
func (h *Hypervisor) retrieveView(ctx context.Context, kinds []string, props []types.PropertySpec) ([]types.ObjectContent, error) {
	var out []types.ObjectContent
	err := h.call(ctx, func(ctx context.Context) error {
		v, err := view.NewManager(h.client).CreateContainerView(ctx, h.client.ServiceContent.RootFolder, kinds, true)
		if err != nil {
			return err
		}
		defer func() {
			// A view lives as long as the session: destroy it even when
			// the caller has given up.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), destroyTimeout)
			defer cancel()
			if err := v.Destroy(dctx); err != nil {
				h.log.Debug("could not destroy a container view", "view", v.Reference().Value, "error", err)
			}
		}()
		out, err = h.retrieveOnce(ctx, []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{
				Obj:       v.Reference(),
				Skip:      types.NewBool(true),
				SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}},
			}},
			PropSet: props,
		}})
		return err
	})
	return out, err
}

// propSpec returns the PropertySpec of kind for paths.
func propSpec(kind string, paths ...string) types.PropertySpec {
	return types.PropertySpec{Type: kind, PathSet: paths}
}

func propString(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case *string:
		if s != nil {
			return *s
		}
		return ""
	}
	// Enumerations (power states, connection states) are named strings.
	if r := reflect.ValueOf(v); r.Kind() == reflect.String {
		return r.String()
	}
	return ""
}

func propRef(v any) types.ManagedObjectReference {
	switch r := v.(type) {
	case types.ManagedObjectReference:
		return r
	case *types.ManagedObjectReference:
		if r != nil {
			return *r
		}
	}
	return types.ManagedObjectReference{}
}

func propRefs(v any) []types.ManagedObjectReference {
	switch r := v.(type) {
	case types.ArrayOfManagedObjectReference:
		return r.ManagedObjectReference
	case []types.ManagedObjectReference:
		return r
	}
	return nil
}

func propStrings(v any) []string {
	switch r := v.(type) {
	case types.ArrayOfString:
		return r.String
	case []string:
		return r
	}
	return nil
}

func propInt(v any) int64 {
	switch n := v.(type) {
	case int32:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	case *int32:
		if n != nil {
			return int64(*n)
		}
	case *int64:
		if n != nil {
			return *n
		}
	}
	return 0
}

func propBool(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case *bool:
		return b != nil && *b
	}
	return false
}
