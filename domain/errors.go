package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Code is the kind of a failure, as callers (an MCP client, a Go program)
// see it. The set is closed: every error that crosses a port carries one of
// these codes, and an error that carries none is CodeInternal.
type Code string

// The error codes. Their string values are part of the MCP surface.
const (
	CodeNotFound        Code = "not_found"
	CodeAmbiguous       Code = "ambiguous"
	CodeAlreadyExists   Code = "already_exists"
	CodeInvalidArgument Code = "invalid_argument"
	CodeConflict        Code = "conflict"
	CodeReadOnly        Code = "read_only"
	CodeForbidden       Code = "forbidden"
	CodeUnavailable     Code = "unavailable"
	CodeTimeout         Code = "timeout"
	CodeInternal        Code = "internal"
)

// Codes lists every code, in a stable order.
func Codes() []Code {
	return []Code{
		CodeNotFound, CodeAmbiguous, CodeAlreadyExists, CodeInvalidArgument,
		CodeConflict, CodeReadOnly, CodeForbidden, CodeUnavailable, CodeTimeout,
		CodeInternal,
	}
}

// Candidate is one of the objects an ambiguous reference matched.
type Candidate struct {
	ID         string
	Name       string
	Path       string
	Datacenter string
}

// Error is a failure of a known kind. Message is a complete sentence that is
// safe to show to a user: it never holds a password, a cookie or a stack
// trace. Err, when set, is the underlying cause, kept for logs.
type Error struct {
	Code       Code
	Message    string
	Candidates []Candidate
	Err        error
}

// Sentinels for errors.Is: errors.Is(err, domain.ErrNotFound) holds for
// every *Error whose Code is CodeNotFound.
var (
	ErrNotFound        = &Error{Code: CodeNotFound}
	ErrAmbiguous       = &Error{Code: CodeAmbiguous}
	ErrAlreadyExists   = &Error{Code: CodeAlreadyExists}
	ErrInvalidArgument = &Error{Code: CodeInvalidArgument}
	ErrConflict        = &Error{Code: CodeConflict}
	ErrReadOnly        = &Error{Code: CodeReadOnly}
	ErrForbidden       = &Error{Code: CodeForbidden}
	ErrUnavailable     = &Error{Code: CodeUnavailable}
	ErrTimeout         = &Error{Code: CodeTimeout}
	ErrInternal        = &Error{Code: CodeInternal}
)

// Errorf returns an *Error of the given code whose message is formatted.
// A %w verb in format wraps its argument as the cause.
func Errorf(code Code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// Wrap returns an *Error of the given code with message msg and cause err.
// The cause is kept for logs and errors.Is; it is not part of Message.
func Wrap(code Code, err error, msg string) *Error {
	return &Error{Code: code, Message: msg, Err: err}
}

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	if e.Err == nil || strings.Contains(e.Message, e.Err.Error()) {
		return e.Message
	}
	if e.Message == "" {
		return e.Err.Error()
	}
	return e.Message + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Err == nil && t.Code == e.Code
}

// AsError returns the outermost *Error in err's chain. Errors of the context
// package become CodeTimeout; anything else becomes CodeInternal with the
// message "internal error", so that details never reach a user by accident.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return Wrap(CodeTimeout, err, "the operation did not finish before its deadline")
	case errors.Is(err, context.Canceled):
		return Wrap(CodeTimeout, err, "the operation was cancelled before it finished")
	}
	return Wrap(CodeInternal, err, "internal error")
}

// CodeOf returns the code of err (see AsError), or "" for a nil error.
func CodeOf(err error) Code {
	if e := AsError(err); e != nil {
		return e.Code
	}
	return ""
}
