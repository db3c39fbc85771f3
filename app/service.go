// Package app is the application core of esximcp: the use cases an MCP
// client or a Go program calls (Service), and the policies that hold
// whatever the hypervisor: read-only mode, dry runs, unique VM names,
// placement defaults, refusal to act on an ambiguous reference, and an
// audit line for every mutation.
//
// It depends on domain and ports only.
package app

import (
	"context"
	"log/slog"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// Options configure a Service.
type Options struct {
	// ReadOnly refuses every mutation, dry runs included, with read_only.
	ReadOnly bool
	// Defaults are the configured placement defaults of new VMs (datacenter,
	// cluster, datastore, network). A request's own fields win; a request
	// that names a host or a cluster does not get the default cluster.
	Defaults domain.PlacementRequest
	// Logger receives the audit lines. Nil discards them.
	Logger *slog.Logger
}

// Service is the application core. Its methods are safe for concurrent use.
type Service struct {
	hv       ports.Hypervisor
	readOnly bool
	defaults domain.PlacementRequest
	log      *slog.Logger
	names    nameLocks
}

// New returns a Service over hv.
func New(hv ports.Hypervisor, opts Options) *Service {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{hv: hv, readOnly: opts.ReadOnly, defaults: opts.Defaults, log: log}
}

// ReadOnly reports whether the service refuses mutations.
func (s *Service) ReadOnly() bool { return s.readOnly }

// ListResult is the answer of ListVMs.
type ListResult struct {
	VMs   []domain.VM // sorted by path
	Total int         // how many matched before the limit
}

// Truncated reports whether the limit left matching VMs out.
func (r ListResult) Truncated() bool { return r.Total > len(r.VMs) }

// ListVMs returns the VMs f selects. Returns invalid_argument for a bad
// filter.
func (s *Service) ListVMs(ctx context.Context, f domain.ListFilter) (ListResult, error) {
	if err := f.Validate(); err != nil {
		return ListResult{}, err
	}
	vms, total, err := s.hv.ListVMs(ctx, f)
	if err != nil {
		return ListResult{}, err
	}
	return ListResult{VMs: vms, Total: total}, nil
}

// GetVM returns the one VM ref names (a name, an inventory path or an id;
// see domain.ParseVMRef). Returns invalid_argument, not_found or ambiguous.
func (s *Service) GetVM(ctx context.Context, ref string) (domain.VM, error) {
	r, err := domain.ParseVMRef("name", ref)
	if err != nil {
		return domain.VM{}, err
	}
	return s.hv.ResolveVM(ctx, r, ports.Cached)
}

// VMStats returns the performance figures of the VM ref names. Returns
// invalid_argument, not_found or ambiguous.
func (s *Service) VMStats(ctx context.Context, ref string) (domain.VMStats, error) {
	vm, err := s.GetVM(ctx, ref)
	if err != nil {
		return domain.VMStats{}, err
	}
	return s.hv.VMStats(ctx, vm)
}

// Check returns nil while the hypervisor is usable, else unavailable.
func (s *Service) Check(ctx context.Context) error { return s.hv.Check(ctx) }

// target checks that the mutation op may run, then resolves its target VM
// ref (the name argument), confirmed with the hypervisor, into *audited, the
// VM of the audit line.
func (s *Service) target(ctx context.Context, op, ref string, audited *domain.VM) (domain.VM, error) {
	if err := s.refuseIfReadOnly(op); err != nil {
		return domain.VM{}, err
	}
	vm, err := s.resolveForChange(ctx, "name", ref)
	if err == nil {
		*audited = vm
	}
	return vm, err
}

// resolveForChange resolves the target of a mutation, confirmed with the
// hypervisor.
func (s *Service) resolveForChange(ctx context.Context, field, ref string) (domain.VM, error) {
	r, err := domain.ParseVMRef(field, ref)
	if err != nil {
		return domain.VM{}, err
	}
	return s.hv.ResolveVM(ctx, r, ports.Current)
}

func (s *Service) refuseIfReadOnly(op string) error {
	if s.readOnly {
		return domain.Errorf(domain.CodeReadOnly, "%s is refused: the server is read-only (read_only: true)", op)
	}
	return nil
}
