package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/esximcp/esximcp/adapters/config"
)

// program is the name of the binary, in usage and messages.
const program = "esxi-mcp-server"

// Exit codes of run.
const (
	exitOK     = 0
	exitFailed = 1 // the server could not start or stopped with an error
	exitUsage  = 2 // bad command line or configuration: nothing was started
)

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.3". When unset, the module version that
// `go install` records is used.
var version string

// run is the composition root: it loads the configuration, builds the
// logger and hands both to serve. It returns the process exit code. All
// input and output go through its arguments, so that tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := config.FlagSet(program)
	cfg, meta, err := config.Load(flags, args, getenv)
	switch {
	case err != nil:
		printError(stderr, err)
		return exitUsage
	case meta.Help:
		fmt.Fprint(stdout, config.Usage(flags))
		return exitOK
	case meta.Version:
		fmt.Fprintf(stdout, "%s %s\n", program, buildVersion())
		return exitOK
	}

	log, closer, err := cfg.OpenLogger(stderr)
	if err != nil {
		printError(stderr, err)
		return exitFailed
	}
	defer closer.Close() // an error closing the log has nowhere left to go

	log.Info("configuration is valid", "version", buildVersion(), "config_file", meta.File, "config", cfg)
	if err := serve(ctx, cfg, log, stdin, stdout); err != nil {
		log.Error("server stopped", "error", err)
		if cfg.LogFile != "" {
			// Whoever started the program may not read the log file.
			printError(stderr, err)
		}
		return exitFailed
	}
	return exitOK
}

// printError writes err to stderr, one line per joined error, each line
// prefixed with the program name so that it stands out in a service log.
func printError(stderr io.Writer, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(stderr, "%s: %s\n", program, line)
	}
}

// buildVersion returns version, else the main module's version as the Go
// toolchain recorded it, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
