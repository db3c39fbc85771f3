// Command esxi-mcp-server lets AI agents manage VMware vCenter and ESXi
// virtual machines over MCP (Model Context Protocol).
//
// Run it with --help for its flags; the README lists every configuration
// key with its environment variable.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
