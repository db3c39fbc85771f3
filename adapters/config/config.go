// Package config loads the configuration of esxi-mcp-server from its four
// sources, lowest to highest precedence: defaults, a YAML or JSON config
// file, the environment, and command line flags. Every key has one name in
// each source: "task_timeout" in a file, MCP_TASK_TIMEOUT in the
// environment, --task-timeout on the command line.
//
// Loading checks every value of every source, and every problem it reports
// names the key and the source that gave the bad value, so that a person
// reading a start-up error knows what to fix and where. Secrets (the vCenter
// password and the API key) never appear in an error, in String or in a log
// line.
//
// The package reads the process environment only through the getenv
// function its caller passes, so that tests and embedding programs control
// it.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/esximcp/esximcp/domain"
)

// LogFormat is how log lines are written.
type LogFormat string

// The log formats.
const (
	LogText LogFormat = "text" // logfmt-style key=value lines (slog.TextHandler)
	LogJSON LogFormat = "json" // one JSON object a line (slog.JSONHandler)
)

// Transport is how the server speaks MCP.
type Transport string

// The transports.
const (
	TransportHTTP  Transport = "http"  // stateless streamable HTTP at /mcp
	TransportStdio Transport = "stdio" // newline-delimited JSON-RPC on stdin and stdout
)

// Config is the complete, typed configuration of esxi-mcp-server. The zero
// value is not useful: start from Default or Load.
type Config struct {
	VCenterHost     string // host or host:port of vCenter or ESXi
	VCenterUser     string
	VCenterPassword string // a secret: never logged, never in an error
	Datacenter      string // default placement; "" lets the hypervisor choose
	Cluster         string // default placement
	Datastore       string // default placement
	Network         string // default network of a new VM
	Insecure        bool   // skip TLS verification of vCenter
	CAFile          string // PEM bundle to trust for vCenter

	LogFile   string // "" logs to stderr
	LogLevel  slog.Level
	LogFormat LogFormat

	APIKey               string // a secret; if set, HTTP clients must present it
	Listen               string // host:port of the HTTP server
	Transport            Transport
	AllowUnauthenticated bool   // permit a non-loopback Listen without APIKey
	TLSCertFile          string // serve HTTPS with this certificate (PEM)...
	TLSKeyFile           string // ...and this key

	ReadOnly       bool          // refuse every mutating tool
	TaskTimeout    time.Duration // longest wait for one vSphere task
	Simulator      bool          // serve an embedded vCenter simulator instead of a real vCenter
	InventoryCache bool          // keep a live VM index for reads
}

// Default returns the configuration with every key at its default.
func Default() Config {
	return Config{
		LogLevel:       slog.LevelInfo,
		LogFormat:      LogText,
		Listen:         "127.0.0.1:8080",
		Transport:      TransportHTTP,
		TaskTimeout:    10 * time.Minute,
		InventoryCache: true,
	}
}

// Placement returns the configured placement defaults of new VMs.
func (c Config) Placement() domain.PlacementRequest {
	return domain.PlacementRequest{
		Datacenter: c.Datacenter,
		Cluster:    c.Cluster,
		Datastore:  c.Datastore,
		Network:    c.Network,
	}
}

// Validate checks c as Load does, for a Config built in code: every value
// in range, the required keys set, no conflicting keys. It returns every
// problem, joined; each is an *Error that names its key.
func (c Config) Validate() error {
	return errors.Join(validate(c, nil)...)
}

// redacted replaces the value of a secret that is set. An unset secret
// stays "", so that a log line still tells whether it was given.
const redacted = "[redacted]"

// LogValue implements slog.LogValuer: every key with its value, secrets
// redacted.
func (c Config) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(keys))
	for _, k := range keys {
		if b, ok := k.field(&c).(*bool); ok {
			attrs = append(attrs, slog.Bool(k.name, *b))
			continue
		}
		attrs = append(attrs, slog.String(k.name, k.show(&c)))
	}
	return slog.GroupValue(attrs...)
}

// String returns every key with its value, secrets redacted.
func (c Config) String() string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", k.name, k.show(&c))
	}
	return b.String()
}

// GoString is String, so that %#v cannot print a secret either.
func (c Config) GoString() string { return "config.Config{" + c.String() + "}" }
