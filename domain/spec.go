package domain

// CreateSpec describes a new virtual machine.
type CreateSpec struct {
	Name      string
	CPU       int
	MemoryMB  int
	DiskGB    int    // 0: DefaultDiskGB
	GuestID   string // "": DefaultGuestID
	Placement PlacementRequest
	PowerOn   bool
	DryRun    bool
}

// WithDefaults returns s with its optional sizes filled in.
func (s CreateSpec) WithDefaults() CreateSpec {
	if s.DiskGB == 0 {
		s.DiskGB = DefaultDiskGB
	}
	if s.GuestID == "" {
		s.GuestID = DefaultGuestID
	}
	return s
}

// Validate checks s after WithDefaults. It returns the first problem as an
// invalid_argument error that names the field and what is allowed.
func (s CreateSpec) Validate() error {
	return first(
		ValidateName("name", s.Name),
		ValidateCPU("cpu", s.CPU),
		ValidateMemoryMB("memory", s.MemoryMB),
		ValidateDiskGB("disk_gb", s.DiskGB),
		ValidateGuestID("guest_id", s.GuestID),
		s.Placement.Validate(),
	)
}

// CloneSpec describes a copy of an existing VM or template. Placement fields
// left empty keep the source's: its folder, resource pool and datastore.
// Placement.Datacenter and Placement.Network are not used.
type CloneSpec struct {
	Source    string // a VM reference (see ParseVMRef): the template_name argument
	Name      string // the new VM's name: the new_name argument
	Placement PlacementRequest
	PowerOn   bool
	DryRun    bool
}

// Validate checks s. It returns the first problem as an invalid_argument
// error that names the field and what is allowed.
func (s CloneSpec) Validate() error {
	_, err := ParseVMRef("template_name", s.Source)
	return first(err, ValidateName("new_name", s.Name), s.Placement.Validate())
}

// DeleteSpec asks for a virtual machine to be destroyed with its disks.
type DeleteSpec struct {
	VM     string // a VM reference: the name argument
	Force  bool   // power the VM off first when it is on or suspended
	DryRun bool
}

// Validate checks s.
func (s DeleteSpec) Validate() error {
	_, err := ParseVMRef("name", s.VM)
	return err
}

// PowerSpec asks for a virtual machine to be powered on or off.
type PowerSpec struct {
	VM       string // a VM reference: the name argument
	Graceful bool   // power off only: shut the guest down through VMware Tools
	DryRun   bool
}

// Validate checks s.
func (s PowerSpec) Validate() error {
	_, err := ParseVMRef("name", s.VM)
	return err
}

// ListFilter selects virtual machines. The zero value selects every VM that
// is not a template.
type ListFilter struct {
	NameContains     string     // case-insensitive substring of the name
	PowerState       PowerState // "" for any
	Datacenter       string     // datacenter name; "" for all
	IncludeTemplates bool
	Limit            int // at most this many; 0 for no limit
}

// MaxListLimit is the largest Limit a ListFilter may ask for.
const MaxListLimit = 100000

// Validate checks f.
func (f ListFilter) Validate() error {
	if f.PowerState != "" {
		if _, err := ParsePowerState(string(f.PowerState)); err != nil {
			return err
		}
	}
	if f.Limit < 0 || f.Limit > MaxListLimit {
		return Errorf(CodeInvalidArgument, "limit %d is out of range: use 1 to %d, or leave it out for no limit", f.Limit, MaxListLimit)
	}
	return first(validateObjectName("name_contains", f.NameContains), validateObjectName("datacenter", f.Datacenter))
}

func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
