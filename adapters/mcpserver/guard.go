package mcpserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// The HTTP middleware in front of go-sdk's handler, outermost first. Every
// answer it gives is a JSON-RPC error body, so that a client parses the
// errors of /mcp like its answers.

// codeServerError is the JSON-RPC code of a request refused at the HTTP
// layer (401, 403, 405, 413, 415): an implementation-defined server error,
// as the TypeScript SDK answers such requests.
const codeServerError = -32000

// limitBody answers 413 to a body over max bytes: at once when
// Content-Length says so, else when the body is read (chunked).
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			writeRPCError(w, http.StatusRequestEntityTooLarge, nil, codeServerError, tooLarge(max))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(max int64) string {
	return fmt.Sprintf("the request body is larger than %d bytes, the most this server accepts", max)
}

// normaliseAccept lets a POST whose Accept header lacks application/json
// or text/event-stream through go-sdk, which insists on both: curl and
// plain JSON-RPC clients send "*/*", "application/json" or nothing. The
// answer is JSON either way.
func normaliseAccept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if json, stream := accepts(r.Header.Values("Accept")); !json || !stream {
				r.Header.Set("Accept", "application/json, text/event-stream")
			}
		}
		next.ServeHTTP(w, r)
	})
}

// accepts reports whether Accept values admit JSON and an event stream, as
// go-sdk reads them.
func accepts(values []string) (json, stream bool) {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			base, _, _ := strings.Cut(part, ";")
			switch strings.ToLower(strings.TrimSpace(base)) {
			case "application/json", "application/*":
				json = true
			case "text/event-stream", "text/*":
				stream = true
			case "*/*":
				json, stream = true, true
			}
		}
	}
	return json, stream
}

// requireAPIKey admits a request that carries key as a bearer token or in
// X-API-Key, compared in constant time; others get 401 with
// WWW-Authenticate: Bearer. An empty key admits every request.
func (s *Server) requireAPIKey(key string, next http.Handler) http.Handler {
	if key == "" {
		return next
	}
	// Comparing digests keeps the time independent of the key's length too.
	want := sha256.Sum256([]byte(key))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		given := presentedKeys(r)
		ok := 0
		for _, k := range given {
			got := sha256.Sum256([]byte(k))
			ok |= subtle.ConstantTimeCompare(got[:], want[:])
		}
		if ok == 1 {
			next.ServeHTTP(w, r)
			return
		}
		msg := "this server requires an API key: send the header \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\""
		if len(given) > 0 {
			msg = "the API key is not valid: send the key the server was configured with (api_key / MCP_API_KEY)"
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "refused a request without a valid API key",
			slog.String("remote", r.RemoteAddr), slog.Bool("key_given", len(given) > 0))
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeRPCError(w, http.StatusUnauthorized, nil, codeServerError, msg)
	})
}

// presentedKeys returns the keys a request presents: the token of an
// "Authorization: Bearer" header and the value of X-API-Key.
func presentedKeys(r *http.Request) []string {
	var keys []string
	for _, v := range r.Header.Values("Authorization") {
		scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(token) != "" {
			keys = append(keys, strings.TrimSpace(token))
		}
	}
	for _, v := range r.Header.Values("X-API-Key") {
		if v = strings.TrimSpace(v); v != "" {
			keys = append(keys, v)
		}
	}
	return keys
}

// rejectCrossOrigin refuses requests that a browser sends from another
// origin (Sec-Fetch-Site, Origin): a web page must not drive the server
// with the user's network position.
func (s *Server) rejectCrossOrigin(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "refused a cross-origin request",
			slog.String("remote", r.RemoteAddr), slog.String("origin", r.Header.Get("Origin")))
		writeRPCError(w, http.StatusForbidden, nil, codeServerError,
			"cross-origin requests from web browsers are refused: use an MCP client")
	}))
	return p.Handler(next)
}
