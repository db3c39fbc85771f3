package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// The JSON-RPC side of the HTTP handler: what go-sdk would answer with
// plain text is answered here, or rewritten, as a JSON-RPC error body.

// newProtocol is the first MCP protocol version in which go-sdk answers an
// unknown method with HTTP 404 rather than 200.
const newProtocol = "2026-07-28"

// requestIDKey is the context key of the raw JSON-RPC id of a POST that
// holds one request, for jsonErrors.
type requestIDKey struct{}

// precheck reads a JSON POST's body and answers what go-sdk would answer
// with plain text: a body that is not JSON gets a JSON-RPC parse error
// (-32700), and a call of a method that go-sdk does not know gets -32601.
// Everything else goes on to go-sdk, with the body restored.
func (s *Server) precheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method != http.MethodPost || mt != "application/json" {
			next.ServeHTTP(w, r) // go-sdk answers 405 or 415
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
				writeRPCError(w, http.StatusRequestEntityTooLarge, nil, codeServerError, tooLarge(mbe.Limit))
				return
			}
			writeRPCError(w, http.StatusBadRequest, nil, codeServerError, "the request body could not be read")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		trimmed := bytes.TrimSpace(body)
		batch := len(trimmed) > 0 && trimmed[0] == '['
		envs, err := envelopes(trimmed, batch)
		if err != nil {
			writeRPCError(w, http.StatusBadRequest, nil, jsonrpc.CodeParseError, "parse error: the request body is not valid JSON")
			return
		}
		if !slices.ContainsFunc(envs, envelope.refused) {
			if !batch && len(envs) == 1 && envs[0].isCall() {
				r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, envs[0].ID))
			}
			next.ServeHTTP(w, r)
			return
		}
		s.refuse(w, r, batch, envs)
	})
}

// envelope is what precheck reads of a JSON-RPC message.
type envelope struct {
	ID     json.RawMessage `json:"id"`
	Method *string         `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// envelopes reads the messages of body, a JSON-RPC message or, when batch
// is set, a batch of them; a message that is not an object reads as an
// empty envelope, which go-sdk answers as an invalid request. An empty body
// holds no message. It fails only when body is not JSON.
func envelopes(body []byte, batch bool) ([]envelope, error) {
	if len(body) == 0 {
		return nil, nil
	}
	if !batch {
		var e envelope
		if err := json.Unmarshal(body, &e); err != nil {
			if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
				return nil, err
			}
			e = envelope{}
		}
		return []envelope{e}, nil
	}
	// Decode into a fresh slice only: json.RawMessage decodes by appending
	// to the storage it holds, which must not be body.
	var msgs []json.RawMessage
	if err := json.Unmarshal(body, &msgs); err != nil {
		return nil, err
	}
	envs := make([]envelope, len(msgs))
	for i, m := range msgs {
		if json.Unmarshal(m, &envs[i]) != nil {
			envs[i] = envelope{}
		}
	}
	return envs, nil
}

// isCall reports whether the message is a request that expects an answer.
func (e envelope) isCall() bool { return len(e.ID) > 0 && string(e.ID) != "null" }

// isRequest reports whether the message is a call of a method.
func (e envelope) isRequest() bool { return e.Method != nil && e.isCall() }

// isAnswer reports whether the message is the result or error of a call.
func (e envelope) isAnswer() bool { return e.Method == nil && (e.Result != nil || e.Error != nil) }

// unknown reports whether the message is a request for a method go-sdk does
// not know, or for prompts, which the server does not offer (see
// refusePrompts).
func (e envelope) unknown() bool {
	return e.Method != nil && (!knownMethod(*e.Method) || strings.HasPrefix(*e.Method, "prompts/"))
}

// methodless reports whether the message has an id but neither a method
// nor the result or error of an answer: an invalid request, which go-sdk
// would take for an answer and acknowledge with 202.
func (e envelope) methodless() bool {
	return e.isCall() && e.Method == nil && e.Result == nil && e.Error == nil
}

// refused reports whether precheck answers the message itself.
func (e envelope) refused() bool { return e.unknown() || e.methodless() }

// methodNotFound is the message of -32601 for method.
func methodNotFound(method string) string {
	return fmt.Sprintf("method %q not found: this server offers initialize, ping, tools/list, tools/call, "+
		"resources/list, resources/templates/list and resources/read (no prompts)", method)
}

// refuse answers a POST that asks for an unknown method (-32601) or holds a
// request without a method (-32600), with refusals. JSON-RPC answers no
// notification, so an unknown notification is dropped (202).
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, batch bool, envs []envelope) {
	status := http.StatusOK
	if r.Header.Get("MCP-Protocol-Version") >= newProtocol {
		status = http.StatusNotFound
	}
	for _, e := range envs {
		if e.unknown() {
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "unknown method", slog.String("method", *e.Method))
		}
	}
	answers := refusals(envs)
	switch {
	case len(answers) == 0:
		w.WriteHeader(http.StatusAccepted)
	case batch:
		writeJSON(w, status, answers)
	default:
		writeJSON(w, status, answers[0])
	}
}

// refusals returns the answers to the calls among envs, messages of which
// at least one is refused: an unknown method gets -32601, a request without
// a method -32600. A batch gets one error per call, and its other calls are
// not run, because go-sdk cannot answer part of a batch.
func refusals(envs []envelope) []rpcErrorBody {
	var answers []rpcErrorBody
	for _, e := range envs {
		if !e.isCall() {
			continue
		}
		switch {
		case e.unknown():
			answers = append(answers, newRPCError(e.ID, jsonrpc.CodeMethodNotFound, methodNotFound(*e.Method)))
		case e.methodless():
			answers = append(answers, newRPCError(e.ID, jsonrpc.CodeInvalidRequest,
				`invalid request: a request needs a "method", such as "tools/call"`))
		default:
			answers = append(answers, newRPCError(e.ID, jsonrpc.CodeInvalidRequest,
				"not run: the batch also holds an invalid request or asks for an unknown method; send this request again without it"))
		}
	}
	return answers
}

// knownMethod reports whether go-sdk v1.8.0's server accepts a request for
// method (mcp/server.go, serverMethodInfos). It answers any other with a
// plain-text HTTP 400; TestKnownMethodsReachGoSDK keeps this list honest.
func knownMethod(method string) bool {
	switch method {
	case "initialize", "ping", "server/discover", "subscriptions/listen",
		"tools/list", "tools/call",
		"resources/list", "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe",
		"prompts/list", "prompts/get", "completion/complete", "logging/setLevel",
		"notifications/initialized", "notifications/cancelled", "notifications/progress",
		"notifications/roots/list_changed":
		return true
	}
	return false
}

// rpcErrorBody is a JSON-RPC error response.
type rpcErrorBody struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   rpcError        `json:"error"`
}

type rpcError struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

// newRPCError returns an error response to the request of the given raw id;
// an id that is not a string or a number becomes null.
func newRPCError(id json.RawMessage, code int64, msg string) rpcErrorBody {
	id = bytes.TrimSpace(id)
	if len(id) == 0 || (id[0] != '"' && id[0] != '-' && (id[0] < '0' || id[0] > '9')) {
		id = json.RawMessage("null")
	}
	return rpcErrorBody{JSONRPC: "2.0", ID: id, Error: rpcError{Code: code, Message: msg}}
}

func writeRPCError(w http.ResponseWriter, status int, id json.RawMessage, code int64, msg string) {
	writeJSON(w, status, newRPCError(id, code, msg))
}

// jsonErrors turns the plain-text error answers of go-sdk (405 for GET,
// 415 for a wrong Content-Type, 400 for an invalid request, 403 for a
// foreign Host, ...) into JSON-RPC error bodies with the same status.
func jsonErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := r.Context().Value(requestIDKey{}).(json.RawMessage)
		ew := &errorWriter{ResponseWriter: w}
		next.ServeHTTP(ew, r)
		if ew.status == 0 {
			return
		}
		code := int64(codeServerError)
		if ew.status == http.StatusBadRequest {
			code = jsonrpc.CodeInvalidRequest
		}
		msg := strings.TrimSpace(ew.text.String())
		if msg == "" {
			msg = http.StatusText(ew.status)
		}
		writeRPCError(w, ew.status, id, code, msg)
	})
}

// errorWriter holds back an error answer in plain text, for jsonErrors to
// rewrite, and passes everything else through.
type errorWriter struct {
	http.ResponseWriter
	status int // of the answer held back; 0 while passing through
	wrote  bool
	text   bytes.Buffer
}

func (e *errorWriter) WriteHeader(code int) {
	if !e.wrote && e.status == 0 && code >= 400 && strings.HasPrefix(e.Header().Get("Content-Type"), "text/plain") {
		e.status = code
		return
	}
	e.wrote = true
	e.ResponseWriter.WriteHeader(code)
}

func (e *errorWriter) Write(b []byte) (int, error) {
	if e.status != 0 {
		if e.text.Len() < 1024 {
			e.text.Write(b)
		}
		return len(b), nil
	}
	e.wrote = true
	return e.ResponseWriter.Write(b)
}

// Flush flushes what passes through.
func (e *errorWriter) Flush() {
	if f, ok := e.ResponseWriter.(http.Flusher); ok && e.status == 0 {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (e *errorWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }
