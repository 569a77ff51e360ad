//go:build !linux

package emulator

import (
	"os/exec"
	"syscall"
)

// EndWithParent does nothing here: only Linux has a parent-death signal.
func EndWithParent(cmd *exec.Cmd, sig syscall.Signal) {}

type process struct{}

// children is not known here.
func children(pid int) []process { return nil }

func kill(ps []process) {}
