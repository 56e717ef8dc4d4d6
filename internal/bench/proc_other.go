//go:build !linux

package bench

import (
	"errors"
	"os/exec"
	"time"
)

type procStat struct {
	CPU     time.Duration
	RSS     int64
	PeakRSS int64
}

var errNoProc = errors.New("process statistics need Linux's /proc")

func readProc(int) (procStat, error) { return procStat{}, errNoProc }

func resetPeak(int) error { return errNoProc }

func raiseFileLimit() (uint64, error) { return 0, errNoProc }

func dieWithParent(*exec.Cmd) {}
