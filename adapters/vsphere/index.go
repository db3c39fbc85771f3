package vsphere

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// The live inventory index (Options.InventoryCache) answers listings and
// Cached lookups without a round trip to vCenter. It is made of:
//
//   - a loop (index_loop.go) that follows one PropertyCollector filter on
//     the VMs and on the objects their paths and summaries name, with
//     WaitForUpdatesEx, into a stream (index_stream.go) that only it
//     touches;
//   - a table (index_table.go) of the VMs' summaries, sorted and keyed by id,
//     name and path, which the loop changes entry by entry, or replaces
//     whole after a build or a change of the topology, under mu;
//   - an overlay of the VMs our own mutations changed, read directly from
//     vCenter right after each change: it hides the table's entries of those
//     VMs until the stream has caught up, so that a caller reads its own
//     writes at once without waiting for vCenter's updates.
//
// Ordering: the clock counts the index's events. A mutation's entry
// records the clock when its read returned; each WaitForUpdatesEx request
// records the clock when it was sent. Once the answer to a request sent
// after an entry's read has been applied, the table holds everything vCenter
// had at that read, and more: the entry is dropped. Until then, an
// out-of-band change of that very VM may stay hidden; the loop asks for
// updates without waiting while entries remain, so that this lasts one
// round trip.
//
// Readers hold mu for reading while they filter and copy; the loop builds
// new tables without it and swaps them in, so that a rebuild of ten thousand
// VMs does not stall readers.
type index struct {
	h     *Hypervisor
	tune  indexTuning
	clock atomic.Uint64

	mu      sync.RWMutex
	table   *table // nil before the first build
	overlay map[string]overlayEntry
	status  IndexStatus
	ready   chan struct{} // closed while the state is ready, and once the index has stopped

	pollMu     sync.Mutex
	cancelPoll context.CancelFunc           // ends the WaitForUpdatesEx in flight
	polling    types.ManagedObjectReference // its collector
	closing    bool                         // no poll starts any more

	stop context.CancelFunc
	done chan struct{}
}

// IndexState is the state of the live inventory index.
type IndexState string

// The states of the index.
const (
	// IndexDisabled: Options.InventoryCache is off, and every read asks
	// vCenter.
	IndexDisabled IndexState = "disabled"
	// IndexBuilding: the index is loading the inventory, at start-up or
	// after a new login; reads ask vCenter meanwhile.
	IndexBuilding IndexState = "building"
	// IndexReady: listings and Cached lookups are answered by the index.
	IndexReady IndexState = "ready"
	// IndexBroken: following vCenter's updates failed; reads ask vCenter
	// while the index tries again, less and less often.
	IndexBroken IndexState = "broken"
)

// IndexStatus describes the live inventory index.
type IndexStatus struct {
	State IndexState
	// VMs is the number of VMs and templates in the index, our own
	// changes included.
	VMs int
	// ReadySince is when the index last became ready; zero while it is not.
	ReadySince time.Time
	// Updated is when the index last applied what it read from vCenter.
	Updated time.Time
	// Builds counts the loads of the whole inventory: 1 after start-up, one
	// more after each new login or recovery.
	Builds int
	// Error says, while the index is broken, what failed last.
	Error string
}

// indexTuning adjusts the index's conversation with vCenter; tests shrink
// it (export_test.go). Zero fields take the defaults.
type indexTuning struct {
	pageSize int32         // WaitOptions.MaxObjectUpdates; 0 lets vCenter choose
	maxWait  time.Duration // how long one WaitForUpdatesEx may wait for a change
	backoff  time.Duration // the first pause before a new build after a failure
}

// The defaults of indexTuning.
const (
	defaultIndexWait    = 10 * time.Second
	defaultIndexBackoff = 500 * time.Millisecond
	maxIndexBackoff     = 30 * time.Second
	// closeGrace bounds how long Close waits for vCenter to end the
	// index's wait in flight.
	closeGrace = 5 * time.Second
)

var errIndexDisabled = domain.Errorf(domain.CodeUnavailable,
	"the inventory index is disabled (inventory_cache: false): every read asks vCenter")

func newIndex(h *Hypervisor, tune indexTuning) *index {
	if tune.maxWait <= 0 {
		tune.maxWait = defaultIndexWait
	}
	if tune.backoff <= 0 {
		tune.backoff = defaultIndexBackoff
	}
	return &index{
		h: h, tune: tune,
		overlay: make(map[string]overlayEntry),
		status:  IndexStatus{State: IndexBuilding},
		ready:   make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// start runs the loop until close. The loop outlives ctx's cancellation.
func (x *index) start(ctx context.Context) {
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	x.stop = cancel
	go x.run(lctx)
}

// close stops the loop, which destroys its collector, and waits for it. A
// wait in flight is cancelled in vCenter first (CancelWaitForUpdates), so
// that it has ended there when the collector is destroyed: the simulator
// fails, and logs a panic, when a collector goes while it computes a wait's
// updates. The loop is stopped outright when that takes longer than
// closeGrace.
func (x *index) close(ctx context.Context) {
	if x == nil {
		return
	}
	x.pollMu.Lock()
	x.closing = true
	pc := x.polling
	x.pollMu.Unlock()
	if pc.Value != "" {
		cctx, cancel := context.WithTimeout(ctx, closeGrace)
		_, err := methods.CancelWaitForUpdates(cctx, x.h.client, &types.CancelWaitForUpdates{This: pc})
		cancel()
		if err == nil {
			select {
			case <-x.done:
			case <-time.After(closeGrace):
			}
		}
	}
	x.stop()
	<-x.done
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.status.State != IndexReady {
		close(x.ready) // wake WaitIndex, which finds the connection closed
	}
	x.status.State, x.status.Error, x.status.ReadySince = IndexBroken, errClosed.Message, time.Time{}
}

// isClosing reports whether close has begun.
func (x *index) isClosing() bool {
	x.pollMu.Lock()
	defer x.pollMu.Unlock()
	return x.closing
}

// setState changes the state, opening or closing the gate of WaitIndex
// as the index becomes ready or stops being so.
func (x *index) setState(s IndexState, why string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	was := x.status.State
	x.status.State, x.status.Error = s, why
	switch {
	case s == IndexReady && was != IndexReady:
		x.status.ReadySince = time.Now()
		close(x.ready)
	case s != IndexReady && was == IndexReady:
		x.status.ReadySince = time.Time{}
		x.ready = make(chan struct{})
	}
}

// list returns what ListVMs returns for f, and false when the index cannot
// answer.
func (x *index) list(f domain.ListFilter) ([]domain.VM, int, bool) {
	if x == nil {
		return nil, 0, false
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.status.State != IndexReady {
		return nil, 0, false
	}
	vms, total := listFrom(x.table, x.overlay, f)
	return vms, total, true
}

// candidates returns the VMs the index holds that ref may name, sorted, and
// false when the index cannot answer.
func (x *index) candidates(ref domain.VMRef) ([]domain.VM, bool) {
	if x == nil {
		return nil, false
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.status.State != IndexReady {
		return nil, false
	}
	return candidatesFrom(x.table, x.overlay, ref), true
}

// remember records vm, which a mutation of ours just changed and read back
// from vCenter, so that reads see it at once.
func (x *index) remember(vm domain.VM) {
	if x == nil || vm.ID == "" {
		return
	}
	vm = vm.Clone()
	at := x.clock.Add(1)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.overlay[vm.ID] = overlayEntry{vm: &vm, clock: at}
}

// forget records that a mutation of ours deleted the VM of id.
func (x *index) forget(id string) {
	if x == nil {
		return
	}
	at := x.clock.Add(1)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.overlay[id] = overlayEntry{clock: at}
}

// renewed tells the loop that the adapter logged in again: the collector
// it waits on belonged to the lost session, and the loop must build again.
func (x *index) renewed() {
	if x == nil {
		return
	}
	x.pollMu.Lock()
	defer x.pollMu.Unlock()
	if x.cancelPoll != nil {
		x.cancelPoll()
	}
}

// IndexStatus reports the state of the live inventory index.
func (h *Hypervisor) IndexStatus() IndexStatus {
	x := h.index
	if x == nil {
		return IndexStatus{State: IndexDisabled}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	st := x.status
	st.VMs = x.size()
	return st
}

// size returns how many VMs a listing of everything would return: the
// table's, less those our own deletes hide, plus those our own creates
// add. The caller holds x.mu.
func (x *index) size() int {
	if x.table == nil {
		return 0
	}
	n := len(x.table.byID)
	for id, o := range x.overlay {
		_, listed := x.table.byID[id]
		switch {
		case listed && o.vm == nil:
			n--
		case !listed && o.vm != nil:
			n++
		}
	}
	return n
}

// WaitIndex waits until the live inventory index is ready, and returns nil
// then. It returns unavailable at once when the index is disabled or the
// connection is closed, and timeout when ctx ends first, with the index's
// last error if it is broken.
func (h *Hypervisor) WaitIndex(ctx context.Context) error {
	x := h.index
	if x == nil {
		return errIndexDisabled
	}
	for {
		if h.closed.Load() {
			return errClosed
		}
		x.mu.RLock()
		ready, st := x.ready, x.status
		x.mu.RUnlock()
		if st.State == IndexReady {
			return nil
		}
		select {
		case <-ready:
		case <-ctx.Done():
			msg := "the inventory index was not ready before the deadline: it is " + string(st.State)
			if st.Error != "" {
				msg += ": " + st.Error
			}
			return domain.Wrap(domain.CodeTimeout, ctx.Err(), msg)
		}
	}
}
