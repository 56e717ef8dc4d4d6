package client

import (
	"compress/zlib"
	"errors"
	"time"

	"github.com/hearth-chat/hearth/internal/usersig"
)

// UserSig signs a UserSig (a TLS-Sig v2 token) for identifier in app
// sdkAppID with the app's secret key, valid for expire from now: what
// `hearth usersig` prints, for tests and tools. The secret key signs for
// every user of the app, so a real client gets its UserSig from the app's
// server and never holds the key.
func UserSig(sdkAppID uint64, secretKey, identifier string, expire time.Duration) (string, error) {
	if expire < time.Second {
		return "", errors.New("hearth: UserSig: expire must be at least a second")
	}
	return usersig.Sign(sdkAppID, secretKey, identifier, time.Now(), expire, zlib.DefaultCompression)
}
