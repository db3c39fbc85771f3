package vsphere

import (
	"context"
	"errors"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// pollGrace is how much longer than the wait it asked for the loop waits
// for vCenter's answer to WaitForUpdatesEx before it gives the connection
// up for dead: a silently dropped connection would otherwise hang the
// loop forever.
const pollGrace = 30 * time.Second

// errRenewed ends a wait whose session was replaced by a new login.
var errRenewed = errors.New("the session was renewed")

// subscription is the loop's PropertyCollector with its two filters,
// created in the session of login generation gen. The collector is the
// loop's own, so that its long waits hold up no other call and no one
// else's filters mix with its updates.
//
// The members filter watches one property, the "view" of a container view
// of the VMs and the objects around them: which objects there are. The
// objects filter reads the listing properties of the objects of a list
// view, which the loop keeps equal to the container view's members with
// ModifyListView. Neither filter traverses an object that changes without
// the loop's doing: the simulator (govmomi v0.56.0) takes the locks of a
// filter and of a container view it traverses in both orders, and
// deadlocks when VMs are created while it computes the filter's updates;
// and it reads the objects of a traversal from the root folder without
// their locks. A list view changes only when the loop changes it, between
// two of its waits.
type subscription struct {
	gen     uint64
	pc      *property.Collector
	members *view.ContainerView
	objects *view.ListView
	watch   types.ManagedObjectReference // the members filter
	listed  map[types.ManagedObjectReference]bool
}

// run builds the index and follows vCenter's updates until ctx ends. After
// a lost session it logs in again if no one has, and builds at once; after
// any other failure it marks the index broken, so that reads ask vCenter,
// and builds again after a pause that doubles up to maxIndexBackoff.
func (x *index) run(ctx context.Context) {
	defer close(x.done)
	h := x.h
	delay := x.tune.backoff
	for {
		gen, built, err := x.follow(ctx)
		if ctx.Err() != nil || x.isClosing() {
			return
		}
		if built {
			delay = x.tune.backoff
		}
		if h.gen.Load() != gen || isNotAuthenticated(err) {
			x.setState(IndexBuilding, "")
			h.log.Info("rebuilding the inventory index in a new session", "host", h.host)
			if err = h.relogin(ctx, gen, "the inventory index found the session lost"); err == nil {
				continue
			}
		}
		why := domain.AsError(h.translate(err, "follow the inventory of "+h.host)).Message
		if h.IndexStatus().State != IndexBroken {
			h.log.Warn("the inventory index is broken: reads ask vCenter until it recovers",
				"host", h.host, "retry_in", delay, "error", err)
		}
		x.setState(IndexBroken, why)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, maxIndexBackoff)
	}
}

// follow subscribes, loads the whole inventory, publishes it, then applies
// vCenter's updates until something fails. It returns the login
// generation of its subscription, and whether it got to publish.
func (x *index) follow(ctx context.Context) (gen uint64, built bool, err error) {
	h := x.h
	gen = h.gen.Load()
	sub, err := x.subscribe(ctx)
	if err != nil {
		return gen, false, err
	}
	defer x.unsubscribe(ctx, sub)

	start := time.Now()
	s := newStream(h.client.ServiceContent.RootFolder)
	version, sent := "", x.clock.Add(1)
	for {
		set, err := x.poll(ctx, sub, version, 0)
		if err != nil {
			return sub.gen, false, err
		}
		if set == nil {
			continue // vCenter has nothing to say yet
		}
		version = set.Version
		if _, err := s.applySet(set, sub.watch, &changes{vms: make(map[string]bool)}); err != nil {
			return sub.gen, false, err
		}
		if !isTruncated(set) {
			break
		}
	}
	// Objects created between the list view's filling and the first answer
	// are in neither: look once more; the next answer brings them.
	if err := h.call(ctx, func(ctx context.Context) error {
		_, err := x.relist(ctx, sub)
		return err
	}); err != nil {
		return sub.gen, false, err
	}
	x.publishAll(s, sent)
	x.mu.Lock()
	x.status.Builds++
	x.mu.Unlock()
	x.setState(IndexReady, "")
	h.log.Info("the inventory index is ready", "host", h.host, "vms", len(s.vms), "took", time.Since(start).Round(time.Millisecond))

	first := uint64(0)      // the clock of the first request of a truncated answer
	membersChanged := false // within a truncated answer
	for {
		wait := x.tune.maxWait
		if x.pending() {
			wait = 0 // drop our own entries after one round trip
		}
		sent := x.clock.Add(1)
		if first == 0 {
			first = sent
		}
		set, err := x.poll(ctx, sub, version, wait)
		if err != nil {
			return sub.gen, true, err
		}
		c := &changes{vms: make(map[string]bool)}
		if set != nil {
			version = set.Version
			changed, err := s.applySet(set, sub.watch, c)
			if err != nil {
				return sub.gen, true, err
			}
			membersChanged = membersChanged || changed
		}
		if set != nil && isTruncated(set) {
			x.publish(s, c, 0)
			continue
		}
		if membersChanged {
			membersChanged = false
			var added bool
			if err := h.call(ctx, func(ctx context.Context) (err error) {
				added, err = x.relist(ctx, sub)
				return err
			}); err != nil {
				return sub.gen, true, err
			}
			if added {
				// The new objects' properties come with the next
				// answer: until then, our own entries stay.
				x.publish(s, c, 0)
				first = 0
				continue
			}
		}
		x.publish(s, c, first)
		first = 0
	}
}

// applySet applies the updates of set to s, except those of the filter
// skip, and reports whether skip had any. A property vCenter could not read
// because the session is gone fails the set.
func (s *stream) applySet(set *types.UpdateSet, skip types.ManagedObjectReference, c *changes) (skipped bool, err error) {
	for _, fs := range set.FilterSet {
		for _, u := range fs.ObjectSet {
			if err := missingFault(types.ObjectContent{MissingSet: u.MissingSet}); isNotAuthenticated(err) {
				return false, err
			}
		}
		if fs.Filter == skip {
			skipped = skipped || len(fs.ObjectSet) > 0
			continue
		}
		s.apply(fs.ObjectSet, c)
	}
	return skipped, nil
}

func isTruncated(set *types.UpdateSet) bool { return set.Truncated != nil && *set.Truncated }

// subscribe creates the loop's collector, the container view of the VMs
// and of the objects around them, the list view of its members, and the
// two filters (see subscription).
func (x *index) subscribe(ctx context.Context) (*subscription, error) {
	h := x.h
	var sub *subscription
	err := h.call(ctx, func(ctx context.Context) error {
		s := &subscription{gen: h.gen.Load()}
		err := x.create(ctx, s)
		if err != nil {
			x.unsubscribe(ctx, s)
			return err
		}
		sub = s
		return nil
	})
	return sub, err
}

// create creates the objects of s, with the collector first, so that
// unsubscribe can destroy whatever exists when one fails.
func (x *index) create(ctx context.Context, s *subscription) error {
	c := x.h.client
	var err error
	if s.pc, err = property.DefaultCollector(c).Create(ctx); err != nil {
		return err
	}
	views := view.NewManager(c)
	if s.members, err = views.CreateContainerView(ctx, c.ServiceContent.RootFolder, listingKinds(), true); err != nil {
		return err
	}
	if s.objects, err = views.CreateListView(ctx, nil); err != nil {
		return err
	}
	s.listed = make(map[types.ManagedObjectReference]bool)
	if _, err := x.relist(ctx, s); err != nil {
		return err
	}
	watch, err := s.pc.CreateFilter(ctx, types.CreateFilter{Spec: types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: s.members.Reference()}},
		PropSet:   []types.PropertySpec{propSpec("ContainerView", "view")},
	}})
	if err != nil {
		return err
	}
	s.watch = watch.Reference()
	_, err = s.pc.CreateFilter(ctx, types.CreateFilter{Spec: types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj:       s.objects.Reference(),
			Skip:      types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ListView", Path: "view"}},
		}},
		PropSet: listingProps(),
	}})
	return err
}

// members reads the members of the container view of s.
func (x *index) members(ctx context.Context, s *subscription) ([]types.ManagedObjectReference, error) {
	var v mo.ContainerView
	if err := property.DefaultCollector(x.h.client).RetrieveOne(ctx, s.members.Reference(), []string{"view"}, &v); err != nil {
		return nil, err
	}
	return v.View, nil
}

// relist makes the list view of s hold the members of its container view,
// after the members filter reported a change, and reports whether it added
// any: their properties come with the next answer. An object that vanished
// since the view was read is not added, and its leave is on its way; it
// counts as listed, so that it is not tried again.
func (x *index) relist(ctx context.Context, s *subscription) (added bool, err error) {
	members, err := x.members(ctx, s)
	if err != nil {
		return false, err
	}
	now := make(map[types.ManagedObjectReference]bool, len(members))
	var add, remove []types.ManagedObjectReference
	for _, r := range members {
		now[r] = true
		if !s.listed[r] {
			add = append(add, r)
		}
	}
	for r := range s.listed {
		if !now[r] {
			remove = append(remove, r)
		}
	}
	var gone []types.ManagedObjectReference
	if len(add) > 0 {
		if gone, err = s.objects.Add(ctx, add); err != nil {
			return false, err
		}
	}
	if len(remove) > 0 {
		if _, err := s.objects.Remove(ctx, remove); err != nil {
			return false, err
		}
	}
	s.listed = now
	return len(add) > len(gone), nil
}

// unsubscribe destroys the collector, with its filters, and the views, even
// when ctx has ended: destroying the collector also ends a wait still
// running in vCenter. Objects of a session that a new login replaced are
// gone already.
func (x *index) unsubscribe(ctx context.Context, sub *subscription) {
	h := x.h
	if h.gen.Load() != sub.gen {
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), destroyTimeout)
	defer cancel()
	destroy := func(what string, d func(context.Context) error) {
		if err := d(dctx); err != nil {
			h.log.Debug("could not destroy the inventory index's "+what, "error", err)
		}
	}
	if sub.pc != nil {
		destroy("collector", sub.pc.Destroy)
	}
	if sub.objects != nil {
		destroy("list view", sub.objects.Destroy)
	}
	if sub.members != nil {
		destroy("container view", sub.members.Destroy)
	}
}

// poll asks vCenter for the changes since version, waiting up to wait for
// one. A nil set means that nothing changed. A new login cancels the wait
// (see renewed), as its collector belonged to the lost session.
func (x *index) poll(ctx context.Context, sub *subscription, version string, wait time.Duration) (*types.UpdateSet, error) {
	pctx, cancel := context.WithTimeout(ctx, wait+pollGrace)
	defer cancel()
	x.pollMu.Lock()
	if x.closing {
		x.pollMu.Unlock()
		return nil, errClosed
	}
	x.cancelPoll, x.polling = cancel, sub.pc.Reference()
	x.pollMu.Unlock()
	defer func() {
		x.pollMu.Lock()
		x.cancelPoll, x.polling = nil, types.ManagedObjectReference{}
		x.pollMu.Unlock()
	}()
	if x.h.gen.Load() != sub.gen {
		return nil, errRenewed
	}
	secs := int32(wait / time.Second)
	res, err := methods.WaitForUpdatesEx(pctx, x.h.client, &types.WaitForUpdatesEx{
		This:    sub.pc.Reference(),
		Version: version,
		Options: &types.WaitOptions{MaxWaitSeconds: &secs, MaxObjectUpdates: x.tune.pageSize},
	})
	switch {
	case err == nil:
		return res.Returnval, nil
	case ctx.Err() == nil && errors.Is(pctx.Err(), context.Canceled):
		return nil, errRenewed
	}
	return nil, err
}

// pending reports whether entries of our own mutations wait for the stream
// to catch up.
func (x *index) pending() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.overlay) > 0
}

// publishAll replaces the table with every VM of s, built without holding
// the lock, and drops our entries older than the request sent at clock
// caughtUp.
func (x *index) publishAll(s *stream, caughtUp uint64) {
	s.forgetPaths()
	v := newTable(s.summaries())
	x.mu.Lock()
	defer x.mu.Unlock()
	x.table = v
	x.dropBefore(caughtUp)
	x.status.Updated = time.Now()
}

// publish applies c, what one answer changed in s, to the table, and drops
// our entries older than caughtUp unless it is 0 (the answer was one page
// of several). A change of the topology may change every path: the table is
// then built again.
func (x *index) publish(s *stream, c *changes, caughtUp uint64) {
	if c.topology {
		x.publishAll(s, caughtUp)
		return
	}
	changed := make([]*domain.VM, 0, len(c.vms))
	for id := range c.vms {
		changed = append(changed, s.summary(id))
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, vm := range changed {
		x.table.put(vm)
	}
	for _, id := range c.left {
		x.table.remove(id)
	}
	x.dropBefore(caughtUp)
	if len(changed) > 0 || len(c.left) > 0 {
		x.status.Updated = time.Now()
	}
}

// dropBefore drops our entries whose reads returned before the clock at.
// The caller holds x.mu.
func (x *index) dropBefore(at uint64) {
	for id, o := range x.overlay {
		if o.clock < at {
			delete(x.overlay, id)
		}
	}
}
