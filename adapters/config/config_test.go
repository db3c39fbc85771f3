package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/config"
	"github.com/esximcp/esximcp/domain"
)

func TestConfig_Validate(t *testing.T) {
	withVCenter := func(c config.Config) config.Config {
		c.VCenterHost, c.VCenterUser, c.VCenterPassword = "vc", "u", password
		return c
	}
	tests := []struct {
		name string
		cfg  config.Config
		want []string // empty: valid
	}{
		{name: "OK", cfg: withVCenter(config.Default())},
		{name: "OKSimulator", cfg: func() config.Config { c := config.Default(); c.Simulator = true; return c }()},
		{name: "ErrMissingRequired", cfg: config.Default(), want: []string{`key "vcenter_host": is required`, `key "vcenter_user": is required`, `key "vcenter_password": is required`}},
		{name: "ErrZeroValues", cfg: config.Config{Simulator: true}, want: []string{
			`key "log_format": "" is not a log format`, `key "transport": "" is not a transport`, `key "task_timeout": "0s" is not greater than zero`,
		}},
		{name: "ErrSimulatorWithHost", cfg: func() config.Config { c := withVCenter(config.Default()); c.Simulator = true; return c }(),
			want: []string{`key "vcenter_host": cannot be used with simulator: `}},
		{name: "ErrBadListen", cfg: func() config.Config { c := withVCenter(config.Default()); c.Listen = "nowhere"; return c }(),
			want: []string{`key "listen": "nowhere" is not a host:port address`}},
		{name: "ErrTLSKeyWithoutCert", cfg: func() config.Config { c := withVCenter(config.Default()); c.TLSKeyFile = "k.pem"; return c }(),
			want: []string{`key "tls_key_file": is set but tls_cert_file is not`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), password)
		})
	}
}

func TestConfig_ListenExposure(t *testing.T) {
	tests := []struct {
		name                 string
		listen, apiKey       string
		allowUnauthenticated bool
		transport            config.Transport
		wantErr              bool
	}{
		{name: "OKLoopbackV4", listen: "127.0.0.1:8080"},
		{name: "OKLoopbackV6", listen: "[::1]:8080"},
		{name: "OKLocalhost", listen: "localhost:0"},
		{name: "OKWithAPIKey", listen: "0.0.0.0:8080", apiKey: apiKey},
		{name: "OKAllowed", listen: ":8080", allowUnauthenticated: true},
		{name: "OKStdio", listen: ":8080", transport: config.TransportStdio},
		{name: "ErrAllInterfaces", listen: ":8080", wantErr: true},
		{name: "ErrHostName", listen: "mcp.example.com:8080", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			c.Simulator, c.Listen, c.APIKey, c.AllowUnauthenticated = true, tt.listen, tt.apiKey, tt.allowUnauthenticated
			if tt.transport != "" {
				c.Transport = tt.transport
			}
			err := c.Validate()
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), `key "listen"`)
			assert.Contains(t, err.Error(), "allow_unauthenticated")
		})
	}
}

func TestConfig_Placement(t *testing.T) {
	c := original()
	assert.Equal(t, domain.PlacementRequest{
		Datacenter: "your-datacenter", Cluster: "your-cluster", Datastore: "your-datastore", Network: "VM Network",
	}, c.Placement())
}

func TestConfig_OpenLogger(t *testing.T) {
	t.Run("CreatesMissingDirectory", func(t *testing.T) {
		c := config.Default()
		c.LogFile = filepath.Join(t.TempDir(), "logs", "deeper", "mcp.log")
		log, closer, err := c.OpenLogger(&bytes.Buffer{})
		require.NoError(t, err)
		log.Info("hello", "k", "v")
		require.NoError(t, closer.Close())
		data, err := os.ReadFile(c.LogFile)
		require.NoError(t, err)
		assert.Contains(t, string(data), "msg=hello k=v")
	})
	t.Run("AppendsToFile", func(t *testing.T) {
		c := config.Default()
		c.LogFile = filepath.Join(t.TempDir(), "mcp.log")
		require.NoError(t, os.WriteFile(c.LogFile, []byte("old line\n"), 0o600))
		log, closer, err := c.OpenLogger(&bytes.Buffer{})
		require.NoError(t, err)
		log.Info("new line")
		require.NoError(t, closer.Close())
		data, err := os.ReadFile(c.LogFile)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(data), "old line\n"))
		assert.Contains(t, string(data), "new line")
	})
	t.Run("JSONToStderrAtLevel", func(t *testing.T) {
		c := config.Default()
		c.LogFormat, c.LogLevel = config.LogJSON, slog.LevelWarn
		var stderr bytes.Buffer
		log, closer, err := c.OpenLogger(&stderr)
		require.NoError(t, err)
		log.Info("dropped")
		log.Warn("kept")
		require.NoError(t, closer.Close())
		var line map[string]any
		require.NoError(t, json.Unmarshal(stderr.Bytes(), &line), "one JSON line: %s", stderr.String())
		assert.Equal(t, "kept", line["msg"])
	})
	t.Run("ErrDirectoryIsAFile", func(t *testing.T) {
		blocker := filepath.Join(t.TempDir(), "file")
		require.NoError(t, os.WriteFile(blocker, nil, 0o600))
		c := config.Default()
		c.LogFile = filepath.Join(blocker, "mcp.log")
		_, _, err := c.OpenLogger(&bytes.Buffer{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `key "log_file"`)
		assert.False(t, errors.Is(err, os.ErrNotExist))
	})
}
