package sharing

import "errors"

// Sentinel errors of the sharing domain. The HTTP layer maps them to status
// codes in one table (server/error.go).
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthorized    = errors.New("unauthorized")
	ErrInvalidArgument = errors.New("invalid argument")
)
