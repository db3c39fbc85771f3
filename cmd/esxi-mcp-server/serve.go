package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/esximcp/esximcp/adapters/config"
	"github.com/esximcp/esximcp/adapters/mcpserver"
	"github.com/esximcp/esximcp/adapters/simulator"
	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/app"
)

// logoutTimeout bounds the logout from vCenter at shutdown.
const logoutTimeout = 10 * time.Second

// serve wires the adapters that cfg selects and serves MCP until ctx is
// done: over HTTP, or over stdin and stdout with the stdio transport, in
// which case nothing else may write to stdout.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	hv, closeHypervisor, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeHypervisor()

	svc := app.New(hv, app.Options{ReadOnly: cfg.ReadOnly, Defaults: cfg.Placement(), Logger: log})
	srv := mcpserver.New(svc, mcpserver.Options{Version: buildVersion(), Logger: log})
	if cfg.Transport == config.TransportStdio {
		return srv.ServeStdio(ctx, stdin, stdout)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", cfg.Listen, err)
	}
	h := srv.Handler(mcpserver.HTTPOptions{APIKey: cfg.APIKey, Ready: indexReport(hv)})
	return mcpserver.Serve(ctx, ln, h, mcpserver.ServeOptions{
		TLSCertFile: cfg.TLSCertFile, TLSKeyFile: cfg.TLSKeyFile, Logger: log,
	})
}

// connect logs in to the vCenter or ESXi host of cfg, or to an embedded
// simulator when cfg.Simulator is set, and returns the hypervisor with the
// function that logs out and stops the simulator.
func connect(ctx context.Context, cfg config.Config, log *slog.Logger) (*vsphere.Hypervisor, func(), error) {
	opts := vsphere.Options{
		Host: cfg.VCenterHost, User: cfg.VCenterUser, Password: cfg.VCenterPassword,
		Insecure: cfg.Insecure, CAFile: cfg.CAFile, TaskTimeout: cfg.TaskTimeout, Logger: log,
		InventoryCache: cfg.InventoryCache,
	}
	stopSimulator := func() {}
	if cfg.Simulator {
		sim, err := simulator.Start(simulator.Options{})
		if err != nil {
			return nil, nil, fmt.Errorf("cannot start the embedded simulator: %w", err)
		}
		stopSimulator = func() {
			if err := sim.Close(); err != nil {
				log.Warn("could not remove the simulator's files", "error", err)
			}
		}
		opts.Host, opts.User, opts.Password, opts.CAFile = sim.URL().String(), sim.User(), sim.Password(), sim.CAFile()
		// The simulator's credentials are throwaway ones, printed on purpose
		// so that govc or a second client can look at the same inventory.
		govc := *sim.URL()
		govc.User = nil
		log.Info("serving an embedded vCenter simulator",
			"sdk_url", sim.URL().String(), "user", sim.User(), "password", sim.Password(), "ca_file", sim.CAFile(),
			"govc", fmt.Sprintf("GOVC_URL=%s GOVC_USERNAME=%s GOVC_PASSWORD=%s GOVC_TLS_CA_CERTS=%s",
				govc.String(), sim.User(), sim.Password(), sim.CAFile()))
	}
	hv, err := vsphere.New(ctx, opts)
	if err != nil {
		stopSimulator()
		return nil, nil, err
	}
	return hv, func() {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoutTimeout)
		defer cancel()
		if err := hv.Close(lctx); err != nil {
			log.Warn("could not log out of vSphere", "error", err)
		}
		stopSimulator()
	}, nil
}

// indexReport returns the Ready hook of GET /readyz: it reports the state
// of hv's inventory index and never fails, as reads ask vCenter directly
// while the index is building or broken.
func indexReport(hv *vsphere.Hypervisor) func(context.Context) (map[string]any, error) {
	return func(context.Context) (map[string]any, error) {
		st := hv.IndexStatus()
		report := map[string]any{"state": st.State}
		if st.State != vsphere.IndexDisabled {
			report["vms"] = st.VMs
			report["builds"] = st.Builds
		}
		if !st.ReadySince.IsZero() {
			report["ready_since"] = st.ReadySince.UTC().Format(time.RFC3339)
		}
		if !st.Updated.IsZero() {
			report["updated"] = st.Updated.UTC().Format(time.RFC3339Nano)
		}
		if st.Error != "" {
			report["error"] = st.Error
		}
		return map[string]any{"inventory_index": report}, nil
	}
}
