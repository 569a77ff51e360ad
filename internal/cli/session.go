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
	broken := watchPipes(stdio, func(err error) { cancel(err) }, stopWatching) // checks at once
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

var errParentEnded = errors.New("its parent process ended")

// signalCause says what a signal means to the user.
func signalCause(s os.Signal) error {
	switch s {
	case os.Interrupt:
		return errors.New("Ctrl-C (SIGINT)")
	case syscall.SIGHUP:
		return errors.New("SIGHUP (the terminal closed)")
	}
	return errors.New(s.String())
}

// why says what ended a session, for a log line.
func why(ctx context.Context) string {
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err.Error()
	}
	return "stopped"
}
