package app_test

import (
	"context"
	"fmt"
	"log"

	"github.com/esximcp/esximcp/adapters/simulator"
	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/app"
	"github.com/esximcp/esximcp/domain"
)

// Example drives the application core over the vSphere adapter, here on the
// embedded simulator; for a real vCenter, give vsphere.Options its host,
// user and password. The core adds what vSphere does not enforce: unique
// names, dry runs, refusal of ambiguous names, read-only mode, audit lines.
func Example() {
	sim, err := simulator.Start(simulator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()

	ctx := context.Background()
	hv, err := vsphere.New(ctx, vsphere.Options{
		Host: sim.URL().String(), User: sim.User(), Password: sim.Password(), CAFile: sim.CAFile(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer hv.Close(ctx)
	svc := app.New(hv, app.Options{Defaults: domain.PlacementRequest{Cluster: "DC0_C0"}})

	plan, err := svc.CreateVM(ctx, domain.CreateSpec{Name: "web01", CPU: 2, MemoryMB: 4096, DryRun: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("dry run:", plan.Plan.Steps[0])

	created, err := svc.CreateVM(ctx, domain.CreateSpec{Name: "web01", CPU: 2, MemoryMB: 4096, PowerOn: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", created.VM.Path, created.VM.PowerState)

	_, err = svc.CreateVM(ctx, domain.CreateSpec{Name: "web01", CPU: 1, MemoryMB: 512})
	fmt.Println("again:", domain.CodeOf(err))

	_, err = svc.DeleteVM(ctx, domain.DeleteSpec{VM: "web01"})
	fmt.Println("delete while on:", domain.CodeOf(err))

	deleted, err := svc.DeleteVM(ctx, domain.DeleteSpec{VM: created.VM.ID, Force: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted:", deleted.Deleted.Path)
	// Output:
	// dry run: create VM /DC0/vm/web01 on cluster "DC0_C0", datastore "LocalDS_0": 2 vCPU, 4096 MiB memory, guest otherGuest64, a 10 GiB thin disk on a paravirtual SCSI controller, a VMXNET3 adapter on network "VM Network"
	// created: /DC0/vm/web01 poweredOn
	// again: already_exists
	// delete while on: conflict
	// deleted: /DC0/vm/web01
}
