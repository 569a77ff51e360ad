package emulator

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// The emulator that Find installs when it finds none: the version go.mod
// pins as a tool (a test checks that they agree).
const (
	RIEModule  = "github.com/aws/aws-lambda-runtime-interface-emulator"
	RIEPackage = RIEModule + "/cmd/aws-lambda-rie"
	RIEVersion = "v0.0.0-20261030222936-bef5c4ba774d"
)

// Find returns the Lambda Runtime Interface Emulator to run, looking in
// this order:
//
//  1. $AWS_LAMBDA_RIE;
//  2. aws-lambda-rie on the PATH;
//  3. the tool pinned by the Go module of the working directory
//     (go tool -n aws-lambda-rie: in the asyncinvoke repository);
//  4. the copy installed by an earlier Find in the user's cache
//     (CacheDir), when it is RIEVersion;
//  5. else it installs RIEVersion there with go install, once, saying so
//     on log, as the SAM CLI pulls its emulator image the first time.
func Find(ctx context.Context, log io.Writer) (string, error) {
	if log == nil {
		log = io.Discard
	}
	if p := os.Getenv("AWS_LAMBDA_RIE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("AWS_LAMBDA_RIE names the Lambda Runtime Interface Emulator, but %w; unset it to have asyncinvoke find or install the emulator", err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	goCmd, goErr := exec.LookPath("go")
	if goErr == nil {
		tool := exec.CommandContext(ctx, goCmd, "tool", "-n", "aws-lambda-rie")
		EndWithParent(tool, syscall.SIGTERM)
		if out, err := tool.Output(); err == nil {
			if p := strings.TrimSpace(string(out)); p != "" {
				return p, nil
			}
		}
	}
	dir, err := CacheDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the Lambda Runtime Interface Emulator (set AWS_LAMBDA_RIE or put aws-lambda-rie on the PATH), nor a cache directory to install it into: %w", err)
	}
	cached := filepath.Join(dir, "aws-lambda-rie")
	if info, err := buildinfo.ReadFile(cached); err == nil && info.Main.Path == RIEModule && info.Main.Version == RIEVersion {
		return cached, nil
	}
	if goErr != nil {
		return "", errors.New("cannot find the Lambda Runtime Interface Emulator, and cannot install it without the go command: install Go (https://go.dev/dl), or set AWS_LAMBDA_RIE to the emulator, or put aws-lambda-rie on the PATH")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "asyncinvoke: the Lambda Runtime Interface Emulator is neither on the PATH nor in $AWS_LAMBDA_RIE: installing %s@%s into %s (once; go install)\n", RIEPackage, RIEVersion, dir)
	cmd := exec.CommandContext(ctx, goCmd, "install", RIEPackage+"@"+RIEVersion)
	cmd.Dir = dir // outside any module or workspace, which go install pkg@version ignores anyway
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS="+installFlags(os.Getenv("GOFLAGS")), "GOWORK=off", "CGO_ENABLED=0",
		"GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH) // for this machine, whatever the shell cross-compiles for
	cmd.Stdout, cmd.Stderr = log, log
	EndWithParent(cmd, syscall.SIGTERM)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install %s@%s failed (%w); install it yourself and set AWS_LAMBDA_RIE, or put aws-lambda-rie on the PATH", RIEPackage, RIEVersion, err)
	}
	if _, err := os.Stat(cached); err != nil {
		return "", fmt.Errorf("go install %s@%s wrote no %s", RIEPackage, RIEVersion, cached)
	}
	fmt.Fprintf(log, "asyncinvoke: installed %s\n", cached)
	return cached, nil
}

// CacheDir is where Find installs the emulator: asyncinvoke/bin in the
// user's cache directory ($XDG_CACHE_HOME or ~/.cache on Linux,
// ~/Library/Caches on macOS).
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "asyncinvoke", "bin"), nil
}

// installFlags keeps the user's GOFLAGS but -mod and -modfile, which go
// install pkg@version refuses.
func installFlags(flags string) string {
	var keep []string
	for _, f := range strings.Fields(flags) {
		if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "-modfile=") {
			keep = append(keep, f)
		}
	}
	return strings.Join(keep, " ")
}
