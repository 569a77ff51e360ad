// Package tests holds the end-to-end tests: the built Lambda bootstraps run
// under the AWS Lambda Runtime Interface Emulator (what `sam local invoke`
// runs in its container) and are invoked through the Lambda Invoke API.
package tests

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "asyncinvoke-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build builds a function's bootstrap for this machine, as the Makefile
// builds it for Lambda.
func build(t testing.TB, pkg string) string {
	t.Helper()
	out := filepath.Join(binDir, filepath.Base(pkg), "bootstrap")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "../"+pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// syncBuffer collects an emulator's log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs a function's bootstrap under the emulator for the test.
func start(t testing.TB, pkg string) (*emulator.Emulator, *syncBuffer) {
	t.Helper()
	log := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	em, err := emulator.Start(ctx, emulator.Config{Bootstrap: build(t, pkg), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Stop)
	return em, log
}
