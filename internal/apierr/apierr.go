// Package apierr holds the numeric error codes of the v4 REST API in one table
// and the error type that carries a code and its ErrorInfo text to the wire.
package apierr

import (
	"errors"
	"fmt"
)

// Error is an API-visible failure: the REST layer writes Code as ErrorCode and
// Info as ErrorInfo. Domain functions return *Error for every failure a caller
// can fix; any other error is internal.
type Error struct {
	Code int
	Info string
}

func (e *Error) Error() string { return fmt.Sprintf("error %d: %s", e.Code, e.Info) }

// New returns an *Error with a formatted ErrorInfo.
func New(code int, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Info: format}
	}
	return &Error{Code: code, Info: fmt.Sprintf(format, args...)}
}

// As reports whether err is (or wraps) an *Error and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the API code of err, or 0 when err is nil or not an *Error.
func CodeOf(err error) int {
	if e, ok := As(err); ok {
		return e.Code
	}
	return 0
}
