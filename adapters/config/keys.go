package config

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// key describes one configuration key: its name in each source and the
// Config field it fills. The field's Go type decides how values are parsed.
type key struct {
	name   string              // in a config file; the flag is this with dashes
	env    string              // environment variable
	usage  string              // one line for --help
	secret bool                // never shown
	check  func(string) string // extra check of a string value; returns the problem
	field  func(*Config) any   // pointer to the field
}

// keys is every key, in the order of DESIGN 5 and of --help. It is never
// modified.
var keys = []key{
	{name: "vcenter_host", env: "VCENTER_HOST", usage: "`host` or host:port of vCenter or ESXi (required unless --simulator)",
		field: func(c *Config) any { return &c.VCenterHost }},
	{name: "vcenter_user", env: "VCENTER_USER", usage: "vCenter `user` (required unless --simulator)",
		field: func(c *Config) any { return &c.VCenterUser }},
	{name: "vcenter_password", env: "VCENTER_PASSWORD", secret: true, usage: "vCenter `password` (required unless --simulator; prefer the environment: flags show in ps)",
		field: func(c *Config) any { return &c.VCenterPassword }},
	{name: "datacenter", env: "VCENTER_DATACENTER", usage: "default `datacenter` of new VMs (default: the first)",
		field: func(c *Config) any { return &c.Datacenter }},
	{name: "cluster", env: "VCENTER_CLUSTER", usage: "default `cluster` of new VMs (default: the first)",
		field: func(c *Config) any { return &c.Cluster }},
	{name: "datastore", env: "VCENTER_DATASTORE", usage: "default `datastore` of new VMs (default: the largest free, accessible)",
		field: func(c *Config) any { return &c.Datastore }},
	{name: "network", env: "VCENTER_NETWORK", usage: "default `network` of new VMs (default: \"VM Network\" if it exists, else none)",
		field: func(c *Config) any { return &c.Network }},
	{name: "insecure", env: "VCENTER_INSECURE", usage: "skip TLS verification of vCenter",
		field: func(c *Config) any { return &c.Insecure }},
	{name: "ca_file", env: "VCENTER_CA_FILE", usage: "PEM bundle (`file`) of CAs to trust for vCenter",
		field: func(c *Config) any { return &c.CAFile }},
	{name: "log_file", env: "MCP_LOG_FILE", usage: "write logs to this `file`, creating its directory (default: stderr)",
		field: func(c *Config) any { return &c.LogFile }},
	{name: "log_level", env: "MCP_LOG_LEVEL", usage: "`level` of logs: DEBUG, INFO, WARN or ERROR",
		field: func(c *Config) any { return &c.LogLevel }},
	{name: "log_format", env: "MCP_LOG_FORMAT", usage: "`format` of logs: text or json",
		field: func(c *Config) any { return &c.LogFormat }},
	{name: "api_key", env: "MCP_API_KEY", secret: true, usage: "require `key` from HTTP clients as Authorization: Bearer or X-API-Key",
		field: func(c *Config) any { return &c.APIKey }},
	{name: "listen", env: "MCP_LISTEN", usage: "`host:port` of the HTTP server", check: checkListen,
		field: func(c *Config) any { return &c.Listen }},
	{name: "transport", env: "MCP_TRANSPORT", usage: "MCP `transport`: http or stdio",
		field: func(c *Config) any { return &c.Transport }},
	{name: "read_only", env: "MCP_READ_ONLY", usage: "refuse every mutating tool",
		field: func(c *Config) any { return &c.ReadOnly }},
	{name: "task_timeout", env: "MCP_TASK_TIMEOUT", usage: "longest wait for one vSphere task, such as 90s or 10m",
		field: func(c *Config) any { return &c.TaskTimeout }},
	{name: "simulator", env: "MCP_SIMULATOR", usage: "serve an embedded vCenter simulator instead of a real vCenter",
		field: func(c *Config) any { return &c.Simulator }},
	{name: "allow_unauthenticated", env: "MCP_ALLOW_UNAUTHENTICATED", usage: "permit a non-loopback --listen without --api-key",
		field: func(c *Config) any { return &c.AllowUnauthenticated }},
	{name: "tls_cert_file", env: "MCP_TLS_CERT_FILE", usage: "serve HTTPS with this certificate `file` (PEM)",
		field: func(c *Config) any { return &c.TLSCertFile }},
	{name: "tls_key_file", env: "MCP_TLS_KEY_FILE", usage: "serve HTTPS with this private key `file` (PEM)",
		field: func(c *Config) any { return &c.TLSKeyFile }},
	{name: "inventory_cache", env: "MCP_INVENTORY_CACHE", usage: "keep a live VM index for reads",
		field: func(c *Config) any { return &c.InventoryCache }},
}

// lookupKey returns the key named name.
func lookupKey(name string) (key, bool) {
	for _, k := range keys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}

// flag returns the key's flag name, without the leading dashes.
func (k key) flag() string { return strings.ReplaceAll(k.name, "_", "-") }

// isBool reports whether the key holds a boolean: such a flag needs no
// value on the command line.
func (k key) isBool() bool {
	_, ok := k.field(&Config{}).(*bool)
	return ok
}

// flagType names the key's value in --help.
func (k key) flagType() string {
	switch k.field(&Config{}).(type) {
	case *bool:
		return "bool"
	case *time.Duration:
		return "duration"
	}
	return "string"
}

// show returns the key's value in c as text, a set secret redacted.
func (k key) show(c *Config) string {
	switch p := k.field(c).(type) {
	case *string:
		if k.secret && *p != "" {
			return redacted
		}
		return *p
	case *bool:
		return strconv.FormatBool(*p)
	case *time.Duration:
		return p.String()
	case *slog.Level:
		return p.String()
	case *LogFormat:
		return string(*p)
	case *Transport:
		return string(*p)
	}
	return ""
}

// set parses v, a value from a source, and stores it in the key's field of
// c. It returns what is wrong with v, or "" when v was stored; the text
// never holds the value of a secret. A file gives values of any YAML or JSON
// type; the environment and flags give strings.
func (k key) set(c *Config, v any) string {
	switch p := k.field(c).(type) {
	case *string:
		s, ok := v.(string)
		if !ok {
			return describe(v) + ", not a string (put the value in quotes)"
		}
		if k.check != nil && s != "" {
			if problem := k.check(s); problem != "" {
				return problem
			}
		}
		*p = s
	case *bool:
		b, problem := parseBool(v)
		if problem != "" {
			return problem
		}
		*p = b
	case *time.Duration:
		d, problem := parseDuration(v)
		if problem != "" {
			return problem
		}
		*p = d
	case *slog.Level:
		l, problem := parseLevel(v)
		if problem != "" {
			return problem
		}
		*p = l
	case *LogFormat:
		s, problem := parseEnum(v, "log format", string(LogText), string(LogJSON))
		if problem != "" {
			return problem
		}
		*p = LogFormat(s)
	case *Transport:
		s, problem := parseEnum(v, "transport", string(TransportHTTP), string(TransportStdio))
		if problem != "" {
			return problem
		}
		*p = Transport(s)
	default:
		return fmt.Sprintf("has a field of unsupported type %T", p)
	}
	return ""
}

// describe names the type of a value that has the wrong one, without
// showing the value (it may be a secret).
func describe(v any) string {
	if isNumber(v) {
		return "is a number"
	}
	switch v.(type) {
	case nil:
		return "is empty (null)"
	case bool:
		return "is a boolean"
	case []any:
		return "is a list"
	case map[string]any:
		return "is a mapping"
	case string:
		return "is a string"
	}
	return fmt.Sprintf("is a value of type %T", v)
}

// isNumber reports whether v is a number as a YAML or JSON parser returns
// one.
func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

const (
	boolHint     = "(use true/false/1/0/yes/no)"
	durationHint = "(use Go syntax such as 90s or 10m)"
)

// parseBool accepts a boolean, the numbers 0 and 1, and the words
// true/false/1/0/yes/no in any case.
func parseBool(v any) (bool, string) {
	switch x := v.(type) {
	case bool:
		return x, ""
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "yes":
			return true, ""
		case "false", "0", "no":
			return false, ""
		}
		return false, fmt.Sprintf("%q is not a boolean %s", x, boolHint)
	}
	if isNumber(v) {
		// YAML and JSON read an unquoted 1 or 0 as a number.
		switch fmt.Sprint(v) {
		case "1":
			return true, ""
		case "0":
			return false, ""
		}
		return false, fmt.Sprintf("%v is not a boolean %s", v, boolHint)
	}
	return false, describe(v) + ", not a boolean " + boolHint
}

// parseDuration accepts a string in Go's duration syntax that is greater
// than zero. A bare number is refused: it has no unit.
func parseDuration(v any) (time.Duration, string) {
	s, ok := v.(string)
	if !ok {
		if isNumber(v) {
			return 0, fmt.Sprintf("%v is not a duration: it has no unit %s", v, durationHint)
		}
		return 0, describe(v) + ", not a duration " + durationHint
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Sprintf("%q is not a duration %s", s, durationHint)
	}
	if d <= 0 {
		return 0, fmt.Sprintf("%q is not greater than zero %s", s, durationHint)
	}
	return d, ""
}

// parseLevel accepts DEBUG, INFO, WARN (or WARNING) and ERROR in any case.
func parseLevel(v any) (slog.Level, string) {
	s, ok := v.(string)
	if !ok {
		return 0, describe(v) + ", not a log level (use DEBUG, INFO, WARN or ERROR)"
	}
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DEBUG":
		return slog.LevelDebug, ""
	case "INFO":
		return slog.LevelInfo, ""
	case "WARN", "WARNING":
		return slog.LevelWarn, ""
	case "ERROR":
		return slog.LevelError, ""
	}
	return 0, fmt.Sprintf("%q is not a log level (use DEBUG, INFO, WARN or ERROR)", s)
}

// parseEnum accepts one of allowed, in any case, and returns it as written
// in allowed.
func parseEnum(v any, what string, allowed ...string) (string, string) {
	hint := "(use " + strings.Join(allowed, " or ") + ")"
	s, ok := v.(string)
	if !ok {
		return "", describe(v) + ", not a " + what + " " + hint
	}
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimSpace(s), a) {
			return a, ""
		}
	}
	return "", fmt.Sprintf("%q is not a %s %s", s, what, hint)
}

// checkListen accepts host:port with a numeric port; the host may be empty
// (every interface). Port 0 picks a free port.
func checkListen(s string) string {
	problem := fmt.Sprintf("%q is not a host:port address (use one such as 127.0.0.1:8080, [::1]:8080 or :8080)", s)
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return problem
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return problem
	}
	return ""
}
