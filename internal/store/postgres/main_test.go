package postgres

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// skipNotice is said once per `go test ./...` without PostgreSQL (by this
// package only), so that a passing run does not hide what it did not test.
const skipNotice = `note: HEARTH_TEST_POSTGRES is unset, so these ran on SQLite only or were skipped:
  the PostgreSQL store conformance suite (internal/store/postgres), the end-to-end tests on
  PostgreSQL (internal/rest, internal/gateway, internal/app) and the three-node cluster test.
  Run them too with:
    HEARTH_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./...
`

func TestMain(m *testing.M) {
	if os.Getenv(testURLEnv) == "" {
		fmt.Fprint(goCommandStderr(), skipNotice)
	}
	os.Exit(m.Run())
}

// goCommandStderr is the standard error of the go command that runs this
// test binary: go test shows a passing package's own output only with -v,
// and this notice must be seen without it. Elsewhere it is our own stderr.
func goCommandStderr() io.Writer {
	ppid := os.Getppid()
	exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(ppid), "exe"))
	if err != nil || filepath.Base(exe) != "go" {
		return os.Stderr
	}
	f, err := os.OpenFile(filepath.Join("/proc", strconv.Itoa(ppid), "fd", "2"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return os.Stderr
	}
	return f
}
