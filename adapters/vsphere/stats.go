package vsphere

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// realtimeInterval is the sampling interval of vSphere's realtime
// performance counters, in seconds.
const realtimeInterval = 20

// The realtime counters VMStats reads, by their full names.
const (
	cpuUsage      = "cpu.usage.average"       // hundredths of a percent
	cpuUsageMHz   = "cpu.usagemhz.average"    // MHz
	memUsage      = "mem.usage.average"       // hundredths of a percent
	memConsumed   = "mem.consumed.average"    // KiB
	memActive     = "mem.active.average"      // KiB
	netReceived   = "net.received.average"    // KiB/s
	netSent       = "net.transmitted.average" // KiB/s
	diskRead      = "disk.read.average"       // KiB/s
	diskWrite     = "disk.write.average"      // KiB/s
	statsSource   = "performance_manager"
	percentFactor = 100.0
)

var counterNames = []string{cpuUsage, cpuUsageMHz, memUsage, memConsumed, memActive, netReceived, netSent, diskRead, diskWrite}

// counterCache holds the ids of counterNames, which vCenter numbers on its
// own: looked up once per session (login generation), not per call.
type counterCache struct {
	mu  sync.Mutex
	gen uint64
	ids map[string]int32
}

// VMStats implements ports.Metrics: the latest realtime sample of the
// PerformanceManager for a running VM, and summary.storage always.
func (h *Hypervisor) VMStats(ctx context.Context, vm domain.VM) (domain.VMStats, error) {
	now, props, err := h.current(ctx, vm, propStorage, propGranted)
	if err != nil {
		return domain.VMStats{}, err
	}
	st := domain.VMStats{VM: now, IntervalSeconds: realtimeInterval, Source: statsSource, Timestamp: time.Now().UTC()}
	if s := props.storage; s != nil {
		st.Storage = domain.StorageStats{CommittedBytes: s.Committed, UncommittedBytes: s.Uncommitted, UnsharedBytes: s.Unshared}
		if !s.Timestamp.IsZero() {
			st.Timestamp = s.Timestamp.UTC()
		}
	}
	if now.PowerState != domain.PoweredOn {
		return st, nil
	}
	values, at, err := h.latestSample(ctx, vmRef(now.ID))
	if err != nil {
		return domain.VMStats{}, h.translate(err, "read the performance counters of "+now.String())
	}
	if !at.IsZero() {
		st.Timestamp = at.UTC()
	}
	granted := props.grantedMB
	if granted <= 0 {
		// vcsim's quickStats are zero; a running VM is granted its memory.
		granted = int64(now.MemoryMB)
	}
	st.CPU = &domain.CPUStats{UsageMHz: values[cpuUsageMHz], UsagePercent: percent(values[cpuUsage])}
	st.Memory = &domain.MemoryStats{
		GrantedMB:    granted,
		ConsumedMB:   values[memConsumed] / 1024,
		ActiveMB:     values[memActive] / 1024,
		UsagePercent: percent(values[memUsage]),
	}
	st.Network = &domain.NetworkStats{ReceivedKBps: values[netReceived], TransmittedKBps: values[netSent]}
	st.Disk = &domain.DiskStats{ReadKBps: values[diskRead], WriteKBps: values[diskWrite]}
	return st, nil
}

// percent converts hundredths of a percent to a percentage in [0, 100].
func percent(v int64) float64 {
	return min(max(float64(v)/percentFactor, 0), 100)
}

// latestSample returns the latest realtime value of each counter of
// counterNames for entity (the aggregate instance ""), by name, and when it
// was sampled. A counter without a value is zero: vSphere sends no value
// for a series of zeros, and vcsim leaves out zero samples, so a series
// may be shorter than its timestamps.
func (h *Hypervisor) latestSample(ctx context.Context, entity types.ManagedObjectReference) (map[string]int64, time.Time, error) {
	ids, err := h.counterIDs(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	names := make(map[int32]string, len(ids))
	spec := types.PerfQuerySpec{Entity: entity, IntervalId: realtimeInterval, MaxSample: 1}
	for name, id := range ids {
		names[id] = name
		spec.MetricId = append(spec.MetricId, types.PerfMetricId{CounterId: id, Instance: ""})
	}
	var res *types.QueryPerfResponse
	err = h.call(ctx, func(ctx context.Context) error {
		var err error
		res, err = methods.QueryPerf(ctx, h.client, &types.QueryPerf{
			This: *h.client.ServiceContent.PerfManager, QuerySpec: []types.PerfQuerySpec{spec},
		})
		return err
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	values := make(map[string]int64, len(ids))
	var at time.Time
	for _, base := range res.Returnval {
		m, ok := base.(*types.PerfEntityMetric)
		if !ok {
			continue
		}
		latest := -1
		for i, s := range m.SampleInfo {
			if latest < 0 || s.Timestamp.After(m.SampleInfo[latest].Timestamp) {
				latest = i
			}
		}
		if latest < 0 {
			continue
		}
		at = m.SampleInfo[latest].Timestamp
		for _, series := range m.Value {
			is, ok := series.(*types.PerfMetricIntSeries)
			if !ok || len(is.Value) == 0 {
				continue
			}
			i := latest
			if len(is.Value) != len(m.SampleInfo) {
				// The series lost its zero samples: its positions no longer
				// match the timestamps, so take its newest value.
				i = len(is.Value) - 1
				if m.SampleInfo[0].Timestamp.After(m.SampleInfo[len(m.SampleInfo)-1].Timestamp) {
					i = 0 // newest first, as vcsim orders them
				}
			}
			values[names[is.Id.CounterId]] = is.Value[i]
		}
	}
	return values, at, nil
}

// counterIDs returns the ids of counterNames that this vCenter has. They
// are looked up once per session.
func (h *Hypervisor) counterIDs(ctx context.Context) (map[string]int32, error) {
	c := &h.counters
	c.mu.Lock()
	defer c.mu.Unlock()
	gen := h.gen.Load()
	if c.ids != nil && c.gen == gen {
		return c.ids, nil
	}
	objs, err := h.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: *h.client.ServiceContent.PerfManager}},
		PropSet:   []types.PropertySpec{propSpec("PerformanceManager", "perfCounter")},
	})
	if err != nil {
		return nil, err
	}
	wanted := make(map[string]bool, len(counterNames))
	for _, n := range counterNames {
		wanted[n] = true
	}
	ids := make(map[string]int32, len(counterNames))
	for _, o := range objs {
		for _, p := range o.PropSet {
			list, ok := p.Val.(types.ArrayOfPerfCounterInfo)
			if !ok {
				continue
			}
			for _, ci := range list.PerfCounterInfo {
				name := fmt.Sprintf("%s.%s.%s", ci.GroupInfo.GetElementDescription().Key, ci.NameInfo.GetElementDescription().Key, ci.RollupType)
				if wanted[name] {
					ids[name] = ci.Key
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil, domain.Errorf(domain.CodeInternal, "the PerformanceManager of %s has none of the counters %v", h.host, counterNames)
	}
	c.ids, c.gen = ids, gen
	return ids, nil
}
