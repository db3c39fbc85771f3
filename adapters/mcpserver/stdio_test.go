package mcpserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// stdio is a ServeStdio running over pipes.
type stdio struct {
	in   *io.PipeWriter // the client writes the server's stdin here
	out  *io.PipeReader // and reads its stdout here
	stop context.CancelFunc
	done chan error
}

func startStdio(t *testing.T, f *fixture) *stdio {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	s := &stdio{in: inW, out: outR, stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- f.srv.ServeStdio(ctx, inR, outW) }()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		outR.Close()
	})
	return s
}

// returned waits for ServeStdio to return.
func (s *stdio) returned(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(within):
		require.FailNow(t, "ServeStdio did not return", "within %v", within)
		return nil
	}
}

// rawClient speaks raw lines to a stdio server, reading its stdout all the
// time, as a real client does.
type rawClient struct {
	in      io.Writer
	answers chan map[string]any
	pings   int
}

// raw initializes a session with raw lines.
func (s *stdio) raw(t *testing.T) *rawClient {
	t.Helper()
	c := &rawClient{in: s.in, answers: make(chan map[string]any, 100), pings: 1000}
	go func() {
		lines := bufio.NewScanner(s.out)
		lines.Buffer(nil, 1<<20)
		for lines.Scan() {
			var a map[string]any
			var batch []any
			switch {
			case json.Unmarshal(lines.Bytes(), &a) == nil:
			case json.Unmarshal(lines.Bytes(), &batch) == nil:
				a = map[string]any{"batch": batch}
			default:
				a = map[string]any{"not_json": lines.Text()}
			}
			c.answers <- a
		}
		close(c.answers)
	}()
	c.send(t, `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	require.Contains(t, c.next(t), "result")
	c.send(t, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	return c
}

func (c *rawClient) send(t *testing.T, line string) {
	t.Helper()
	_, err := fmt.Fprintln(c.in, line)
	require.NoError(t, err)
}

// next returns the next line the server wrote, which must be JSON.
func (c *rawClient) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case a, ok := <-c.answers:
		require.True(t, ok, "stdout closed")
		require.NotContains(t, a, "not_json", "stdout holds JSON only")
		return a
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no answer within 5s")
		return nil
	}
}

// barrier returns once every line sent before has been taken in: the
// server takes lines in order, and answers a ping at once. Answers read
// meanwhile are returned.
func (c *rawClient) barrier(t *testing.T) []map[string]any {
	t.Helper()
	c.pings++
	c.send(t, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"ping"}`, c.pings))
	var others []map[string]any
	for {
		a := c.next(t)
		if a["id"] == float64(c.pings) {
			return others
		}
		others = append(others, a)
	}
}

func TestServeStdio(t *testing.T) {
	t.Run("Session", func(t *testing.T) {
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		s := startStdio(t, f)
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "desktop", Version: "1"}, nil).
			Connect(t.Context(), &mcp.IOTransport{Reader: s.out, Writer: s.in}, nil)
		require.NoError(t, err)
		c := newClient(t, cs)
		assert.Len(t, c.schemas, 8)
		out := ok[mcpserver.CreateVMOutput](c, "createVM", map[string]any{"name": "web01", "cpu": 1, "memory": 4, "power_on": true})
		assert.Equal(t, "poweredOn", out.VM.PowerState)
		res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "vmstats://web01"})
		require.NoError(t, err)
		assert.Len(t, res.Contents, 1)

		require.NoError(t, cs.Close())
		assert.NoError(t, s.returned(t, 5*time.Second), "the client closed stdin: a normal end")
	})
	t.Run("EndOfInputAnswersEveryCall", func(t *testing.T) {
		// As a shell pipe does: every request, then the end of stdin.
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		f.hv.SetLatency(50 * time.Millisecond)
		var out strings.Builder
		in := strings.NewReader(strings.Join([]string{
			`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}`,
			`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
			`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
			`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"listVMs","arguments":{}}}`,
			`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"powerOff","arguments":{"name":"DC0_H0_VM0"}}}`,
		}, "\n") + "\n")
		require.NoError(t, f.srv.ServeStdio(t.Context(), in, &out))

		answers := map[float64]map[string]any{}
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var a map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &a), "stdout holds JSON only: %q", line)
			answers[a["id"].(float64)] = a
		}
		require.Len(t, answers, 4, "every call is answered: %s", out.String())
		for id, a := range answers {
			assert.Contains(t, a, "result", "call %v", id)
		}
		vm, err := f.hv.ResolveVM(t.Context(), domain.NameRef("DC0_H0_VM0"), ports.Current)
		require.NoError(t, err)
		assert.Equal(t, domain.PoweredOff, vm.PowerState, "the last call ran to its end")
	})
	t.Run("EndOfInputWaitIsBounded", func(t *testing.T) {
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{DrainTimeout: 100 * time.Millisecond})
		f.hv.SetLatency(10 * time.Second)
		in := strings.NewReader(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}` + "\n" +
			`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" +
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"listVMs","arguments":{}}}` + "\n")
		start := time.Now()
		require.NoError(t, f.srv.ServeStdio(t.Context(), in, io.Discard))
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Contains(t, f.logs.String(), "were abandoned")
	})
	t.Run("ContextDone", func(t *testing.T) {
		s := startStdio(t, newFixture(t, nil, app.Options{}, mcpserver.Options{}))
		s.stop()
		assert.NoError(t, s.returned(t, 5*time.Second))
	})
	t.Run("DrainsCallsInFlight", func(t *testing.T) {
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
		s := startStdio(t, f)
		raw := s.raw(t)
		f.hv.SetLatency(300 * time.Millisecond)
		raw.send(t, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"listVMs","arguments":{}}}`)
		require.Empty(t, raw.barrier(t), "the call is in flight")
		s.stop()
		require.Eventually(t, func() bool { return strings.Contains(f.logs.String(), "shutting down") }, 5*time.Second, time.Millisecond)
		raw.send(t, `{"jsonrpc":"2.0","id":2,"method":"ping"}`)

		answers := map[float64]map[string]any{}
		for range 2 {
			a := raw.next(t)
			answers[a["id"].(float64)] = a
		}
		assert.Contains(t, answers[1], "result", "the call in flight is answered")
		require.Contains(t, answers[2], "error", "a call after the signal is refused")
		assert.Equal(t, -32000.0, answers[2]["error"].(map[string]any)["code"])
		assert.NoError(t, s.returned(t, 5*time.Second))
	})
	t.Run("DrainIsBounded", func(t *testing.T) {
		f := newFixture(t, nil, app.Options{}, mcpserver.Options{DrainTimeout: 100 * time.Millisecond})
		s := startStdio(t, f)
		raw := s.raw(t)
		f.hv.SetLatency(10 * time.Second)
		raw.send(t, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"listVMs","arguments":{}}}`)
		raw.barrier(t)
		s.stop()
		assert.NoError(t, s.returned(t, 5*time.Second))
		assert.Contains(t, f.logs.String(), "calls still in flight were abandoned")
	})
}

// TestStdioLines sends raw lines, as a client with a bug might, and checks
// each answer and that the session goes on. Every line the server writes
// is one JSON value: nothing else reaches stdout.
func TestStdioLines(t *testing.T) {
	f := newFixture(t, nil, app.Options{}, mcpserver.Options{})
	raw := startStdio(t, f).raw(t)
	codeOf := func(answer map[string]any) float64 {
		e, _ := answer["error"].(map[string]any)
		code, _ := e["code"].(float64)
		return code
	}
	for _, tc := range []struct {
		name, line string
		code       float64 // 0: a result
	}{
		{"NotJSON", `{"jsonrpc":"2.0","id":1,"method":`, -32700},
		{"TrailingGarbage", `{"jsonrpc":"2.0","id":1,"method":"ping"} x`, -32700},
		{"NotJSONRPC", `{"hello":"world"}`, -32600},
		{"Number", `42`, -32600},
		{"EmptyBatch", `[]`, -32600},
		{"BatchOfGarbage", `[1,2]`, -32600},
		{"NoMethod", `{"jsonrpc":"2.0","id":1}`, -32600},
		{"UnknownMethod", `{"jsonrpc":"2.0","id":1,"method":"vms/explode"}`, -32601},
		{"Prompts", `{"jsonrpc":"2.0","id":1,"method":"prompts/list"}`, -32601},
		{"UnknownTool", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}}`, -32602},
		{"NullArguments", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"createVM","arguments":null}}`, -32602},
		{"Ping", `{"jsonrpc":"2.0","id":1,"method":"ping"}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw.send(t, tc.line)
			assert.Equal(t, tc.code, codeOf(raw.next(t)))
			assert.Empty(t, raw.barrier(t), "the session goes on")
		})
	}
	t.Run("NoMethodInABatch", func(t *testing.T) {
		raw.send(t, `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2}]`)
		batch, _ := raw.next(t)["batch"].([]any)
		require.Len(t, batch, 2, "one answer per call of the batch")
		var codes []float64
		var messages []string
		for _, a := range batch {
			codes = append(codes, codeOf(a.(map[string]any)))
			messages = append(messages, a.(map[string]any)["error"].(map[string]any)["message"].(string))
		}
		assert.Equal(t, []float64{-32600, -32600}, codes)
		assert.Contains(t, messages[0], "not run")
		assert.Contains(t, messages[1], `needs a "method"`)
		assert.Empty(t, raw.barrier(t), "the session goes on")
	})
	t.Run("UnknownNotificationIsDropped", func(t *testing.T) {
		raw.send(t, `{"jsonrpc":"2.0","method":"notifications/explode"}`)
		assert.Empty(t, raw.barrier(t), "no answer to a notification")
	})
	t.Run("MethodNotFoundSaysWhatIsOffered", func(t *testing.T) {
		for _, method := range []string{"vms/explode", "prompts/list"} {
			raw.send(t, `{"jsonrpc":"2.0","id":7,"method":"`+method+`"}`)
			e, _ := raw.next(t)["error"].(map[string]any)
			assert.Equal(t, -32601.0, e["code"])
			assert.Contains(t, e["message"], `"`+method+`" not found: this server offers initialize, ping, tools/list, tools/call`)
		}
	})
	t.Run("BlankLinesAreSkipped", func(t *testing.T) {
		raw.send(t, "\n  \n\r")
		assert.Empty(t, raw.barrier(t))
	})
	t.Run("LogsGoElsewhere", func(t *testing.T) {
		assert.Contains(t, f.logs.String(), "serving MCP on stdio")
		assert.False(t, strings.Contains(f.logs.String(), `"jsonrpc"`), "no protocol traffic in the log")
	})
}
