package config

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// The flags that are not configuration keys.
const (
	flagConfig  = "config"
	flagVersion = "version"
	flagHelp    = "help"
)

// FlagSet returns a new, unparsed set of the command line flags of the
// program name: -c/--config, one flag per configuration key (its name with
// dashes: --log-level), --version and -h/--help. Parse errors are returned,
// never printed. A caller may add flags of its own before passing the set to
// Load.
func FlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false // the order of keys groups related flags
	fs.StringP(flagConfig, "c", "", "read configuration from this YAML or JSON `file` [$"+EnvConfigFile+"]")
	defaults := Default()
	for _, k := range keys {
		v := &flagValue{s: k.show(&defaults), typ: k.flagType()}
		if d, ok := k.field(&defaults).(*time.Duration); ok {
			v.s = shortDuration(*d)
		}
		fs.Var(v, k.flag(), k.usage+" [$"+k.env+"]")
	}
	fs.Bool(flagVersion, false, "print the version and exit")
	fs.BoolP(flagHelp, "h", false, "print this help and exit")
	return fs
}

// Usage returns the help text of fs, a set made by FlagSet.
func Usage(fs *pflag.FlagSet) string {
	return fmt.Sprintf(`Usage: %s [-c FILE] [--simulator] [--transport http|stdio] [--listen ADDR] [--version]

Manage VMware vCenter / ESXi virtual machines over MCP (Model Context Protocol).

Configuration comes from, lowest precedence first: defaults, a config
file (-c or $%s; .yaml, .yml or .json), the environment, and
flags. Every flag below but -c, --version and --help is also a config file
key (with underscores: --log-level is log_level) and an environment
variable (in brackets). Booleans accept true/false/1/0/yes/no in any case;
durations use Go syntax such as 90s or 10m.

Flags:
%s`, fs.Name(), EnvConfigFile, fs.FlagUsages())
}

// flagError rewrites a pflag error so that it cannot quote a value.
func flagError(err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "unknown shorthand flag"):
		// "unknown shorthand flag: 'p' in -psecret"
		msg, _, _ = strings.Cut(msg, " in -")
	case strings.HasPrefix(msg, "bad flag syntax"):
		msg = "bad flag syntax"
	}
	return msg + " (see --help)"
}

// flagValue holds a flag's text as given: Load parses it like a value from
// any other source, so that a bad flag value gets the same message.
type flagValue struct {
	s   string
	typ string
}

func (v *flagValue) String() string     { return v.s }
func (v *flagValue) Set(s string) error { v.s = s; return nil }
func (v *flagValue) Type() string       { return v.typ }

// IsBoolFlag lets a boolean flag be given without a value (--insecure).
func (v *flagValue) IsBoolFlag() bool { return v.typ == "bool" }

// shortDuration prints 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	for _, z := range []string{"m0s", "h0m"} {
		if t, ok := strings.CutSuffix(s, z); ok {
			s = t + z[:1]
		}
	}
	return s
}
