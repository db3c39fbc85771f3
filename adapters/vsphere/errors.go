package vsphere

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esximcp/esximcp/domain"
)

// This file is the only one that knows vSphere's faults: the rest of the
// adapter asks it what an error means, and it maps errors to the domain's
// kinds with a sentence a vSphere admin can act on. Faults are recognised
// by type (fault.Is, fault.As, errors.As), never by their text. No message
// holds a password or a session cookie: they come from our own format
// strings, and the causes they wrap come from a client that holds neither
// in its URL.

// isNotAuthenticated reports whether err says that the session is not, or
// no longer, logged in.
func isNotAuthenticated(err error) bool {
	return err != nil && fault.Is(err, &types.NotAuthenticated{})
}

// isInvalidLogin reports whether err says that vCenter rejected the
// credentials.
func isInvalidLogin(err error) bool {
	return err != nil && fault.Is(err, &types.InvalidLogin{})
}

// isObjectGone reports whether err says that a managed object does not
// exist (any more).
func isObjectGone(err error) bool {
	return err != nil && fault.Is(err, &types.ManagedObjectNotFound{})
}

// isToolsUnavailable reports whether err says that VMware Tools are not
// running in a guest.
func isToolsUnavailable(err error) bool {
	return err != nil && fault.Is(err, &types.ToolsUnavailable{})
}

// missingFault returns the fault of the first property vCenter could not
// return for o, or nil. vcsim reports an unauthenticated retrieval this
// way, with NotAuthenticated, rather than as a fault of the call.
func missingFault(o types.ObjectContent) error {
	for _, m := range o.MissingSet {
		if m.Fault.Fault != nil {
			return soap.WrapVimFault(m.Fault.Fault)
		}
	}
	return nil
}

// taskError returns the error of a task that failed with f.
func taskError(info *types.TaskInfo) error {
	if info.Error == nil {
		return errors.New("the task failed without saying why")
	}
	return task.Error{LocalizedMethodFault: info.Error, Description: info.Description}
}

// isUnreachable reports whether err is a failure to talk to vCenter at all:
// a refused or dropped connection, a DNS or TLS failure, an HTTP status
// other than the SOAP ones.
func isUnreachable(err error) bool {
	var netErr net.Error
	var urlErr *url.Error
	return errors.As(err, &urlErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// isUntrustedCertificate reports whether err is a TLS verification failure.
func isUntrustedCertificate(err error) bool {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// translate returns err as a domain error about what, a phrase such as
// "power on /DC0/vm/web (vm-42)". Domain errors pass through unchanged.
func (h *Hypervisor) translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	code, msg := h.classify(err, what)
	return domain.Wrap(code, err, msg)
}

// classify returns the kind of err and a sentence about what failed.
func (h *Hypervisor) classify(err error, what string) (domain.Code, string) {
	var (
		powerState *types.InvalidPowerState
		noPerm     *types.NoPermission
		dup        *types.DuplicateName
		gone       *types.ManagedObjectNotFound
		badArg     *types.InvalidArgument
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return domain.CodeTimeout, what + " did not finish before the request's deadline"
	case errors.Is(err, context.Canceled):
		return domain.CodeTimeout, what + " was cancelled before it finished"
	case isUntrustedCertificate(err):
		return domain.CodeUnavailable, "could not " + what + ": the TLS certificate of " + h.host +
			" is not trusted: set ca_file to the PEM bundle of its certificate authority, or insecure: true to skip verification"
	case isInvalidLogin(err):
		return domain.CodeForbidden, h.host + " rejected the user name or password of " + h.userName +
			": check vcenter_user and vcenter_password"
	case isNotAuthenticated(err):
		return domain.CodeUnavailable, "could not " + what + ": the session with " + h.host +
			" was lost and logging in again did not restore it"
	case isAs(err, &noPerm):
		return domain.CodeForbidden, "could not " + what + ": user " + h.userName + " lacks the vSphere privilege " +
			noPerm.PrivilegeId + refSuffix(noPerm.Object)
	case isAs(err, &gone):
		return domain.CodeNotFound, "could not " + what + ": " + gone.Obj.Value + " no longer exists"
	case isAs(err, &powerState):
		return domain.CodeConflict, "could not " + what + ": the VM is " + string(powerState.ExistingState)
	case isAs(err, &dup):
		return domain.CodeAlreadyExists, "could not " + what + ": the name " + dup.Name + " is taken" + refSuffix(&dup.Object)
	case fault.Is(err, &types.AlreadyExists{}), fault.Is(err, &types.FileAlreadyExists{}):
		return domain.CodeAlreadyExists, "could not " + what + ": it already exists"
	case fault.Is(err, &types.ToolsUnavailable{}):
		return domain.CodeConflict, "could not " + what + ": VMware Tools are not running in the guest"
	case fault.Is(err, &types.InvalidState{}), fault.Is(err, &types.TaskInProgress{}),
		fault.Is(err, &types.ConcurrentAccess{}), fault.Is(err, &types.InsufficientResourcesFault{}):
		return domain.CodeConflict, "could not " + what + ": the object is busy or in a state that does not allow it"
	case fault.Is(err, &types.NotSupported{}), fault.Is(err, &types.NotImplemented{}):
		return domain.CodeInvalidArgument, "could not " + what + ": " + h.host + " does not support it"
	case isAs(err, &badArg):
		return domain.CodeInvalidArgument, "could not " + what + ": vSphere rejected the argument " + badArg.InvalidProperty
	case fault.Is(err, &types.NotFound{}), fault.Is(err, &types.FileNotFound{}):
		return domain.CodeNotFound, "could not " + what + ": an object it needs does not exist"
	case fault.Is(err, &types.HostNotConnected{}), fault.Is(err, &types.HostCommunication{}):
		return domain.CodeUnavailable, "could not " + what + ": the ESXi host is not connected to vCenter"
	case isUnreachable(err):
		return domain.CodeUnavailable, "could not " + what + ": " + h.host + " is unreachable"
	}
	return domain.CodeInternal, "could not " + what + ": vSphere reported an unexpected error"
}

// isAs is fault.As for a pointer to a concrete fault type.
func isAs[T types.BaseMethodFault](err error, target *T) bool {
	_, ok := fault.As(err, target)
	return ok
}

func refSuffix(ref *types.ManagedObjectReference) string {
	if ref == nil || ref.Value == "" {
		return ""
	}
	return " (" + ref.Value + ")"
}
