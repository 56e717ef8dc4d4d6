package app_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/app"
)

// serveErr runs `hearth serve` on dir and returns the error it stops with.
func serveErr(t *testing.T, dir string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, func(string) string { return "" }, &out, &errOut)
	if err == nil {
		t.Fatalf("serve on %s did not fail", dir)
	}
	return err
}

// readOnlyMount makes path read-only with a bind mount (Linux, as root),
// or skips the test where that is not possible.
func readOnlyMount(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a read-only bind mount")
	}
	if err := exec.Command("mount", "--bind", path, path).Run(); err != nil {
		t.Skipf("cannot bind-mount %s: %v", path, err)
	}
	t.Cleanup(func() { exec.Command("umount", path).Run() })
	if out, err := exec.Command("mount", "-o", "remount,ro,bind", path).CombinedOutput(); err != nil {
		t.Skipf("cannot remount %s read-only: %v %s", path, err, out)
	}
}

// Errors about the data directory name --data / HEARTH_DATA and the fix.
func TestDataDirErrorsNameTheFix(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) string // returns the --data value
		want  []string
	}{
		{"a file where the directory should be", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "data")
			os.WriteFile(p, []byte("x"), 0o600)
			return p
		}, []string{"--data", "HEARTH_DATA", "is a file, not a directory"}},
		{"a file in the path", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "file")
			os.WriteFile(p, []byte("x"), 0o600)
			return filepath.Join(p, "data")
		}, []string{"--data", "HEARTH_DATA", "is a file"}},
		{"a directory this user may not write", func(t *testing.T) string {
			if os.Geteuid() == 0 {
				t.Skip("root may write any directory")
			}
			p := filepath.Join(t.TempDir(), "data")
			os.Mkdir(p, 0o500)
			return p
		}, []string{"--data", "HEARTH_DATA", "permission denied", "chmod"}},
		{"a read-only file system", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "data")
			os.Mkdir(p, 0o700)
			readOnlyMount(t, p)
			return p
		}, []string{"--data", "HEARTH_DATA", "read-only file system"}},
		{"a read-only database file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "data")
			os.Mkdir(p, 0o700)
			db := filepath.Join(p, "hearth.db")
			os.WriteFile(db, nil, 0o600)
			readOnlyMount(t, db)
			return p
		}, []string{"hearth.db", "read-only", "chmod u+w", "--data", "HEARTH_DATA"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := serveErr(t, tc.setup(t))
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
