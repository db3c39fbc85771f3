package config

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMEListsEveryKey keeps the README's configuration table in step
// with the keys: every key needs a row with its env var and flag.
func TestREADMEListsEveryKey(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(data)
	for _, k := range keys {
		row := "| `" + k.name + "` | `" + k.env + "` | `--" + k.flag() + "` |"
		assert.True(t, strings.Contains(readme, "\n"+row), "README.md has no row starting %s", row)
	}
}

func TestKeysAreConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range keys {
		assert.False(t, seen[k.name], "duplicate key %s", k.name)
		assert.False(t, seen[k.env], "duplicate env var %s", k.env)
		seen[k.name], seen[k.env] = true, true
		assert.NotEmpty(t, k.usage, k.name)
		assert.Empty(t, k.set(&Config{}, k.show(&Config{Listen: "127.0.0.1:1", TaskTimeout: 1, LogFormat: LogText, Transport: TransportHTTP})),
			"%s: every field type can be set from text", k.name)
	}
}
