package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asyncinvoke/asyncinvoke/local"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

func localCommand(args []string, stdio IO) int {
	if len(args) == 0 {
		fmt.Fprint(stdio.Stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "invoke":
		return invoke(args[1:], stdio)
	case "start-api":
		return startAPI(args[1:], stdio)
	}
	fmt.Fprintf(stdio.Stderr, "asyncinvoke local: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

func invoke(args []string, stdio IO) int {
	fs := flag.NewFlagSet("local invoke", flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	tmplFile := fs.String("t", "template.yaml", "the template that declares the function")
	eventFile := fs.String("e", "", "the event to send (a JSON file, - for stdin); {} when not given")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stdio.Stderr, "usage: asyncinvoke local invoke [-t template.yaml] [-e event.json] FUNCTION")
		return exitUsage
	}
	event := []byte("{}")
	if *eventFile == "-" {
		event, err = io.ReadAll(stdio.Stdin)
	} else if *eventFile != "" {
		event, err = os.ReadFile(*eventFile)
	}
	if err != nil {
		return stdio.fail(err)
	}
	t, err := readTemplate(*tmplFile, stdio.Stdin)
	if err != nil {
		return stdio.fail(err)
	}
	fns, not := local.Functions(t, templateDir(*tmplFile))
	f, ok := fns[pos[0]]
	if !ok {
		why := not[pos[0]]
		if why == "" {
			why = "no such function in the template; functions: " + strings.Join(sortedKeys(fns), ", ")
		}
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %s: %s\n", pos[0], why)
		return exitProblems
	}
	ctx, work, done, err := session()
	if err != nil {
		return stdio.fail(err)
	}
	defer done()
	em, err := local.Start(ctx, f, work, stdio.Stderr)
	if err != nil {
		return stdio.fail(err)
	}
	defer em.Stop()
	ictx, cancel := context.WithTimeout(ctx, f.Timeout+10*time.Second)
	defer cancel()
	out, err := em.Invoke(ictx, event)
	if err != nil && out == nil {
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: invoke %s: %v\n", f.ID, err)
		return exitProblems
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") == nil {
		out = append(pretty.Bytes(), '\n')
	}
	stdio.Stdout.Write(out)
	if err != nil {
		return exitProblems
	}
	return exitOK
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func templateDir(file string) string {
	if file == "-" {
		return "."
	}
	return filepath.Dir(file)
}

// endpoints collects repeated --function-endpoint LogicalId=URL flags.
type endpoints map[string]string

func (e endpoints) String() string { return "" }

func (e endpoints) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" || !strings.HasPrefix(v, "http") {
		return fmt.Errorf("want LogicalId=http://host:port, not %q", s)
	}
	e[k] = v
	return nil
}

func startAPI(args []string, stdio IO) int {
	fs := flag.NewFlagSet("local start-api", flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	tmplFile := fs.String("t", "template.yaml", "the template that declares the APIs")
	host := fs.String("host", "127.0.0.1", "the address to listen on")
	port := fs.Int("port", 3000, "the port to listen on")
	values := params{}
	fs.Var(values, "p", "a template parameter value, Key=Value (repeatable)")
	eps := endpoints{}
	fs.Var(eps, "function-endpoint", "LogicalId=URL: invoke this function at a running Lambda Invoke API endpoint instead of building it (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 0 {
		if err == nil {
			fmt.Fprintln(stdio.Stderr, "usage: asyncinvoke local start-api [-t template.yaml] [--port 3000] [-p Key=Value]... [--function-endpoint LogicalId=URL]...")
		}
		return exitUsage
	}
	t, err := readTemplate(*tmplFile, stdio.Stdin)
	if err != nil {
		return stdio.fail(err)
	}
	if _, err := macro.Expand(t, values); err != nil {
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %s cannot be expanded:\n%s\n", *tmplFile, problemLines(err))
		return exitProblems
	}
	ctx, work, done, err := session()
	if err != nil {
		return stdio.fail(err)
	}
	defer done()
	srv, err := local.NewServer(ctx, local.Config{Template: t, TemplateDir: templateDir(*tmplFile), Endpoints: eps, WorkDir: work, Log: stdio.Stderr})
	if err != nil {
		return stdio.fail(err)
	}
	defer srv.Close()
	for _, w := range srv.Warnings() {
		fmt.Fprintf(stdio.Stderr, "WARNING %s\n", w)
	}
	addr := net.JoinHostPort(*host, strconv.Itoa(*port))
	for _, r := range srv.Routes() {
		if r.Broken == "" {
			fmt.Fprintf(stdio.Stderr, "Mounted %-7s http://%s%s -> %s\n", r.Method, addr, r.Path, describeRoute(r))
		}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return stdio.fail(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	fmt.Fprintf(stdio.Stderr, "Running on http://%s (Ctrl-C stops it)\n", addr)
	<-ctx.Done()
	fmt.Fprintln(stdio.Stderr, "Stopping: finishing requests and queued asynchronous invocations (5s at most)")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	srv.Drain(5 * time.Second)
	fmt.Fprintln(stdio.Stderr, "Stopped")
	return exitOK
}

func describeRoute(r local.Route) string {
	switch r.Kind {
	case "MOCK":
		return "mock integration"
	case "AWS_PROXY":
		return r.Function + " (Lambda proxy)"
	}
	switch {
	case r.InvocationType == "'Event'":
		return r.Function + " (asynchronous)"
	case strings.HasPrefix(r.InvocationType, "method.request.header."):
		return r.Function + " (client chooses with " + strings.TrimPrefix(r.InvocationType, "method.request.header.") + ": Event|RequestResponse)"
	}
	return r.Function + " (synchronous)"
}

// session is what a local command runs in: a context that Ctrl-C or
// SIGTERM cancels, and a temporary directory for built functions. done
// removes the directory and stops listening for signals.
func session() (ctx context.Context, work string, done func(), err error) {
	work, err = os.MkdirTemp("", "asyncinvoke-")
	if err != nil {
		return nil, "", nil, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx, work, func() { stop(); os.RemoveAll(work) }, nil
}
