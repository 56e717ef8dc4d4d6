package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// prepareDataDir makes sure the data directory (--data, HEARTH_DATA) exists
// and is writable, and says what to do when it is not.
func prepareDataDir(dir string) error {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("the data directory %s (--data, HEARTH_DATA) is a file, not a directory: point --data at a directory (it is created when missing) or move the file away", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return dataDirError(dir, "cannot create", err)
	}
	f, err := os.CreateTemp(dir, ".hearth-write-check-*")
	if err != nil {
		return dataDirError(dir, "cannot write in", err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// dataDirError explains a failure to use the data directory by its cause.
func dataDirError(dir, what string, err error) error {
	fix := "choose another with --data (or HEARTH_DATA)"
	switch {
	case errors.Is(err, fs.ErrPermission):
		fix = "permission denied: make it writable by this user (chown, chmod u+rwx) or " + fix
	case errors.Is(err, syscall.EROFS):
		fix = "it is on a read-only file system: " + fix
	case errors.Is(err, syscall.ENOTDIR):
		fix = "a part of the path is a file, not a directory: " + fix
	case errors.Is(err, syscall.ENOSPC):
		fix = "the disk is full: free space or " + fix
	}
	return fmt.Errorf("%s the data directory %s (--data, HEARTH_DATA): %s (%v)", what, dir, fix, err)
}

// sqliteOpenError explains a failure to open the SQLite database in the
// data directory: a read-only database file names the files to fix.
func sqliteOpenError(dir, path string, err error) error {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "readonly") || strings.Contains(msg, "read-only"):
		return fmt.Errorf("the SQLite database %s is read-only: make it and its -wal and -shm files writable by this user (chmod u+w %s*), or choose another data directory with --data (or HEARTH_DATA) (%v)", path, path, err)
	case strings.Contains(msg, "unable to open") || errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("cannot open the SQLite database %s: check that this user may read and write it and the data directory %s (--data, HEARTH_DATA) (%v)", path, dir, err)
	}
	return fmt.Errorf("open SQLite at %s: %w", path, err)
}
