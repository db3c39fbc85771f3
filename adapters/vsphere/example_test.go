package vsphere_test

import (
	"context"
	"fmt"
	"log"

	"github.com/esximcp/esximcp/adapters/simulator"
	"github.com/esximcp/esximcp/adapters/vsphere"
	"github.com/esximcp/esximcp/domain"
	"github.com/esximcp/esximcp/ports"
)

// Example connects to the embedded simulator as to any vCenter, lists the
// VMs of a datacenter and resolves one by name.
func Example() {
	sim, err := simulator.Start(simulator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()

	ctx := context.Background()
	h, err := vsphere.New(ctx, vsphere.Options{
		Host:     sim.URL().String(), // or "vcenter.example.com"
		User:     sim.User(),
		Password: sim.Password(),
		CAFile:   sim.CAFile(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close(ctx)

	vms, total, err := h.ListVMs(ctx, domain.ListFilter{Datacenter: "DC0"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(total, "VMs")
	for _, vm := range vms {
		fmt.Println(vm.Path, vm.PowerState)
	}

	vm, err := h.ResolveVM(ctx, domain.NameRef("DC0_H0_VM1"), ports.Current)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(vm.Host, vm.Datastores, vm.Networks)
	// Output:
	// 4 VMs
	// /DC0/vm/DC0_C0_RP0_VM0 poweredOn
	// /DC0/vm/DC0_C0_RP0_VM1 poweredOn
	// /DC0/vm/DC0_H0_VM0 poweredOn
	// /DC0/vm/DC0_H0_VM1 poweredOn
	// DC0_H0 [LocalDS_0] [DC0_DVPG0]
}
