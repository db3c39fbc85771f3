package vsphere

import (
	"context"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// CreateVM implements ports.Lifecycle: it checks every object of the
// placement, then creates the VM with files.vmPathName on the datastore, a
// paravirtual SCSI controller, a thin disk of spec.DiskGB GiB and, when the
// placement has a network, a VMXNET3 adapter on it.
func (h *Hypervisor) CreateVM(ctx context.Context, spec domain.CreateSpec, at domain.Placement) (domain.VM, error) {
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return domain.VM{}, err
	}
	what := "create VM " + at.VMPath(spec.Name)
	tg, err := h.checkTarget(ctx, at, spec.Name)
	if err != nil {
		return domain.VM{}, err
	}
	devices, err := h.newDevices(ctx, tg, spec.DiskGB)
	if err != nil {
		return domain.VM{}, err
	}
	config := types.VirtualMachineConfigSpec{
		// vSphere escapes "/", "\" and "%" in a name itself.
		Name:         spec.Name,
		GuestId:      spec.GuestID,
		NumCPUs:      int32(spec.CPU),
		MemoryMB:     int64(spec.MemoryMB),
		Files:        &types.VirtualMachineFileInfo{VmPathName: "[" + tg.datastore.name + "]"},
		DeviceChange: devices,
	}
	// A name vSphere must escape is created in two steps, a bare VM then
	// its devices: vcsim duplicates the devices of such a create (its
	// escaping decodes the spec onto itself), and two steps are as valid
	// on vCenter. A failure of the second step destroys the VM.
	twoSteps := domain.EscapeName(spec.Name) != spec.Name
	if twoSteps {
		config.DeviceChange = nil
	}
	res, err := h.start(ctx, "CreateVM_Task", what, func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.CreateVM_Task(ctx, h.client, &types.CreateVM_Task{
			This: tg.folder, Config: config, Pool: tg.pool, Host: tg.host,
		})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	})
	if err != nil {
		return domain.VM{}, err
	}
	if twoSteps {
		if err := h.addDevices(ctx, res, devices, what); err != nil {
			return domain.VM{}, err
		}
	}
	return h.created(ctx, res, at.VMPath(spec.Name))
}

// addDevices adds devices to the VM a create task made, and destroys the
// VM when that fails, so that a failed create leaves nothing behind.
func (h *Hypervisor) addDevices(ctx context.Context, res types.AnyType, devices []types.BaseVirtualDeviceConfigSpec, what string) error {
	ref, ok := res.(types.ManagedObjectReference)
	if !ok {
		return domain.Errorf(domain.CodeInternal, "could not %s: vSphere did not say which VM it created", what)
	}
	_, err := h.start(ctx, "ReconfigVM_Task", what, func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.ReconfigVM_Task(ctx, h.client, &types.ReconfigVM_Task{
			This: ref, Spec: types.VirtualMachineConfigSpec{DeviceChange: devices},
		})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	})
	if err == nil {
		return nil
	}
	// Roll back even when the caller's context has ended.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.taskTimeout)
	defer cancel()
	if _, derr := h.start(rctx, "Destroy_Task", "remove the half-made VM "+ref.Value, func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.Destroy_Task(ctx, h.client, &types.Destroy_Task{This: ref})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	}); derr != nil {
		h.log.Error("could not remove a VM whose devices could not be added", "moref", ref.Value, "error", derr)
	}
	return err
}

// created returns the VM a create or clone task made.
func (h *Hypervisor) created(ctx context.Context, res types.AnyType, path string) (domain.VM, error) {
	ref, ok := res.(types.ManagedObjectReference)
	if !ok {
		return domain.VM{}, domain.Errorf(domain.CodeInternal, "vSphere created %s but did not say which VM it is", path)
	}
	vm, _, err := h.current(ctx, domain.VM{ID: ref.Value, Path: path})
	if err != nil {
		return domain.VM{}, err
	}
	h.index.remember(vm)
	return vm, nil
}

// newDevices returns the devices of a new VM: a paravirtual SCSI
// controller, a thin disk of diskGB GiB on it in the VM's directory, and a
// VMXNET3 adapter on the target's network, if any.
func (h *Hypervisor) newDevices(ctx context.Context, tg *target, diskGB int) ([]types.BaseVirtualDeviceConfigSpec, error) {
	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return nil, domain.Wrap(domain.CodeInternal, err, "could not describe a paravirtual SCSI controller")
	}
	devices = append(devices, scsi)
	ds := tg.datastore.ref
	disk := &types.VirtualDisk{
		VirtualDevice: types.VirtualDevice{
			Key: devices.NewKey(),
			Backing: &types.VirtualDiskFlatVer2BackingInfo{
				VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
					// The datastore alone: vSphere names the disk after the VM,
					// in the VM's directory.
					FileName:  "[" + tg.datastore.name + "]",
					Datastore: &ds,
				},
				DiskMode:        string(types.VirtualDiskModePersistent),
				ThinProvisioned: types.NewBool(true),
			},
		},
		CapacityInKB:    int64(diskGB) << 20,
		CapacityInBytes: int64(diskGB) << 30,
	}
	devices.AssignController(disk, scsi.(types.BaseVirtualController))
	devices = append(devices, disk)
	if tg.network != nil {
		backing, err := h.nicBacking(ctx, tg.network)
		if err != nil {
			return nil, err
		}
		nic, err := devices.CreateEthernetCard("vmxnet3", backing)
		if err != nil {
			return nil, domain.Wrap(domain.CodeInternal, err, "could not describe a VMXNET3 adapter")
		}
		card := nic.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		card.Key = devices.NewKey()
		card.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: true, AllowGuestControl: true, Connected: true}
		devices = append(devices, nic)
	}
	return devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
}

// DeleteVM implements ports.Lifecycle. A VM that is not powered off is
// refused, as the memory adapter refuses it.
func (h *Hypervisor) DeleteVM(ctx context.Context, vm domain.VM) error {
	now, _, err := h.current(ctx, vm)
	if err != nil {
		return err
	}
	if now.PowerState != domain.PoweredOff {
		return domain.Errorf(domain.CodeConflict, "%s is %s: power it off before deleting it", now, now.PowerState)
	}
	what := "delete VM " + now.String()
	_, err = h.start(ctx, "Destroy_Task", what, func(ctx context.Context) (types.ManagedObjectReference, error) {
		r, err := methods.Destroy_Task(ctx, h.client, &types.Destroy_Task{This: vmRef(now.ID)})
		if err != nil {
			return types.ManagedObjectReference{}, err
		}
		return r.Returnval, nil
	})
	if err != nil {
		return err
	}
	h.index.forget(now.ID)
	return nil
}
