package mcpserver

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/domain"
)

// internalMessage is all a client learns of an internal error.
const internalMessage = "internal error"

// errorKind is how one domain error kind reaches an MCP client and the log.
type errorKind struct {
	// code is the code clients see: an unknown code shows as internal.
	code domain.Code
	// rpcCode is the JSON-RPC error code of a failed resources/read or
	// resources/list (a tool call fails with a result, not an error).
	rpcCode int64
	// level is that of the log line written where the error is mapped.
	// Below Warn there is none: the debug line of the call carries the code.
	level slog.Level
	// hide replaces the message by "internal error"; the detail is logged.
	hide bool
	// fallback is the sentence shown when the error carries no message.
	fallback string
}

// kindOf is the one table that maps domain error kinds to what MCP clients
// see (DESIGN 4.5). Every tool failure is a result with isError and
// structuredContent.error = {code, message, candidates}; resources fail
// with the JSON-RPC error of the rpcCode column.
func kindOf(code domain.Code) errorKind {
	const debug, warn, fail = slog.LevelDebug, slog.LevelWarn, slog.LevelError
	switch code {
	case domain.CodeNotFound:
		return errorKind{code, mcp.CodeResourceNotFound, debug, false, "no such object exists"}
	case domain.CodeAmbiguous:
		return errorKind{code, jsonrpc.CodeInvalidParams, debug, false, "the name matches several VMs: use an inventory path or an id"}
	case domain.CodeInvalidArgument:
		return errorKind{code, jsonrpc.CodeInvalidParams, debug, false, "an argument is not valid"}
	case domain.CodeAlreadyExists:
		return errorKind{code, jsonrpc.CodeInternalError, debug, false, "an object of that name already exists"}
	case domain.CodeConflict:
		return errorKind{code, jsonrpc.CodeInternalError, debug, false, "the object is not in a state that allows this"}
	case domain.CodeReadOnly:
		return errorKind{code, jsonrpc.CodeInternalError, debug, false, "the server is read-only"}
	case domain.CodeForbidden:
		return errorKind{code, jsonrpc.CodeInternalError, warn, false, "the vCenter user lacks the privilege for this operation"}
	case domain.CodeUnavailable:
		return errorKind{code, jsonrpc.CodeInternalError, warn, false, "the hypervisor is unavailable"}
	case domain.CodeTimeout:
		return errorKind{code, jsonrpc.CodeInternalError, warn, false, "the operation did not finish in time"}
	}
	// CodeInternal, and any code outside the closed set.
	return errorKind{domain.CodeInternal, jsonrpc.CodeInternalError, fail, true, internalMessage}
}

// describe maps err through kindOf and logs it once, when its kind calls
// for a log line. attrs say where it happened (tool, vm, uri).
func (s *Server) describe(ctx context.Context, err error, attrs ...slog.Attr) (errorKind, *ToolError) {
	k, te := describe(err)
	if k.level >= slog.LevelWarn {
		attrs = append(attrs, slog.String("code", string(k.code)), slog.String("error", err.Error()))
		s.log.LogAttrs(ctx, k.level, "request failed", attrs...)
	}
	return k, te
}

// describe maps err through kindOf, without logging.
func describe(err error) (errorKind, *ToolError) {
	e := domain.AsError(err)
	k := kindOf(e.Code)
	msg := e.Message
	if k.hide || msg == "" {
		msg = k.fallback
	}
	te := &ToolError{Code: string(k.code), Message: msg}
	for _, c := range e.Candidates {
		te.Candidates = append(te.Candidates, Candidate{ID: c.ID, Name: c.Name, Path: c.Path, Datacenter: c.Datacenter})
	}
	return k, te
}

// toolFailure returns the result of a tool call that failed with err.
func (s *Server) toolFailure(ctx context.Context, tool, vm string, err error) (*mcp.CallToolResult, errorOutput) {
	_, te := s.describe(ctx, err, slog.String("tool", tool), slog.String("vm", vm))
	res := &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: te.Message}}}
	return res, errorOutput{Error: te}
}

// resourceFailure returns the JSON-RPC error of a resource request for uri
// that failed with err. An unknown VM is go-sdk's "Resource not found".
func (s *Server) resourceFailure(ctx context.Context, method, uri string, err error) error {
	k, te := s.describe(ctx, err, slog.String("method", method), slog.String("uri", uri))
	if k.code == domain.CodeNotFound {
		return mcp.ResourceNotFoundError(uri)
	}
	data, _ := json.Marshal(struct {
		URI string `json:"uri,omitempty"`
		*ToolError
	}{uri, te})
	return &jsonrpc.Error{Code: k.rpcCode, Message: te.Message, Data: data}
}
