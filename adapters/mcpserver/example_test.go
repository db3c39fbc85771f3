package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/memory"
	"github.com/esximcp/esximcp/app"
)

// A Server over the application core, called by go-sdk's own client over
// in-memory transports.
func Example() {
	ctx := context.Background()
	srv := mcpserver.New(app.New(memory.NewDefault(), app.Options{}), mcpserver.Options{})

	serverEnd, clientEnd := mcp.NewInMemoryTransports()
	ss, err := srv.MCP().Connect(ctx, serverEnd, nil)
	if err != nil {
		panic(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "example", Version: "1"}, nil).Connect(ctx, clientEnd, nil)
	if err != nil {
		panic(err)
	}
	defer cs.Close()

	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "listVMs", Arguments: map[string]any{"name_contains": "H0_VM"}})
	if err != nil {
		panic(err)
	}
	var out mcpserver.ListVMsOutput
	b, _ := json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &out)
	for _, vm := range out.VMs {
		fmt.Println(vm.Path, vm.PowerState)
	}
	// Output:
	// /DC0/vm/DC0_H0_VM0 poweredOn
	// /DC0/vm/DC0_H0_VM1 poweredOn
}

// The HTTP handler answers plain JSON-RPC: curl needs nothing but
// Content-Type: application/json.
func ExampleServer_Handler() {
	srv := mcpserver.New(app.New(memory.NewDefault(), app.Options{}), mcpserver.Options{})
	ts := httptest.NewServer(srv.Handler(mcpserver.HTTPOptions{}))
	defer ts.Close()

	resp, err := http.Post(ts.URL+"/mcp", "application/json", strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"powerOff","arguments":{"name":"DC0_H0_VM0"}}}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Result struct{ StructuredContent mcpserver.PowerOutput }
	}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &answer)
	fmt.Println(resp.StatusCode, answer.Result.StructuredContent.VM.PowerState, answer.Result.StructuredContent.Changed)
	// Output:
	// 200 poweredOff true
}

func ExampleStatsURI() {
	fmt.Println(mcpserver.StatsURI("web01"))
	fmt.Println(mcpserver.StatsURI("/DC0/vm/web 01"))
	// Output:
	// vmstats://web01
	// vmstats://%2FDC0%2Fvm%2Fweb%2001
}
