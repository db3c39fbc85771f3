package mcpserver

import (
	"time"

	"github.com/esximcp/esximcp/domain"
)

// The JSON shapes of this file are the MCP surface of DESIGN 4: their field
// names are normative. Empty values are omitted, so that a client reads
// only what is known.

// VMSummary is a virtual machine or template as MCP clients see it.
type VMSummary struct {
	ID         string   `json:"id,omitempty" jsonschema:"managed object id, e.g. vm-42"`
	Name       string   `json:"name,omitempty" jsonschema:"the VM name; / and % appear escaped as %2f and %25, as vSphere stores them"`
	Path       string   `json:"path,omitempty" jsonschema:"inventory path, e.g. /DC0/vm/web/web01"`
	Datacenter string   `json:"datacenter,omitempty"`
	PowerState string   `json:"power_state,omitempty" jsonschema:"poweredOn, poweredOff or suspended"`
	CPU        int      `json:"cpu,omitempty" jsonschema:"virtual CPUs"`
	MemoryMB   int      `json:"memory_mb,omitempty" jsonschema:"memory in MiB"`
	GuestID    string   `json:"guest_id,omitempty" jsonschema:"configured guest OS identifier, e.g. otherGuest64"`
	GuestOS    string   `json:"guest_os,omitempty" jsonschema:"guest OS full name as reported"`
	IPAddress  string   `json:"ip_address,omitempty" jsonschema:"primary IP address reported by the guest tools"`
	Host       string   `json:"host,omitempty"`
	Cluster    string   `json:"cluster,omitempty"`
	Datastores []string `json:"datastores,omitempty"`
	Networks   []string `json:"networks,omitempty"`
	Template   bool     `json:"template,omitempty" jsonschema:"true for a template, which can be cloned but not powered on"`
}

// ObjectRef names an inventory object other than a VM.
type ObjectRef struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Path string `json:"path,omitempty"`
}

// Placement is where a new VM goes. Absent objects are not used (no
// cluster on a standalone host, no network adapter without a network).
type Placement struct {
	Datacenter   *ObjectRef `json:"datacenter,omitempty"`
	Folder       *ObjectRef `json:"folder,omitempty"`
	Cluster      *ObjectRef `json:"cluster,omitempty"`
	Host         *ObjectRef `json:"host,omitempty"`
	ResourcePool *ObjectRef `json:"resource_pool,omitempty"`
	Datastore    *ObjectRef `json:"datastore,omitempty"`
	Network      *ObjectRef `json:"network,omitempty"`
}

// Plan is what a mutation would do, as a dry run reports it.
type Plan struct {
	Action    string     `json:"action" jsonschema:"create, clone, delete, power_on or power_off"`
	Target    VMSummary  `json:"target" jsonschema:"the VM acted on or, for create and clone, the VM as it would be"`
	Source    *VMSummary `json:"source,omitempty" jsonschema:"the VM or template a clone copies"`
	Placement *Placement `json:"placement,omitempty" jsonschema:"where a new VM would go"`
	Steps     []string   `json:"steps" jsonschema:"the operations in order; empty when nothing would change"`
}

// ToolError is the structuredContent.error of a failed tool call.
type ToolError struct {
	Code       string      `json:"code" jsonschema:"the kind of failure"`
	Message    string      `json:"message" jsonschema:"what went wrong and what to do, in one sentence"`
	Candidates []Candidate `json:"candidates,omitempty" jsonschema:"for ambiguous: every VM the name matched; repeat the call with one's path or id"`
}

// Candidate is one of the VMs an ambiguous name matched.
type Candidate struct {
	ID         string `json:"id,omitempty"`
	Name       string `json:"name,omitempty"`
	Path       string `json:"path,omitempty"`
	Datacenter string `json:"datacenter,omitempty"`
}

// errorOutput is the structuredContent of every failed tool call. Every
// output schema admits it (see outputSchema).
type errorOutput struct {
	Error *ToolError `json:"error"`
}

// ListVMsOutput is the result of listVMs.
type ListVMsOutput struct {
	VMs       []VMSummary `json:"vms" jsonschema:"the VMs, sorted by inventory path"`
	Count     int         `json:"count" jsonschema:"how many VMs are in vms"`
	Total     int         `json:"total" jsonschema:"how many VMs matched before limit"`
	Truncated bool        `json:"truncated" jsonschema:"true when limit left matching VMs out"`
	Error     *ToolError  `json:"error,omitempty" jsonschema:"set instead of the other fields when the call failed"`
}

// GetVMOutput is the result of getVM.
type GetVMOutput struct {
	VM    VMSummary  `json:"vm"`
	Error *ToolError `json:"error,omitempty" jsonschema:"set instead of the other fields when the call failed"`
}

// CreateVMOutput is the result of createVM and cloneVM: the new VM, or on a
// dry run the VM as it would be (without an id) and the plan.
type CreateVMOutput struct {
	VM     VMSummary  `json:"vm"`
	DryRun bool       `json:"dry_run" jsonschema:"true when nothing was changed"`
	Plan   *Plan      `json:"plan,omitempty" jsonschema:"on a dry run: what would be done"`
	Error  *ToolError `json:"error,omitempty" jsonschema:"set instead of the other fields when the call failed"`
}

// DeleteVMOutput is the result of deleteVM: the VM as it was before.
type DeleteVMOutput struct {
	Deleted VMSummary  `json:"deleted"`
	DryRun  bool       `json:"dry_run" jsonschema:"true when nothing was changed"`
	Plan    *Plan      `json:"plan,omitempty" jsonschema:"on a dry run: what would be done"`
	Error   *ToolError `json:"error,omitempty" jsonschema:"set instead of the other fields when the call failed"`
}

// PowerOutput is the result of powerOn and powerOff: the VM afterwards.
type PowerOutput struct {
	VM      VMSummary  `json:"vm"`
	Changed bool       `json:"changed" jsonschema:"false when the VM already was in the wanted state"`
	DryRun  bool       `json:"dry_run" jsonschema:"true when nothing was changed"`
	Plan    *Plan      `json:"plan,omitempty" jsonschema:"on a dry run: what would be done"`
	Error   *ToolError `json:"error,omitempty" jsonschema:"set instead of the other fields when the call failed"`
}

// VMStats are the performance figures of one VM: the JSON of the
// vmstats://{vm_name} resource and the result of getVMStats. The live
// sections (cpu, memory, network, disk) are absent while the VM is not
// running; storage is always there.
type VMStats struct {
	VM              VMSummary     `json:"vm"`
	Timestamp       string        `json:"timestamp" jsonschema:"when the figures were sampled (RFC 3339)"`
	IntervalSeconds int           `json:"interval_seconds" jsonschema:"sampling interval: 20 for vSphere realtime statistics"`
	Source          string        `json:"source" jsonschema:"where the figures come from, e.g. performance_manager"`
	CPU             *CPUStats     `json:"cpu,omitempty"`
	Memory          *MemoryStats  `json:"memory,omitempty"`
	Storage         StorageStats  `json:"storage"`
	Network         *NetworkStats `json:"network,omitempty"`
	Disk            *DiskStats    `json:"disk,omitempty"`
	Error           *ToolError    `json:"error,omitempty" jsonschema:"set instead of the other fields when the call failed"`
}

// CPUStats are CPU figures over the sampling interval.
type CPUStats struct {
	UsageMHz     int64   `json:"usage_mhz"`
	UsagePercent float64 `json:"usage_percent"`
}

// MemoryStats are memory figures over the sampling interval.
type MemoryStats struct {
	GrantedMB    int64   `json:"granted_mb"`
	ConsumedMB   int64   `json:"consumed_mb"`
	ActiveMB     int64   `json:"active_mb"`
	UsagePercent float64 `json:"usage_percent"`
}

// StorageStats are the VM's use of datastore space.
type StorageStats struct {
	CommittedBytes   int64 `json:"committed_bytes"`
	UncommittedBytes int64 `json:"uncommitted_bytes"`
	UnsharedBytes    int64 `json:"unshared_bytes"`
}

// NetworkStats are network throughput figures over the sampling interval.
type NetworkStats struct {
	ReceivedKBps    int64 `json:"received_kbps"`
	TransmittedKBps int64 `json:"transmitted_kbps"`
}

// DiskStats are disk throughput figures over the sampling interval.
type DiskStats struct {
	ReadKBps  int64 `json:"read_kbps"`
	WriteKBps int64 `json:"write_kbps"`
}

func summarize(vm domain.VM) VMSummary {
	return VMSummary{
		ID: vm.ID, Name: vm.Name, Path: vm.Path, Datacenter: vm.Datacenter,
		PowerState: string(vm.PowerState), CPU: vm.CPU, MemoryMB: vm.MemoryMB,
		GuestID: vm.GuestID, GuestOS: vm.GuestOS, IPAddress: vm.IPAddress,
		Host: vm.Host, Cluster: vm.Cluster,
		Datastores: nonEmpty(vm.Datastores), Networks: nonEmpty(vm.Networks),
		Template: vm.Template,
	}
}

func summarizeAll(vms []domain.VM) []VMSummary {
	out := make([]VMSummary, len(vms)) // never nil: an empty list is [], not null
	for i, vm := range vms {
		out[i] = summarize(vm)
	}
	return out
}

func planOf(p *domain.Plan) *Plan {
	if p == nil {
		return nil
	}
	out := &Plan{Action: string(p.Action), Target: summarize(p.Target), Steps: append([]string{}, p.Steps...)}
	if p.Source != nil {
		src := summarize(*p.Source)
		out.Source = &src
	}
	if at := p.Placement; at != nil {
		out.Placement = &Placement{
			Datacenter: refOf(at.Datacenter), Folder: refOf(at.Folder), Cluster: refOf(at.Cluster),
			Host: refOf(at.Host), ResourcePool: refOf(at.ResourcePool), Datastore: refOf(at.Datastore),
			Network: refOf(at.Network),
		}
	}
	return out
}

func refOf(o domain.ObjectRef) *ObjectRef {
	if o.IsZero() {
		return nil
	}
	return &ObjectRef{ID: o.ID, Name: o.Name, Path: o.Path}
}

func statsOf(st domain.VMStats) VMStats {
	out := VMStats{
		VM:              summarize(st.VM),
		Timestamp:       st.Timestamp.UTC().Format(time.RFC3339),
		IntervalSeconds: st.IntervalSeconds,
		Source:          st.Source,
		Storage: StorageStats{
			CommittedBytes:   st.Storage.CommittedBytes,
			UncommittedBytes: st.Storage.UncommittedBytes,
			UnsharedBytes:    st.Storage.UnsharedBytes,
		},
	}
	if c := st.CPU; c != nil {
		out.CPU = &CPUStats{UsageMHz: c.UsageMHz, UsagePercent: c.UsagePercent}
	}
	if m := st.Memory; m != nil {
		out.Memory = &MemoryStats{GrantedMB: m.GrantedMB, ConsumedMB: m.ConsumedMB, ActiveMB: m.ActiveMB, UsagePercent: m.UsagePercent}
	}
	if n := st.Network; n != nil {
		out.Network = &NetworkStats{ReceivedKBps: n.ReceivedKBps, TransmittedKBps: n.TransmittedKBps}
	}
	if d := st.Disk; d != nil {
		out.Disk = &DiskStats{ReadKBps: d.ReadKBps, WriteKBps: d.WriteKBps}
	}
	return out
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}
