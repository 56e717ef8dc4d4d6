package account

import "github.com/hearth-chat/hearth/internal/apierr"

// ValidUserID reports whether id is a well-formed UserID: 1–32 bytes of
// printable ASCII (0x20–0x7E).
func ValidUserID(id string) bool {
	if len(id) == 0 || len(id) > MaxUserIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// CheckUserID returns an *apierr.Error with the given code when id is not a
// well-formed UserID, naming field in its ErrorInfo.
func CheckUserID(field, id string, code int) error {
	switch {
	case id == "":
		return apierr.New(code, "%s is required", field)
	case len(id) > MaxUserIDBytes:
		return apierr.New(code, "%s is longer than %d bytes", field, MaxUserIDBytes)
	case !ValidUserID(id):
		return apierr.New(code, "%s must be printable ASCII", field)
	}
	return nil
}
