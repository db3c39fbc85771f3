package vcsimtest

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// hooks sees every SOAP call the simulator serves, through vcsim's
// Registry.Handler: it counts them by method and can answer some of them
// instead of the simulator. The handler is installed before the simulator
// serves and never changes; what it does is guarded by mu.
type hooks struct {
	mu        sync.Mutex
	calls     map[string]int
	stalled   map[string]bool                  // methods whose tasks never finish
	failing   map[string]types.BaseMethodFault // methods that fail
	hold      chan struct{}                    // while set, long polls wait until it is closed
	held      int                              // long polls waiting
	observers map[int]func(*vcsim.Method)
	nextObs   int
	nextID    atomic.Int64
}

func newHooks() *hooks {
	return &hooks{
		calls: make(map[string]int), stalled: make(map[string]bool),
		failing: make(map[string]types.BaseMethodFault), observers: make(map[int]func(*vcsim.Method)),
	}
}

func (h *hooks) install(m *vcsim.Model) {
	m.Map().Handler = func(ctx *vcsim.Context, method *vcsim.Method) (mo.Reference, types.BaseMethodFault) {
		if hold := h.holding(method); hold != nil {
			<-hold
			h.mu.Lock()
			h.held--
			h.mu.Unlock()
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.calls[method.Name]++
		for _, f := range h.observers {
			f(method)
		}
		if f := h.failing[method.Name]; f != nil {
			return nil, f
		}
		if h.stalled[method.Name] {
			// vcsim dispatches to the object the session finds for
			// method.This, not to the one a handler returns: register a
			// stand-in and point the call at it.
			st := &stall{
				self:   types.ManagedObjectReference{Type: "EsximcpStall", Value: fmt.Sprintf("stall-%d", h.nextID.Add(1))},
				target: method.This,
				hooks:  h,
			}
			ctx.Map.Put(st)
			method.This = st.self
			return st, nil
		}
		return nil, nil
	}
}

// Calls returns how many calls of the SOAP method (such as "Login") the
// simulator has served.
func (s *Sim) Calls(method string) int {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return s.hooks.calls[method]
}

// Observe calls f with every SOAP call the simulator serves from now on,
// before it serves it, until stop is called. f runs in the simulator's
// request goroutine with the hooks locked: it must be quick and must not
// call the simulator.
func (s *Sim) Observe(f func(*vcsim.Method)) (stop func()) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	id := s.hooks.nextObs
	s.hooks.nextObs++
	s.hooks.observers[id] = f
	return func() {
		s.hooks.mu.Lock()
		defer s.hooks.mu.Unlock()
		delete(s.hooks.observers, id)
	}
}

// holding returns the channel a long poll must wait on, counting it as
// held, or nil. A long poll is a WaitForUpdatesEx that sets MaxWaitSeconds,
// as an inventory index's does; govmomi's task.Wait sets none, so that an
// Admin's tasks still finish.
func (h *hooks) holding(method *vcsim.Method) chan struct{} {
	req, ok := method.Body.(*types.WaitForUpdatesEx)
	if !ok || req.Options == nil || req.Options.MaxWaitSeconds == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hold != nil {
		h.held++
	}
	return h.hold
}

// HoldUpdates holds every later long poll for property updates (see
// holding) until release is called, or the test ends: an inventory index
// then misses every change, as if vCenter's updates were very late. A
// poll already waiting inside the simulator is not held: held reports how
// many polls wait, so that a test can wait until the index's next one does.
func (s *Sim) HoldUpdates(t testing.TB) (held func() int, release func()) {
	s.hooks.mu.Lock()
	ch := make(chan struct{})
	s.hooks.hold = ch
	s.hooks.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			s.hooks.mu.Lock()
			s.hooks.hold = nil
			s.hooks.mu.Unlock()
			close(ch)
		})
	}
	t.Cleanup(release) // before the simulator closes: it waits for held calls
	return func() int {
		s.hooks.mu.Lock()
		defer s.hooks.mu.Unlock()
		return s.hooks.held
	}, release
}

// FailCalls makes every later call of the SOAP method fail with fault,
// until stop is called.
func (s *Sim) FailCalls(method string, fault types.BaseMethodFault) (stop func()) {
	return set(&s.hooks.mu, s.hooks.failing, method, fault)
}

// set sets m[key] to v under mu and returns the function that deletes it.
func set[V any](mu *sync.Mutex, m map[string]V, key string, v V) (unset func()) {
	mu.Lock()
	defer mu.Unlock()
	m[key] = v
	return func() {
		mu.Lock()
		defer mu.Unlock()
		delete(m, key)
	}
}

// StallTasks makes every later call of the SOAP method (one of
// StallableMethods) start a task that never finishes, as a task stuck in
// vCenter would be. It returns the function that stops it for later calls.
func (s *Sim) StallTasks(method string) (stop func()) {
	if !slices.Contains(StallableMethods, method) {
		panic(fmt.Sprintf("vcsimtest: cannot stall %s: only %v", method, StallableMethods))
	}
	return set(&s.hooks.mu, s.hooks.stalled, method, true)
}

// StallableMethods are the task methods StallTasks can stall.
var StallableMethods = []string{"PowerOnVM_Task", "PowerOffVM_Task", "Destroy_Task", "CreateVM_Task", "CloneVM_Task"}

// stall answers a task method with a task that stays running: vcsim calls
// its method of the same name, without "_".
type stall struct {
	self   types.ManagedObjectReference
	target types.ManagedObjectReference // the object the call was for
	hooks  *hooks
}

func (s *stall) Reference() types.ManagedObjectReference { return s.self }

// task puts a running task on s.target into the simulator and returns it.
func (s *stall) task(ctx *vcsim.Context, name string) types.ManagedObjectReference {
	t := vcsim.CreateTask(s.target, name, nil)
	t.Self = types.ManagedObjectReference{Type: "Task", Value: fmt.Sprintf("task-%d", 900000+s.hooks.nextID.Add(1))}
	now := time.Now()
	t.Info.Key, t.Info.Task = t.Self.Value, t.Self
	t.Info.State, t.Info.StartTime = types.TaskInfoStateRunning, &now
	ctx.Map.Put(t)
	return t.Self
}

// PowerOnVMTask answers PowerOnVM_Task.
func (s *stall) PowerOnVMTask(ctx *vcsim.Context, _ *types.PowerOnVM_Task) soap.HasFault {
	return &methods.PowerOnVM_TaskBody{Res: &types.PowerOnVM_TaskResponse{Returnval: s.task(ctx, "powerOn")}}
}

// PowerOffVMTask answers PowerOffVM_Task.
func (s *stall) PowerOffVMTask(ctx *vcsim.Context, _ *types.PowerOffVM_Task) soap.HasFault {
	return &methods.PowerOffVM_TaskBody{Res: &types.PowerOffVM_TaskResponse{Returnval: s.task(ctx, "powerOff")}}
}

// DestroyTask answers Destroy_Task.
func (s *stall) DestroyTask(ctx *vcsim.Context, _ *types.Destroy_Task) soap.HasFault {
	return &methods.Destroy_TaskBody{Res: &types.Destroy_TaskResponse{Returnval: s.task(ctx, "destroy")}}
}

// CreateVMTask answers CreateVM_Task.
func (s *stall) CreateVMTask(ctx *vcsim.Context, _ *types.CreateVM_Task) soap.HasFault {
	return &methods.CreateVM_TaskBody{Res: &types.CreateVM_TaskResponse{Returnval: s.task(ctx, "createVm")}}
}

// CloneVMTask answers CloneVM_Task.
func (s *stall) CloneVMTask(ctx *vcsim.Context, _ *types.CloneVM_Task) soap.HasFault {
	return &methods.CloneVM_TaskBody{Res: &types.CloneVM_TaskResponse{Returnval: s.task(ctx, "cloneVm")}}
}

// allowVMSubfolders lets the VM folder of vcsim's ESX model hold folders.
// A standalone ESXi host has no VM folders, and vcsim's ESX model, like
// ESXi, refuses CreateFolder there; the contract suite needs two places
// that may hold VMs of one name, as the memory adapter's ESX fixture has
// ("sub"). The adapter does nothing special for such a folder.
func allowVMSubfolders(m *vcsim.Model) {
	for _, obj := range []types.ManagedObjectReference{{Type: "Folder", Value: "ha-folder-vm"}} {
		if f, ok := m.Map().Get(obj).(*vcsim.Folder); ok && !slices.Contains(f.ChildType, "Folder") {
			f.ChildType = append(f.ChildType, "Folder")
		}
	}
}
