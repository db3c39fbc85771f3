package domain

import "time"

// VMStats are the performance figures of one virtual machine. The live
// figures (CPU, Memory, Network, Disk) are nil when the VM is not running;
// Storage is always there.
type VMStats struct {
	VM              VM
	Timestamp       time.Time // when the figures were sampled
	IntervalSeconds int       // the sampling interval: 20 for realtime
	Source          string    // where the figures come from, e.g. "performance_manager"
	CPU             *CPUStats
	Memory          *MemoryStats
	Storage         StorageStats
	Network         *NetworkStats
	Disk            *DiskStats
}

// CPUStats are CPU figures over the sampling interval.
type CPUStats struct {
	UsageMHz     int64
	UsagePercent float64
}

// MemoryStats are memory figures over the sampling interval.
type MemoryStats struct {
	GrantedMB    int64
	ConsumedMB   int64
	ActiveMB     int64
	UsagePercent float64
}

// StorageStats are the VM's use of datastore space.
type StorageStats struct {
	CommittedBytes   int64 // space used on datastores
	UncommittedBytes int64 // space reserved but not yet used (thin disks)
	UnsharedBytes    int64 // space used by this VM alone
}

// NetworkStats are network throughput figures over the sampling interval.
type NetworkStats struct {
	ReceivedKBps    int64
	TransmittedKBps int64
}

// DiskStats are disk throughput figures over the sampling interval.
type DiskStats struct {
	ReadKBps  int64
	WriteKBps int64
}
