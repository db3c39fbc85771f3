package vsphere

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

func TestTranslate(t *testing.T) {
	h := &Hypervisor{host: "vCenter at vc.example.com", userName: "admin@vsphere.local"}
	vm := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-42"}
	vimFault := func(f types.BaseMethodFault) error { return soap.WrapVimFault(f) }
	inTask := func(f types.BaseMethodFault) error {
		return task.Error{LocalizedMethodFault: &types.LocalizedMethodFault{Fault: f, LocalizedMessage: "from a task"}}
	}
	for _, tc := range []struct {
		name string
		err  error
		code domain.Code
		want string // in the message
	}{
		{"InvalidPowerState", inTask(&types.InvalidPowerState{ExistingState: types.VirtualMachinePowerStatePoweredOn}), domain.CodeConflict, "poweredOn"},
		{"DuplicateName", inTask(&types.DuplicateName{Name: "web", Object: vm}), domain.CodeAlreadyExists, "web"},
		{"ManagedObjectNotFound", vimFault(&types.ManagedObjectNotFound{Obj: vm}), domain.CodeNotFound, "vm-42"},
		{"NotAuthenticated", vimFault(&types.NotAuthenticated{}), domain.CodeUnavailable, "session"},
		{"InvalidLogin", vimFault(&types.InvalidLogin{}), domain.CodeForbidden, "user name or password"},
		{"NoPermission", vimFault(&types.NoPermission{PrivilegeId: "VirtualMachine.Interact.PowerOn", Object: &vm}), domain.CodeForbidden, "VirtualMachine.Interact.PowerOn"},
		{"NotSupported", inTask(&types.NotSupported{}), domain.CodeInvalidArgument, "does not support"},
		{"ToolsUnavailable", vimFault(&types.ToolsUnavailable{}), domain.CodeConflict, "VMware Tools"},
		{"InvalidState", inTask(&types.InvalidState{}), domain.CodeConflict, "state"},
		{"TaskInProgress", inTask(&types.TaskInProgress{}), domain.CodeConflict, "busy"},
		{"InvalidArgument", vimFault(&types.InvalidArgument{InvalidProperty: "spec.numCPUs"}), domain.CodeInvalidArgument, "spec.numCPUs"},
		{"FileAlreadyExists", inTask(&types.FileAlreadyExists{}), domain.CodeAlreadyExists, "exists"},
		{"HostNotConnected", inTask(&types.HostNotConnected{}), domain.CodeUnavailable, "not connected"},
		{"ConnectionRefused", &url.Error{Op: "Post", URL: "https://vc.example.com/sdk", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}, domain.CodeUnavailable, "unreachable"},
		{"EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), domain.CodeUnavailable, "unreachable"},
		{"Deadline", fmt.Errorf("post: %w", context.DeadlineExceeded), domain.CodeTimeout, "deadline"},
		{"Cancelled", context.Canceled, domain.CodeTimeout, "cancelled"},
		{"Unknown", inTask(&types.GenericVmConfigFault{}), domain.CodeInternal, "unexpected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.translate(tc.err, "power on /DC0/vm/web (vm-42)")
			assert.Equal(t, tc.code, domain.CodeOf(err), "%v", err)
			e := domain.AsError(err)
			assert.Contains(t, e.Message, tc.want)
			assert.ErrorIs(t, err, tc.err, "the cause is kept for the log")
		})
	}
	t.Run("DomainErrorsPassThrough", func(t *testing.T) {
		err := domain.Errorf(domain.CodeConflict, "already on")
		assert.Same(t, err, h.translate(err, "x"))
	})
	t.Run("Nil", func(t *testing.T) {
		assert.NoError(t, h.translate(nil, "x"))
	})
}

func TestMissingFault(t *testing.T) {
	o := types.ObjectContent{MissingSet: []types.MissingProperty{{Path: "name", Fault: types.LocalizedMethodFault{Fault: &types.NotAuthenticated{}}}}}
	assert.True(t, isNotAuthenticated(missingFault(o)), "vcsim's way of refusing a retrieval")
	assert.NoError(t, missingFault(types.ObjectContent{}))
}
