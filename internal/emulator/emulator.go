// Package emulator runs a Lambda function's bootstrap under the AWS Lambda
// Runtime Interface Emulator, what `sam local invoke` runs inside its
// container, and invokes it through the Lambda Invoke API with the AWS SDK.
// Find finds the emulator, or installs the pinned version into the user's
// cache.
package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// FunctionName is the name the emulator serves its one function under.
const FunctionName = "function"

// Config describes one emulated function.
type Config struct {
	RIE       string            // the emulator executable; Find's answer when empty
	Bootstrap string            // path of the function's bootstrap executable
	Name      string            // AWS_LAMBDA_FUNCTION_NAME; defaults to FunctionName
	Timeout   time.Duration     // the function's timeout; defaults to 30s
	MemoryMB  int               // AWS_LAMBDA_FUNCTION_MEMORY_SIZE; defaults to 128
	Env       map[string]string // the function's environment variables
	Log       io.Writer         // where the emulator and the function log; nil discards
	// Stopping, once done, says that whoever runs the emulator is cutting
	// short the invocations still running, and says so itself: the
	// emulator's own line for each ("[ERROR] (rapid) Invoke failed
	// error=errResetReceived") is then left out of Log.
	Stopping context.Context
}

// Emulator is one running emulator process.
type Emulator struct {
	cmd      *exec.Cmd
	endpoint string
	done     chan struct{}
	stopOnce sync.Once
}

// Start starts the emulator for c.Bootstrap on two free loopback ports and
// waits until it accepts invocations.
func Start(ctx context.Context, c Config) (*Emulator, error) {
	if _, err := os.Stat(c.Bootstrap); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	rie := c.RIE
	if rie == "" {
		var err error
		if rie, err = Find(ctx, c.Log); err != nil {
			return nil, err
		}
	}
	if c.Name == "" {
		c.Name = FunctionName
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MemoryMB == 0 {
		c.MemoryMB = 128
	}
	// Another process may take a port between freeAddr and the emulator's
	// bind, and the emulator then exits: start it again on others.
	for tries := 1; ; tries++ {
		e, err := start(ctx, rie, c)
		if !errors.Is(err, errExited) || tries == 3 {
			return e, err
		}
	}
}

// errExited: the emulator exited before it listened.
var errExited = errors.New("the emulator exited at start-up")

// start starts the emulator on two free loopback ports and waits until it
// accepts invocations.
func start(ctx context.Context, rie string, c Config) (*Emulator, error) {
	api, err := freeAddr()
	if err != nil {
		return nil, err
	}
	runtimeAPI, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(rie, "--log-level", "error",
		"--runtime-interface-emulator-address", api,
		"--runtime-api-address", runtimeAPI,
		c.Bootstrap)
	cmd.Env = append(os.Environ(),
		"AWS_LAMBDA_FUNCTION_NAME="+c.Name,
		fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", int(c.Timeout.Seconds())),
		fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", c.MemoryMB),
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
	)
	for k, v := range c.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if c.Log != nil {
		// Through a pipe of this process, never its own standard error: a
		// broken pipe there is for this process to notice (and stop every
		// emulator), not for the emulator to die of.
		cmd.Stdout = onlyWriter{c.Log}
		if c.Stopping != nil {
			cmd.Stdout = &cutShortFilter{w: c.Log, stopping: c.Stopping}
		}
		cmd.Stderr = cmd.Stdout
		cmd.WaitDelay = time.Second // the runtime may hold the pipe for a moment after the emulator ends
	}
	// Its own process group, which Ctrl-C at the terminal does not reach:
	// Stop stops it, once queued invocations are done. And the emulator
	// gets SIGTERM, on which it stops its runtime, when this process ends,
	// however it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	EndWithParent(cmd, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the emulator: %w", err)
	}
	e := &Emulator{cmd: cmd, endpoint: "http://" + api, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(e.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", api, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return e, nil
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("%w; run it by hand to see why: %s", errExited, strings.Join(cmd.Args, " "))
		case <-ctx.Done():
			e.Stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.Stop()
			return nil, fmt.Errorf("the emulator did not listen on %s within 10s", api)
		}
	}
}

// Endpoint is the emulator's Lambda Invoke API endpoint.
func (e *Emulator) Endpoint() string { return e.endpoint }

// Stop ends the emulator and the function it runs: SIGTERM, on which the
// emulator stops its runtime, then after 3 seconds SIGKILL, to the
// emulator and to the runtime, which runs in a process group of its own.
func (e *Emulator) Stop() {
	e.stopOnce.Do(func() {
		if e.cmd.Process == nil {
			return
		}
		runtimes := children(e.cmd.Process.Pid)
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-e.done:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
			<-e.done
		}
		kill(runtimes)
	})
}

// onlyWriter hides the *os.File behind a writer, so that os/exec gives the
// child a pipe.
type onlyWriter struct{ io.Writer }

// cutShortLine reports whether a line of the emulator's output is the one
// it writes for an invocation that ends before the function answers (its
// caller went away, or it was told to stop): "[ERROR] (rapid) Invoke
// failed", with error=errResetReceived among its fields, in any order.
func cutShortLine(line []byte) bool {
	return bytes.Contains(line, []byte("(rapid) Invoke failed ")) && bytes.Contains(line, []byte(" error=errResetReceived"))
}

// cutShortFilter writes the emulator's output to w, but once stopping is
// done, without the lines that mark an invocation cut short. The emulator
// writes each line at once, so that a line reaches Write whole.
type cutShortFilter struct {
	w        io.Writer
	stopping context.Context
}

func (f *cutShortFilter) Write(p []byte) (int, error) {
	if f.stopping.Err() == nil || !cutShortLine(p) {
		return f.w.Write(p)
	}
	var kept []byte
	for line := range bytes.Lines(p) {
		if !cutShortLine(line) {
			kept = append(kept, line...)
		}
	}
	if len(kept) > 0 {
		if _, err := f.w.Write(kept); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Invoke invokes the emulated function synchronously and returns its
// response payload. When the function fails, the error is a
// *FunctionError, which holds the error payload; any other error is the
// Invoke API's: the function did not answer.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := Client(e.endpoint).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(FunctionName), Payload: payload})
	if err != nil {
		return nil, err
	}
	if fe := FunctionErrorOf(out); fe != nil {
		return nil, fe
	}
	return out.Payload, nil
}

func freeAddr() (string, error) {
	// A port the kernel picks (":0") comes from the range it also takes the
	// local ports of outgoing connections from, and is free again once
	// closed here: a connection this process opens in the meantime may take
	// it before the emulator binds it. Ports below that range are taken only
	// by listeners, and a random one rarely by another emulator starting.
	for range 32 {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", 10000+rand.IntN(22000)))
		if err == nil {
			defer l.Close()
			return l.Addr().String(), nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
