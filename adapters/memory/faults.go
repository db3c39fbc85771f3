package memory

import (
	"context"
	"time"

	"github.com/esximcp/esximcp/domain"
)

// SetLatency makes every call wait d before it acts, as a remote hypervisor
// would; a call whose context ends first returns the timeout kind.
func (h *Hypervisor) SetLatency(d time.Duration) {
	h.faultMu.Lock()
	defer h.faultMu.Unlock()
	h.latency = d
}

// SetDown makes the hypervisor unreachable: every call returns unavailable
// with reason, until SetDown(""). Nothing is lost meanwhile.
func (h *Hypervisor) SetDown(reason string) {
	h.faultMu.Lock()
	defer h.faultMu.Unlock()
	h.down = reason
}

// InjectFault makes every call of the port method named method (for
// example "CreateVM") fail with err, before it acts, until
// InjectFault(method, nil).
func (h *Hypervisor) InjectFault(method string, err error) {
	h.faultMu.Lock()
	defer h.faultMu.Unlock()
	if h.faults == nil {
		h.faults = make(map[string]error)
	}
	if err == nil {
		delete(h.faults, method)
		return
	}
	h.faults[method] = err
}

// enter is called first by every port method: it applies latency, an
// outage and injected faults.
func (h *Hypervisor) enter(ctx context.Context, method string) error {
	h.faultMu.Lock()
	latency, down, fault := h.latency, h.down, h.faults[method]
	h.faultMu.Unlock()

	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	if err := ctx.Err(); err != nil {
		return domain.Wrap(domain.CodeTimeout, err, method+" did not finish before the request's deadline")
	}
	if down != "" {
		return domain.Errorf(domain.CodeUnavailable, "the hypervisor is unavailable: %s", down)
	}
	return fault
}

// Check implements ports.Health.
func (h *Hypervisor) Check(ctx context.Context) error { return h.enter(ctx, "Check") }
