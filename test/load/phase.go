package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	// connectTimeout bounds the initialize of one client.
	connectTimeout = 10 * time.Second
	// callTimeout bounds one tools/call; a call that takes longer is an
	// error, and the run does not hang on a stuck server.
	callTimeout = 30 * time.Second
	// maxErrorSamples is how many distinct error texts a phase keeps.
	maxErrorSamples = 5
)

// target is one phase: a server and the call to make.
type target struct {
	Name    string
	URL     string
	Tool    string
	Args    map[string]any
	profile bool // whether -cpuprofile covers this phase
}

// result is what one phase measured, over all its rounds.
type result struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	Tool string `json:"tool"`
	// Rounds is how many times the phase ran; the figures are their sum
	// or, for latencies, over all their calls.
	Rounds int `json:"rounds"`
	// Requests and Errors count the calls of the measured part; an error is
	// a protocol error or an isError result.
	Requests int `json:"requests"`
	Errors   int `json:"errors"`
	// WarmupRequests and WarmupErrors count the calls of the warm-up.
	WarmupRequests int `json:"warmup_requests"`
	WarmupErrors   int `json:"warmup_errors"`
	// Elapsed runs from the end of the warm-up to the end of the last
	// measured call, summed over the rounds.
	Elapsed time.Duration `json:"elapsed_ns"`
	RPS     float64       `json:"requests_per_second"`
	// P50, P99 and Max are latencies of the measured calls, failed ones
	// included.
	P50 time.Duration `json:"p50_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`
	// CPUPerRequest is the process's CPU time (user and system, clients and
	// servers together) in the measured part over Requests, and
	// CPUUtilisation that CPU time over Elapsed times GOMAXPROCS. Both are
	// zero where the system cannot tell. A utilisation well under 1 means
	// something else had the CPUs: requests per second are then low, CPU
	// per request still fair.
	CPUPerRequest  time.Duration `json:"cpu_per_request_ns"`
	CPUUtilisation float64       `json:"cpu_utilisation"`
	// Dials counts the TCP connections the phase opened: about one per
	// client and round when connections are reused, as they should be.
	Dials        int64    `json:"dials"`
	ErrorSamples []string `json:"error_samples,omitempty"`
}

// measured is one round of a phase.
type measured struct {
	stats   []clientStats
	elapsed time.Duration // from the end of the warm-up to the end of the last call
	cpu     time.Duration // process CPU time while the clients measured; 0 if unknown
	cpuWall time.Duration // the wall time over which cpu was taken
	dials   int64
}

// newHTTPClient returns the HTTP client of a phase, the same settings for
// every phase: enough idle connections per host that every client keeps its
// own, so that the run measures the servers, not TCP connection churn. dials
// counts the connections it opens.
func newHTTPClient(clients int, dials *atomic.Int64) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	idle := 2*clients + 16 // a session may hold a second connection for a moment (the standalone GET)
	return &http.Client{Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        idle,
		MaxIdleConnsPerHost: idle,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// clientStats is what one client measured.
type clientStats struct {
	latencies      []time.Duration
	errors         int
	warmupRequests int
	warmupErrors   int
	lastEnd        time.Time
	samples        []string
}

// runPhase connects cfg.clients go-sdk clients to t.URL, lets each call
// t.Tool in a loop for cfg.warmup, then for cfg.duration measured, and
// returns what they measured. prof, when not nil, profiles the measured
// part. It fails when a client cannot connect.
func runPhase(ctx context.Context, t target, cfg config, prof *profiler) (measured, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var dials atomic.Int64
	hc := newHTTPClient(cfg.clients, &dials)
	defer hc.CloseIdleConnections()
	client := mcp.NewClient(&mcp.Implementation{Name: "esximcp-load", Version: "1"}, nil)

	sessions := make([]*mcp.ClientSession, cfg.clients)
	defer func() {
		for _, cs := range sessions {
			if cs != nil {
				cs.Close() //nolint:errcheck // stateless: nothing to tell the server
			}
		}
	}()
	for i := range sessions {
		cctx, cancel := context.WithTimeout(ctx, connectTimeout)
		cs, err := client.Connect(cctx, &mcp.StreamableClientTransport{Endpoint: t.URL, HTTPClient: hc}, nil)
		cancel()
		if err != nil {
			return measured{}, fmt.Errorf("client %d cannot connect to %s: %w", i, t.URL, err)
		}
		sessions[i] = cs
	}

	params := &mcp.CallToolParams{Name: t.Tool, Arguments: t.Args}
	if params.Arguments == nil {
		params.Arguments = map[string]any{}
	}
	warmEnd := time.Now().Add(cfg.warmup)
	end := warmEnd.Add(cfg.duration)
	stats := make([]clientStats, len(sessions))
	var wg sync.WaitGroup
	for i, cs := range sessions {
		wg.Go(func() {
			st := &stats[i]
			st.latencies = make([]time.Duration, 0, 4096)
			for time.Now().Before(warmEnd) && ctx.Err() == nil {
				st.warmupRequests++
				if err := call(ctx, cs, params); err != nil {
					st.warmupErrors++
					st.sample(err)
				}
			}
			for ctx.Err() == nil {
				start := time.Now()
				if !start.Before(end) {
					break
				}
				err := call(ctx, cs, params)
				done := time.Now()
				st.latencies = append(st.latencies, done.Sub(start))
				st.lastEnd = done
				if err != nil {
					st.errors++
					st.sample(err)
				}
			}
		})
	}
	// The warm-up is neither profiled nor counted: sleep it off.
	select {
	case <-time.After(time.Until(warmEnd)):
	case <-ctx.Done():
	}
	if prof != nil {
		if err := prof.start(); err != nil {
			cancel()
			wg.Wait()
			return measured{}, fmt.Errorf("cannot start the CPU profile: %w", err)
		}
	}
	cpu0, cpuOK := processCPU()
	wall0 := time.Now()
	wg.Wait()
	cpu1, _ := processCPU()
	m := measured{stats: stats, dials: dials.Load()}
	if cpuOK {
		m.cpu, m.cpuWall = cpu1-cpu0, time.Since(wall0)
	}
	if prof != nil {
		if err := prof.stop(); err != nil {
			return measured{}, fmt.Errorf("cannot write the CPU profile: %w", err)
		}
	}
	last := warmEnd
	for _, st := range stats {
		if st.lastEnd.After(last) {
			last = st.lastEnd
		}
	}
	m.elapsed = last.Sub(warmEnd)
	return m, nil
}

// call makes one tools/call; an isError result is an error too.
func call(ctx context.Context, cs *mcp.ClientSession, params *mcp.CallToolParams) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	res, err := cs.CallTool(ctx, params)
	if err != nil {
		return err
	}
	if res.IsError {
		var text []string
		for _, c := range res.Content {
			if tc, ok := c.(*mcp.TextContent); ok {
				text = append(text, tc.Text)
			}
		}
		return errors.New("isError result: " + strings.Join(text, " "))
	}
	return nil
}

// sample keeps the text of err if it is a new one and there is room.
func (st *clientStats) sample(err error) {
	if msg := err.Error(); len(st.samples) < maxErrorSamples && !slices.Contains(st.samples, msg) {
		st.samples = append(st.samples, msg)
	}
}

// summarise merges the rounds of a phase into its result; procs is
// GOMAXPROCS.
func summarise(t target, rounds []measured, procs int) result {
	r := result{Name: t.Name, URL: t.URL, Tool: t.Tool, Rounds: len(rounds)}
	var all []time.Duration
	var cpu, cpuWall time.Duration
	for _, m := range rounds {
		r.Elapsed += m.elapsed
		r.Dials += m.dials
		cpu += m.cpu
		cpuWall += m.cpuWall
		for _, st := range m.stats {
			all = append(all, st.latencies...)
			r.Errors += st.errors
			r.WarmupRequests += st.warmupRequests
			r.WarmupErrors += st.warmupErrors
			for _, s := range st.samples {
				if len(r.ErrorSamples) < maxErrorSamples && !slices.Contains(r.ErrorSamples, s) {
					r.ErrorSamples = append(r.ErrorSamples, s)
				}
			}
		}
	}
	r.Requests = len(all)
	if r.Elapsed > 0 {
		r.RPS = float64(r.Requests) / r.Elapsed.Seconds()
	}
	if cpu > 0 && r.Requests > 0 {
		r.CPUPerRequest = cpu / time.Duration(r.Requests)
	}
	if cpuWall > 0 && procs > 0 {
		r.CPUUtilisation = cpu.Seconds() / (cpuWall.Seconds() * float64(procs))
	}
	slices.Sort(all)
	r.P50 = percentile(all, 50)
	r.P99 = percentile(all, 99)
	r.Max = percentile(all, 100)
	return r
}
