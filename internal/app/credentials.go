package app

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
)

// credentialsFile holds the generated SDKAppID and secret key in the data
// directory, readable by the owner only.
const credentialsFile = "credentials.json"

type credentials struct {
	SDKAppID  uint64 `json:"sdkappid"`
	SecretKey string `json:"secret_key"`
}

// loadCredentials reads the credentials kept in dataDir; ok is false when
// there are none yet.
func loadCredentials(dataDir string) (c credentials, ok bool, err error) {
	path := filepath.Join(dataDir, credentialsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &c); err != nil || c.SDKAppID == 0 || c.SecretKey == "" {
		return c, false, fmt.Errorf("%s is damaged: delete it to generate new credentials, or pass --sdkappid and --secret-key", path)
	}
	return c, true, nil
}

// generateCredentials makes a new SDKAppID (14xxxxxxxx, like the hosted
// service's) and a 64-hex-digit secret key and writes them to dataDir with
// mode 0600.
func generateCredentials(dataDir string) (credentials, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return credentials{}, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return credentials{}, err
	}
	c := credentials{SDKAppID: 1_400_000_000 + n.Uint64(), SecretKey: hex.EncodeToString(key)}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return c, fmt.Errorf("create data directory: %w", err)
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	path := filepath.Join(dataDir, credentialsFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return c, fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return c, fmt.Errorf("write %s: %w", path, err)
	}
	return c, nil
}
