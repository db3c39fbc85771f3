package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testPassword = "hunter2-Pa55"

// result is what one run returned and wrote.
type result struct {
	code           int
	stdout, stderr string
}

// runWith calls run with args and the environment env.
func runWith(t *testing.T, args []string, env map[string]string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, func(name string) string { return env[name] }, strings.NewReader(""), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func TestRun_Version(t *testing.T) {
	r := runWith(t, []string{"--version"}, nil)
	assert.Equal(t, 0, r.code)
	assert.Regexp(t, `^esxi-mcp-server \S+\n$`, r.stdout)
	assert.Empty(t, r.stderr)
}

func TestRun_Help(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		t.Run(arg, func(t *testing.T) {
			// A broken environment must not stop --help.
			r := runWith(t, []string{arg}, map[string]string{"MCP_LOG_LEVEL": "loud"})
			assert.Equal(t, 0, r.code)
			assert.Contains(t, r.stdout, "Usage: esxi-mcp-server [-c FILE] [--simulator] [--transport http|stdio] [--listen ADDR] [--version]")
			assert.Contains(t, r.stdout, "--read-only")
			assert.Empty(t, r.stderr)
		})
	}
}

func TestRun_BadConfiguration(t *testing.T) {
	badFile := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(badFile, []byte("vcenter_password: \""+testPassword+"\"\ninsecure: maybe\n"), 0o600))
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{
			name: "ErrFile", args: []string{"-c", badFile}, env: map[string]string{"VCENTER_HOST": "vc", "VCENTER_USER": "u"},
			want: []string{"esxi-mcp-server: config file " + badFile + `: key "insecure": "maybe" is not a boolean`},
		},
		{
			name: "ErrEnv", args: []string{"--simulator"}, env: map[string]string{"MCP_TASK_TIMEOUT": "ten", "VCENTER_PASSWORD": testPassword},
			want: []string{`esxi-mcp-server: environment MCP_TASK_TIMEOUT: key "task_timeout": "ten" is not a duration`},
		},
		{
			name: "ErrFlag", args: []string{"--simulator", "--log-level=loud", "--vcenter-password", testPassword},
			want: []string{`esxi-mcp-server: flag --log-level: key "log_level": "loud" is not a log level`},
		},
		{
			name: "ErrMissingRequired", env: map[string]string{"VCENTER_PASSWORD": testPassword},
			want: []string{
				`esxi-mcp-server: key "vcenter_host": is required: set VCENTER_HOST, --vcenter-host`,
				`esxi-mcp-server: key "vcenter_user": is required: set VCENTER_USER, --vcenter-user`,
			},
		},
		{
			name: "ErrUnknownFlag", args: []string{"--bogus"},
			want: []string{"esxi-mcp-server: command line: unknown flag: --bogus"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runWith(t, tt.args, tt.env)
			assert.Equal(t, 2, r.code)
			assert.Empty(t, r.stdout)
			for _, w := range tt.want {
				assert.Contains(t, r.stderr, w)
			}
			for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
				assert.True(t, strings.HasPrefix(line, "esxi-mcp-server: "), "every line is prefixed: %q", line)
			}
			assert.NotContains(t, r.stderr, testPassword)
		})
	}
}

func TestRun_ValidConfiguration(t *testing.T) {
	t.Run("ErrUnreachableVCenterLogsToStderr", func(t *testing.T) {
		// Nothing listens on port 1: the connection is refused at once.
		r := runWith(t, []string{"--vcenter-host=127.0.0.1:1", "--vcenter-user=admin"}, map[string]string{"VCENTER_PASSWORD": testPassword})
		assert.Equal(t, exitFailed, r.code, r.stderr)
		assert.Empty(t, r.stdout, "stdout belongs to the stdio transport")
		assert.Contains(t, r.stderr, "configuration is valid")
		assert.Contains(t, r.stderr, "config.vcenter_user=admin")
		assert.Contains(t, r.stderr, "127.0.0.1:1", "the error names the host")
		assert.Contains(t, r.stderr, "unreachable")
		assert.NotContains(t, r.stderr, testPassword)
	})
	t.Run("CreatesLogDirectory", func(t *testing.T) {
		logFile := filepath.Join(t.TempDir(), "logs", "nested", "vmware_mcp.log")
		r := runWith(t, []string{"--simulator", "--transport=stdio", "--log-format=json"},
			map[string]string{"MCP_LOG_FILE": logFile, "MCP_API_KEY": testPassword})
		assert.Equal(t, 0, r.code, r.stderr)
		assert.Empty(t, r.stdout)
		assert.Empty(t, r.stderr, "logs go to the file")
		data, err := os.ReadFile(logFile)
		require.NoError(t, err)
		assert.Contains(t, string(data), `"msg":"configuration is valid"`)
		assert.NotContains(t, string(data), testPassword)
	})
	t.Run("LogFileUnusable", func(t *testing.T) {
		blocker := filepath.Join(t.TempDir(), "file")
		require.NoError(t, os.WriteFile(blocker, nil, 0o600))
		r := runWith(t, []string{"--simulator", "--log-file", filepath.Join(blocker, "x.log")}, nil)
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, `esxi-mcp-server: key "log_file"`)
	})
}
