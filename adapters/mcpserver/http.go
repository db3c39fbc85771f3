package mcpserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Defaults of HTTPOptions.
const (
	// DefaultMaxBodyBytes bounds the body of a POST /mcp: 1 MiB.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultReadyTimeout bounds the hypervisor check of GET /readyz.
	DefaultReadyTimeout = 5 * time.Second
)

// HTTPOptions configure the handler of Server.Handler. The zero value
// serves without authentication.
type HTTPOptions struct {
	// APIKey, when set, is required on /mcp as "Authorization: Bearer <key>"
	// or "X-API-Key: <key>". /healthz and /readyz stay open.
	APIKey string
	// MaxBodyBytes bounds a request body; a larger one gets 413. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ReadyTimeout bounds the checks of GET /readyz. Zero means
	// DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// Ready, when set, is asked by GET /readyz once the hypervisor session
	// has been found usable. Its details are added to the answer's body
	// (the state of an inventory index, say); a non-nil error makes
	// /readyz answer 503 with the error's text as the reason.
	Ready func(context.Context) (details map[string]any, err error)
}

// Handler returns the HTTP face of the server:
//
//   - /mcp: MCP over stateless streamable HTTP (POST; GET and DELETE get 405),
//     every answer JSON, every error a JSON-RPC error body;
//   - GET /healthz: 200 while the process serves;
//   - GET /readyz: 200 while the hypervisor session is usable, else 503
//     with the reason; with the details of HTTPOptions.Ready.
//
// Requests to /mcp pass, in order: the body limit (413), Accept
// normalisation (so that curl and plain JSON-RPC clients need nothing but
// Content-Type: application/json), the API key (401), cross-origin
// protection against browsers (403), a JSON-RPC pre-check (parse errors,
// unknown methods), and go-sdk, which also rejects a foreign Host header on
// a loopback listener (DNS rebinding).
func (s *Server) Handler(opts HTTPOptions) http.Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = DefaultReadyTimeout
	}
	shared := s.mcp
	sdk := mcp.NewStreamableHTTPHandler(
		// go-sdk calls this twice per request: one shared server it is.
		func(*http.Request) *mcp.Server { return shared },
		&mcp.StreamableHTTPOptions{
			Stateless:           true,
			JSONResponse:        true,
			Logger:              sdkLogger(s.log),
			MaxRequestBodyBytes: opts.MaxBodyBytes,
		})

	var h http.Handler = jsonErrors(sdk)
	h = s.precheck(h)
	h = s.rejectCrossOrigin(h)
	h = s.requireAPIKey(opts.APIKey, h)
	h = normaliseAccept(h)
	h = limitBody(opts.MaxBodyBytes, h)

	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		s.serveReady(w, r, opts)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{
			"error": "no such endpoint: MCP is served at POST /mcp; health at GET /healthz and GET /readyz",
		})
	})
	return mux
}

// serveReady answers GET /readyz: the session check decides, then the
// Ready hook; the hook's details are in every answer.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request, opts HTTPOptions) {
	ctx, cancel := context.WithTimeout(r.Context(), opts.ReadyTimeout)
	defer cancel()
	body := make(map[string]any)
	reason := ""
	if err := s.svc.Check(ctx); err != nil {
		// Probes come every few seconds: only an internal error, whose
		// detail the answer hides, is logged here.
		k, te := describe(err)
		if k.hide {
			s.log.LogAttrs(ctx, slog.LevelError, "readiness check failed",
				slog.String("code", string(k.code)), slog.String("error", err.Error()))
		}
		reason = te.Message
	}
	if opts.Ready != nil {
		details, err := opts.Ready(ctx)
		maps.Copy(body, details)
		if err != nil && reason == "" {
			// The hook is the composition root's: its plain errors are
			// sentences meant for the reader, not internal details.
			reason = err.Error()
			if k, te := describe(err); !k.hide {
				reason = te.Message
			}
		}
	}
	if reason != "" {
		body["status"], body["reason"] = "unavailable", reason
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	body["status"] = "ready"
	writeJSON(w, http.StatusOK, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) //nolint:errcheck // the client went away: nothing to do
}
