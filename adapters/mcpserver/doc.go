// Package mcpserver is the MCP inbound adapter of esximcp: it shows the
// application core (app.Service) to MCP clients as tools and resources, over
// stateless streamable HTTP and over stdio.
//
// One [Server] wraps one go-sdk *mcp.Server. It offers the tools of DESIGN
// 4.3 (listVMs, createVM, cloneVM, deleteVM, powerOn, powerOff) plus getVM
// and getVMStats, each with an input schema, an output schema, a
// structuredContent result and truthful annotations; and the resource
// template vmstats://{vm_name}, whose concrete resources resources/list
// enumerates from the live inventory.
//
// Domain failures are tool results with isError set, a sentence in the text
// content and structuredContent.error = {code, message, candidates}. The
// mapping from domain error kinds to what a client sees lives in one table
// (kindOf, in errors.go). Arguments that break a tool's input schema are
// refused the same way, with the code invalid_argument, as the MCP
// specification of 2025-11-25 asks, so that a model can correct itself.
// Protocol faults stay JSON-RPC errors: parse errors, invalid requests,
// unknown tools (-32602), unknown methods and prompts/* (-32601), and
// resources/read of an unknown VM (-32602 "Resource not found").
//
// resources/list lists one vmstats://<name> per VM (templates, which never
// run, are left out; a name that several VMs share is replaced by the VM's
// URL-escaped inventory path), in pages of Options.ResourcePageSize, read
// from the inventory on every call.
//
// A composition root wires it like this:
//
//	srv := mcpserver.New(svc, mcpserver.Options{Version: version, Logger: log})
//
//	// stdio
//	err := srv.ServeStdio(ctx, os.Stdin, os.Stdout)
//
//	// HTTP (adapters/config refuses an exposed address without a key)
//	ln, err := net.Listen("tcp", cfg.Listen)
//	h := srv.Handler(mcpserver.HTTPOptions{APIKey: cfg.APIKey})
//	err = mcpserver.Serve(ctx, ln, h, mcpserver.ServeOptions{
//		TLSCertFile: cfg.TLSCertFile, TLSKeyFile: cfg.TLSKeyFile, Logger: log,
//	})
//
// The package never writes to stdout except through the stdio transport,
// and logs only to the injected *slog.Logger.
package mcpserver
