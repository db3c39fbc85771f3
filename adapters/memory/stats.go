package memory

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/esximcp/esximcp/domain"
)

// hostMHz is the clock of every in-memory host's CPUs.
const hostMHz = 2400

// statsInterval is the realtime sampling interval of vSphere.
const statsInterval = 20 * time.Second

// VMStats implements ports.Metrics. Live figures are plausible and stable
// within one 20-second sample: they derive from the VM's id, its size and
// the sample's time. Storage figures follow its disk and memory.
func (h *Hypervisor) VMStats(ctx context.Context, vm domain.VM) (domain.VMStats, error) {
	if err := h.enter(ctx, "VMStats"); err != nil {
		return domain.VMStats{}, err
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	rec, err := h.lookup(vm)
	if err != nil {
		return domain.VMStats{}, err
	}
	now := h.now().UTC().Truncate(statsInterval)
	used := rec.diskBytes / 10 // a thin disk holds what the guest wrote
	st := domain.VMStats{
		VM: rec.summary(), Timestamp: now, IntervalSeconds: int(statsInterval / time.Second), Source: "memory",
		Storage: domain.StorageStats{CommittedBytes: used, UncommittedBytes: rec.diskBytes - used, UnsharedBytes: used},
	}
	if rec.vm.PowerState != domain.PoweredOn {
		return st, nil
	}
	swap := int64(rec.vm.MemoryMB) << 20
	st.Storage.CommittedBytes += swap
	st.Storage.UnsharedBytes += swap

	n := sample(rec.vm.ID, now)
	mem := int64(rec.vm.MemoryMB)
	cpuPct := float64(5 + n%40)
	active := mem * int64(10+n%30) / 100
	st.CPU = &domain.CPUStats{UsagePercent: cpuPct, UsageMHz: int64(cpuPct / 100 * float64(rec.vm.CPU*hostMHz))}
	st.Memory = &domain.MemoryStats{
		GrantedMB: mem, ConsumedMB: mem * int64(40+n%50) / 100, ActiveMB: active,
		UsagePercent: float64(active) * 100 / float64(mem),
	}
	st.Network = &domain.NetworkStats{ReceivedKBps: int64(n % 200), TransmittedKBps: int64(n % 100)}
	st.Disk = &domain.DiskStats{ReadKBps: int64(n % 500), WriteKBps: int64(n % 300)}
	return st, nil
}

// sample returns a number that is fixed for one VM and one sample time.
func sample(id string, at time.Time) uint64 {
	f := fnv.New64a()
	f.Write([]byte(id))
	f.Write([]byte(at.Format(time.RFC3339)))
	return f.Sum64()
}
