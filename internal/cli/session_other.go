//go:build !linux

package cli

import "errors"

// watchPipes cannot watch here: a broken pipe is noticed at the next write,
// by SIGPIPE, which the function it returns takes as the end (sockets do not
// raise SIGPIPE here: Go sets SO_NOSIGPIPE on them).
func watchPipes(stdio IO, end func(error), stop <-chan struct{}) func() {
	return func() { end(errors.New("standard output or error is a broken pipe")) }
}

// endWithParent does nothing here: only Linux has a parent-death signal.
func endWithParent(ended func()) func() { return func() {} }
