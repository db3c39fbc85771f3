package config_test

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/config"
)

// load runs config.Load over args and the environment env.
func load(t *testing.T, args []string, env map[string]string) (config.Config, config.Meta, error) {
	t.Helper()
	return config.Load(config.FlagSet("esxi-mcp-server"), args, getenv(env))
}

// getenv returns a getenv function over env.
func getenv(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

// writeFile writes content to a file named name in a new temporary
// directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoad_Precedence(t *testing.T) {
	file := writeFile(t, "c.yaml", "datacenter: file-dc\nlog_level: warn\ntask_timeout: 1m\nread_only: yes\n")
	env := map[string]string{
		"VCENTER_DATACENTER": "env-dc",
		"MCP_LOG_LEVEL":      "error",
		"MCP_TASK_TIMEOUT":   "2m",
		"MCP_READ_ONLY":      "no",
	}
	flags := []string{"--datacenter=flag-dc", "--log-level", "debug", "--task-timeout=3m", "--read-only"}

	type want struct {
		datacenter string
		level      slog.Level
		timeout    time.Duration
		readOnly   bool
		kind       config.SourceKind
		source     string
	}
	tests := []struct {
		name  string
		file  bool
		env   bool
		flags bool
		want  want
	}{
		{"DefaultsOnly", false, false, false, want{"", slog.LevelInfo, 10 * time.Minute, false, config.FromDefault, "default"}},
		{"FileOverDefaults", true, false, false, want{"file-dc", slog.LevelWarn, time.Minute, true, config.FromFile, "config file " + file}},
		{"EnvOverFile", true, true, false, want{"env-dc", slog.LevelError, 2 * time.Minute, false, config.FromEnv, "environment VCENTER_DATACENTER"}},
		{"EnvOverDefaults", false, true, false, want{"env-dc", slog.LevelError, 2 * time.Minute, false, config.FromEnv, "environment VCENTER_DATACENTER"}},
		{"FlagOverEnvAndFile", true, true, true, want{"flag-dc", slog.LevelDebug, 3 * time.Minute, true, config.FromFlag, "flag --datacenter"}},
		{"FlagOverFile", true, false, true, want{"flag-dc", slog.LevelDebug, 3 * time.Minute, true, config.FromFlag, "flag --datacenter"}},
		{"FlagOverDefaults", false, false, true, want{"flag-dc", slog.LevelDebug, 3 * time.Minute, true, config.FromFlag, "flag --datacenter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"--simulator"}
			e := map[string]string{}
			if tt.file {
				args = append(args, "-c", file)
			}
			if tt.env {
				e = env
			}
			if tt.flags {
				args = append(args, flags...)
			}
			cfg, meta, err := load(t, args, e)
			require.NoError(t, err)
			assert.Equal(t, tt.want.datacenter, cfg.Datacenter)
			assert.Equal(t, tt.want.level, cfg.LogLevel)
			assert.Equal(t, tt.want.timeout, cfg.TaskTimeout)
			assert.Equal(t, tt.want.readOnly, cfg.ReadOnly)
			assert.Equal(t, tt.want.kind, meta.Source("datacenter").Kind)
			assert.Equal(t, tt.want.source, meta.Source("datacenter").String())
		})
	}
}

func TestLoad_UnsetFlagsDoNotOverride(t *testing.T) {
	// Every flag has a default; only the ones given may override the file.
	file := writeFile(t, "c.yaml", "listen: 127.0.0.1:9999\ninventory_cache: false\ntransport: stdio\n")
	cfg, meta, err := load(t, []string{"--simulator", "-c", file}, nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9999", cfg.Listen)
	assert.False(t, cfg.InventoryCache)
	assert.Equal(t, config.TransportStdio, cfg.Transport)
	assert.Equal(t, config.FromFile, meta.Source("listen").Kind)
}

func TestLoad_EmptyEnvIsUnset(t *testing.T) {
	file := writeFile(t, "c.yaml", "log_level: debug\n")
	cfg, meta, err := load(t, []string{"--simulator", "-c", file}, map[string]string{"MCP_LOG_LEVEL": "", "MCP_TASK_TIMEOUT": ""})
	require.NoError(t, err)
	assert.Equal(t, slog.LevelDebug, cfg.LogLevel)
	assert.Equal(t, config.FromFile, meta.Source("log_level").Kind)
	assert.Equal(t, 10*time.Minute, cfg.TaskTimeout)
}

// original is the configuration of the original's sample config file.
func original() config.Config {
	c := config.Default()
	c.VCenterHost = "your-vcenter-ip"
	c.VCenterUser = "administrator@vsphere.local"
	c.VCenterPassword = "your-password"
	c.Datacenter = "your-datacenter"
	c.Cluster = "your-cluster"
	c.Datastore = "your-datastore"
	c.Network = "VM Network"
	c.Insecure = true
	c.LogFile = "./logs/vmware_mcp.log"
	c.LogLevel = slog.LevelInfo
	return c
}

func TestLoad_OriginalSample(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		file string
	}{
		{"YAMLByFlag", []string{"-c", "testdata/original.yaml"}, nil, "testdata/original.yaml"},
		{"YAMLByLongFlag", []string{"--config=testdata/original.yaml"}, nil, "testdata/original.yaml"},
		{"YAMLByEnv", nil, map[string]string{"MCP_CONFIG_FILE": "testdata/original.yaml"}, "testdata/original.yaml"},
		{"JSON", []string{"-c", "testdata/original.json"}, nil, "testdata/original.json"},
		{"FlagOverEnvFile", []string{"-c", "testdata/original.json"}, map[string]string{"MCP_CONFIG_FILE": "testdata/original.yaml"}, "testdata/original.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, meta, err := load(t, tt.args, tt.env)
			require.NoError(t, err)
			assert.Equal(t, original(), cfg)
			assert.Equal(t, tt.file, meta.File)
			assert.Equal(t, "config file "+tt.file, meta.Source("vcenter_password").String())
			assert.Equal(t, config.FromDefault, meta.Source("listen").Kind)
		})
	}
}

func TestLoad_Booleans(t *testing.T) {
	tests := []struct {
		name string
		file string // YAML
		env  string
		flag string
		want bool
	}{
		{name: "FileTrue", file: "true", want: true},
		{name: "FileQuotedYES", file: `"YES"`, want: true},
		{name: "FileNo", file: "no", want: false},
		{name: "FileOne", file: "1", want: true},
		{name: "FileZero", file: "0", want: false},
		{name: "EnvTRUE", env: "TRUE", want: true},
		{name: "EnvYes", env: "Yes", want: true},
		{name: "Env1", env: "1", want: true},
		{name: "EnvFalse", env: "False", want: false},
		{name: "EnvNO", env: "NO", want: false},
		{name: "Env0", env: "0", want: false},
		{name: "FlagBare", flag: "--insecure", want: true},
		{name: "FlagYes", flag: "--insecure=yes", want: true},
		{name: "FlagFalse", flag: "--insecure=FALSE", want: false},
		{name: "Flag0", flag: "--insecure=0", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"--simulator"}
			env := map[string]string{}
			if tt.file != "" {
				args = append(args, "-c", writeFile(t, "c.yaml", "insecure: "+tt.file+"\n"))
			}
			if tt.env != "" {
				env["VCENTER_INSECURE"] = tt.env
			}
			if tt.flag != "" {
				args = append(args, tt.flag)
			}
			cfg, _, err := load(t, args, env)
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Insecure)
		})
	}
}

func TestLoad_LogLevels(t *testing.T) {
	for in, want := range map[string]slog.Level{
		"debug": slog.LevelDebug, "Info": slog.LevelInfo, "WARN": slog.LevelWarn,
		"warning": slog.LevelWarn, "ERROR": slog.LevelError,
	} {
		t.Run(in, func(t *testing.T) {
			cfg, _, err := load(t, []string{"--simulator"}, map[string]string{"MCP_LOG_LEVEL": in})
			require.NoError(t, err)
			assert.Equal(t, want, cfg.LogLevel)
		})
	}
}

func TestLoad_EveryKeyFromEveryKindOfSource(t *testing.T) {
	// A JSON file, the environment and flags each set a third of the keys,
	// with the types each source gives.
	file := writeFile(t, "c.json", `{"vcenter_host": "vc.example.com:443", "vcenter_user": "admin", "vcenter_password": "pw",
		"datacenter": "DC1", "cluster": "C1", "datastore": "DS1", "network": "Net1", "insecure": true}`)
	env := map[string]string{
		"VCENTER_CA_FILE": "/etc/ca.pem", "MCP_LOG_FILE": "/var/log/x.log", "MCP_LOG_LEVEL": "warn",
		"MCP_LOG_FORMAT": "JSON", "MCP_API_KEY": "k", "MCP_LISTEN": "0.0.0.0:9000", "MCP_TRANSPORT": "http",
	}
	args := []string{"-c", file, "--read-only", "--task-timeout=90s", "--simulator=false",
		"--allow-unauthenticated=1", "--tls-cert-file", "c.pem", "--tls-key-file", "k.pem", "--inventory-cache=no"}
	cfg, _, err := load(t, args, env)
	require.NoError(t, err)
	assert.Equal(t, config.Config{
		VCenterHost: "vc.example.com:443", VCenterUser: "admin", VCenterPassword: "pw",
		Datacenter: "DC1", Cluster: "C1", Datastore: "DS1", Network: "Net1", Insecure: true,
		CAFile: "/etc/ca.pem", LogFile: "/var/log/x.log", LogLevel: slog.LevelWarn, LogFormat: config.LogJSON,
		APIKey: "k", Listen: "0.0.0.0:9000", Transport: config.TransportHTTP,
		ReadOnly: true, TaskTimeout: 90 * time.Second, Simulator: false, AllowUnauthenticated: true,
		TLSCertFile: "c.pem", TLSKeyFile: "k.pem", InventoryCache: false,
	}, cfg)
}

func TestLoad_NullInFileKeepsDefault(t *testing.T) {
	file := writeFile(t, "c.yaml", "datacenter:\nlisten:\n")
	cfg, meta, err := load(t, []string{"--simulator", "-c", file}, nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", cfg.Listen)
	assert.Equal(t, config.FromDefault, meta.Source("listen").Kind)
}

func TestLoad_EmptyConfigFlagMeansNoFile(t *testing.T) {
	cfg, meta, err := load(t, []string{"--simulator", "-c", ""}, map[string]string{"MCP_CONFIG_FILE": "does-not-exist.yaml"})
	require.NoError(t, err)
	assert.Empty(t, meta.File)
	assert.True(t, cfg.Simulator)
}

func TestLoad_HelpAndVersion(t *testing.T) {
	// Neither needs a valid configuration: nothing else is read.
	bad := map[string]string{"MCP_LOG_LEVEL": "loud", "MCP_CONFIG_FILE": "missing.yaml"}
	tests := []struct {
		name          string
		args          []string
		help, version bool
	}{
		{"Help", []string{"--help"}, true, false},
		{"HelpShort", []string{"-h"}, true, false},
		{"Version", []string{"--version"}, false, true},
		{"VersionWithOtherFlags", []string{"--log-level=loud", "--version"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, meta, err := load(t, tt.args, bad)
			require.NoError(t, err)
			assert.Equal(t, tt.help, meta.Help)
			assert.Equal(t, tt.version, meta.Version)
		})
	}
}

func TestLoad_ErrorIsTyped(t *testing.T) {
	_, _, err := load(t, []string{"--simulator", "--task-timeout=-1s"}, nil)
	require.Error(t, err)
	var cerr *config.Error
	require.True(t, errors.As(err, &cerr))
	assert.Equal(t, "task_timeout", cerr.Key)
	assert.Equal(t, config.Source{Kind: config.FromFlag, Name: "--task-timeout"}, cerr.Source)
}

func TestUsage(t *testing.T) {
	usage := config.Usage(config.FlagSet("esxi-mcp-server"))
	for _, s := range []string{
		"Usage: esxi-mcp-server [-c FILE] [--simulator] [--transport http|stdio] [--listen ADDR] [--version]",
		"-c, --config file", "--vcenter-host", "$VCENTER_HOST", "--log-level level", "--read-only",
		"--task-timeout duration", `(default "127.0.0.1:8080")`, "(default 10m)", "--inventory-cache[=true|false]",
		"--allow-unauthenticated", "--version", "-h, --help", "$MCP_INVENTORY_CACHE",
	} {
		assert.Contains(t, usage, s)
	}
}
