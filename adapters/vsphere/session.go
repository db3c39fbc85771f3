package vsphere

import (
	"context"
	"time"

	"github.com/esximcp/esximcp/domain"
)

// keepAliveCheckTimeout bounds one session check of the keepalive.
const keepAliveCheckTimeout = 30 * time.Second

// relogin logs in again, unless another goroutine has done so since the
// caller saw login generation seen, or the session turns out to be alive.
// Concurrent callers that lost the same session cause one login. A failure
// is unavailable: the session is lost and could not be restored.
func (h *Hypervisor) relogin(ctx context.Context, seen uint64, reason string) error {
	h.loginMu.Lock()
	defer h.loginMu.Unlock()
	if h.closed.Load() {
		return errClosed
	}
	if h.gen.Load() != seen {
		return nil
	}
	// A refusal may come from something other than an expired session (a
	// proxy, an injected fault): log in only when the session is gone, as
	// vCenter refuses a second login on a live one.
	if s, err := h.sessions.UserSession(ctx); err == nil && s != nil {
		return nil
	}
	if err := h.sessions.Login(ctx, h.login); err != nil {
		h.log.Warn("could not log in to vSphere again", "host", h.host, "reason", reason, "error", err)
		why := "logging in again failed"
		if isInvalidLogin(err) {
			why = "logging in again was refused: the user name or password is no longer valid"
		} else if isUnreachable(err) {
			why = "it is unreachable"
		}
		return domain.Wrap(domain.CodeUnavailable, err, "the session with "+h.host+" was lost and "+why)
	}
	h.gen.Add(1)
	h.index.renewed()
	h.log.Info("logged in to vSphere again", "host", h.host, "user", h.userName, "reason", reason)
	return nil
}

// keepAlive checks the session every interval until ctx ends, and logs in
// again when it has expired. Unlike govmomi's keepalive handler it goes on
// after a failure: vCenter may be back at the next tick.
func (h *Hypervisor) keepAlive(ctx context.Context, every time.Duration) {
	defer close(h.keepAliveDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			cctx, cancel := context.WithTimeout(ctx, min(every, keepAliveCheckTimeout))
			if err := h.ensureSession(cctx, "the keepalive found the session expired"); err != nil && ctx.Err() == nil {
				h.log.Warn("vSphere session check failed", "host", h.host, "error", err)
			}
			cancel()
		}
	}
}

// ensureSession checks the session, which also keeps it from idling out,
// and logs in again when it is gone.
func (h *Hypervisor) ensureSession(ctx context.Context, reason string) error {
	if h.closed.Load() {
		return errClosed
	}
	gen := h.gen.Load()
	s, err := h.sessions.UserSession(ctx)
	if err != nil {
		return h.translate(err, "check the session with "+h.host)
	}
	if s == nil {
		return h.relogin(ctx, gen, reason)
	}
	return nil
}

// Check implements ports.Health: nil while the session is usable, else
// unavailable with the reason. A lost session is restored first when it
// can be.
func (h *Hypervisor) Check(ctx context.Context) error {
	err := h.ensureSession(ctx, "a health check found the session expired")
	if err == nil {
		return nil
	}
	if e := domain.AsError(err); e.Code != domain.CodeUnavailable {
		// A check that timed out, or failed otherwise, still means that the
		// hypervisor cannot be used now.
		return domain.Wrap(domain.CodeUnavailable, err, e.Message)
	}
	return err
}
