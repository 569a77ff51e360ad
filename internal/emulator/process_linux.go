package emulator

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// EndWithParent makes the kernel send sig to cmd's process when this
// process ends, however it ends (Linux's parent-death signal), so that a
// child never outlives the command that started it, even when that command
// is killed with SIGKILL. Call it before cmd.Start.
func EndWithParent(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = sig
}

// process is a process, known by its ID and its start time, so that a
// process that takes its ID later is not mistaken for it.
type process struct {
	pid   int
	start string // field 22 of /proc/PID/stat
}

// children lists the processes whose parent is pid.
func children(pid int) []process {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []process
	for _, d := range dirs {
		child, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if ppid, start, ok := stat(child); ok && ppid == pid {
			out = append(out, process{child, start})
		}
	}
	return out
}

// stat reads a process's parent and start time from /proc/PID/stat.
func stat(pid int) (ppid int, start string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", false
	}
	// The command name, in parentheses, may hold spaces: fields start
	// after the last ')'. They are then state, ppid, ..., starttime (22nd
	// of the whole line, so the 20th here).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 || f[0] == "Z" {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[19], err == nil
}

// kill sends SIGKILL to each process still running, and to its process
// group (the emulator starts the runtime in a group of its own).
func kill(ps []process) {
	for _, p := range ps {
		if _, start, ok := stat(p.pid); ok && start == p.start {
			_ = syscall.Kill(-p.pid, syscall.SIGKILL)
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
}
