package config_test

import (
	"fmt"

	"github.com/esximcp/esximcp/adapters/config"
)

func ExampleLoad() {
	env := map[string]string{"VCENTER_PASSWORD": "secret", "MCP_TASK_TIMEOUT": "90s"}
	flags := config.FlagSet("esxi-mcp-server")
	args := []string{"--vcenter-host=vc.example.com", "--vcenter-user", "administrator@vsphere.local", "--read-only"}

	cfg, meta, err := config.Load(flags, args, func(name string) string { return env[name] })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.VCenterHost, cfg.ReadOnly, cfg.TaskTimeout, meta.Source("task_timeout"))
	// Output: vc.example.com true 1m30s environment MCP_TASK_TIMEOUT
}

func ExampleLoad_errors() {
	args := []string{"--simulator", "--log-level=loud"}
	_, _, err := config.Load(config.FlagSet("esxi-mcp-server"), args, func(name string) string {
		if name == "MCP_TASK_TIMEOUT" {
			return "ten"
		}
		return ""
	})
	fmt.Println(err)
	// Output:
	// environment MCP_TASK_TIMEOUT: key "task_timeout": "ten" is not a duration (use Go syntax such as 90s or 10m)
	// flag --log-level: key "log_level": "loud" is not a log level (use DEBUG, INFO, WARN or ERROR)
}
