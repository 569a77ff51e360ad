package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
	"github.com/asyncinvoke/asyncinvoke/internal/local"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

const localUsage = `Usage: asyncinvoke local COMMAND [flags]

Run a template's functions and REST APIs on this machine. Functions are built
as sam build builds them (make build-<LogicalId> for Metadata BuildMethod:
makefile) and run under the AWS Lambda Runtime Interface Emulator, found as
$AWS_LAMBDA_RIE, aws-lambda-rie on the PATH, the tool pinned by the Go module
of the working directory, or else installed once with go install into the
user's cache directory (asyncinvoke/bin).

Commands:
  invoke      build a function and invoke it once, as sam local invoke does
  start-api   serve the template's REST APIs on localhost, with real
              asynchronous invocation

Run 'asyncinvoke local COMMAND -h' for a command's flags.
`

func localCommand(args []string, stdio IO) int {
	if len(args) == 0 {
		fmt.Fprint(stdio.Stderr, localUsage)
		return exitUsage
	}
	switch args[0] {
	case "invoke":
		return invoke(args[1:], stdio)
	case "start-api":
		return startAPI(args[1:], stdio)
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			return localCommand(append(slices.Clone(args[1:]), "-h"), stdio)
		}
		fmt.Fprint(stdio.Stdout, localUsage)
		return exitOK
	}
	fmt.Fprintf(stdio.Stderr, "asyncinvoke local: unknown command %q\n\n%s", args[0], localUsage)
	return exitUsage
}

const invokeAbout = `
Build FUNCTION (a logical ID of the template) as sam build does, run it under
the Lambda Runtime Interface Emulator and invoke it once with the event, as
sam local invoke does. The function's result goes to standard output; its
logs and the build's go to standard error. When the function fails, its error
(errorMessage, errorType) goes to standard output and the exit code is 1. Cut
short by a signal, it exits 128 plus its number (130 for Ctrl-C, 143 for
SIGTERM, 129 for SIGHUP or the end of its parent, 141 for a broken pipe).`

func invoke(args []string, stdio IO) int {
	c := newCommand("local invoke", "[-t template.yaml] [-e event.json] FUNCTION", invokeAbout, stdio)
	tmplFile := c.fs.String("t", "template.yaml", "the template `file` that declares the function")
	eventFile := c.fs.String("e", "", "the event to send, a JSON `file` (- reads standard input); {} when not given")
	pos, code, done := c.parse(args)
	if done {
		return code
	}
	if len(pos) != 1 {
		return c.usageError("want one FUNCTION, a logical ID of the template, not %d arguments", len(pos))
	}
	event := []byte("{}")
	var err error
	if *eventFile == "-" {
		event, err = io.ReadAll(stdio.Stdin)
	} else if *eventFile != "" {
		event, err = os.ReadFile(*eventFile)
	}
	if err != nil {
		return stdio.fail(err)
	}
	src, err := readSource(*tmplFile, stdio.Stdin)
	if err != nil {
		fmt.Fprintln(stdio.Stderr, readError(*tmplFile, err))
		return exitProblems
	}
	t := src.Template
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
	ctx, work, done2, err := session(stdio)
	if err != nil {
		return stdio.fail(err)
	}
	defer done2()
	em, err := local.Start(ctx, f, work, stdio.Stderr)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stdio.Stderr, "asyncinvoke: %s: stopped before it ran, by %s\n", f.ID, why(ctx))
			return stopStatus(ctx, false)
		}
		return stdio.fail(err)
	}
	defer em.Stop()
	ictx, cancel := context.WithTimeout(ctx, f.Timeout+10*time.Second)
	defer cancel()
	start := time.Now()
	out, err := em.Invoke(ictx, event)
	var fe *emulator.FunctionError
	switch {
	case errors.As(err, &fe):
		// As sam local invoke does: the error payload on standard output.
		writePayload(stdio.Stdout, fe.Payload)
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %s failed: %s\n", f.ID, failure(fe))
		return exitProblems
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: invoke %s: cut short by %s after %s\n", f.ID, why(ctx), time.Since(start).Round(time.Millisecond))
		return stopStatus(ctx, false)
	case err != nil:
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: invoke %s: %v\n", f.ID, err)
		return exitProblems
	}
	writePayload(stdio.Stdout, out)
	return exitOK
}

// writePayload writes a function's payload, indented when it is JSON.
func writePayload(w io.Writer, p []byte) {
	var pretty bytes.Buffer
	if json.Indent(&pretty, p, "", "  ") == nil {
		p = append(pretty.Bytes(), '\n')
	}
	w.Write(p)
}

// failure says how a function failed: its errorType and errorMessage, or
// its payload.
func failure(fe *emulator.FunctionError) string {
	if fe.ErrorType == "" && fe.ErrorMessage == "" {
		return strings.TrimPrefix(fe.Error(), "function error: ")
	}
	return fe.ErrorType + ": " + fe.ErrorMessage
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

const startAPIAbout = `
Serve the template's REST APIs on localhost as API Gateway would: expand the
template with the macro, build each function the APIs invoke, run it under the
Lambda Runtime Interface Emulator and invoke it through the Lambda Invoke API,
asynchronously where the integration says Event. Routes, requests, the outcome
of each asynchronous invocation and the functions' logs go to standard error.

Asynchronous invocations follow each function's (or alias's) EventInvokeConfig:
MaximumRetryAttempts (retried after 1s, then 2s), MaximumEventAgeInSeconds, and
the OnSuccess and OnFailure destinations, to which the invocation record is
logged on one line and, with --destinations-dir DIR, written as a JSON file in
DIR/<destination>, the destination's logical ID (or its ARN, made a file name).

Each API is served on a stage of its template: the AWS::ApiGateway::Stage (or
Deployment StageName) on it, or an AWS::Serverless::Api's StageName, with its
Variables as $stageVariables, the proxy event's stageVariables, and what a
stage variable in an integration URI or a parameter mapping names. With
several, the first is served unless --stage names one; an API with none is
served on stage "local" with no variables.

Ctrl-C stops the server: queued asynchronous invocations may finish for 5
seconds, then every emulator it started is stopped. An invocation this cuts
short is not retried and has no record.

Without -t it serves template.yaml. It exits 2 when the template has no REST
API, and 1 at once when the port is taken or --host is not an address of this
machine. Stopped by Ctrl-C or SIGTERM, it exits 0; stopped because its terminal
closed (SIGHUP), its parent ended or its output's reader went away (a broken
pipe), 128 plus the signal's number: 129, or 141 for the broken pipe.`

func startAPI(args []string, stdio IO) int {
	c := newCommand("local start-api", "[-t template.yaml] [--host 127.0.0.1] [--port 3000] [-p Key=Value]... [--function-endpoint LogicalId=URL]... [--destinations-dir DIR] [--stage NAME]", startAPIAbout, stdio)
	tmplFile := c.fs.String("t", "template.yaml", "the template `file` that declares the APIs")
	host := c.fs.String("host", "127.0.0.1", "the `address` to listen on")
	port := c.fs.Int("port", 3000, "the `port` to listen on")
	values := params{}
	c.fs.Var(values, "p", "a template parameter's value, `Key=Value` (repeatable); parameters not given take their Default")
	eps := endpoints{}
	c.fs.Var(eps, "function-endpoint", "invoke a function at a running Lambda Invoke API endpoint instead of building it, `LogicalId=URL` (repeatable)")
	destinations := c.fs.String("destinations-dir", "", "write each asynchronous invocation record as a JSON file into `DIR`/<destination>, as the destination would receive it")
	stage := c.fs.String("stage", "", "serve each API on its stage `NAME` (its $context.stage and stage variables); by default the stage the template declares for it, the first when several")
	pos, code, done := c.parse(args)
	if done {
		return code
	}
	if len(pos) != 0 {
		return c.usageError("takes no arguments, only flags (the template is -t FILE), not %q", pos)
	}
	if *port < 0 || *port > 65535 {
		return c.usageError("invalid value %d for flag --port: want a port number, 0 to 65535", *port)
	}
	src, err := readSource(*tmplFile, stdio.Stdin)
	if err != nil {
		fmt.Fprintln(stdio.Stderr, readError(*tmplFile, err))
		if errors.Is(err, fs.ErrNotExist) && !c.set("t") {
			fmt.Fprintf(stdio.Stderr, "asyncinvoke local start-api: give the template with -t FILE\n")
		}
		return exitProblems
	}
	if err := values.undeclared(src.Template); err != nil {
		return c.usageError("%v", err)
	}
	// Local files Fn::Transform AWS::Include names are put in place, as
	// CloudFormation does before the macro runs.
	inc := newIncludes(*tmplFile, src)
	t := inc.inlined()
	for _, l := range inc.unreadableLines("served") {
		fmt.Fprintln(stdio.Stderr, l)
	}
	if _, err := macro.Expand(t, values); err != nil {
		fmt.Fprintln(stdio.Stderr, problemLines(err, inc.locate))
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %s cannot be expanded: %s\n", displayName(*tmplFile), count(len(problems(err)), "problem"))
		return exitProblems
	}
	if err := knownFunctions(eps, t, *tmplFile); err != "" {
		return c.usageError("%s", err)
	}
	if routes, warnings := local.Routes(t, values, *stage); len(routes) == 0 {
		for _, w := range warnings {
			fmt.Fprintf(stdio.Stderr, "WARNING %s\n", w)
		}
		fmt.Fprintf(stdio.Stderr, "asyncinvoke local start-api: found no REST API to serve in %s: it has no AWS::ApiGateway::Method on an AWS::ApiGateway::RestApi, and no RestApi Body or AWS::Serverless::Api DefinitionBody with paths%s\n",
			displayName(*tmplFile), samEventsHint(t))
		if !c.set("t") {
			if found := templatesWithAPIs("."); len(found) > 0 {
				fmt.Fprintf(stdio.Stderr, "Templates under this directory that have one: %s; serve one with -t, e.g. asyncinvoke local start-api -t %s\n", strings.Join(found, ", "), found[0])
			}
		}
		return exitUsage
	}
	// The port first: fail at once, not after building every function.
	l, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "asyncinvoke local start-api: cannot listen on %s port %d: %v; %s\n", *host, *port, err, listenAdvice(*host, err))
		return exitProblems
	}
	defer l.Close()
	addr := l.Addr().String()
	ctx, work, done2, err := session(stdio)
	if err != nil {
		return stdio.fail(err)
	}
	defer done2()
	srv, err := local.NewServer(ctx, local.Config{Template: t, TemplateDir: templateDir(*tmplFile), Endpoints: eps, WorkDir: work, Log: stdio.Stderr,
		Parameters: values, DestinationsDir: *destinations, Stage: *stage})
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stdio.Stderr, "asyncinvoke local start-api: stopped before serving, by %s\n", why(ctx))
			return stopStatus(ctx, true)
		}
		return stdio.fail(err)
	}
	defer srv.Close()
	for _, w := range srv.Warnings() {
		fmt.Fprintf(stdio.Stderr, "WARNING %s\n", w)
	}
	for _, r := range srv.Routes() {
		if r.Broken == "" {
			fmt.Fprintf(stdio.Stderr, "Mounted %-7s http://%s%s -> %s\n", r.Method, addr, r.Path, describeRoute(r))
		}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	fmt.Fprintf(stdio.Stderr, "Running on http://%s (Ctrl-C stops it)\n", addr)
	<-ctx.Done()
	fmt.Fprintf(stdio.Stderr, "Stopping on %s: finishing requests and queued asynchronous invocations (5s at most)\n", why(ctx))
	deadline := time.Now().Add(5 * time.Second) // for requests and queued invocations together
	sctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	_ = hs.Shutdown(sctx)
	srv.Drain(time.Until(deadline))
	fmt.Fprintln(stdio.Stderr, "Stopped")
	return stopStatus(ctx, true)
}

// listenAdvice says what to do when the server cannot listen: about the
// port when it is taken or reserved, about --host when that is not an
// address of this machine.
func listenAdvice(host string, err error) string {
	var dns *net.DNSError
	var addr *net.AddrError
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return "stop what uses it, or choose another port with --port"
	case errors.Is(err, syscall.EACCES):
		return "ports below 1024 need privileges: choose another port with --port"
	case errors.As(err, &dns), errors.As(err, &addr), errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Sprintf("--host %s is not an address of this machine: give one of its IP addresses or names, 127.0.0.1 (the default, this machine only) or 0.0.0.0 (every interface)", host)
	}
	return "check --host and --port"
}

// knownFunctions checks that every --function-endpoint names a function of
// the template, and says what is wrong when one does not.
func knownFunctions(eps endpoints, t *tree.Object, file string) string {
	runnable, not := local.Functions(t, templateDir(file))
	all := map[string]bool{}
	for id := range runnable {
		all[id] = true
	}
	for id := range not {
		all[id] = true
	}
	for _, id := range sortedKeys(eps) {
		if all[id] {
			continue
		}
		if len(all) == 0 {
			return fmt.Sprintf("--function-endpoint %s=%s: %s declares no Lambda function; the flag takes the logical ID of one", id, eps[id], displayName(file))
		}
		return fmt.Sprintf("--function-endpoint %s=%s: %s is not a function of %s; its functions: %s", id, eps[id], id, displayName(file), strings.Join(sortedKeys(all), ", "))
	}
	return ""
}

// templatesWithAPIs lists the templates under dir (YAML or JSON, three
// folders deep at most, hidden folders, testdata, node_modules, vendor and
// build output aside) that have a REST API to serve, the shallowest first.
func templatesWithAPIs(dir string) []string {
	var found []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			name := d.Name()
			if path != dir && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor" || name == "build" || name == "bin") ||
				strings.Count(path, string(filepath.Separator)) >= 3 {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" && ext != ".json" && ext != ".template" {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > 5<<20 {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		t, err := parse.Template(data)
		if err != nil || !t.Has("Resources") {
			return nil
		}
		if routes, _ := local.Routes(t, nil, ""); len(routes) > 0 {
			found = append(found, filepath.ToSlash(path))
		}
		return nil
	})
	sort.SliceStable(found, func(i, j int) bool { return strings.Count(found[i], "/") < strings.Count(found[j], "/") })
	if len(found) > 5 {
		found = append(found[:5], "...")
	}
	return found
}

// samEventsHint explains why SAM functions' Api events are not served.
func samEventsHint(t *tree.Object) string {
	rv, _ := t.Get("Resources")
	rs, _ := rv.(*tree.Object)
	if rs == nil {
		return ""
	}
	for _, m := range rs.Members {
		res, _ := m.Value.(*tree.Object)
		if res == nil {
			continue
		}
		if typ, _ := res.Get("Type"); typ != cfn.TypeSAMFunction {
			continue
		}
		pv, _ := res.Get("Properties")
		p, _ := pv.(*tree.Object)
		if p == nil {
			continue
		}
		ev, _ := p.Get("Events")
		evs, _ := ev.(*tree.Object)
		if evs == nil {
			continue
		}
		for _, e := range evs.Members {
			eo, _ := e.Value.(*tree.Object)
			if eo == nil {
				continue
			}
			if typ, _ := eo.Get("Type"); typ == "Api" {
				return fmt.Sprintf(" (%s's Api event is a Lambda proxy integration of SAM's implicit API, which this server does not read; sam local start-api serves it)", m.Key)
			}
		}
	}
	return ""
}

func describeRoute(r local.Route) string {
	switch r.Kind {
	case cfn.Mock:
		return "mock integration"
	case cfn.LambdaProxy:
		return r.FunctionID + " (Lambda proxy)"
	}
	if header, ok := strings.CutPrefix(r.InvocationType, cfn.HeaderSource); ok {
		return r.FunctionID + " (client chooses with " + header + ": Event|RequestResponse)"
	}
	if r.InvocationType == "'Event'" {
		return r.FunctionID + " (asynchronous)"
	}
	return r.FunctionID + " (synchronous)"
}

// set reports whether the command line gave the flag name.
func (c *command) set(name string) bool {
	given := false
	c.fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
