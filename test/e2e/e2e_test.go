// Package e2e drives the built esxi-mcp-server binary as MCP clients do:
// over stdio, through go-sdk's command transport.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/test/mcptest"
	"github.com/esximcp/esximcp/test/vcsimtest"
)

// binary is the path of the esxi-mcp-server built for this package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "esximcp-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "esxi-mcp-server")
	build := exec.Command("go", "build", "-o", binary, "github.com/esximcp/esximcp/cmd/esxi-mcp-server")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	code := 1
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build esxi-mcp-server:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestStdioWithSimulator(t *testing.T) {
	var stderr mcptest.Log
	cmd := exec.Command(binary, "--simulator", "--transport", "stdio", "--log-format", "json")
	cmd.Stderr = &stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e-stdio", Version: "1"}, nil)
	cs, err := client.Connect(t.Context(), &mcp.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err, "connect over stdio; stderr:\n%s", stderr.String())

	init := cs.InitializeResult()
	require.NotNil(t, init)
	assert.Equal(t, "esxi-mcp-server", init.ServerInfo.Name)
	assert.NotNil(t, init.Capabilities.Tools)
	assert.NotNil(t, init.Capabilities.Resources)
	assert.Nil(t, init.Capabilities.Prompts, "no prompts capability is declared")

	tools, err := cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
		assert.NotNil(t, tool.OutputSchema, "%s has an output schema", tool.Name)
		assert.NotNil(t, tool.Annotations, "%s has annotations", tool.Name)
	}
	for _, want := range []string{"listVMs", "createVM", "cloneVM", "deleteVM", "powerOn", "powerOff"} {
		assert.Contains(t, names, want)
	}

	templates, err := cs.ListResourceTemplates(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, templates.ResourceTemplates, 1)
	assert.Equal(t, "vmstats://{vm_name}", templates.ResourceTemplates[0].URITemplate)
	resources, err := cs.ListResources(t.Context(), nil)
	require.NoError(t, err)
	assert.Len(t, resources.Resources, 4, "one vmstats resource per VM of the simulator")

	mcptest.Journey(t, cs, admin(t, &stderr), "stdio-")
	e := mcptest.Fail(t, cs, "deleteVM", map[string]any{"name": "no-such-vm"})
	assert.Equal(t, "not_found", e.Code)
	assert.Equal(t, 4, mcptest.Call[mcpserver.ListVMsOutput](t, cs, "listVMs", nil).Count, "the journey left nothing behind")

	require.NoError(t, cs.Close(), "the server exits when its stdin closes")
	logs := mcptest.JSONLines(stderr.String())
	require.NotEmpty(t, logs)
	assert.Equal(t, len(strings.Split(strings.TrimSpace(stderr.String()), "\n")), len(logs), "stderr holds only log lines")
	assert.NotNil(t, mcptest.Find(logs, "logged out of vSphere"))
}

// admin logs in to the binary's simulator with the URL and credentials it
// logged.
func admin(t *testing.T, stderr *mcptest.Log) *vcsimtest.Admin {
	t.Helper()
	var line map[string]any
	require.Eventually(t, func() bool {
		line = mcptest.Find(mcptest.JSONLines(stderr.String()), "serving an embedded vCenter simulator")
		return line != nil
	}, 30*time.Second, 20*time.Millisecond, "the binary logs its simulator's SDK URL")
	return mcptest.SimulatorAdmin(t, line)
}
