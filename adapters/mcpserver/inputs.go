package mcpserver

// The arguments of the tools. Names and required-ness are those of DESIGN
// 4.3: a field without omitempty is required. Bounds, defaults and enums
// are added in tools.go, where the schema is built.

// ListVMsInput are the arguments of listVMs.
type ListVMsInput struct {
	NameContains     string `json:"name_contains,omitempty" jsonschema:"only VMs whose name contains this text, ignoring case"`
	PowerState       string `json:"power_state,omitempty" jsonschema:"only VMs in this power state"`
	Datacenter       string `json:"datacenter,omitempty" jsonschema:"only VMs of the datacenter of this name"`
	IncludeTemplates bool   `json:"include_templates,omitempty" jsonschema:"also list templates"`
	Limit            int    `json:"limit,omitempty" jsonschema:"return at most this many VMs; 0 or absent returns all"`
}

// GetVMInput are the arguments of getVM and getVMStats.
type GetVMInput struct {
	Name string `json:"name" jsonschema:"the VM: its name (web01), inventory path (/DC0/vm/web01) or id (vm-42)"`
}

// CreateVMInput are the arguments of createVM.
type CreateVMInput struct {
	Name      string `json:"name" jsonschema:"name of the new VM, 1 to 80 characters; no VM anywhere in the inventory may have it already"`
	CPU       int    `json:"cpu" jsonschema:"number of virtual CPUs"`
	Memory    int    `json:"memory" jsonschema:"memory in MiB, a multiple of 4: 4096 is 4 GiB"`
	Datastore string `json:"datastore,omitempty" jsonschema:"datastore name or inventory path; default: the configured datastore, else the accessible one with the most free space"`
	Network   string `json:"network,omitempty" jsonschema:"port group or distributed port group, by name or inventory path, for a VMXNET3 adapter; default: the configured network, else 'VM Network' if it exists, else no adapter"`
	DiskGB    int    `json:"disk_gb,omitempty" jsonschema:"size of the thin-provisioned disk in GiB"`
	GuestID   string `json:"guest_id,omitempty" jsonschema:"vSphere guest OS identifier such as otherGuest64, ubuntu64Guest, rhel9_64Guest or windows2019srv_64Guest"`
	Folder    string `json:"folder,omitempty" jsonschema:"VM folder: an inventory path (/DC0/vm/web) or a path below the datacenter's VM folder (web); default: the datacenter's VM folder"`
	Cluster   string `json:"cluster,omitempty" jsonschema:"cluster name or inventory path; default: the configured cluster, else the first one, else a standalone host"`
	Host      string `json:"host,omitempty" jsonschema:"host name or inventory path, to pin the VM to one host (of the cluster, when one is given)"`
	PowerOn   bool   `json:"power_on,omitempty" jsonschema:"power the VM on once it is created"`
	DryRun    bool   `json:"dry_run,omitempty" jsonschema:"resolve and check everything, return the plan, change nothing"`
}

// CloneVMInput are the arguments of cloneVM.
type CloneVMInput struct {
	TemplateName string `json:"template_name" jsonschema:"the template or VM to copy: its name, inventory path or id"`
	NewName      string `json:"new_name" jsonschema:"name of the new VM, 1 to 80 characters; no VM anywhere in the inventory may have it already"`
	Datastore    string `json:"datastore,omitempty" jsonschema:"datastore name or inventory path; default: the source's datastore"`
	Folder       string `json:"folder,omitempty" jsonschema:"VM folder, as an inventory path or a path below the datacenter's VM folder; default: the source's folder"`
	Cluster      string `json:"cluster,omitempty" jsonschema:"cluster name or inventory path; default: the source's resource pool"`
	Host         string `json:"host,omitempty" jsonschema:"host name or inventory path; default: chosen by the cluster"`
	PowerOn      bool   `json:"power_on,omitempty" jsonschema:"power the new VM on once it is created"`
	DryRun       bool   `json:"dry_run,omitempty" jsonschema:"resolve and check everything, return the plan, change nothing"`
}

// DeleteVMInput are the arguments of deleteVM.
type DeleteVMInput struct {
	Name   string `json:"name" jsonschema:"the VM to delete: its name, inventory path or id"`
	Force  bool   `json:"force,omitempty" jsonschema:"power the VM off first when it is on or suspended; without it such a VM is refused with the code conflict"`
	DryRun bool   `json:"dry_run,omitempty" jsonschema:"resolve and check everything, return the plan, change nothing"`
}

// PowerOnInput are the arguments of powerOn.
type PowerOnInput struct {
	Name   string `json:"name" jsonschema:"the VM to power on or resume: its name, inventory path or id"`
	DryRun bool   `json:"dry_run,omitempty" jsonschema:"resolve and check everything, return the plan, change nothing"`
}

// PowerOffInput are the arguments of powerOff.
type PowerOffInput struct {
	Name     string `json:"name" jsonschema:"the VM to power off: its name, inventory path or id"`
	Graceful bool   `json:"graceful,omitempty" jsonschema:"shut the guest OS down through VMware Tools and wait until the VM is off, instead of cutting the power at once; needs running guest tools"`
	DryRun   bool   `json:"dry_run,omitempty" jsonschema:"resolve and check everything, return the plan, change nothing"`
}
