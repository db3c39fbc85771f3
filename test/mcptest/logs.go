package mcptest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/test/vcsimtest"
)

// Log collects the log a server writes while a test reads it.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns what was written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// JSONLines decodes the JSON log lines of s, skipping any other line.
func JSONLines(s string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// Find returns the first log line whose message is msg, or nil.
func Find(lines []map[string]any, msg string) map[string]any {
	for _, l := range lines {
		if l["msg"] == msg {
			return l
		}
	}
	return nil
}

// SimulatorAdmin logs in to the embedded simulator whose SDK URL, user,
// password and CA file a server logged in line (the line with the message
// "serving an embedded vCenter simulator").
func SimulatorAdmin(t *testing.T, line map[string]any) *vcsimtest.Admin {
	t.Helper()
	require.NotNil(t, line, "the server logs its simulator's SDK URL")
	u, err := url.Parse(line["sdk_url"].(string))
	require.NoError(t, err)
	u.User = url.UserPassword(line["user"].(string), line["password"].(string))
	return vcsimtest.NewAdmin(t, u, line["ca_file"].(string))
}
