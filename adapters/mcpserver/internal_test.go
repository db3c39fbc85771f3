package mcpserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
)

// sdkMethods are the methods of go-sdk v1.8.0's server (mcp/server.go,
// serverMethodInfos), with whether each is a notification.
var sdkMethods = map[string]bool{
	"initialize": false, "ping": false, "server/discover": false, "subscriptions/listen": false,
	"tools/list": false, "tools/call": false,
	"resources/list": false, "resources/templates/list": false, "resources/read": false,
	"resources/subscribe": false, "resources/unsubscribe": false,
	"prompts/list": false, "prompts/get": false, "completion/complete": false, "logging/setLevel": false,
	"notifications/initialized": true, "notifications/cancelled": true, "notifications/progress": true,
	"notifications/roots/list_changed": true,
}

// TestKnownMethodsReachGoSDK keeps knownMethod equal to what go-sdk
// accepts: each method it lists gets past go-sdk's HTTP pre-check (which
// answers an unknown method with a plain-text 400), and a method it does
// not list does not.
func TestKnownMethodsReachGoSDK(t *testing.T) {
	bare := mcp.NewServer(&mcp.Implementation{Name: "bare", Version: "1"}, nil)
	ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return bare },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}))
	t.Cleanup(ts.Close)

	post := func(t *testing.T, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status and type matter
		return resp.StatusCode, resp.Header.Get("Content-Type")
	}

	for method, notification := range sdkMethods {
		t.Run(method, func(t *testing.T) {
			assert.True(t, knownMethod(method))
			body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":{}}`
			if notification {
				body = `{"jsonrpc":"2.0","method":"` + method + `","params":{}}`
			}
			status, ctype := post(t, body)
			assert.False(t, status == http.StatusBadRequest && strings.HasPrefix(ctype, "text/plain"),
				"go-sdk refused %s: it is no longer a method of its server", method)
		})
	}
	t.Run("UnknownMethod", func(t *testing.T) {
		assert.False(t, knownMethod("vms/explode"))
		status, ctype := post(t, `{"jsonrpc":"2.0","id":1,"method":"vms/explode"}`)
		assert.Equal(t, http.StatusBadRequest, status, "the go-sdk quirk that precheck works around")
		assert.True(t, strings.HasPrefix(ctype, "text/plain"))
	})
}

func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		name         string
		values       []string
		json, stream bool
	}{
		{"None", nil, false, false},
		{"Curl", []string{"*/*"}, true, true},
		{"JSONOnly", []string{"application/json"}, true, false},
		{"Both", []string{"application/json, text/event-stream"}, true, true},
		{"BothInTwoHeaders", []string{"application/json", "text/event-stream;q=0.9"}, true, true},
		{"Wildcards", []string{"application/*, TEXT/*"}, true, true},
		{"HTML", []string{"text/html"}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			json, stream := accepts(tc.values)
			assert.Equal(t, tc.json, json)
			assert.Equal(t, tc.stream, stream)
		})
	}
}

func TestKindOfCoversEveryCode(t *testing.T) {
	for _, code := range domain.Codes() {
		t.Run(string(code), func(t *testing.T) {
			k := kindOf(code)
			assert.Equal(t, code, k.code, "each code shows as itself")
			assert.NotEmpty(t, k.fallback)
			assert.Equal(t, code == domain.CodeInternal, k.hide, "only internal errors hide their message")
		})
	}
	t.Run("UnknownIsInternal", func(t *testing.T) {
		assert.Equal(t, domain.CodeInternal, kindOf("no_such_code").code)
		assert.Equal(t, domain.CodeInternal, kindOf("").code)
	})
}
