package config

import (
	"fmt"
	"strings"
)

// SourceKind is where a configuration value came from.
type SourceKind uint8

// The sources, lowest precedence first.
const (
	FromDefault SourceKind = iota
	FromFile
	FromEnv
	FromFlag
)

// Source is where a configuration value came from: which file, environment
// variable or flag.
type Source struct {
	Kind SourceKind
	// Name is the file's path, the environment variable ("MCP_LISTEN") or
	// the flag ("--listen"); "" for the default, or for the command line as
	// a whole.
	Name string
}

// String names the source as an error message does: "config file
// ./x.yaml", "environment MCP_LISTEN", "flag --listen".
func (s Source) String() string {
	switch s.Kind {
	case FromFile:
		return "config file " + s.Name
	case FromEnv:
		return "environment " + s.Name
	case FromFlag:
		if s.Name == "" {
			return "command line"
		}
		return "flag " + s.Name
	}
	return "default"
}

// Error is one configuration problem. Load and Validate return every
// problem they find, joined with errors.Join; errors.As finds the first.
type Error struct {
	// Key is the configuration key ("task_timeout"); "" for a problem with
	// a source as a whole (an unreadable file, an unknown flag).
	Key string
	// Source is where the bad value came from. It is the zero Source
	// (FromDefault) for a required key that no source set.
	Source Source
	// Reason says what is wrong and how to fix it. It never holds the value
	// of a secret.
	Reason string
}

// Error returns "<source>: key "<key>": <reason>", leaving out the parts
// that do not apply.
func (e *Error) Error() string {
	var parts []string
	if e.Source.Kind != FromDefault {
		parts = append(parts, e.Source.String())
	}
	if e.Key != "" {
		parts = append(parts, fmt.Sprintf("key %q", e.Key))
	}
	return strings.Join(append(parts, e.Reason), ": ")
}

// where tells a user every way to give key k.
func (k key) where() string {
	return fmt.Sprintf("set %s, --%s, or %s in the config file", k.env, k.flag(), k.name)
}
