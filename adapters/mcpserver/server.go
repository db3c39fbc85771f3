package mcpserver

import (
	"log/slog"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/app"
)

// Defaults of Options.
const (
	// DefaultResourcePageSize is how many resources one resources/list page
	// holds.
	DefaultResourcePageSize = 100
	// DefaultDrainTimeout bounds how long ServeStdio waits for calls in
	// flight once its context is done.
	DefaultDrainTimeout = 30 * time.Second
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Name and Version are the serverInfo of the initialize result.
	// Defaults: "esxi-mcp-server" and "devel".
	Name, Version string
	// Logger receives a debug line per tool call (keys tool, vm, code,
	// duration), a line per failure that needs attention (internal errors
	// with their detail, unavailable, timeout, forbidden), and go-sdk's own
	// lines, its Info lines lowered to Debug. Nil discards them.
	Logger *slog.Logger
	// ResourcePageSize is how many resources one resources/list page holds.
	// Zero means DefaultResourcePageSize.
	ResourcePageSize int
	// DrainTimeout bounds how long ServeStdio lets calls in flight finish
	// after its context is done. Zero means DefaultDrainTimeout.
	DrainTimeout time.Duration
}

// Server is the MCP face of one app.Service: one go-sdk server, shared by
// every HTTP request and stdio session. Its methods are safe for concurrent
// use.
type Server struct {
	svc  *app.Service
	mcp  *mcp.Server
	log  *slog.Logger
	opts Options
}

// New returns a Server over svc with every tool, the vmstats resource
// template, and the middleware that lists resources from the live
// inventory and refuses prompts.
func New(svc *app.Service, opts Options) *Server {
	if opts.Name == "" {
		opts.Name = "esxi-mcp-server"
	}
	if opts.Version == "" {
		opts.Version = "devel"
	}
	if opts.ResourcePageSize <= 0 {
		opts.ResourcePageSize = DefaultResourcePageSize
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = DefaultDrainTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{svc: svc, log: log, opts: opts}
	s.mcp = mcp.NewServer(
		&mcp.Implementation{Name: opts.Name, Title: "ESXi MCP Server", Version: opts.Version},
		&mcp.ServerOptions{
			Instructions: instructions(svc.ReadOnly()),
			Logger:       sdkLogger(log),
			// No logging capability: the server logs to its own log, not to
			// clients. Tools and resources never change at run time, so no
			// list_changed notifications are promised.
			Capabilities: &mcp.ServerCapabilities{
				Tools:     &mcp.ToolCapabilities{},
				Resources: &mcp.ResourceCapabilities{},
			},
		})
	s.addTools()
	s.addResources()
	s.mcp.AddReceivingMiddleware(s.recoverPanics, s.refusePrompts, s.listResources, s.observeToolCalls, objectArguments)
	return s
}

// MCP returns the go-sdk server, for transports this package does not
// serve (e.g. mcp.NewInMemoryTransports in tests, or SSE).
func (s *Server) MCP() *mcp.Server { return s.mcp }

func instructions(readOnly bool) string {
	text := "This server manages the virtual machines of a VMware vCenter or ESXi host. " +
		"Name an existing VM by its name (web01), its inventory path (/DC0/vm/web/web01) or its id (vm-42). " +
		"A name that matches several VMs is refused with the code ambiguous and a list of candidates: " +
		"repeat the call with the path or id of the one you mean. " +
		"Every tool that changes something accepts dry_run: true, which resolves and checks everything " +
		"and returns the plan without changing anything. " +
		"Performance figures come from the tool getVMStats or the resource vmstats://{vm_name}."
	if readOnly {
		text += " This server is read-only: every tool that would change something is refused with the code read_only."
	}
	return text
}
