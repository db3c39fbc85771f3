package vsphere

import (
	"context"
	"errors"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
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

// subscription is the loop's PropertyCollector, with its filter on a
// container view, created in the session of login generation gen. The
// collector is the loop's own, so that its long waits hold up no other
// call and no one else's filters mix with its updates.
type subscription struct {
	gen  uint64
	pc   *property.Collector
	view *view.ContainerView
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
		if ctx.Err() != nil {
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
		if err := s.applySet(set, &changes{vms: make(map[string]bool)}); err != nil {
			return sub.gen, false, err
		}
		if !isTruncated(set) {
			break
		}
	}
	x.publishAll(s, sent)
	x.mu.Lock()
	x.status.Builds++
	x.mu.Unlock()
	x.setState(IndexReady, "")
	h.log.Info("the inventory index is ready", "host", h.host, "vms", len(s.vms), "took", time.Since(start).Round(time.Millisecond))

	first := uint64(0) // the clock of the first request of a truncated answer
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
			if err := s.applySet(set, c); err != nil {
				return sub.gen, true, err
			}
		}
		if set != nil && isTruncated(set) {
			x.publish(s, c, 0)
			continue
		}
		x.publish(s, c, first)
		first = 0
	}
}

// applySet applies the updates of set to s. A property vCenter could not
// read because the session is gone fails the set.
func (s *stream) applySet(set *types.UpdateSet, c *changes) error {
	for _, fs := range set.FilterSet {
		for _, u := range fs.ObjectSet {
			if err := missingFault(types.ObjectContent{MissingSet: u.MissingSet}); isNotAuthenticated(err) {
				return err
			}
		}
		s.apply(fs.ObjectSet, c)
	}
	return nil
}

func isTruncated(set *types.UpdateSet) bool { return set.Truncated != nil && *set.Truncated }

// subscribe creates the loop's collector, a container view of the VMs and
// of the objects around them, and the filter on it with the properties of a
// listing.
func (x *index) subscribe(ctx context.Context) (*subscription, error) {
	h := x.h
	var sub *subscription
	err := h.call(ctx, func(ctx context.Context) error {
		s := &subscription{gen: h.gen.Load()}
		var err error
		if s.pc, err = property.DefaultCollector(h.client).Create(ctx); err != nil {
			return err
		}
		kinds := append([]string{"VirtualMachine"}, topologyKinds...)
		if s.view, err = view.NewManager(h.client).CreateContainerView(ctx, h.client.ServiceContent.RootFolder, kinds, true); err != nil {
			x.unsubscribe(ctx, s)
			return err
		}
		_, err = s.pc.CreateFilter(ctx, types.CreateFilter{Spec: types.PropertyFilterSpec{
			ObjectSet: []types.ObjectSpec{{
				Obj:       s.view.Reference(),
				Skip:      types.NewBool(true),
				SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}},
			}},
			PropSet: append([]types.PropertySpec{propSpec("VirtualMachine", vmPaths...)}, topologyProps...),
		}})
		if err != nil {
			x.unsubscribe(ctx, s)
			return err
		}
		sub = s
		return nil
	})
	return sub, err
}

// unsubscribe destroys the collector, with its filter, and the view, even
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
	if sub.pc != nil {
		if err := sub.pc.Destroy(dctx); err != nil {
			h.log.Debug("could not destroy the inventory index's collector", "error", err)
		}
	}
	if sub.view != nil {
		if err := sub.view.Destroy(dctx); err != nil {
			h.log.Debug("could not destroy the inventory index's view", "error", err)
		}
	}
}

// poll asks vCenter for the changes since version, waiting up to wait for
// one. A nil set means that nothing changed. A new login cancels the wait
// (see renewed), as its collector belonged to the lost session.
func (x *index) poll(ctx context.Context, sub *subscription, version string, wait time.Duration) (*types.UpdateSet, error) {
	pctx, cancel := context.WithTimeout(ctx, wait+pollGrace)
	defer cancel()
	x.pollMu.Lock()
	x.cancelPoll = cancel
	x.pollMu.Unlock()
	defer func() {
		x.pollMu.Lock()
		x.cancelPoll = nil
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
