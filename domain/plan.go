package domain

// Action names what a mutation does.
type Action string

// The mutations.
const (
	ActionCreate   Action = "create"
	ActionClone    Action = "clone"
	ActionDelete   Action = "delete"
	ActionPowerOn  Action = "power_on"
	ActionPowerOff Action = "power_off"
)

// Plan is what a mutation would do, as a dry run reports it: the action,
// the object it acts on or creates, where, and the steps in order.
type Plan struct {
	Action Action
	// Target is the VM acted on; for create and clone, the VM as it would be
	// (no id yet).
	Target VM
	// Source is the VM or template a clone copies.
	Source *VM
	// Placement is where a new VM would go (create and clone only).
	Placement *Placement
	// Steps are the operations, in order, in plain words. Empty when nothing
	// would change.
	Steps []string
}
