package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// startPPID is this process's parent when it started.
var startPPID = os.Getppid()

// session is what a local command runs in: a context that is cancelled,
// with the reason as its cause, by whatever ends the command, and a
// temporary directory for built functions. done removes the directory and
// stops watching. What ends a local command:
//
//   - Ctrl-C (SIGINT), SIGTERM, and SIGHUP (the terminal closed), unless
//     SIGHUP is ignored (nohup);
//   - a broken pipe on standard output or error (| head -5 has exited):
//     on Linux as soon as the reader goes, elsewhere at the next write;
//   - on Linux, the end of the parent process, unless SIGHUP is ignored.
//
// Every process the command starts gets SIGTERM from the kernel when the
// command ends, even by SIGKILL (emulator.EndWithParent).
func session(stdio IO) (ctx context.Context, work string, done func(), err error) {
	work, err = os.MkdirTemp("", "asyncinvoke-")
	if err != nil {
		return nil, "", nil, err
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE}
	hangup := !signal.Ignored(syscall.SIGHUP)
	if hangup {
		signals = append(signals, syscall.SIGHUP)
	}
	// With SIGPIPE caught, a write to a broken standard output or error
	// fails instead of killing the process before it stops its emulators.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, signals...)
	stopWatching := make(chan struct{})
	broken := watchPipes(stdio, func(err error) { cancel(&ended{syscall.SIGPIPE, err.Error()}) }, stopWatching) // checks at once
	if broken == nil {
		broken = func() {}
	}
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == syscall.SIGPIPE {
					// A write to a broken pipe: standard output or error,
					// or a caller that went away (which ends nothing).
					broken()
					continue
				}
				if s == syscall.SIGTERM && hangup && os.Getppid() != startPPID {
					cancel(errParentEnded) // the parent-death signal
					continue
				}
				cancel(signalCause(s))
			case <-stopWatching:
				return
			}
		}
	}()
	unparent := func() {}
	if hangup {
		unparent = endWithParent(func() { cancel(errParentEnded) })
	}
	return ctx, work, func() {
		signal.Stop(sigs)
		close(stopWatching)
		unparent()
		cancel(nil)
		os.RemoveAll(work)
	}, nil
}

// ended is what ended a session, and the signal it stands for: the one
// received; SIGPIPE for a broken pipe on standard output or error; SIGHUP
// for the parent's end, which is the session's, as when the terminal
// closes.
type ended struct {
	signal syscall.Signal
	what   string
}

func (e *ended) Error() string { return e.what }

var errParentEnded = &ended{syscall.SIGHUP, "its parent process ended"}

// signalCause says what a signal means to the user.
func signalCause(s os.Signal) error {
	sig, _ := s.(syscall.Signal)
	switch s {
	case os.Interrupt:
		return &ended{sig, "Ctrl-C (SIGINT)"}
	case syscall.SIGHUP:
		return &ended{sig, "SIGHUP (the terminal closed)"}
	case syscall.SIGTERM:
		return &ended{sig, "SIGTERM"}
	}
	return &ended{sig, s.String()}
}

// why says what ended a session, for a log line.
func why(ctx context.Context) string {
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err.Error()
	}
	return "stopped"
}

// stopStatus is the exit status of a command its session's end stopped:
// 128 plus the number of the signal the end stands for, as a shell
// reports a process that signal killed (130 for Ctrl-C, 143 for SIGTERM,
// 129 for SIGHUP or the parent's end, 141 for a broken pipe). A command
// whose job is to run until it is stopped (start-api) exits 0 when it was
// asked to stop, by Ctrl-C or SIGTERM, and stopped cleanly: supervisors
// and scripts (kill, then wait) read that as a clean stop. Its session
// going away under it (the terminal, its output's reader, its parent) is
// no such request, and keeps 128+n.
func stopStatus(ctx context.Context, runsUntilStopped bool) int {
	var e *ended
	if !errors.As(context.Cause(ctx), &e) {
		return exitProblems
	}
	if runsUntilStopped && (e.signal == syscall.SIGINT || e.signal == syscall.SIGTERM) {
		return exitOK
	}
	return 128 + int(e.signal)
}
