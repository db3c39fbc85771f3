package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// PowerResult is the answer of PowerOn and PowerOff: the VM afterwards (as
// it would be, on a dry run), and whether its power state changed (would
// change).
type PowerResult struct {
	VM      domain.VM
	Changed bool
	DryRun  bool
	Plan    *domain.Plan
}

// PowerOn powers on (or resumes) the VM spec.VM names. A VM that is already
// on is left alone and reported with Changed false. Returns read_only,
// invalid_argument (also for a template), not_found, ambiguous, and the
// hypervisor's errors.
func (s *Service) PowerOn(ctx context.Context, spec domain.PowerSpec) (res PowerResult, err error) {
	start := time.Now()
	target := domain.VM{Name: spec.VM}
	defer func() {
		s.audit(ctx, "powerOn", start, target, spec.DryRun, err, slog.Bool("changed", res.Changed))
	}()

	vm, err := s.target(ctx, "powerOn", spec.VM, &target)
	if err != nil {
		return PowerResult{}, err
	}
	switch {
	case vm.Template:
		return PowerResult{}, domain.Errorf(domain.CodeInvalidArgument,
			"%s is a template, and templates cannot be powered on: clone it to a VM first", vm)
	case vm.PowerState == domain.PoweredOn:
		return PowerResult{VM: vm, DryRun: spec.DryRun, Plan: dryPlan(spec.DryRun, domain.ActionPowerOn, vm)}, nil
	case spec.DryRun:
		after := vm
		after.PowerState = domain.PoweredOn
		return PowerResult{VM: after, Changed: true, DryRun: true,
			Plan: dryPlan(true, domain.ActionPowerOn, vm, fmt.Sprintf("power on %s (it is %s)", vm, vm.PowerState))}, nil
	}
	on, err := s.hv.PowerOn(ctx, vm)
	if now, ok := s.settled(ctx, vm, err, domain.PoweredOn); ok {
		return PowerResult{VM: now}, nil
	}
	if err != nil {
		return PowerResult{}, err
	}
	target = on
	return PowerResult{VM: on, Changed: true}, nil
}

// PowerOff powers off the VM spec.VM names: at once, or with
// spec.Graceful through a guest shutdown that waits until the VM is off. A
// VM that is already off is left alone and reported with Changed false.
// Returns read_only, invalid_argument, not_found, ambiguous, conflict (a
// graceful shutdown of a suspended VM, or of one without running guest
// tools), timeout, and the hypervisor's errors.
func (s *Service) PowerOff(ctx context.Context, spec domain.PowerSpec) (res PowerResult, err error) {
	start := time.Now()
	target := domain.VM{Name: spec.VM}
	defer func() {
		s.audit(ctx, "powerOff", start, target, spec.DryRun, err,
			slog.Bool("graceful", spec.Graceful), slog.Bool("changed", res.Changed))
	}()

	vm, err := s.target(ctx, "powerOff", spec.VM, &target)
	if err != nil {
		return PowerResult{}, err
	}
	switch {
	case vm.PowerState == domain.PoweredOff:
		return PowerResult{VM: vm, DryRun: spec.DryRun, Plan: dryPlan(spec.DryRun, domain.ActionPowerOff, vm)}, nil
	case spec.Graceful && vm.PowerState != domain.PoweredOn:
		return PowerResult{}, domain.Errorf(domain.CodeConflict,
			"%s is %s: a graceful shutdown needs a running guest; power it off without graceful instead", vm, vm.PowerState)
	case spec.DryRun:
		how := "power off"
		if spec.Graceful {
			how = "shut down the guest OS of"
		}
		after := vm
		after.PowerState = domain.PoweredOff
		return PowerResult{VM: after, Changed: true, DryRun: true,
			Plan: dryPlan(true, domain.ActionPowerOff, vm, fmt.Sprintf("%s %s (it is %s)", how, vm, vm.PowerState))}, nil
	}
	var off domain.VM
	if spec.Graceful {
		off, err = s.hv.ShutdownGuest(ctx, vm)
	} else {
		off, err = s.hv.PowerOff(ctx, vm)
	}
	if now, ok := s.settled(ctx, vm, err, domain.PoweredOff); ok && !spec.Graceful {
		return PowerResult{VM: now}, nil
	}
	if err != nil {
		return PowerResult{}, err
	}
	target = off
	return PowerResult{VM: off, Changed: true}, nil
}

// ensureOff powers vm off at once, tolerating that it went off meanwhile.
func (s *Service) ensureOff(ctx context.Context, vm domain.VM) (domain.VM, error) {
	off, err := s.hv.PowerOff(ctx, vm)
	if now, ok := s.settled(ctx, vm, err, domain.PoweredOff); ok {
		return now, nil
	}
	return off, err
}

// settled reports whether err is a conflict from a power call on vm that
// someone else made moot: the VM, read again, is in the wanted state.
func (s *Service) settled(ctx context.Context, vm domain.VM, err error, want domain.PowerState) (domain.VM, bool) {
	if !errors.Is(err, domain.ErrConflict) {
		return domain.VM{}, false
	}
	now, rerr := s.hv.ResolveVM(ctx, domain.IDRef(vm.ID), ports.Current)
	return now, rerr == nil && now.PowerState == want
}

// dryPlan returns the plan of a power operation on a dry run, nil otherwise.
func dryPlan(dryRun bool, action domain.Action, vm domain.VM, steps ...string) *domain.Plan {
	if !dryRun {
		return nil
	}
	return &domain.Plan{Action: action, Target: vm, Steps: steps}
}
