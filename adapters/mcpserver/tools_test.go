package mcpserver_test

import (
	"errors"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
)

// withTemplate returns the default inventory plus a template "tmpl".
func withTemplate(t *testing.T) *memory.Hypervisor {
	t.Helper()
	dc := memory.DefaultDatacenter("DC0")
	dc.VMs = append(dc.VMs, memory.VM{Name: "tmpl", Host: "DC0_H0", Datastore: "LocalDS_0", CPU: 2, MemoryMB: 2048, GuestID: "ubuntu64Guest", Template: true})
	hv, err := memory.New(memory.Inventory{Datacenters: []memory.Datacenter{dc}})
	require.NoError(t, err)
	return hv
}

func TestToolsList(t *testing.T) {
	c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
	res, err := c.cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		assert.NotEmpty(t, tool.Title, tool.Name)
		assert.NotEmpty(t, tool.Description, tool.Name)
		assert.NotNil(t, tool.InputSchema, tool.Name)
		assert.NotNil(t, tool.OutputSchema, tool.Name)
		assert.NotNil(t, tool.Annotations, tool.Name)
	}
	assert.ElementsMatch(t, []string{"listVMs", "getVM", "getVMStats", "createVM", "cloneVM", "deleteVM", "powerOn", "powerOff"}, names)
}

func TestAnnotations(t *testing.T) {
	c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
	res, err := c.cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	byName := map[string]*mcp.Tool{}
	for _, tool := range res.Tools {
		byName[tool.Name] = tool
	}
	for _, tc := range []struct {
		tool                              string
		readOnly, destructive, idempotent bool
	}{
		{"listVMs", true, false, true},
		{"getVM", true, false, true},
		{"getVMStats", true, false, true},
		{"createVM", false, false, false},
		{"cloneVM", false, false, false},
		{"deleteVM", false, true, false},
		{"powerOn", false, false, true},
		{"powerOff", false, true, true},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			tool := byName[tc.tool]
			require.NotNil(t, tool)
			a := tool.Annotations
			assert.Equal(t, tc.readOnly, a.ReadOnlyHint, "readOnlyHint")
			require.NotNil(t, a.DestructiveHint)
			assert.Equal(t, tc.destructive, *a.DestructiveHint, "destructiveHint")
			assert.Equal(t, tc.idempotent, a.IdempotentHint, "idempotentHint")
			require.NotNil(t, a.OpenWorldHint)
			assert.True(t, *a.OpenWorldHint, "openWorldHint: the tools act on vCenter")
			assert.Equal(t, tool.Title, a.Title)
		})
	}
}

func TestListVMs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		hv        func(*testing.T) *memory.Hypervisor
		args      map[string]any
		want      []string
		total     int
		truncated bool
	}{
		{"All", nil, nil, []string{"DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0", "DC0_H0_VM1"}, 4, false},
		{"NameContainsIgnoresCase", nil, map[string]any{"name_contains": "h0_vm"}, []string{"DC0_H0_VM0", "DC0_H0_VM1"}, 2, false},
		{"NoMatchIsAnEmptyList", nil, map[string]any{"power_state": "poweredOff"}, []string{}, 0, false},
		{"Limit", nil, map[string]any{"limit": 1}, []string{"DC0_C0_RP0_VM0"}, 4, true},
		{"LimitZeroIsAll", nil, map[string]any{"limit": 0}, []string{"DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0", "DC0_H0_VM1"}, 4, false},
		{"TemplatesLeftOut", withTemplate, nil, []string{"DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0", "DC0_H0_VM1"}, 4, false},
		{"Templates", withTemplate, map[string]any{"include_templates": true, "name_contains": "tmpl"}, []string{"tmpl"}, 1, false},
		{"Datacenter", twins, map[string]any{"datacenter": "DC1", "name_contains": "twin"}, []string{"twin"}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hv *memory.Hypervisor
			if tc.hv != nil {
				hv = tc.hv(t)
			}
			c := newFixture(t, hv, app.Options{}, mcpserver.Options{}).connect(t)
			out := ok[mcpserver.ListVMsOutput](c, "listVMs", tc.args)
			names := []string{}
			for _, vm := range out.VMs {
				names = append(names, vm.Name)
			}
			assert.Equal(t, tc.want, names)
			assert.Equal(t, len(tc.want), out.Count)
			assert.Equal(t, tc.total, out.Total)
			assert.Equal(t, tc.truncated, out.Truncated)
		})
	}
}

func TestListVMsEmptyIsAnArray(t *testing.T) {
	c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
	res := c.call("listVMs", map[string]any{"name_contains": "nothing-has-this"})
	assert.JSONEq(t, `{"vms":[],"count":0,"total":0,"truncated":false}`, mustJSON(t, res.StructuredContent))
}

func TestGetVM(t *testing.T) {
	f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
	c := f.connect(t)
	vm := vmNamed(t, f.hv, "DC0_H0_VM0")
	want := mcpserver.VMSummary{
		ID: vm.ID, Name: "DC0_H0_VM0", Path: "/DC0/vm/DC0_H0_VM0", Datacenter: "DC0", PowerState: "poweredOn",
		CPU: 1, MemoryMB: 32, GuestID: "otherGuest", GuestOS: vm.GuestOS, Host: "DC0_H0",
		Datastores: []string{"LocalDS_0"}, Networks: []string{"DC0_DVPG0"},
	}
	for _, tc := range []struct{ name, ref string }{
		{"ByName", "DC0_H0_VM0"},
		{"ByPath", "/DC0/vm/DC0_H0_VM0"},
		{"ByID", vm.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := ok[mcpserver.GetVMOutput](c, "getVM", map[string]any{"name": tc.ref})
			assert.Equal(t, want, out.VM)
		})
	}
}

func TestGetVMStats(t *testing.T) {
	f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
	c := f.connect(t)

	t.Run("PoweredOnHasLiveFigures", func(t *testing.T) {
		st := ok[mcpserver.VMStats](c, "getVMStats", map[string]any{"name": "DC0_H0_VM0"})
		assert.Equal(t, "DC0_H0_VM0", st.VM.Name)
		assert.Equal(t, 20, st.IntervalSeconds)
		assert.NotEmpty(t, st.Source)
		assert.NotEmpty(t, st.Timestamp)
		require.NotNil(t, st.CPU)
		require.NotNil(t, st.Memory)
		require.NotNil(t, st.Network)
		require.NotNil(t, st.Disk)
		assert.Positive(t, st.Storage.CommittedBytes)
	})
	t.Run("PoweredOffHasStorageOnly", func(t *testing.T) {
		ok[mcpserver.PowerOutput](c, "powerOff", map[string]any{"name": "DC0_H0_VM1"})
		res := c.call("getVMStats", map[string]any{"name": "DC0_H0_VM1"})
		var raw map[string]any
		remarshal(t, res.StructuredContent, &raw)
		assert.Contains(t, raw, "storage")
		for _, live := range []string{"cpu", "memory", "network", "disk"} {
			assert.NotContains(t, raw, live)
		}
	})
}

func TestCreateVM(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		c := f.connect(t)
		out := ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": "web01", "cpu": 2, "memory": 2048})
		assert.NotEmpty(t, out.VM.ID)
		assert.Equal(t, "/DC0/vm/web01", out.VM.Path)
		assert.Equal(t, "poweredOff", out.VM.PowerState)
		assert.Equal(t, 2, out.VM.CPU)
		assert.Equal(t, 2048, out.VM.MemoryMB)
		assert.Equal(t, domain.DefaultGuestID, out.VM.GuestID, "guest_id defaults")
		assert.False(t, out.DryRun)
		assert.Nil(t, out.Plan)
		assert.Equal(t, out.VM.ID, vmNamed(t, f.hv, "web01").ID)
	})
	t.Run("PowerOn", func(t *testing.T) {
		t.Parallel()
		c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
		out := ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 512, "power_on": true})
		assert.Equal(t, "poweredOn", out.VM.PowerState)
	})
	t.Run("Placement", func(t *testing.T) {
		t.Parallel()
		c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
		out := ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{
			"name": "web01", "cpu": 1, "memory": 512, "host": "DC0_C0_H1", "datastore": "LocalDS_0",
			"network": "VM Network", "guest_id": "ubuntu64Guest", "disk_gb": 20,
		})
		assert.Equal(t, "DC0_C0_H1", out.VM.Host)
		assert.Equal(t, "DC0_C0", out.VM.Cluster)
		assert.Equal(t, []string{"VM Network"}, out.VM.Networks)
		assert.Equal(t, "ubuntu64Guest", out.VM.GuestID)
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		c := f.connect(t)
		out := ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": "web01", "cpu": 2, "memory": 2048, "dry_run": true})
		assert.True(t, out.DryRun)
		assert.Empty(t, out.VM.ID, "no id: the VM does not exist")
		require.NotNil(t, out.Plan)
		assert.Equal(t, "create", out.Plan.Action)
		assert.Equal(t, "/DC0/vm/web01", out.Plan.Target.Path)
		require.NotNil(t, out.Plan.Placement)
		require.NotNil(t, out.Plan.Placement.Datastore)
		assert.Equal(t, "LocalDS_0", out.Plan.Placement.Datastore.Name)
		require.Len(t, out.Plan.Steps, 1)
		assert.Contains(t, out.Plan.Steps[0], "a 10 GiB thin disk", "disk_gb defaults to 10")
		assert.Equal(t, 4, countVMs(t, f.hv))
	})
}

func TestCloneVM(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, withTemplate(t), app.Options{}, mcpserver.Options{})
		c := f.connect(t)
		out := ok[mcpserver.CreateVMOutput](c, "cloneVM", map[string]any{"template_name": "tmpl", "new_name": "web02"})
		assert.NotEmpty(t, out.VM.ID)
		assert.Equal(t, "web02", out.VM.Name)
		assert.Equal(t, "poweredOff", out.VM.PowerState)
		assert.False(t, out.VM.Template)
		assert.Equal(t, 2, out.VM.CPU, "the clone has the template's size")
	})
	t.Run("PowerOn", func(t *testing.T) {
		t.Parallel()
		c := newFixture(t, withTemplate(t), app.Options{}, mcpserver.Options{}).connect(t)
		out := ok[mcpserver.CreateVMOutput](c, "cloneVM", map[string]any{"template_name": "/DC0/vm/tmpl", "new_name": "web02", "power_on": true})
		assert.Equal(t, "poweredOn", out.VM.PowerState)
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, withTemplate(t), app.Options{}, mcpserver.Options{})
		c := f.connect(t)
		out := ok[mcpserver.CreateVMOutput](c, "cloneVM", map[string]any{"template_name": "tmpl", "new_name": "web02", "dry_run": true})
		assert.True(t, out.DryRun)
		require.NotNil(t, out.Plan)
		assert.Equal(t, "clone", out.Plan.Action)
		require.NotNil(t, out.Plan.Source)
		assert.Equal(t, "tmpl", out.Plan.Source.Name)
		assert.Equal(t, 5, countVMs(t, f.hv))
	})
}

func TestDeleteVM(t *testing.T) {
	t.Run("PoweredOff", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		c := f.connect(t)
		ok[mcpserver.PowerOutput](c, "powerOff", map[string]any{"name": "DC0_H0_VM0"})
		out := ok[mcpserver.DeleteVMOutput](c, "deleteVM", map[string]any{"name": "DC0_H0_VM0"})
		assert.Equal(t, "/DC0/vm/DC0_H0_VM0", out.Deleted.Path)
		assert.False(t, out.DryRun)
		assert.Equal(t, 3, countVMs(t, f.hv))
	})
	t.Run("Force", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		c := f.connect(t)
		out := ok[mcpserver.DeleteVMOutput](c, "deleteVM", map[string]any{"name": "DC0_H0_VM0", "force": true})
		assert.Equal(t, "DC0_H0_VM0", out.Deleted.Name)
		assert.Equal(t, 3, countVMs(t, f.hv))
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		c := f.connect(t)
		out := ok[mcpserver.DeleteVMOutput](c, "deleteVM", map[string]any{"name": "DC0_H0_VM0", "force": true, "dry_run": true})
		assert.True(t, out.DryRun)
		require.NotNil(t, out.Plan)
		assert.Equal(t, "delete", out.Plan.Action)
		assert.Len(t, out.Plan.Steps, 2, "power off, then destroy")
		assert.Equal(t, 4, countVMs(t, f.hv))
	})
}

func TestPower(t *testing.T) {
	f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
	c := f.connect(t)
	vm := map[string]any{"name": "DC0_H0_VM0"}
	// A sequence: each step depends on the state the previous one left.
	for _, step := range []struct {
		name, tool string
		args       map[string]any
		state      string
		changed    bool
	}{
		{"PowerOnWhenOnChangesNothing", "powerOn", vm, "poweredOn", false},
		{"PowerOffDryRun", "powerOff", map[string]any{"name": "DC0_H0_VM0", "dry_run": true}, "poweredOff", true},
		{"PowerOff", "powerOff", vm, "poweredOff", true},
		{"PowerOffWhenOffChangesNothing", "powerOff", vm, "poweredOff", false},
		{"PowerOn", "powerOn", vm, "poweredOn", true},
	} {
		t.Run(step.name, func(t *testing.T) {
			out := ok[mcpserver.PowerOutput](c, step.tool, step.args)
			assert.Equal(t, step.state, out.VM.PowerState)
			assert.Equal(t, step.changed, out.Changed)
		})
	}
	t.Run("DryRunChangedNothing", func(t *testing.T) {
		assert.Equal(t, domain.PoweredOn, vmNamed(t, f.hv, "DC0_H0_VM0").PowerState)
	})
	t.Run("Graceful", func(t *testing.T) {
		require.NoError(t, f.hv.SetGuestTools(vmNamed(t, f.hv, "DC0_H0_VM1").ID, true))
		out := ok[mcpserver.PowerOutput](c, "powerOff", map[string]any{"name": "DC0_H0_VM1", "graceful": true})
		assert.Equal(t, "poweredOff", out.VM.PowerState)
		assert.True(t, out.Changed)
	})
}

// TestErrorKinds holds every domain error kind to DESIGN 4.5: a result with
// isError, the sentence as text, and structuredContent.error.
func TestErrorKinds(t *testing.T) {
	secret := errors.New("soap: login as administrator with password=hunter2 failed, cookie vmware_soap_session=abc")
	for _, tc := range []struct {
		name     string
		hv       func(*testing.T) *memory.Hypervisor
		readOnly bool
		arrange  func(*memory.Hypervisor)
		tool     string
		args     map[string]any
		code     domain.Code
		message  string // a part of it
	}{
		{"NotFound", nil, false, nil, "getVM", map[string]any{"name": "nope"}, domain.CodeNotFound, `no VM matches name "nope"`},
		{"Ambiguous", twins, false, nil, "powerOff", map[string]any{"name": "twin"}, domain.CodeAmbiguous, `"twin" matches 2 VMs`},
		{"AlreadyExists", nil, false, nil, "createVM", map[string]any{"name": "DC0_H0_VM0", "cpu": 1, "memory": 4}, domain.CodeAlreadyExists, "is taken"},
		{"InvalidArgument", nil, false, nil, "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 1023}, domain.CodeInvalidArgument, "multiple of 4"},
		{"Conflict", nil, false, nil, "deleteVM", map[string]any{"name": "DC0_H0_VM0"}, domain.CodeConflict, "force: true"},
		{"ReadOnly", nil, true, nil, "powerOff", map[string]any{"name": "DC0_H0_VM0"}, domain.CodeReadOnly, "read-only"},
		{"Forbidden", nil, false, func(hv *memory.Hypervisor) {
			hv.InjectFault("PowerOff", domain.Errorf(domain.CodeForbidden, "permission to power off VMs was denied to the vCenter user"))
		}, "powerOff", map[string]any{"name": "DC0_H0_VM0"}, domain.CodeForbidden, "permission"},
		{"Unavailable", nil, false, func(hv *memory.Hypervisor) { hv.SetDown("vCenter does not answer") },
			"listVMs", nil, domain.CodeUnavailable, "vCenter does not answer"},
		{"Timeout", nil, false, func(hv *memory.Hypervisor) {
			hv.InjectFault("CreateVM", domain.Errorf(domain.CodeTimeout, "task CreateVM_Task did not finish within 10m0s"))
		}, "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 4}, domain.CodeTimeout, "did not finish"},
		{"Internal", nil, false, func(hv *memory.Hypervisor) { hv.InjectFault("ListVMs", secret) },
			"listVMs", nil, domain.CodeInternal, "internal error"},
		{"UnknownCodeIsInternal", nil, false, func(hv *memory.Hypervisor) {
			hv.InjectFault("ResolveVM", &domain.Error{Code: "weird", Message: "password=hunter2"})
		}, "getVM", map[string]any{"name": "DC0_H0_VM0"}, domain.CodeInternal, "internal error"},
		{"SentinelWithoutMessage", nil, false, func(hv *memory.Hypervisor) { hv.InjectFault("ResolveVM", domain.ErrForbidden) },
			"getVM", map[string]any{"name": "DC0_H0_VM0"}, domain.CodeForbidden, "privilege"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hv *memory.Hypervisor
			if tc.hv != nil {
				hv = tc.hv(t)
			}
			f := newFixture(t, hv, app.Options{ReadOnly: tc.readOnly}, mcpserver.Options{})
			c := f.connect(t)
			before := countVMs(t, f.hv)
			if tc.arrange != nil {
				tc.arrange(f.hv)
			}
			e := fails(c, tc.tool, tc.args)
			assert.Equal(t, string(tc.code), e.Code)
			assert.Contains(t, e.Message, tc.message)
			assert.NotContains(t, e.Message, "hunter2", "no secret reaches a client")
			assert.NotContains(t, e.Message, "vmware_soap_session")
			f.hv.SetDown("")
			for _, m := range []string{"ListVMs", "ResolveVM", "PowerOff", "CreateVM"} {
				f.hv.InjectFault(m, nil)
			}
			assert.Equal(t, before, countVMs(t, f.hv), "a failed call changes nothing")
		})
	}
}

func TestAmbiguousListsCandidatesAndChangesNothing(t *testing.T) {
	f := newFixture(t, twins(t), app.Options{}, mcpserver.Options{})
	c := f.connect(t)
	e := fails(c, "deleteVM", map[string]any{"name": "twin", "force": true})
	assert.Equal(t, "ambiguous", e.Code)
	require.Len(t, e.Candidates, 2)
	assert.Equal(t, "/DC0/vm/twin", e.Candidates[0].Path)
	assert.Equal(t, "/DC1/vm/twin", e.Candidates[1].Path)
	for _, cand := range e.Candidates {
		assert.NotEmpty(t, cand.ID)
		assert.Equal(t, "twin", cand.Name)
		assert.NotEmpty(t, cand.Datacenter)
	}
	assert.Equal(t, 10, countVMs(t, f.hv), "nothing was deleted")

	out := ok[mcpserver.DeleteVMOutput](c, "deleteVM", map[string]any{"name": e.Candidates[0].ID})
	assert.Equal(t, "/DC0/vm/twin", out.Deleted.Path, "the id names one of them")
}

func TestInternalErrorIsLoggedOnceWithDetail(t *testing.T) {
	f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
	c := f.connect(t)
	f.hv.InjectFault("ListVMs", errors.New("socket: connection reset by peer"))
	e := fails(c, "listVMs", nil)
	assert.Equal(t, "internal error", e.Message)

	logs := f.logs.String()
	assert.Contains(t, logs, `level=ERROR msg="request failed" tool=listVMs vm="" code=internal error="socket: connection reset by peer"`)
	assert.Contains(t, logs, `level=DEBUG msg="tool call" tool=listVMs vm="" code=internal duration=`)
}

func TestToolCallsAreLoggedAtDebug(t *testing.T) {
	f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
	c := f.connect(t)
	ok[mcpserver.GetVMOutput](c, "getVM", map[string]any{"name": "DC0_H0_VM0"})
	fails(c, "getVM", map[string]any{"name": "nope"})
	rejects(c, "getVM", map[string]any{"name": 7})
	logs := f.logs.String()
	assert.Contains(t, logs, `msg="tool call" tool=getVM vm=DC0_H0_VM0 code=ok duration=`)
	assert.Contains(t, logs, `msg="tool call" tool=getVM vm=nope code=not_found duration=`)
	assert.Contains(t, logs, `msg="tool call" tool=getVM vm="" code=protocol_error duration=`)
	assert.NotContains(t, logs, "level=INFO msg=\"server session connected\"", "go-sdk's chatter is at debug")
}

// TestSchemaViolations: arguments that break the input schema are refused
// before the tool runs, as protocol faults (DESIGN 4.5): JSON-RPC -32602
// with data {code: invalid_argument, message}. go-sdk v1.8.0 would make
// them isError results; the server turns those into the JSON-RPC error.
func TestSchemaViolations(t *testing.T) {
	for _, tc := range []struct {
		name, tool string
		args       map[string]any
		mention    string
	}{
		{"MissingName", "createVM", map[string]any{"cpu": 1, "memory": 4}, "name"},
		{"MissingCPU", "createVM", map[string]any{"name": "web01", "memory": 4}, "cpu"},
		{"EmptyArguments", "createVM", map[string]any{}, "name"},
		// A nil map is sent as "arguments": null, which go-sdk v1.8.0 would
		// panic on (see objectArguments).
		{"NullArguments", "createVM", nil, "name"},
		{"CPUAsString", "createVM", map[string]any{"name": "web01", "cpu": "2", "memory": 4}, "cpu"},
		{"CPUFraction", "createVM", map[string]any{"name": "web01", "cpu": 2.5, "memory": 4}, "cpu"},
		{"CPUZero", "createVM", map[string]any{"name": "web01", "cpu": 0, "memory": 4}, "cpu"},
		{"CPUTooMany", "createVM", map[string]any{"name": "web01", "cpu": 769, "memory": 4}, "cpu"},
		{"MemoryTooSmall", "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 2}, "memory"},
		{"DiskZero", "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 4, "disk_gb": 0}, "disk_gb"},
		{"UnknownArgument", "createVM", map[string]any{"name": "web01", "cpu": 1, "memory_mb": 4, "memory": 4}, "memory_mb"},
		{"NameAsNumber", "deleteVM", map[string]any{"name": 42}, "name"},
		{"PowerStateNotInEnum", "listVMs", map[string]any{"power_state": "running"}, "power_state"},
		{"NegativeLimit", "listVMs", map[string]any{"limit": -1}, "limit"},
		{"GracefulAsString", "powerOff", map[string]any{"name": "DC0_H0_VM0", "graceful": "yes"}, "graceful"},
		{"MissingTemplateName", "cloneVM", map[string]any{"new_name": "x"}, "template_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
			c := f.connect(t)
			e := rejects(c, tc.tool, tc.args)
			assert.Equal(t, "invalid_argument", e.Code)
			assert.Contains(t, e.Message, tc.mention)
			assert.Contains(t, e.Message, tc.tool)
			assert.Equal(t, 4, countVMs(t, f.hv), "nothing changed")
			assert.Equal(t, domain.PoweredOn, vmNamed(t, f.hv, "DC0_H0_VM0").PowerState, "nothing changed")
		})
	}
}

func TestProtocolErrors(t *testing.T) {
	c := newFixture(t, nil, app.Options{}, mcpserver.Options{}).connect(t)
	rpcCode := func(t *testing.T, err error) int64 {
		t.Helper()
		var werr *jsonrpc.Error
		require.ErrorAs(t, err, &werr)
		return werr.Code
	}

	t.Run("UnknownTool", func(t *testing.T) {
		_, err := c.cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "nope"})
		assert.Equal(t, int64(jsonrpc.CodeInvalidParams), rpcCode(t, err))
	})
	t.Run("PromptsList", func(t *testing.T) {
		_, err := c.cs.ListPrompts(t.Context(), nil)
		assert.Equal(t, int64(jsonrpc.CodeMethodNotFound), rpcCode(t, err))
	})
	t.Run("PromptsGet", func(t *testing.T) {
		_, err := c.cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: "x"})
		assert.Equal(t, int64(jsonrpc.CodeMethodNotFound), rpcCode(t, err))
	})
	t.Run("NoPromptsCapability", func(t *testing.T) {
		caps := c.cs.InitializeResult().Capabilities
		assert.Nil(t, caps.Prompts)
		assert.NotNil(t, caps.Tools)
		assert.NotNil(t, caps.Resources)
	})
	t.Run("StillServing", func(t *testing.T) {
		ok[mcpserver.ListVMsOutput](c, "listVMs", nil)
	})
}
