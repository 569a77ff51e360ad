package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/tests/bench/benchreq"
)

// BenchmarkExpandDiff measures expand --diff against expand on the
// benchmark request's template (tests/bench/benchreq: 400 AsyncInvoke
// methods among 2,000 other resources) written as YAML, about 1.1 MB and
// 41,000 lines, with GNU diff -u of the two texts --diff compares as the
// floor (a process of its own, started each time). Besides the time, each
// reports the CPU time it took (cpu-ns/op: user and system, all threads,
// the garbage collector's included; GNU diff's is its process's), since
// --diff renders the template as written on another core while the macro
// runs. `make bench` prints the ratios (tests/benchtable).
func BenchmarkExpandDiff(b *testing.B) {
	dir := b.TempDir()
	file := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(file, benchTemplateYAML(b), 0o644); err != nil {
		b.Fatal(err)
	}
	discard := IO{Stdout: io.Discard, Stderr: io.Discard}
	b.Run("expand", func(b *testing.B) {
		defer reportCPU(b, syscall.RUSAGE_SELF)()
		for b.Loop() {
			if code := Main([]string{"expand", file}, discard); code != exitOK {
				b.Fatal("expand failed")
			}
		}
	})
	b.Run("diff", func(b *testing.B) {
		defer reportCPU(b, syscall.RUSAGE_SELF)()
		for b.Loop() {
			if code := Main([]string{"expand", "--diff", file}, discard); code != exitOK {
				b.Fatal("expand --diff failed")
			}
		}
	})
	before, after := diffSides(b, file)
	if _, err := exec.LookPath("diff"); err != nil {
		b.Log("no diff command: no GNU diff floor")
		return
	}
	b.Run("gnudiff", func(b *testing.B) {
		defer reportCPU(b, syscall.RUSAGE_CHILDREN)()
		for b.Loop() {
			err := exec.Command("diff", "-u", before, after).Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				b.Fatalf("diff -u: %v, want exit status 1 (the texts differ)", err)
			}
		}
	})
}

// reportCPU reports, when the function it returns is called, the CPU time
// per operation that who (RUSAGE_SELF: this process; RUSAGE_CHILDREN: the
// processes it waited for) used since.
func reportCPU(b *testing.B, who int) func() {
	cpu := func() time.Duration {
		var u syscall.Rusage
		if err := syscall.Getrusage(who, &u); err != nil {
			b.Fatal(err)
		}
		return time.Duration(u.Utime.Nano() + u.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op") }
}

// benchTemplateYAML is the benchmark request's template as YAML.
func benchTemplateYAML(tb testing.TB) []byte {
	var req struct{ Fragment json.RawMessage }
	if err := json.Unmarshal(benchreq.Template(400, 2000), &req); err != nil {
		tb.Fatal(err)
	}
	t, err := parse.Template(req.Fragment)
	if err != nil {
		tb.Fatal(err)
	}
	y, err := format.YAML(t)
	if err != nil {
		tb.Fatal(err)
	}
	return y
}

// diffSides writes the two texts expand --diff compares, the template as
// written and as expanded, both written by render, and returns their paths.
func diffSides(tb testing.TB, file string) (before, after string) {
	src, err := readSource(file, nil)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := render(src.Template, "yaml", src)
	if err != nil {
		tb.Fatal(err)
	}
	var z bytes.Buffer
	if code := Main([]string{"expand", file}, IO{Stdout: &z, Stderr: io.Discard}); code != exitOK {
		tb.Fatal("expand failed")
	}
	before, after = filepath.Join(filepath.Dir(file), "before.yaml"), filepath.Join(filepath.Dir(file), "after.yaml")
	if err := os.WriteFile(before, a, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(after, z.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return before, after
}
