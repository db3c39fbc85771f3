package app

import (
	"fmt"

	"github.com/esximcp/esximcp/domain"
)

func createSteps(spec domain.CreateSpec, at domain.Placement) []string {
	nic := "no network adapter"
	if !at.Network.IsZero() {
		nic = fmt.Sprintf("a VMXNET3 adapter on network %q", at.Network.Name)
	}
	steps := []string{
		fmt.Sprintf("create VM %s on %s, datastore %q: %d vCPU, %d MiB memory, guest %s, a %d GiB thin disk on a paravirtual SCSI controller, %s",
			at.VMPath(spec.Name), compute(at), at.Datastore.Name, spec.CPU, spec.MemoryMB, spec.GuestID, spec.DiskGB, nic),
	}
	if spec.PowerOn {
		steps = append(steps, fmt.Sprintf("power on %s", at.VMPath(spec.Name)))
	}
	return steps
}

func cloneSteps(src domain.VM, spec domain.CloneSpec, at domain.Placement) []string {
	kind := "VM"
	if src.Template {
		kind = "template"
	}
	steps := []string{
		fmt.Sprintf("clone %s %s to %s on %s, datastore %q", kind, src, at.VMPath(spec.Name), compute(at), at.Datastore.Name),
	}
	if spec.PowerOn {
		steps = append(steps, fmt.Sprintf("power on %s", at.VMPath(spec.Name)))
	}
	return steps
}

// compute describes the compute resource of a placement.
func compute(at domain.Placement) string {
	switch {
	case at.Host.Name != "" && at.Cluster.Name != "":
		return fmt.Sprintf("host %q of cluster %q", at.Host.Name, at.Cluster.Name)
	case at.Host.Name != "":
		return fmt.Sprintf("host %q", at.Host.Name)
	case at.Cluster.Name != "":
		return fmt.Sprintf("cluster %q", at.Cluster.Name)
	}
	return fmt.Sprintf("resource pool %q", at.ResourcePool.Path)
}
