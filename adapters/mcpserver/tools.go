package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/domain"
)

// tool is one MCP tool: its definition (name, title, description,
// annotations), the bounds, defaults and enums of its arguments, the VM a
// call is about (for logs), and what it does.
type tool[In, Out any] struct {
	def   *mcp.Tool
	props map[string][]property
	vm    func(In) string
	run   func(context.Context, In) (Out, error)
}

// addTool registers t with go-sdk, which validates the arguments against
// the input schema (applying defaults). A failure of run becomes an isError
// result through the one table of errors.go.
//
// The schemas are registered as JSON, and the handler builds its structured
// result itself: given a typed result, go-sdk would validate it against the
// output schema on every call (marshalling it twice and decoding it once),
// and given schema structs, it would encode the input schema again on every
// call to look for parameter headers; together that is most of the cost of a
// call. The tests validate every result against its schema instead.
func addTool[In, Out any](s *Server, t tool[In, Out]) {
	def := *t.def
	def.InputSchema = schemaJSON(inputSchema[In](t.props))
	def.OutputSchema = schemaJSON(outputSchema[Out]())
	mcp.AddTool(s.mcp, &def, func(ctx context.Context, _ *mcp.CallToolRequest, in In) (*mcp.CallToolResult, any, error) {
		vm := t.vm(in)
		call := callOf(ctx)
		call.vm = vm
		out, err := t.run(ctx, in)
		if err != nil {
			res, payload := s.toolFailure(ctx, def.Name, vm, err)
			call.code = domain.Code(payload.Error.Code)
			return structured(res, payload)
		}
		return structured(&mcp.CallToolResult{}, out)
	})
}

// structured sets v as the structured content of res and, unless res has
// content already, its JSON as the text content too, as the MCP
// specification suggests for clients that read text only.
func structured(res *mcp.CallToolResult, v any) (*mcp.CallToolResult, any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal the result: %w", err)
	}
	res.StructuredContent = json.RawMessage(b)
	if res.Content == nil {
		res.Content = []mcp.Content{&mcp.TextContent{Text: string(b)}}
	}
	return res, nil, nil
}

// annotations returns truthful hints. Every tool acts on a vCenter or ESXi
// host outside this process: openWorldHint is true throughout.
func annotations(title string, readOnly, destructive, idempotent bool) *mcp.ToolAnnotations {
	open := true
	return &mcp.ToolAnnotations{
		Title: title, ReadOnlyHint: readOnly, DestructiveHint: &destructive,
		IdempotentHint: idempotent, OpenWorldHint: &open,
	}
}

func newTool(name, title, description string, readOnly, destructive, idempotent bool) *mcp.Tool {
	return &mcp.Tool{
		Name: name, Title: title, Description: description,
		Annotations: annotations(title, readOnly, destructive, idempotent),
	}
}

func (s *Server) addTools() {
	dryRun := []property{byDefault(false)}

	addTool(s, tool[ListVMsInput, ListVMsOutput]{
		def: newTool("listVMs", "List virtual machines",
			"List the virtual machines of the vCenter or ESXi host, sorted by inventory path, with their id, "+
				"path, power state, size, guest OS, IP address, host, cluster, datastores and networks. "+
				"Filter by part of the name, power state or datacenter; templates are left out unless "+
				"include_templates is true. count is the number returned, total the number that matched "+
				"before limit, and truncated tells whether limit left some out.",
			true, false, true),
		props: map[string][]property{
			"power_state":       {oneOf(domain.PowerStates()...)},
			"include_templates": {byDefault(false)},
			"limit":             {between(0, domain.MaxListLimit)},
		},
		vm: func(ListVMsInput) string { return "" },
		run: func(ctx context.Context, in ListVMsInput) (ListVMsOutput, error) {
			res, err := s.svc.ListVMs(ctx, domain.ListFilter{
				NameContains: in.NameContains, PowerState: domain.PowerState(in.PowerState),
				Datacenter: in.Datacenter, IncludeTemplates: in.IncludeTemplates, Limit: in.Limit,
			})
			if err != nil {
				return ListVMsOutput{}, err
			}
			return ListVMsOutput{VMs: summarizeAll(res.VMs), Count: len(res.VMs), Total: res.Total, Truncated: res.Truncated()}, nil
		},
	})

	addTool(s, tool[GetVMInput, GetVMOutput]{
		def: newTool("getVM", "Get a virtual machine",
			"Return one virtual machine or template, named by its name, inventory path or id: its id, path, "+
				"power state, size, guest OS, IP address, host, cluster, datastores and networks.",
			true, false, true),
		vm: func(in GetVMInput) string { return in.Name },
		run: func(ctx context.Context, in GetVMInput) (GetVMOutput, error) {
			vm, err := s.svc.GetVM(ctx, in.Name)
			if err != nil {
				return GetVMOutput{}, err
			}
			return GetVMOutput{VM: summarize(vm)}, nil
		},
	})

	addTool(s, tool[GetVMInput, VMStats]{
		def: newTool("getVMStats", "Get VM performance figures",
			"Return the latest performance figures of one virtual machine (vSphere realtime statistics, "+
				"20-second samples): CPU in MHz and percent, memory granted, consumed and active in MiB, "+
				"datastore space committed, uncommitted and unshared in bytes, network and disk throughput in "+
				"KB/s. A VM that is not running has storage figures only. The same figures are the resource "+
				"vmstats://{vm_name}.",
			true, false, true),
		vm: func(in GetVMInput) string { return in.Name },
		run: func(ctx context.Context, in GetVMInput) (VMStats, error) {
			st, err := s.svc.VMStats(ctx, in.Name)
			if err != nil {
				return VMStats{}, err
			}
			return statsOf(st), nil
		},
	})

	addTool(s, tool[CreateVMInput, CreateVMOutput]{
		def: newTool("createVM", "Create a virtual machine",
			"Create a new virtual machine with cpu virtual CPUs, memory MiB of memory, one thin disk of "+
				"disk_gb GiB on a paravirtual SCSI controller and, when a network is given or configured, one "+
				"VMXNET3 network adapter. Placement arguments left out take the configured defaults. The VM "+
				"is created powered off unless power_on is true. Fails with already_exists when any VM has "+
				"the name. Use dry_run: true to see the resolved placement and plan first.",
			false, false, false),
		props: map[string][]property{
			"cpu":      {between(domain.MinCPU, domain.MaxCPU)},
			"memory":   {between(domain.MinMemoryMB, domain.MaxMemoryMB)},
			"disk_gb":  {between(domain.MinDiskGB, domain.MaxDiskGB), byDefault(domain.DefaultDiskGB)},
			"guest_id": {byDefault(domain.DefaultGuestID)},
			"power_on": {byDefault(false)},
			"dry_run":  dryRun,
		},
		vm: func(in CreateVMInput) string { return in.Name },
		run: func(ctx context.Context, in CreateVMInput) (CreateVMOutput, error) {
			res, err := s.svc.CreateVM(ctx, domain.CreateSpec{
				Name: in.Name, CPU: in.CPU, MemoryMB: in.Memory, DiskGB: in.DiskGB, GuestID: in.GuestID,
				Placement: domain.PlacementRequest{
					Folder: in.Folder, Cluster: in.Cluster, Host: in.Host, Datastore: in.Datastore, Network: in.Network,
				},
				PowerOn: in.PowerOn, DryRun: in.DryRun,
			})
			if err != nil {
				return CreateVMOutput{}, err
			}
			return CreateVMOutput{VM: summarize(res.VM), DryRun: res.DryRun, Plan: planOf(res.Plan)}, nil
		},
	})

	addTool(s, tool[CloneVMInput, CreateVMOutput]{
		def: newTool("cloneVM", "Clone a template or VM",
			"Create a new virtual machine named new_name as a full copy of a template or VM. The clone goes "+
				"to the source's folder, resource pool and datastore unless told otherwise, and is powered "+
				"off unless power_on is true. Fails with already_exists when any VM has the new name, and "+
				"with invalid_argument on a standalone ESXi host, which cannot clone. Use dry_run: true to "+
				"see the plan first.",
			false, false, false),
		props: map[string][]property{
			"power_on": {byDefault(false)},
			"dry_run":  dryRun,
		},
		vm: func(in CloneVMInput) string { return in.NewName },
		run: func(ctx context.Context, in CloneVMInput) (CreateVMOutput, error) {
			res, err := s.svc.CloneVM(ctx, domain.CloneSpec{
				Source: in.TemplateName, Name: in.NewName,
				Placement: domain.PlacementRequest{Folder: in.Folder, Cluster: in.Cluster, Host: in.Host, Datastore: in.Datastore},
				PowerOn:   in.PowerOn, DryRun: in.DryRun,
			})
			if err != nil {
				return CreateVMOutput{}, err
			}
			return CreateVMOutput{VM: summarize(res.VM), DryRun: res.DryRun, Plan: planOf(res.Plan)}, nil
		},
	})

	addTool(s, tool[DeleteVMInput, DeleteVMOutput]{
		def: newTool("deleteVM", "Delete a virtual machine",
			"Destroy a virtual machine or template and delete its disks. This cannot be undone. A VM that "+
				"is powered on or suspended is refused with conflict unless force is true, which powers it "+
				"off first. A name that matches several VMs is refused with ambiguous: nothing is deleted. "+
				"Use dry_run: true to see what would be deleted.",
			false, true, false),
		props: map[string][]property{
			"force":   {byDefault(false)},
			"dry_run": dryRun,
		},
		vm: func(in DeleteVMInput) string { return in.Name },
		run: func(ctx context.Context, in DeleteVMInput) (DeleteVMOutput, error) {
			res, err := s.svc.DeleteVM(ctx, domain.DeleteSpec{VM: in.Name, Force: in.Force, DryRun: in.DryRun})
			if err != nil {
				return DeleteVMOutput{}, err
			}
			return DeleteVMOutput{Deleted: summarize(res.Deleted), DryRun: res.DryRun, Plan: planOf(res.Plan)}, nil
		},
	})

	addTool(s, tool[PowerOnInput, PowerOutput]{
		def: newTool("powerOn", "Power on a virtual machine",
			"Power on a virtual machine, or resume it when suspended, and return it. A VM that is already "+
				"on is left alone and reported with changed: false. Templates cannot be powered on.",
			false, false, true),
		props: map[string][]property{"dry_run": dryRun},
		vm:    func(in PowerOnInput) string { return in.Name },
		run: func(ctx context.Context, in PowerOnInput) (PowerOutput, error) {
			res, err := s.svc.PowerOn(ctx, domain.PowerSpec{VM: in.Name, DryRun: in.DryRun})
			if err != nil {
				return PowerOutput{}, err
			}
			return PowerOutput{VM: summarize(res.VM), Changed: res.Changed, DryRun: res.DryRun, Plan: planOf(res.Plan)}, nil
		},
	})

	addTool(s, tool[PowerOffInput, PowerOutput]{
		def: newTool("powerOff", "Power off a virtual machine",
			"Power off a virtual machine and return it: at once, like pulling the plug (the default), or "+
				"with graceful: true through a guest OS shutdown that waits until the VM is off. A VM that "+
				"is already off is left alone and reported with changed: false.",
			false, true, true),
		props: map[string][]property{
			"graceful": {byDefault(false)},
			"dry_run":  dryRun,
		},
		vm: func(in PowerOffInput) string { return in.Name },
		run: func(ctx context.Context, in PowerOffInput) (PowerOutput, error) {
			res, err := s.svc.PowerOff(ctx, domain.PowerSpec{VM: in.Name, Graceful: in.Graceful, DryRun: in.DryRun})
			if err != nil {
				return PowerOutput{}, err
			}
			return PowerOutput{VM: summarize(res.VM), Changed: res.Changed, DryRun: res.DryRun, Plan: planOf(res.Plan)}, nil
		},
	})
}
