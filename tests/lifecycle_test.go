package tests

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoProcessOutlivesTheCommand ends `asyncinvoke local start-api` (and
// `local invoke`) in each way a user's session ends it, while the worker is
// running an invocation, and finds no process it started left: not the
// emulator, not the worker's bootstrap. Each run carries a mark in its
// environment, which every process it starts inherits, so that a process
// left behind is found wherever it was reparented.
func TestNoProcessOutlivesTheCommand(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	bin := asyncinvoke(t)
	event := filepath.Join(t.TempDir(), "slow.json")
	require.NoError(t, os.WriteFile(event, []byte(`{"sleepMs":20000}`), 0o644))

	tests := []struct {
		name   string
		invoke bool   // local invoke, not start-api
		end    string // signal, "kill -9", "broken pipe" or "parent ends"
		says   string // on standard error, when it can still write there
		status int    // the exit status; -1 when nobody can read it (killed, or its parent gone)
	}{
		// start-api exits 0 when asked to stop (Ctrl-C, SIGTERM), and 128+n
		// when its session goes away under it; local invoke, whose result
		// never comes, 128+n whatever ends it.
		{name: "the terminal closes (SIGHUP)", end: "SIGHUP", says: "Stopping on SIGHUP (the terminal closed)", status: 129},
		{name: "SIGTERM", end: "SIGTERM", says: "Stopping on SIGTERM:", status: 0},
		{name: "Ctrl-C", end: "SIGINT", says: "Stopping on Ctrl-C (SIGINT):", status: 0},
		{name: "killed (SIGKILL)", end: "kill -9", status: -1},
		{name: "| head: its standard error's reader goes", end: "broken pipe", status: 141},
		{name: "its parent ends", end: "parent ends", says: "Stopping on its parent process ended", status: -1},
		{name: "local invoke, the terminal closes (SIGHUP)", invoke: true, end: "SIGHUP", says: "asyncinvoke: invoke WorkerFunction: cut short by SIGHUP (the terminal closed) after", status: 129},
		{name: "local invoke, Ctrl-C", invoke: true, end: "SIGINT", says: "asyncinvoke: invoke WorkerFunction: cut short by Ctrl-C (SIGINT) after", status: 130},
		{name: "local invoke, SIGTERM", invoke: true, end: "SIGTERM", says: "asyncinvoke: invoke WorkerFunction: cut short by SIGTERM after", status: 143},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mark := "ASYNCINVOKE_TEST_RUN=" + randomHex()
			t.Cleanup(func() { killMarked(mark) })
			port := freePort(t)
			args := []string{"local", "start-api", "-t", "../examples/jobs.yaml", "--port", strconv.Itoa(port)}
			if tc.invoke {
				args = []string{"local", "invoke", "-t", "../examples/jobs.yaml", "-e", event, "WorkerFunction"}
			}
			var cmd *exec.Cmd
			if tc.end == "parent ends" {
				// A shell that starts the command and waits: killing it
				// leaves the command without its parent.
				cmd = exec.Command("sh", append([]string{"-c", `"$@" & wait`, "sh", bin}, args...)...)
			} else {
				cmd = exec.Command(bin, args...)
			}
			cmd.Env = append(os.Environ(), mark)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the test's own Ctrl-C does not reach it
			cmd.WaitDelay = 10 * time.Second
			logs := &syncBuffer{}
			r, w, err := os.Pipe()
			require.NoError(t, err)
			cmd.Stdout, cmd.Stderr = io.Discard, w
			require.NoError(t, cmd.Start())
			w.Close()
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			reading := make(chan struct{})
			go func() {
				defer close(reading)
				sc := bufio.NewScanner(r)
				for sc.Scan() {
					logs.Write([]byte(sc.Text() + "\n"))
				}
			}()
			defer func() {
				if t.Failed() {
					t.Log(logs.String())
				}
			}()

			if !tc.invoke {
				waitFor(t, logs, "Running on", 3*time.Minute)
				go func() { // asynchronous: answered at once
					resp, err := http.Post("http://127.0.0.1:"+strconv.Itoa(port)+"/jobs", "application/json", strings.NewReader(`{"sleepMs":20000}`))
					if err == nil {
						resp.Body.Close()
					}
				}()
			}
			waitFor(t, logs, "worker: started", 3*time.Minute)
			require.NotEmpty(t, marked(mark), "the command's processes carry the mark")

			switch tc.end {
			case "SIGHUP", "SIGTERM", "SIGINT":
				sig := map[string]syscall.Signal{"SIGHUP": syscall.SIGHUP, "SIGTERM": syscall.SIGTERM, "SIGINT": syscall.SIGINT}[tc.end]
				require.NoError(t, cmd.Process.Signal(sig))
			case "kill -9", "parent ends":
				require.NoError(t, cmd.Process.Kill())
			case "broken pipe":
				r.Close()
			}
			if tc.end != "parent ends" {
				select {
				case <-exited:
				case <-time.After(time.Minute):
					t.Fatal("the command did not end")
				}
				if tc.status >= 0 {
					assert.Equal(t, tc.status, cmd.ProcessState.ExitCode(), "exit status")
				}
			}
			var left []string
			deadline := time.Now().Add(30 * time.Second)
			for {
				if left = marked(mark); len(left) == 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			assert.Empty(t, left, "processes left running")
			if tc.end != "broken pipe" {
				<-reading
			}
			if tc.says != "" {
				assert.Contains(t, logs.String(), tc.says)
				// The emulator's own line for the invocation shutdown cut
				// short, which the server's line has said.
				assert.NotContains(t, logs.String(), "errResetReceived")
			}
		})
	}
}

// marked lists the running processes (zombies aside) whose environment
// holds mark.
func marked(mark string) []string {
	dirs, _ := os.ReadDir("/proc")
	var out []string
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		if s := string(stat); strings.HasPrefix(strings.TrimSpace(s[strings.LastIndexByte(s, ')')+1:]), "Z") {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		if err != nil || !strings.Contains("\x00"+string(env), "\x00"+mark+"\x00") {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		out = append(out, d.Name()+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return out
}

// killMarked kills what a failed run left.
func killMarked(mark string) {
	for _, p := range marked(mark) {
		pid, _ := strconv.Atoi(strings.Fields(p)[0])
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
