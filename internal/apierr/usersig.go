package apierr

import (
	"errors"

	"github.com/hearth-chat/hearth/internal/usersig"
)

// keySource names where a server's signing key comes from, for the errors
// that depend on it.
const keySource = "the app's secret key (--secret-key, HEARTH_SECRET_KEY, or credentials.json in the data directory)"

// UserSig maps a UserSig verification failure to its public code and
// ErrorInfo. The REST gateway and the WebSocket gateway both answer with
// it, so a token fails with the same code and words on either.
func UserSig(err error) *Error {
	var se *usersig.Error
	if !errors.As(err, &se) {
		return New(SigUndecodable, "UserSig: cannot decode the token")
	}
	switch se.Reason {
	case usersig.ReasonEmpty:
		return New(SigEmpty, "UserSig: missing; sign one with "+keySource)
	case usersig.ReasonAppIDMismatch:
		return New(SigAppIDDiffer, "UserSig: issued for another SDKAppID (%s)", se.Msg)
	case usersig.ReasonIdentifierMismatch:
		return New(SigIdentifierDiffer, "UserSig: issued for another identifier (%s)", se.Msg)
	case usersig.ReasonBadSignature:
		return New(SigBadSignature, "UserSig: the signature does not verify with "+keySource)
	case usersig.ReasonExpired:
		return New(SigExpired, "UserSig: expired (%s); sign a new one with "+keySource, se.Msg)
	default:
		return New(SigUndecodable, "UserSig: cannot decode the token (%s)", se.Msg)
	}
}

// Revoked is the answer to a UserSig issued before its account was kicked
// or deleted.
func Revoked() *Error {
	return New(SigRevoked, "UserSig: invalidated by a kick or an account deletion; sign a new one with "+keySource)
}
