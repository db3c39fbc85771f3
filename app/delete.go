package app

import (
	"context"
	"fmt"
	"time"

	"github.com/esximcp/esximcp/domain"
)

// DeleteResult is the answer of DeleteVM: the VM as it was before deletion.
type DeleteResult struct {
	Deleted domain.VM
	DryRun  bool
	Plan    *domain.Plan
}

// DeleteVM destroys the VM spec.VM names, with its disks. A VM that is
// powered on or suspended is refused with conflict unless spec.Force, which
// powers it off first. Returns read_only, invalid_argument, not_found,
// ambiguous (nothing is deleted), conflict, and the hypervisor's errors.
func (s *Service) DeleteVM(ctx context.Context, spec domain.DeleteSpec) (res DeleteResult, err error) {
	start := time.Now()
	target := domain.VM{Name: spec.VM}
	defer func() { s.audit(ctx, "deleteVM", start, target, spec.DryRun, err) }()

	vm, err := s.target(ctx, "deleteVM", spec.VM, &target)
	if err != nil {
		return DeleteResult{}, err
	}
	running := vm.PowerState != domain.PoweredOff && vm.PowerState != ""
	if running && !spec.Force {
		return DeleteResult{}, domain.Errorf(domain.CodeConflict,
			"%s is %s: power it off first, or pass force: true to power it off and delete it", vm, vm.PowerState)
	}
	if spec.DryRun {
		var steps []string
		if running {
			steps = append(steps, fmt.Sprintf("power off %s (it is %s)", vm, vm.PowerState))
		}
		steps = append(steps, fmt.Sprintf("destroy %s and delete its disks", vm))
		return DeleteResult{Deleted: vm, DryRun: true, Plan: &domain.Plan{Action: domain.ActionDelete, Target: vm, Steps: steps}}, nil
	}
	if running {
		if vm, err = s.ensureOff(ctx, vm); err != nil {
			return DeleteResult{}, err
		}
	}
	if err := s.hv.DeleteVM(ctx, vm); err != nil {
		return DeleteResult{}, err
	}
	return DeleteResult{Deleted: vm}, nil
}
