package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Function is a Lambda function of a template that can be built and run
// here: what `sam build` and the emulator need to know of it. (What
// routes invoke is a function's logical ID, a FunctionID; the emulators
// that run a function's invocations are its pool.)
type Function struct {
	ID       string // logical ID
	Dir      string // code directory: where its Makefile is
	Timeout  time.Duration
	MemoryMB int
	Env      map[string]string
}

// Functions returns the functions of a template (read from templateDir)
// that can be built and run here, and why the others cannot.
func Functions(t *tree.Object, templateDir string) (map[string]Function, map[string]string) {
	ok, not := map[string]Function{}, map[string]string{}
	globals := cfn.SAMGlobals(t)
	tt := newTemplate(t)
	tt.Each(func(id string, res *tree.Object) {
		typ := tt.Type(id)
		if !cfn.IsFunction(typ) {
			return
		}
		props, _ := getObject(res, "Properties")
		if props == nil {
			props = &tree.Object{}
		}
		get := func(key string) any {
			if v, has := props.Get(key); has {
				return v
			}
			if typ == cfn.TypeSAMFunction && globals != nil {
				v, _ := globals.Get(key)
				return v
			}
			return nil
		}
		meta, _ := getObject(res, "Metadata")
		var method any
		if meta != nil {
			method, _ = meta.Get("BuildMethod")
		}
		rt, _ := get("Runtime").(string)
		if method != "makefile" || !strings.HasPrefix(rt, "provided") {
			not[id] = "only functions with a provided.* runtime and Metadata BuildMethod: makefile can run here"
			return
		}
		code := get("CodeUri")
		if typ == cfn.TypeFunction {
			code = get("Code")
		}
		dir, isStr := code.(string)
		if !isStr {
			not[id] = "its code is not a local directory (CodeUri, or Code as a path)"
			return
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(templateDir, dir)
		}
		f := Function{ID: id, Dir: dir, Timeout: 3 * time.Second, MemoryMB: 128, Env: map[string]string{}}
		if n, ok := number(get("Timeout")); ok {
			f.Timeout = time.Duration(n) * time.Second
		}
		if n, ok := number(get("MemorySize")); ok {
			f.MemoryMB = n
		}
		if env, _ := get("Environment").(*tree.Object); env != nil {
			if vars, _ := getObject(env, "Variables"); vars != nil {
				for _, v := range vars.Members {
					if s, isStr := v.Value.(string); isStr {
						f.Env[v.Key] = s
					}
				}
			}
		}
		ok[id] = f
	})
	return ok, not
}

func getObject(o *tree.Object, key string) (*tree.Object, bool) {
	v, _ := o.Get(key)
	r, ok := v.(*tree.Object)
	return r, ok
}

func number(v any) (int, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = string(v)
	case string:
		s = v
	default:
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// Build builds f as `sam build` does, make build-<ID> ARTIFACTS_DIR=dir, for
// this machine's architecture, and returns the bootstrap's path.
func Build(ctx context.Context, f Function, artifacts string, log io.Writer) (string, error) {
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		return "", err
	}
	arch := "GOARCH=" + runtime.GOARCH
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", f.Dir, "build-"+f.ID, "ARTIFACTS_DIR="+artifacts, arch)
	cmd.Env = append(os.Environ(), arch, "GOOS=linux")
	cmd.Stdout, cmd.Stderr = log, log
	emulator.EndWithParent(cmd, syscall.SIGTERM) // make passes it on to what it runs
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: make build-%s in %s failed: %w", f.ID, f.ID, f.Dir, err)
	}
	bootstrap := filepath.Join(artifacts, "bootstrap")
	if _, err := os.Stat(bootstrap); err != nil {
		return "", fmt.Errorf("%s: make build-%s wrote no bootstrap into ARTIFACTS_DIR", f.ID, f.ID)
	}
	return bootstrap, nil
}

// Config is the emulator configuration that runs f's bootstrap.
func (f Function) Config(bootstrap string, log io.Writer) emulator.Config {
	return emulator.Config{Bootstrap: bootstrap, Name: f.ID, Timeout: f.Timeout, MemoryMB: f.MemoryMB, Env: f.Env, Log: log}
}

// Start finds the emulator (emulator.Find, which may install it), then
// builds f and starts it under the emulator. Once ctx is done, the
// emulator's own line for an invocation that this cuts short is left out
// of log: the caller says it.
func Start(ctx context.Context, f Function, workDir string, log io.Writer) (*emulator.Emulator, error) {
	rie, err := emulator.Find(ctx, log)
	if err != nil {
		return nil, err
	}
	bootstrap, err := Build(ctx, f, filepath.Join(workDir, f.ID), log)
	if err != nil {
		return nil, err
	}
	config := f.Config(bootstrap, log)
	config.RIE = rie
	config.Stopping = ctx // whoever ends ctx says that the invocation was cut short
	return emulator.Start(ctx, config)
}
