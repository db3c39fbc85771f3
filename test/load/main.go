// Command load is the load test of the MCP server: N concurrent go-sdk
// clients call one tool in a loop for a fixed time and it reports requests,
// errors, requests per second, p50 and p99 latency.
//
// By default it runs two phases, one after the other, in one process, with
// the same clients, duration and HTTP client settings:
//
//  1. bare: a bare go-sdk v1.8.0 server with one trivial tool, echo, behind
//     mcp.NewStreamableHTTPHandler (stateless, JSON responses): the floor,
//     what any go-sdk server costs;
//  2. ours: esximcp's handler (mcpserver.Server.Handler with its HTTP
//     middleware) over app.Service over the memory adapter's default
//     inventory (4 VMs), called with listVMs and no arguments.
//
// Bare runs first, then ours; with -rounds N the pair runs N times (bare,
// ours, bare, ours, ...) and each phase reports the sum of its rounds, which
// evens out a machine whose other load comes and goes. The ratio ours/bare
// of requests per second is the overhead of our stack; the target of the
// performance issue is at least 0.7 with zero errors, 64 clients on two
// cores. Servers and clients share the process (and its GOMAXPROCS), so the
// client side's cost is in both phases alike.
//
// Each phase also reports the process's CPU time per request and how much
// of GOMAXPROCS it got (cpu%). When other work takes the CPUs, req/s drops
// and cpu% shows it, while CPU per request stays fair: the ratio of CPU per
// request, bare/ours, is the throughput ratio that a machine of our own
// would show.
//
// Run it from the module root:
//
//	go run ./test/load -clients 64 -duration 10s
//
// To load a server that is already running instead (only that URL is
// loaded, with -tool and -args):
//
//	go run ./cmd/esxi-mcp-server --simulator &
//	go run ./test/load -url http://127.0.0.1:8080/mcp -tool listVMs
//
// Flags:
//
//	-clients N       concurrent clients, each one go-sdk session (64)
//	-duration D      measured time per phase (10s)
//	-warmup D        time per phase before measuring, not counted (2s)
//	-rounds N        run the phases N times, alternating (1)
//	-tool NAME       the tool of our server, or of -url (listVMs)
//	-args JSON       its arguments, a JSON object (none)
//	-url URL         load this MCP endpoint only
//	-json            print the report as JSON instead of a table
//	-cpuprofile FILE write a CPU profile of the measured part of our phase
//	                 (its first round; with -url, of the clients), e.g.
//	                 go tool pprof -top -cum FILE
//
// It exits 1 when a request failed (a protocol error or an isError result,
// warm-up included), 2 on a usage or start-up error, else 0.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what the flags say.
type config struct {
	clients    int
	duration   time.Duration
	warmup     time.Duration
	rounds     int
	tool       string
	args       map[string]any
	url        string
	json       bool
	cpuprofile string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	var rawArgs string
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.clients, "clients", 64, "concurrent clients, each one go-sdk session")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time per phase")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "time per phase before measuring, not counted")
	fs.IntVar(&c.rounds, "rounds", 1, "run the phases this many times, alternating")
	fs.StringVar(&c.tool, "tool", "listVMs", "the tool to call on our server, or on -url")
	fs.StringVar(&rawArgs, "args", "", "the tool's arguments, a JSON object (default none)")
	fs.StringVar(&c.url, "url", "", "load this running MCP endpoint only, e.g. http://127.0.0.1:8080/mcp")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured part of our phase (or the -url phase) to this file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q: every setting is a flag", fs.Args())
	}
	if c.clients < 1 {
		return c, errors.New("-clients must be at least 1")
	}
	if c.duration <= 0 {
		return c, errors.New("-duration must be positive")
	}
	if c.rounds < 1 {
		return c, errors.New("-rounds must be at least 1")
	}
	if c.warmup < 0 {
		return c, errors.New("-warmup must not be negative")
	}
	if rawArgs != "" {
		if err := json.Unmarshal([]byte(rawArgs), &c.args); err != nil || c.args == nil {
			return c, fmt.Errorf("-args must be a JSON object: %q", rawArgs)
		}
	}
	return c, nil
}

// report is the whole output.
type report struct {
	GoVersion  string        `json:"go_version"`
	GOMAXPROCS int           `json:"gomaxprocs"`
	NumCPU     int           `json:"num_cpu"`
	Clients    int           `json:"clients"`
	Duration   time.Duration `json:"duration_ns"`
	Warmup     time.Duration `json:"warmup_ns"`
	Rounds     int           `json:"rounds"`
	Phases     []result      `json:"phases"`
	// Ratio is ours/bare requests per second, and CPURatio bare/ours CPU
	// time per request; both absent with -url.
	Ratio    *float64 `json:"ratio,omitempty"`
	CPURatio *float64 `json:"cpu_ratio,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}

	var targets []target
	if cfg.url != "" {
		targets = []target{{Name: "url", URL: cfg.url, Tool: cfg.tool, Args: cfg.args, profile: true}}
	} else {
		bare, err := startBare()
		if err != nil {
			fmt.Fprintln(stderr, "load: starting the bare go-sdk server:", err)
			return 2
		}
		defer bare.stop()
		ours, err := startOurs()
		if err != nil {
			fmt.Fprintln(stderr, "load: starting our server:", err)
			return 2
		}
		defer ours.stop()
		targets = []target{
			{Name: "bare", URL: bare.url, Tool: "echo", Args: map[string]any{"text": "hello"}},
			{Name: "ours", URL: ours.url, Tool: cfg.tool, Args: cfg.args, profile: true},
		}
	}

	rep := report{
		GoVersion:  runtime.Version(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		NumCPU:     runtime.NumCPU(),
		Clients:    cfg.clients,
		Duration:   cfg.duration,
		Warmup:     cfg.warmup,
		Rounds:     cfg.rounds,
	}
	rounds := make([][]measured, len(targets))
	for round := range cfg.rounds {
		for i, t := range targets {
			var prof *profiler
			if t.profile && round == 0 && cfg.cpuprofile != "" {
				prof = &profiler{path: cfg.cpuprofile}
			}
			if !cfg.json {
				fmt.Fprintf(stderr, "load: round %d/%d, %s: %d clients calling %s at %s for %s after %s of warm-up\n",
					round+1, cfg.rounds, t.Name, cfg.clients, t.Tool, t.URL, cfg.duration, cfg.warmup)
			}
			m, err := runPhase(ctx, t, cfg, prof)
			if err != nil {
				fmt.Fprintf(stderr, "load: %s: %v\n", t.Name, err)
				return 2
			}
			if ctx.Err() != nil {
				fmt.Fprintln(stderr, "load: interrupted")
				return 2
			}
			rounds[i] = append(rounds[i], m)
		}
	}
	for i, t := range targets {
		rep.Phases = append(rep.Phases, summarise(t, rounds[i], rep.GOMAXPROCS))
	}
	if len(rep.Phases) == 2 {
		bare, ours := rep.Phases[0], rep.Phases[1]
		if bare.RPS > 0 {
			r := ours.RPS / bare.RPS
			rep.Ratio = &r
		}
		if ours.CPUPerRequest > 0 {
			r := float64(bare.CPUPerRequest) / float64(ours.CPUPerRequest)
			rep.CPURatio = &r
		}
	}

	if cfg.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "load:", err)
			return 2
		}
	} else {
		writeTable(stdout, rep)
	}

	failed := false
	for _, p := range rep.Phases {
		if p.Errors+p.WarmupErrors > 0 {
			failed = true
			for _, s := range p.ErrorSamples {
				fmt.Fprintf(stderr, "load: %s: error: %s\n", p.Name, s)
			}
		}
	}
	if failed {
		return 1
	}
	return 0
}

// profiler writes a CPU profile of one phase's measured part.
type profiler struct {
	path string
	f    *os.File
}

func (p *profiler) start() error {
	f, err := os.Create(p.path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	p.f = f
	return nil
}

func (p *profiler) stop() error {
	pprof.StopCPUProfile()
	return p.f.Close()
}

// writeTable prints the report for a reader.
func writeTable(w io.Writer, rep report) {
	fmt.Fprintf(w, "%s, GOMAXPROCS=%d, NumCPU=%d, %d clients, %d round(s) of %s measured after %s of warm-up\n\n",
		rep.GoVersion, rep.GOMAXPROCS, rep.NumCPU, rep.Clients, rep.Rounds, rep.Duration, rep.Warmup)
	fmt.Fprintf(w, "%-6s %-10s %10s %7s %10s %9s %9s %9s %9s %5s %6s\n",
		"phase", "tool", "requests", "errors", "req/s", "p50", "p99", "max", "cpu/req", "cpu%", "conns")
	for _, p := range rep.Phases {
		fmt.Fprintf(w, "%-6s %-10s %10d %7d %10.0f %9s %9s %9s %9s %5.0f %6d\n",
			p.Name, p.Tool, p.Requests, p.Errors, p.RPS,
			round(p.P50), round(p.P99), round(p.Max), round(p.CPUPerRequest), 100*p.CPUUtilisation, p.Dials)
	}
	for _, p := range rep.Phases {
		if p.WarmupErrors > 0 {
			fmt.Fprintf(w, "%s: %d of %d warm-up calls failed too\n", p.Name, p.WarmupErrors, p.WarmupRequests)
		}
	}
	if rep.Ratio != nil {
		failed := false
		for _, p := range rep.Phases {
			failed = failed || p.Errors+p.WarmupErrors > 0
		}
		verdict := "meets the target: at least 0.70, zero errors"
		switch {
		case failed:
			verdict = "misses the target: calls failed"
		case *rep.Ratio < 0.7:
			verdict = "misses the target: below 0.70"
		}
		fmt.Fprintf(w, "\nratio ours/bare req/s: %.2f (%s)\n", *rep.Ratio, verdict)
	}
	if rep.CPURatio != nil {
		fmt.Fprintf(w, "ratio bare/ours CPU per request: %.2f (the req/s ratio on CPUs of its own)\n", *rep.CPURatio)
	}
}

// round makes a latency readable: microseconds below 10ms, else 0.1ms.
func round(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}
