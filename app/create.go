package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// Result is the answer of CreateVM and CloneVM: the new VM (as it would be,
// without an id, on a dry run) and, on a dry run, the plan.
type Result struct {
	VM     domain.VM
	DryRun bool
	Plan   *domain.Plan
}

// CreateVM creates a VM of spec, after applying its defaults and the
// configured placement defaults. The name must not be taken anywhere in the
// inventory: concurrent creates of one name end with exactly one VM, the
// others with already_exists. Returns read_only, invalid_argument,
// already_exists, not_found (a named placement object does not exist),
// ambiguous, and the hypervisor's errors. When the VM was created but could
// not be powered on, the error says so and the VM stays, powered off.
func (s *Service) CreateVM(ctx context.Context, spec domain.CreateSpec) (res Result, err error) {
	start := time.Now()
	target := domain.VM{Name: spec.Name}
	defer func() { s.audit(ctx, "createVM", start, target, spec.DryRun, err) }()

	if err := s.refuseIfReadOnly("createVM"); err != nil {
		return Result{}, err
	}
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return Result{}, err
	}
	unlock, err := s.claimName(ctx, "name", spec.Name)
	if err != nil {
		return Result{}, err
	}
	defer unlock()

	at, err := s.hv.PlaceVM(ctx, s.withDefaults(spec.Placement))
	if err != nil {
		return Result{}, err
	}
	target = domain.VM{
		Name:       domain.EscapeName(spec.Name),
		Path:       at.VMPath(spec.Name),
		Datacenter: at.Datacenter.Name,
		PowerState: domain.PoweredOff,
		CPU:        spec.CPU,
		MemoryMB:   spec.MemoryMB,
		GuestID:    spec.GuestID,
		Host:       at.Host.Name,
		Cluster:    at.Cluster.Name,
		Datastores: nonEmpty(at.Datastore.Name),
		Networks:   nonEmpty(at.Network.Name),
	}
	if spec.DryRun {
		plan := &domain.Plan{Action: domain.ActionCreate, Target: target, Placement: &at, Steps: createSteps(spec, at)}
		return Result{VM: target, DryRun: true, Plan: plan}, nil
	}

	vm, err := s.hv.CreateVM(ctx, spec, at)
	if err != nil {
		return Result{}, err
	}
	return s.made(ctx, vm, spec.PowerOn, &target)
}

// CloneVM copies the VM or template spec.Source to a new VM named
// spec.Name, in the source's folder, resource pool and datastore unless the
// spec says otherwise. The new name must not be taken anywhere. Returns the
// errors of CreateVM, and invalid_argument where the hypervisor cannot clone.
func (s *Service) CloneVM(ctx context.Context, spec domain.CloneSpec) (res Result, err error) {
	start := time.Now()
	target := domain.VM{Name: spec.Name}
	var source domain.VM
	defer func() {
		s.audit(ctx, "cloneVM", start, target, spec.DryRun, err, slog.String("source", source.String()))
	}()

	if err := s.refuseIfReadOnly("cloneVM"); err != nil {
		return Result{}, err
	}
	if err := spec.Validate(); err != nil {
		return Result{}, err
	}
	if source, err = s.resolveForChange(ctx, "template_name", spec.Source); err != nil {
		return Result{}, err
	}
	unlock, err := s.claimName(ctx, "new_name", spec.Name)
	if err != nil {
		return Result{}, err
	}
	defer unlock()

	at, err := s.hv.PlaceClone(ctx, source, spec.Placement)
	if err != nil {
		return Result{}, err
	}
	target = source.Clone()
	target.ID, target.Name, target.Path = "", domain.EscapeName(spec.Name), at.VMPath(spec.Name)
	target.Datacenter, target.Host, target.Cluster = at.Datacenter.Name, at.Host.Name, at.Cluster.Name
	target.PowerState, target.Template, target.IPAddress = domain.PoweredOff, false, ""
	if !at.Datastore.IsZero() {
		target.Datastores = []string{at.Datastore.Name}
	}
	if spec.DryRun {
		plan := &domain.Plan{Action: domain.ActionClone, Target: target, Source: &source, Placement: &at, Steps: cloneSteps(source, spec, at)}
		return Result{VM: target, DryRun: true, Plan: plan}, nil
	}

	vm, err := s.hv.CloneVM(ctx, source, spec.Name, at)
	if err != nil {
		return Result{}, err
	}
	return s.made(ctx, vm, spec.PowerOn, &target)
}

// claimName locks name for the caller and checks that no VM anywhere has it.
// The caller must call unlock once its VM exists or it has given up.
func (s *Service) claimName(ctx context.Context, field, name string) (unlock func(), err error) {
	unlock, err = s.names.lock(ctx, domain.EscapeName(name))
	if err != nil {
		return nil, err
	}
	vm, err := s.hv.ResolveVM(ctx, domain.NameRef(name), ports.Current)
	switch {
	case err == nil:
		err = domain.Errorf(domain.CodeAlreadyExists, "%s %q is taken: a VM of that name exists at %s", field, name, vm)
	case errors.Is(err, domain.ErrAmbiguous):
		err = &domain.Error{
			Code:       domain.CodeAlreadyExists,
			Message:    fmt.Sprintf("%s %q is taken by several VMs", field, name),
			Candidates: domain.AsError(err).Candidates,
		}
	case errors.Is(err, domain.ErrNotFound):
		return unlock, nil
	}
	unlock()
	return nil, err
}

// withDefaults fills the request's empty fields from the configured
// defaults. A request that names a host or cluster gets no default cluster,
// and one that gives an absolute inventory path gets no default datacenter: the
// configuration must not contradict what the caller asked for.
func (s *Service) withDefaults(req domain.PlacementRequest) domain.PlacementRequest {
	d := s.defaults
	if req.Host != "" || req.Cluster != "" {
		d.Cluster = ""
	}
	for _, v := range []string{req.Folder, req.Cluster, req.Host, req.Datastore, req.Network} {
		if strings.HasPrefix(v, "/") {
			d.Datacenter = ""
		}
	}
	d.Folder, d.Host = "", ""
	return req.Or(d)
}

// made finishes a create or a clone of vm, which now exists: it powers vm
// on when asked, and keeps target, the audit line's VM, current. A failure
// to power on keeps the VM and says so.
func (s *Service) made(ctx context.Context, vm domain.VM, powerOn bool, target *domain.VM) (Result, error) {
	*target = vm
	if !powerOn {
		return Result{VM: vm}, nil
	}
	on, err := s.hv.PowerOn(ctx, vm)
	if err != nil {
		e := domain.AsError(err)
		return Result{VM: vm}, &domain.Error{
			Code:    e.Code,
			Message: fmt.Sprintf("created %s, but could not power it on: %s; it stays powered off", vm, e.Message),
			Err:     err,
		}
	}
	*target = on
	return Result{VM: on}, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
