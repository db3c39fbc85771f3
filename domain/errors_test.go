package domain_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esximcp/esximcp/domain"
)

func TestErrorIs(t *testing.T) {
	err := fmt.Errorf("power on web: %w", domain.Errorf(domain.CodeConflict, "web is on"))
	assert.ErrorIs(t, err, domain.ErrConflict)
	assert.NotErrorIs(t, err, domain.ErrNotFound)
	assert.Equal(t, domain.CodeConflict, domain.CodeOf(err))
	assert.NotErrorIs(t, domain.ErrConflict, domain.Errorf(domain.CodeConflict, "x"), "only sentinels match by code")
}

func TestErrorfWrapsItsCause(t *testing.T) {
	cause := errors.New("socket closed")
	err := domain.Errorf(domain.CodeUnavailable, "vCenter is unreachable: %w", cause)
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "vCenter is unreachable: socket closed", err.Message)
	assert.Equal(t, "vCenter is unreachable: socket closed", err.Error(), "the cause is not repeated")
}

func TestWrapKeepsTheCauseOutOfTheMessage(t *testing.T) {
	err := domain.Wrap(domain.CodeUnavailable, errors.New("dial tcp: refused"), "vCenter is unreachable")
	assert.Equal(t, "vCenter is unreachable", err.Message)
	assert.Equal(t, "vCenter is unreachable: dial tcp: refused", err.Error())
}

func TestAsError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code domain.Code
		msg  string
	}{
		{"Domain", fmt.Errorf("ctx: %w", domain.Errorf(domain.CodeNotFound, "no VM")), domain.CodeNotFound, "no VM"},
		{"Deadline", fmt.Errorf("wait: %w", context.DeadlineExceeded), domain.CodeTimeout, "the operation did not finish before its deadline"},
		{"Cancelled", context.Canceled, domain.CodeTimeout, "the operation was cancelled before it finished"},
		{"Unknown", errors.New("password=hunter2 rejected"), domain.CodeInternal, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := domain.AsError(tc.err)
			require.NotNil(t, e)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.msg, e.Message)
			if tc.code != domain.CodeNotFound {
				assert.ErrorIs(t, e, tc.err, "the cause is kept for logs")
			}
		})
	}
	assert.Nil(t, domain.AsError(nil))
	assert.Equal(t, domain.Code(""), domain.CodeOf(nil))
}

func TestCodesAreDistinct(t *testing.T) {
	seen := map[domain.Code]bool{}
	for _, c := range domain.Codes() {
		assert.False(t, seen[c], "%s twice", c)
		seen[c] = true
	}
	assert.Len(t, seen, 10)
}
