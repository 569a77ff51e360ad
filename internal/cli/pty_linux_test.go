package cli_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/asyncinvoke/asyncinvoke/internal/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// terminal opens a pseudo-terminal: what the command writes to tty, the
// test reads from the returned function once the tty is closed.
func terminal(t *testing.T) (tty *os.File, read func() string) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	var unlock int32
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptm.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlock the pseudo-terminal: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptm.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("name the pseudo-terminal: %v", e)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open the pseudo-terminal: %v", err)
	}
	var got bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&got, ptm); close(done) }() // until the tty closes (EIO)
	return tty, func() string {
		tty.Close()
		<-done
		return got.String()
	}
}

// TestDiffColor: --diff colours on a terminal, unless NO_COLOR is set or
// TERM is dumb (piped output is never coloured: TestDiff).
func TestDiffColor(t *testing.T) {
	tests := []struct {
		name, env string
		colored   bool
	}{
		{"a terminal", "", true},
		{"NO_COLOR", "NO_COLOR=1", false},
		{"TERM=dumb", "TERM=dumb", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			t.Setenv("TERM", "xterm")
			if k, v, ok := strings.Cut(tc.env, "="); ok {
				t.Setenv(k, v)
			}
			tty, read := terminal(t)
			var errs bytes.Buffer
			code := cli.Main([]string{"expand", "--diff", "testdata/example.yaml"}, cli.IO{Stdout: tty, Stderr: &errs})
			require.Equal(t, 0, code, errs.String())
			out := read()
			assert.Contains(t, out, "AsyncInvoke: always")
			assert.Equal(t, tc.colored, strings.Contains(out, "\x1b[31m-      AsyncInvoke: always\x1b[0m"), out)
			assert.Equal(t, tc.colored, strings.Contains(out, "\x1b["))
		})
	}
}
