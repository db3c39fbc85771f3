package vsphere

import (
	"context"
	"fmt"
	"time"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// The intervals between two looks at a running task (or a VM's power
// state): short at first, since most tasks take moments (a power task on
// an idle host, a few milliseconds), then doubling up to maxPoll, so that a
// clone of minutes does not keep vCenter busy: a task of one second costs
// about ten looks.
const (
	firstPoll = time.Millisecond
	maxPoll   = time.Second
)

// start runs f, which starts a task with one call (such as PowerOnVM_Task)
// and returns its reference, then awaits the task. name is the task's
// method, what the operation in a sentence (for errors). It returns the
// task's result.
func (h *Hypervisor) start(ctx context.Context, name, what string, f func(context.Context) (types.ManagedObjectReference, error)) (types.AnyType, error) {
	return h.startReading(ctx, name, what, f, h.taskInfo)
}

// startReading is start, with read to look at the task while it runs.
func (h *Hypervisor) startReading(ctx context.Context, name, what string, f func(context.Context) (types.ManagedObjectReference, error), read taskReader) (types.AnyType, error) {
	var task types.ManagedObjectReference
	err := h.call(ctx, func(ctx context.Context) error {
		var err error
		task, err = f(ctx)
		return err
	})
	if err != nil {
		return nil, h.translate(err, what)
	}
	return h.await(ctx, task, name, what, read)
}

// taskReader reads the info of a task; taskInfo is the plain one.
type taskReader func(ctx context.Context, task types.ManagedObjectReference) (*types.TaskInfo, error)

// await waits until task finishes, for at most the task timeout and as
// long as ctx lasts. It polls the task's state with read, through h.call,
// so that a session lost while waiting is restored and the wait goes on:
// the task itself outlives the session. A timeout names the task and its
// id, for an operator to follow it in vCenter.
func (h *Hypervisor) await(ctx context.Context, task types.ManagedObjectReference, name, what string, read taskReader) (types.AnyType, error) {
	tctx, cancel := context.WithTimeout(ctx, h.taskTimeout)
	defer cancel()
	delay := firstPoll
	for {
		info, err := read(tctx, task)
		switch {
		case tctx.Err() != nil:
			return nil, h.taskTimedOut(ctx, task, name, what)
		case err != nil:
			e := domain.AsError(h.translate(err, what))
			return nil, domain.Wrap(e.Code, err, fmt.Sprintf("%s; task %s (%s) may still be running: follow it in vSphere", e.Message, name, task.Value))
		case info.State == types.TaskInfoStateSuccess:
			return info.Result, nil
		case info.State == types.TaskInfoStateError:
			err := h.translate(taskError(info), what)
			if e := domain.AsError(err); e.Code == domain.CodeInternal {
				// An unexpected failure: give the operator the task to look at.
				return nil, domain.Wrap(e.Code, e.Err, fmt.Sprintf("%s (task %s, %s)", e.Message, name, task.Value))
			}
			return nil, err
		}
		timer := time.NewTimer(delay)
		select {
		case <-tctx.Done():
			timer.Stop()
			return nil, h.taskTimedOut(ctx, task, name, what)
		case <-timer.C:
		}
		delay = min(2*delay, maxPoll)
	}
}

// taskInfo reads the info of task.
func (h *Hypervisor) taskInfo(ctx context.Context, task types.ManagedObjectReference) (*types.TaskInfo, error) {
	objs, err := h.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: task}},
		PropSet:   []types.PropertySpec{propSpec(task.Type, "info")},
	})
	if err != nil {
		return nil, err
	}
	return infoOf(task, objs)
}

// infoOf returns the info of task among objs, the result of a retrieval.
func infoOf(task types.ManagedObjectReference, objs []types.ObjectContent) (*types.TaskInfo, error) {
	for _, o := range objs {
		if o.Obj != task {
			continue
		}
		if err := missingFault(o); err != nil {
			return nil, err
		}
		for _, p := range o.PropSet {
			switch info := p.Val.(type) {
			case types.TaskInfo:
				return &info, nil
			case *types.TaskInfo:
				return info, nil
			}
		}
	}
	return nil, domain.Errorf(domain.CodeNotFound, "task %s no longer exists", task.Value)
}

// taskTimedOut returns the timeout error of a task still running: the
// request's deadline when ctx has ended, else the task timeout.
func (h *Hypervisor) taskTimedOut(ctx context.Context, task types.ManagedObjectReference, name, what string) error {
	if err := ctx.Err(); err != nil {
		return domain.Wrap(domain.CodeTimeout, err, fmt.Sprintf(
			"%s: task %s (%s) did not finish before the request's deadline; it may still be running: follow it in vSphere",
			what, name, task.Value))
	}
	return domain.Wrap(domain.CodeTimeout, context.DeadlineExceeded, fmt.Sprintf(
		"%s: task %s (%s) did not finish within the task timeout of %s; it may still be running: follow it in vSphere",
		what, name, task.Value, h.taskTimeout))
}

// waitPowerState waits until the VM ref is in state want, for at most the
// task timeout and as long as ctx lasts. It reports whether it got there.
func (h *Hypervisor) waitPowerState(ctx context.Context, ref types.ManagedObjectReference, want types.VirtualMachinePowerState) (bool, error) {
	tctx, cancel := context.WithTimeout(ctx, h.taskTimeout)
	defer cancel()
	delay := firstPoll
	for {
		objs, err := h.retrieve(tctx, types.PropertyFilterSpec{
			ObjectSet: []types.ObjectSpec{{Obj: ref}},
			PropSet:   []types.PropertySpec{propSpec("VirtualMachine", "runtime.powerState")},
		})
		switch {
		case tctx.Err() != nil:
			return false, nil
		case err != nil:
			return false, err
		}
		for _, o := range objs {
			if err := missingFault(o); err != nil {
				return false, err
			}
			for _, p := range o.PropSet {
				if types.VirtualMachinePowerState(propString(p.Val)) == want {
					return true, nil
				}
			}
		}
		timer := time.NewTimer(delay)
		select {
		case <-tctx.Done():
			timer.Stop()
			return false, nil
		case <-timer.C:
		}
		delay = min(2*delay, maxPoll)
	}
}
