// Command e2e is `make bench-e2e`: the macro's bootstrap against the
// obvious alternatives, each a Lambda function under the AWS Lambda Runtime
// Interface Emulator, invoked through the Lambda Invoke API, on the same
// 1 MB macro request (400 AsyncInvoke methods among 2,000 other resources):
//
//   - go-echo: floor (a), the echo any Go macro written with aws-lambda-go
//     starts from (tests/bench/echo: encoding/json into map[string]any and
//     back, no transformation);
//   - python: a plain Python macro doing the same expansion with json.loads
//     and json.dumps on a minimal Runtime API loop (tests/bench/pymacro).
//
// It first checks that the Python macro's template is the Go macro's and
// that the echo returns the request, then times warm invocations, the three
// functions interleaved, and cold starts (a fresh emulator's first
// invocation), and prints medians and ratios. Timings on a shared machine
// move; compare the ratios of one run.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
	"github.com/asyncinvoke/asyncinvoke/tests/bench/benchreq"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// goEnv is the Go runtime settings template.yaml deploys the macro with;
// the Go echo gets the same.
var goEnv = map[string]string{"GOGC": "off", "GOMEMLIMIT": "80MiB"}

type function struct {
	name      string
	bootstrap string
	env       map[string]string
	em        *emulator.Emulator
	client    *lambda.Client
	warm      []time.Duration
	cold      []time.Duration
}

func main() {
	runs := flag.Int("runs", 21, "timed warm invocations of each function")
	colds := flag.Int("cold", 7, "cold starts of each function")
	methods := flag.Int("methods", 400, "AsyncInvoke methods in the request")
	others := flag.Int("others", 2000, "other resources in the request")
	flag.Parse()
	log.SetFlags(0)

	root, err := moduleRoot()
	check(err)
	dir, err := os.MkdirTemp("", "asyncinvoke-bench-")
	check(err)
	defer os.RemoveAll(dir)

	fns := []*function{
		{name: "macro", bootstrap: build(root, dir, "functions/macro"), env: goEnv},
		{name: "go-echo", bootstrap: build(root, dir, "tests/bench/echo"), env: goEnv},
		{name: "python", bootstrap: filepath.Join(root, "tests/bench/pymacro/bootstrap")},
	}
	payload := benchreq.Template(*methods, *others)
	small := benchreq.Template(2, 0)
	host, _ := os.Hostname()
	fmt.Printf("request: %d bytes (%d AsyncInvoke methods, %d other resources); %s, %d CPUs, %s\n",
		len(payload), *methods, *others, host, cpus(), time.Now().Format("2006-01-02"))

	// Warm: one emulator each, checked, then timed in turn.
	for _, f := range fns {
		f.em, f.client = start(f)
		defer f.em.Stop()
	}
	outs := map[string][]byte{}
	for _, f := range fns {
		for range 2 {
			outs[f.name], _ = invoke(f, payload)
		}
	}
	verify(payload, outs)
	for r := range *runs {
		for i := range fns {
			f := fns[(r+i)%len(fns)] // rotate who goes first
			_, d := invoke(f, payload)
			f.warm = append(f.warm, d)
		}
	}
	for _, f := range fns {
		f.em.Stop()
	}

	// Cold: a fresh emulator's first invocation (the emulator starts the
	// bootstrap then), with a small request.
	for c := range *colds {
		for i := range fns {
			f := fns[(c+i)%len(fns)]
			f.em, f.client = start(f)
			_, d := invoke(f, small)
			f.em.Stop()
			f.cold = append(f.cold, d)
		}
	}

	m, echo, py := fns[0], fns[1], fns[2]
	fmt.Printf("\n| function | warm, 1 MB request: median (min–max) | cold start: median (min–max) |\n|---|---:|---:|\n")
	for _, f := range fns {
		fmt.Printf("| %s | %s | %s |\n", f.name, spread(f.warm), spread(f.cold))
	}
	fmt.Printf("\n| ratio of medians | warm 1 MB | target | cold start | target |\n|---|---:|---:|---:|---:|\n")
	fmt.Printf("| macro / go-echo | %.2fx | ≤ 0.70x | %.2fx | ≤ 1.10x |\n", ratio(m.warm, echo.warm), ratio(m.cold, echo.cold))
	fmt.Printf("| macro / python | %.2fx | ≤ 0.70x | %.2fx | |\n", ratio(m.warm, py.warm), ratio(m.cold, py.cold))
}

func start(f *function) (*emulator.Emulator, *lambda.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	em, err := emulator.Start(ctx, emulator.Config{Bootstrap: f.bootstrap, Env: f.env, Log: io.Discard})
	check(err)
	return em, emulator.Client(em.Endpoint())
}

func invoke(f *function, payload []byte) ([]byte, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	out, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(emulator.FunctionName), Payload: payload})
	d := time.Since(start)
	if err != nil {
		log.Fatalf("%s: %v", f.name, err)
	}
	if fe := emulator.FunctionErrorOf(out); fe != nil {
		log.Fatalf("%s: %v", f.name, fe) // the emulator does not send X-Amz-Function-Error: read the payload
	}
	return out.Payload, d
}

// verify checks that the functions did what they are compared for: the
// Python macro returns the Go macro's template (as JSON values: Python
// writes 2000.50 as 2000.5) and the echo returns the request.
func verify(payload []byte, outs map[string][]byte) {
	var req, echo any
	check(json.Unmarshal(payload, &req))
	check(json.Unmarshal(outs["go-echo"], &echo))
	if !reflect.DeepEqual(req, echo) {
		log.Fatal("go-echo did not return the request")
	}
	var goMacro, pyMacro struct {
		Status, ErrorMessage string
		Fragment             any
	}
	check(json.Unmarshal(outs["macro"], &goMacro))
	check(json.Unmarshal(outs["python"], &pyMacro))
	if goMacro.Status != "success" || pyMacro.Status != "success" {
		log.Fatalf("not expanded: macro %s %s; python %s %s", goMacro.Status, goMacro.ErrorMessage, pyMacro.Status, pyMacro.ErrorMessage)
	}
	if !reflect.DeepEqual(goMacro.Fragment, pyMacro.Fragment) {
		_ = os.MkdirAll("build", 0o755)
		g, _ := json.MarshalIndent(goMacro.Fragment, "", " ")
		p, _ := json.MarshalIndent(pyMacro.Fragment, "", " ")
		os.WriteFile("build/bench-e2e.go.json", g, 0o644)
		os.WriteFile("build/bench-e2e.python.json", p, 0o644)
		log.Fatal("the Python macro's template differs from the Go macro's (build/bench-e2e.{go,python}.json)")
	}
	fmt.Println("checked: the Python macro returns the Go macro's template; go-echo returns the request")
}

func build(root, dir, pkg string) string {
	out := filepath.Join(dir, filepath.Base(pkg), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./"+pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		log.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run from the asyncinvoke module")
	}
	return filepath.Dir(mod), nil
}

func cpus() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func spread(ds []time.Duration) string {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return fmt.Sprintf("%s (%s–%s)", ms(median(s)), ms(s[0]), ms(s[len(s)-1]))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func ratio(a, b []time.Duration) float64 { return float64(median(a)) / float64(median(b)) }

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
