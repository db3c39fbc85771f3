package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
)

// newService returns a Service over a fresh two-datacenter memory
// hypervisor (DC0 and DC1, each shaped like the simulator's default), and
// the hypervisor.
func newService(t *testing.T, opts app.Options) (*app.Service, *memory.Hypervisor) {
	t.Helper()
	h, err := memory.New(memory.Inventory{Datacenters: []memory.Datacenter{
		memory.DefaultDatacenter("DC0"), memory.DefaultDatacenter("DC1"),
	}})
	require.NoError(t, err)
	return app.New(h, opts), h
}

// inventory returns every VM and template, for before/after comparisons.
func inventory(t *testing.T, s *app.Service) []domain.VM {
	t.Helper()
	res, err := s.ListVMs(context.Background(), domain.ListFilter{IncludeTemplates: true})
	require.NoError(t, err)
	return res.VMs
}

func requireCode(t *testing.T, code domain.Code, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, domain.CodeOf(err), "error %q", err)
}

func TestListVMs(t *testing.T) {
	s, _ := newService(t, app.Options{})
	ctx := context.Background()
	res, err := s.ListVMs(ctx, domain.ListFilter{Datacenter: "DC1", Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, 4, res.Total)
	assert.Len(t, res.VMs, 3)
	assert.True(t, res.Truncated())
	for _, vm := range res.VMs {
		assert.Equal(t, "DC1", vm.Datacenter)
	}
	_, err = s.ListVMs(ctx, domain.ListFilter{PowerState: "on"})
	requireCode(t, domain.CodeInvalidArgument, err)
}

func TestGetVM(t *testing.T) {
	s, _ := newService(t, app.Options{})
	ctx := context.Background()
	vm, err := s.GetVM(ctx, "/DC1/vm/DC1_H0_VM0")
	require.NoError(t, err)
	assert.Equal(t, "DC1_H0_VM0", vm.Name)
	got, err := s.GetVM(ctx, vm.ID)
	require.NoError(t, err)
	assert.Equal(t, vm, got)
	_, err = s.GetVM(ctx, "nope")
	requireCode(t, domain.CodeNotFound, err)
	_, err = s.GetVM(ctx, "")
	requireCode(t, domain.CodeInvalidArgument, err)
}

func TestVMStats(t *testing.T) {
	s, _ := newService(t, app.Options{})
	st, err := s.VMStats(context.Background(), "DC0_H0_VM0")
	require.NoError(t, err)
	assert.Equal(t, "DC0_H0_VM0", st.VM.Name)
	assert.NotNil(t, st.CPU)
	_, err = s.VMStats(context.Background(), "nope")
	requireCode(t, domain.CodeNotFound, err)
}

func TestReadOnlyRefusesEveryMutation(t *testing.T) {
	s, h := newService(t, app.Options{ReadOnly: true})
	ctx := context.Background()
	before := inventory(t, s)
	for _, dryRun := range []bool{false, true} {
		for name, call := range map[string]func() error{
			"createVM": func() error {
				_, err := s.CreateVM(ctx, domain.CreateSpec{Name: "new", CPU: 1, MemoryMB: 64, DryRun: dryRun})
				return err
			},
			"cloneVM": func() error {
				_, err := s.CloneVM(ctx, domain.CloneSpec{Source: "DC0_H0_VM0", Name: "copy", DryRun: dryRun})
				return err
			},
			"deleteVM": func() error {
				_, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: "DC0_H0_VM0", Force: true, DryRun: dryRun})
				return err
			},
			"powerOn": func() error {
				_, err := s.PowerOn(ctx, domain.PowerSpec{VM: "DC0_H0_VM0", DryRun: dryRun})
				return err
			},
			"powerOff": func() error {
				_, err := s.PowerOff(ctx, domain.PowerSpec{VM: "DC0_H0_VM0", DryRun: dryRun})
				return err
			},
		} {
			err := call()
			requireCode(t, domain.CodeReadOnly, err)
			assert.Contains(t, err.Error(), name)
			assert.Contains(t, err.Error(), "read_only")
		}
	}
	assert.Equal(t, before, inventory(t, s), "nothing changed")
	assert.True(t, s.ReadOnly())
	_, err := s.GetVM(ctx, "DC0_H0_VM0")
	require.NoError(t, err, "reads still work")
	require.NoError(t, h.Check(ctx))
}

func TestUnavailableHypervisor(t *testing.T) {
	s, h := newService(t, app.Options{})
	h.SetDown("connection refused")
	_, err := s.ListVMs(context.Background(), domain.ListFilter{})
	requireCode(t, domain.CodeUnavailable, err)
	requireCode(t, domain.CodeUnavailable, s.Check(context.Background()))
	// Validation needs no hypervisor: bad input is reported as such.
	_, err = s.CreateVM(context.Background(), domain.CreateSpec{Name: "x", CPU: 0, MemoryMB: 64})
	requireCode(t, domain.CodeInvalidArgument, err)
	h.SetDown("")
	require.NoError(t, s.Check(context.Background()))
}

// auditLines captures the service's log as decoded JSON lines.
type auditLines struct{ buf bytes.Buffer }

func (a *auditLines) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(&a.buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (a *auditLines) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(a.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		out = append(out, m)
	}
	return out
}

func TestAuditLinePerMutation(t *testing.T) {
	var a auditLines
	s, _ := newService(t, app.Options{Logger: a.logger()})
	ctx := context.Background()

	_, err := s.ListVMs(ctx, domain.ListFilter{})
	require.NoError(t, err)
	_, err = s.GetVM(ctx, "DC0_H0_VM0")
	require.NoError(t, err)
	assert.Empty(t, a.lines(t), "reads are not audited")

	res, err := s.CreateVM(ctx, domain.CreateSpec{Name: "audited", CPU: 1, MemoryMB: 64})
	require.NoError(t, err)
	_, err = s.PowerOn(ctx, domain.PowerSpec{VM: "audited", DryRun: true})
	require.NoError(t, err)
	_, err = s.DeleteVM(ctx, domain.DeleteSpec{VM: "DC0_H0_VM0"})
	requireCode(t, domain.CodeConflict, err)

	lines := a.lines(t)
	require.Len(t, lines, 3, "one line per mutation")
	for _, l := range lines {
		assert.Equal(t, "audit", l["msg"])
		assert.Contains(t, l, "duration")
	}
	assert.Equal(t, "createVM", lines[0]["op"])
	assert.Equal(t, "/DC0/vm/audited", lines[0]["vm"])
	assert.Equal(t, res.VM.ID, lines[0]["moref"])
	assert.Equal(t, "ok", lines[0]["outcome"])
	assert.Equal(t, "INFO", lines[0]["level"])
	assert.Equal(t, "powerOn", lines[1]["op"])
	assert.Equal(t, "dry_run", lines[1]["outcome"])
	assert.Equal(t, "deleteVM", lines[2]["op"])
	assert.Equal(t, "conflict", lines[2]["outcome"])
	assert.Equal(t, "/DC0/vm/DC0_H0_VM0", lines[2]["vm"])
	assert.Equal(t, "WARN", lines[2]["level"])
	assert.Contains(t, lines[2]["error"], "poweredOn")
}

func TestConcurrentMutationsOfDistinctVMs(t *testing.T) {
	s, _ := newService(t, app.Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Go(func() {
			name := "par-" + string(rune('a'+i))
			if _, err := s.CreateVM(ctx, domain.CreateSpec{Name: name, CPU: 1, MemoryMB: 64, PowerOn: true}); err != nil {
				errs <- err
				return
			}
			if _, err := s.DeleteVM(ctx, domain.DeleteSpec{VM: name, Force: true}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	res, err := s.ListVMs(ctx, domain.ListFilter{NameContains: "par-"})
	require.NoError(t, err)
	assert.Empty(t, res.VMs)
}
