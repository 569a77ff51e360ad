package cli

import (
	"errors"
	"os"
	"syscall"
)

// watchPipes watches standard output and error, when they are pipes or
// sockets, and calls end as soon as the reader of one has gone, until stop
// is closed. It returns a function that checks them at once (nil when
// there is nothing to watch).
func watchPipes(stdio IO, end func(error), stop <-chan struct{}) func() {
	type watched struct {
		fd   int
		name string
	}
	var ws []watched
	for _, s := range []struct {
		w    any
		name string
	}{{stdio.Stdout, "standard output"}, {stdio.Stderr, "standard error"}} {
		f, ok := s.w.(*os.File)
		if !ok {
			continue
		}
		if info, err := f.Stat(); err == nil && info.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0 {
			ws = append(ws, watched{int(f.Fd()), s.name})
		}
	}
	if len(ws) == 0 {
		return nil
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	for _, w := range ws {
		// No events asked for: the kernel reports EPOLLERR (a pipe whose
		// reader has gone) and EPOLLHUP (a socket whose peer has) anyway.
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, w.fd, &syscall.EpollEvent{Fd: int32(w.fd)}); err != nil {
			syscall.Close(ep)
			return nil
		}
	}
	check := func(timeoutMs int) bool {
		events := make([]syscall.EpollEvent, len(ws))
		n, err := syscall.EpollWait(ep, events, timeoutMs)
		for _, e := range events[:max(n, 0)] {
			if e.Events&(syscall.EPOLLERR|syscall.EPOLLHUP) != 0 {
				for _, w := range ws {
					if int32(w.fd) == e.Fd {
						end(errors.New(w.name + " is a broken pipe (its reader has gone)"))
						return true
					}
				}
			}
		}
		return err != nil && err != syscall.EINTR
	}
	go func() {
		defer syscall.Close(ep)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if check(250) {
				return
			}
		}
	}()
	return func() { check(0) }
}

// endWithParent asks the kernel for SIGTERM when the parent process ends
// (which the session takes as the end of the command), and calls ended if
// it has ended already. The function it returns undoes it.
func endWithParent(ended func()) func() {
	const prSetPdeathsig = 1
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, uintptr(syscall.SIGTERM), 0); e != 0 {
		return func() {}
	}
	if os.Getppid() != startPPID {
		ended()
	}
	return func() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, 0, 0) }
}
