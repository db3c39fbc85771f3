package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/app"
)

// server is an in-process server on a loopback listener.
type server struct {
	url string
	srv *http.Server
}

func (s server) stop() { s.srv.Close() } //nolint:errcheck // the run is over

// serve serves srv on a fresh loopback port.
func serve(srv *http.Server) (server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return server{}, err
	}
	go srv.Serve(ln) //nolint:errcheck // http.ErrServerClosed once stopped
	return server{url: "http://" + ln.Addr().String() + "/mcp", srv: srv}, nil
}

// startOurs starts our server as the composition root builds it over the
// memory adapter: mcpserver's handler, with every middleware, in the
// http.Server of mcpserver.NewHTTPServer.
func startOurs() (server, error) {
	s := mcpserver.New(app.New(memory.NewDefault(), app.Options{}), mcpserver.Options{})
	srv, err := mcpserver.NewHTTPServer(s.Handler(mcpserver.HTTPOptions{}), mcpserver.ServeOptions{})
	if err != nil {
		return server{}, err
	}
	return serve(srv)
}

// EchoInput is the argument of the bare server's echo tool.
type EchoInput struct {
	Text string `json:"text,omitempty" jsonschema:"the text to echo"`
}

// EchoOutput is its structured result.
type EchoOutput struct {
	Text string `json:"text"`
}

// startBare starts a bare go-sdk server with one trivial tool, echo, served
// as DESIGN 4.1 serves ours (stateless, JSON responses, one shared server)
// but without any of our middleware.
func startBare() (server, error) {
	s := mcp.NewServer(&mcp.Implementation{Name: "bare", Version: "1"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Description: "Returns its input."},
		func(_ context.Context, _ *mcp.CallToolRequest, in EchoInput) (*mcp.CallToolResult, EchoOutput, error) {
			return nil, EchoOutput{Text: in.Text}, nil
		})
	h := mcp.NewStreamableHTTPHandler(
		// go-sdk calls this twice per request: one shared server it is.
		func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	return serve(&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second})
}
