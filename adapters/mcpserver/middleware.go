package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/domain"
)

// The receiving middleware of the go-sdk server. It runs for every
// transport (HTTP, stdio, in-memory), after go-sdk has parsed the request.

// refusePrompts answers every prompts/* method with -32601: the server
// declares no prompts capability, yet go-sdk would answer prompts/list
// with an empty list. Over HTTP and stdio the server refuses them before
// go-sdk reads them (see refusals); this covers the other transports.
func (s *Server) refusePrompts(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if strings.HasPrefix(method, "prompts/") {
			return nil, &jsonrpc.Error{
				Code:    jsonrpc.CodeMethodNotFound,
				Message: methodNotFound(method),
			}
		}
		return next(ctx, method, req)
	}
}

// recoverPanics turns a panic while handling a request into a JSON-RPC
// internal error and a log line with the stack. go-sdk runs handlers in
// goroutines of its own that do not recover: without this, one request
// that trips a bug anywhere below would end the process.
func (s *Server) recoverPanics(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (res mcp.Result, err error) {
		defer func() {
			if p := recover(); p != nil {
				s.log.LogAttrs(ctx, slog.LevelError, "panic while handling a request",
					slog.String("method", method), slog.String("code", string(domain.CodeInternal)),
					slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				res, err = nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: internalMessage}
			}
		}()
		return next(ctx, method, req)
	}
}

// objectArguments replaces "arguments": null in tools/call by {}, which
// means the same. go-sdk v1.8.0 decodes null arguments into a nil map and
// jsonschema-go's ApplyDefaults then panics assigning a default to it
// (mcp/tool.go applySchema; jsonschema/validate.go applyDefaults).
func objectArguments(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p != nil && string(bytes.TrimSpace(p.Arguments)) == "null" {
			p.Arguments = json.RawMessage("{}")
		}
		return next(ctx, method, req)
	}
}

// callKey is the context key of the *call of a tools/call request.
type callKey struct{}

// call is what a tool handler tells observeToolCalls about its call.
type call struct {
	vm   string      // the VM the call is about, as given
	code domain.Code // the error code of a failed call
}

// callOf returns the call record that observeToolCalls put in ctx, or a
// throwaway one.
func callOf(ctx context.Context) *call {
	if c, ok := ctx.Value(callKey{}).(*call); ok {
		return c
	}
	return new(call)
}

// observeToolCalls logs every tools/call at debug with stable keys (tool,
// vm, code, duration), and turns the results go-sdk makes itself for
// arguments that fail the input schema or cannot be decoded (isError with a
// text, no structuredContent) into what DESIGN 4.5 makes them: a protocol
// fault, JSON-RPC -32602, whose data is {code: invalid_argument, message}.
func (s *Server) observeToolCalls(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if method != "tools/call" {
			return next(ctx, method, req)
		}
		c := new(call)
		start := time.Now()
		res, err := next(context.WithValue(ctx, callKey{}, c), method, req)

		var name string
		if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p != nil {
			name = p.Name
		}
		code := "ok"
		if r, ok := res.(*mcp.CallToolResult); ok && r != nil && r.IsError {
			if r.StructuredContent == nil {
				res, err = nil, invalidParams(invalidArguments(name, textOf(r)))
			} else {
				code = string(c.code)
			}
		}
		if err != nil {
			code = "protocol_error"
		}
		s.log.LogAttrs(ctx, slog.LevelDebug, "tool call",
			slog.String("tool", name), slog.String("vm", c.vm), slog.String("code", code),
			slog.Duration("duration", time.Since(start)))
		return res, err
	}
}

// invalidParams returns the JSON-RPC error of arguments that violate a
// tool's input schema.
func invalidParams(msg string) *jsonrpc.Error {
	data, _ := json.Marshal(ToolError{Code: string(domain.CodeInvalidArgument), Message: msg})
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: msg, Data: data}
}

// textOf returns the text content of a result, for a message.
func textOf(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			if b.Len() > 0 {
				b.WriteString(" ")
			}
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// invalidArguments returns the sentence for arguments go-sdk rejected,
// from its detail, less the prefixes that say nothing to a reader.
func invalidArguments(tool, detail string) string {
	detail = strings.TrimPrefix(detail, `validating "arguments": `)
	detail = strings.TrimPrefix(detail, "validating root: ")
	return fmt.Sprintf("the arguments of %s do not match its input schema (%s); "+
		"tools/list shows every argument with its type and range", tool, detail)
}
