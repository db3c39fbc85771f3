package config_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/config"
)

// The secrets of the tests: no message may hold them.
const (
	password = "hunter2-Pa55"
	apiKey   = "tok-9f8e7d"
)

func TestLoad_Errors(t *testing.T) {
	// Every case gives a vCenter password and an API key, so that any
	// message quoting them fails the test.
	secrets := map[string]string{"VCENTER_PASSWORD": password, "MCP_API_KEY": apiKey}
	required := map[string]string{"VCENTER_HOST": "vc", "VCENTER_USER": "u"}
	tests := []struct {
		name string
		// file is a config file's name and content; "{file}" in args or
		// want stands for its path.
		file, content string
		env           map[string]string
		args          []string
		want          []string // each must appear in the message
	}{
		{
			name: "UnknownKeyInFile", file: "c.yaml", content: "vcenter_hots: vc\n", env: required,
			want: []string{`config file {file}: key "vcenter_hots": unknown key (did you mean "vcenter_host"?)`},
		},
		{
			name: "UnknownDashedKeyInFile", file: "c.yaml", content: "log-level: info\n", env: required,
			want: []string{`config file {file}: key "log-level": unknown key (did you mean "log_level"?)`},
		},
		{
			name: "UnknownNestedKeyInFile", file: "c.yaml", content: "vcenter:\n  host: vc\n", env: required,
			want: []string{`config file {file}: key "vcenter": unknown key`},
		},
		{
			name: "ListForStringInFile", file: "c.yaml", content: "listen: [a, b]\n", env: required,
			want: []string{`config file {file}: key "listen": is a list, not a string`},
		},
		{
			name: "NumberForStringInFile", file: "c.yaml", content: "vcenter_host: 10\n", env: required,
			want: []string{`config file {file}: key "vcenter_host": is a number, not a string (put the value in quotes)`},
		},
		{
			name: "MappingForBoolInJSON", file: "c.json", content: `{"read_only": {"a": 1}}`, env: required,
			want: []string{`config file {file}: key "read_only": is a mapping, not a boolean`},
		},
		{
			name: "BadBooleanInFile", file: "c.yaml", content: "insecure: maybe\n", env: required,
			want: []string{`config file {file}: key "insecure": "maybe" is not a boolean (use true/false/1/0/yes/no)`},
		},
		{
			name: "BadBooleanNumberInFile", file: "c.yaml", content: "insecure: 2\n", env: required,
			want: []string{`config file {file}: key "insecure": 2 is not a boolean`},
		},
		{
			name: "BadBooleanInEnv", env: merge(required, map[string]string{"VCENTER_INSECURE": "maybe"}),
			want: []string{`environment VCENTER_INSECURE: key "insecure": "maybe" is not a boolean (use true/false/1/0/yes/no)`},
		},
		{
			name: "BadBooleanInFlag", env: required, args: []string{"--read-only=perhaps"},
			want: []string{`flag --read-only: key "read_only": "perhaps" is not a boolean (use true/false/1/0/yes/no)`},
		},
		{
			name: "NumberForDurationInFile", file: "c.yaml", content: "task_timeout: 600\n", env: required,
			want: []string{`config file {file}: key "task_timeout": 600 is not a duration: it has no unit (use Go syntax such as 90s or 10m)`},
		},
		{
			name: "BadDurationInEnv", env: merge(required, map[string]string{"MCP_TASK_TIMEOUT": "ten"}),
			want: []string{`environment MCP_TASK_TIMEOUT: key "task_timeout": "ten" is not a duration (use Go syntax such as 90s or 10m)`},
		},
		{
			name: "ZeroDurationInFlag", env: required, args: []string{"--task-timeout", "0s"},
			want: []string{`flag --task-timeout: key "task_timeout": "0s" is not greater than zero`},
		},
		{
			name: "BadLogLevelInFlag", env: required, args: []string{"--log-level=loud"},
			want: []string{`flag --log-level: key "log_level": "loud" is not a log level (use DEBUG, INFO, WARN or ERROR)`},
		},
		{
			name: "BadLogLevelInFile", file: "c.yaml", content: "log_level: TRACE\n", env: required,
			want: []string{`config file {file}: key "log_level": "TRACE" is not a log level`},
		},
		{
			name: "BadLogFormatInEnv", env: merge(required, map[string]string{"MCP_LOG_FORMAT": "xml"}),
			want: []string{`environment MCP_LOG_FORMAT: key "log_format": "xml" is not a log format (use text or json)`},
		},
		{
			name: "BadTransportInEnv", env: merge(required, map[string]string{"MCP_TRANSPORT": "grpc"}),
			want: []string{`environment MCP_TRANSPORT: key "transport": "grpc" is not a transport (use http or stdio)`},
		},
		{
			name: "BadTransportInFlag", env: required, args: []string{"--transport=sse"},
			want: []string{`flag --transport: key "transport": "sse" is not a transport`},
		},
		{
			name: "BadListenInFlag", env: required, args: []string{"--listen=8080"},
			want: []string{`flag --listen: key "listen": "8080" is not a host:port address`},
		},
		{
			name: "MissingRequired",
			env:  map[string]string{"VCENTER_PASSWORD": ""}, // empty is unset
			want: []string{
				`key "vcenter_host": is required: set VCENTER_HOST, --vcenter-host, or vcenter_host in the config file, or use --simulator`,
				`key "vcenter_user": is required: set VCENTER_USER, --vcenter-user, or vcenter_user in the config file`,
				`key "vcenter_password": is required: set VCENTER_PASSWORD, --vcenter-password, or vcenter_password in the config file`,
			},
		},
		{
			name: "MissingUserOnly", env: merge(secrets, map[string]string{"VCENTER_HOST": "vc"}),
			want: []string{`key "vcenter_user": is required: set VCENTER_USER`},
		},
		{
			name: "SimulatorWithVCenterHost", file: "c.yaml", content: "vcenter_host: vc\n", args: []string{"--simulator"},
			want: []string{`config file {file}: key "vcenter_host": cannot be used with simulator (set by flag --simulator)`},
		},
		{
			name: "SimulatorInEnvWithVCenterHostFlag", env: map[string]string{"MCP_SIMULATOR": "true"}, args: []string{"--vcenter-host=vc"},
			want: []string{`flag --vcenter-host: key "vcenter_host": cannot be used with simulator (set by environment MCP_SIMULATOR)`},
		},
		{
			name: "UnknownExtension", file: "c.toml", content: "x = 1\n", env: required,
			want: []string{`config file {file}: unsupported file name extension ".toml": use .yaml, .yml or .json (the path comes from -c/--config)`},
		},
		{
			name: "MissingFileByFlag", env: required, args: []string{"-c", "no/such/file.yaml"},
			want: []string{`config file no/such/file.yaml: does not exist (the path comes from -c/--config)`},
		},
		{
			name: "MissingFileByEnv", env: merge(required, map[string]string{"MCP_CONFIG_FILE": "no/such/file.yml"}),
			want: []string{`config file no/such/file.yml: does not exist (the path comes from MCP_CONFIG_FILE)`},
		},
		{
			name: "InvalidYAML", file: "c.yaml", content: "vcenter_host: [\n", env: required,
			want: []string{`config file {file}: is not valid YAML`},
		},
		{
			name: "YAMLNotAMapping", file: "c.yaml", content: "just-a-string\n", env: required,
			want: []string{`config file {file}: is not a YAML mapping of keys to values`},
		},
		{
			name: "InvalidJSON", file: "c.json", content: `{"vcenter_host": }`, env: required,
			want: []string{`config file {file}: is not valid JSON`},
		},
		{
			name: "TLSCertWithoutKey", env: required, args: []string{"--tls-cert-file=c.pem"},
			want: []string{`flag --tls-cert-file: key "tls_cert_file": is set but tls_key_file is not`},
		},
		{
			name: "OpenListenWithoutAPIKey", env: map[string]string{"VCENTER_HOST": "vc", "VCENTER_USER": "u", "MCP_API_KEY": "", "MCP_LISTEN": ":8080"},
			want: []string{`environment MCP_LISTEN: key "listen": ":8080" can be reached from other hosts, but api_key is not set`},
		},
		{
			name: "UnknownFlag", env: required, args: []string{"--vcenter-pasword=" + password},
			want: []string{`command line: unknown flag: --vcenter-pasword`},
		},
		{
			name: "UnknownShorthand", env: required, args: []string{"-p" + password},
			want: []string{`command line: unknown shorthand flag: 'p'`},
		},
		{
			name: "Argument", env: required, args: []string{"--vcenter-password=", password},
			want: []string{`command line: 1 argument(s) that are not flags`},
		},
		{
			name: "SeveralSources", file: "c.yaml", content: "insecure: maybe\nlisten: nowhere\n",
			env:  map[string]string{"MCP_TASK_TIMEOUT": "ten"},
			args: []string{"--log-level=loud"},
			want: []string{
				`config file {file}: key "insecure": "maybe" is not a boolean`,
				`config file {file}: key "listen": "nowhere" is not a host:port address`,
				`environment MCP_TASK_TIMEOUT: key "task_timeout": "ten" is not a duration`,
				`flag --log-level: key "log_level": "loud" is not a log level`,
				`key "vcenter_host": is required`,
			},
		},
		{
			name: "SecretOfWrongType", file: "c.yaml", content: "vcenter_password: [" + password + "]\napi_key: 12345\n", env: required,
			want: []string{
				`config file {file}: key "vcenter_password": is a list, not a string`,
				`config file {file}: key "api_key": is a number, not a string`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			if tt.file != "" {
				path = writeFile(t, tt.file, tt.content)
			}
			env := merge(secrets, tt.env)
			args := tt.args
			if path != "" {
				args = append([]string{"-c", path}, args...)
			}
			cfg, _, err := load(t, args, env)
			require.Error(t, err)
			assert.Equal(t, config.Config{}, cfg, "a failed Load returns the zero Config")
			msg := err.Error()
			for _, w := range tt.want {
				assert.Contains(t, msg, strings.ReplaceAll(w, "{file}", path))
			}
			assert.NotContains(t, msg, password)
			assert.NotContains(t, msg, apiKey)
		})
	}
}

func TestLoad_UnreadableFileSkipsRequiredCheck(t *testing.T) {
	// The missing keys may be in the file that could not be read.
	_, _, err := load(t, []string{"-c", "missing.yaml"}, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "is required")
}

func TestConfig_SecretsNeverShown(t *testing.T) {
	cfg := config.Default()
	cfg.VCenterHost, cfg.VCenterUser, cfg.VCenterPassword, cfg.APIKey = "vc", "admin", password, apiKey

	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "config", cfg)
	var jsonLogged bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLogged, nil)).Info("config", "config", cfg)

	for name, text := range map[string]string{
		"String":   cfg.String(),
		"Printf v": fmt.Sprintf("%v", cfg),
		"Printf +": fmt.Sprintf("%+v", cfg),
		"Printf #": fmt.Sprintf("%#v", cfg),
		"slogText": logged.String(),
		"slogJSON": jsonLogged.String(),
	} {
		t.Run(name, func(t *testing.T) {
			assert.NotContains(t, text, password)
			assert.NotContains(t, text, apiKey)
			assert.Contains(t, text, "[redacted]")
			assert.Contains(t, text, "admin", "the rest is shown")
		})
	}
}

func TestConfig_UnsetSecretShownEmpty(t *testing.T) {
	assert.Contains(t, config.Default().String(), `vcenter_password="" `)
}

// merge returns the union of maps, later ones winning.
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
