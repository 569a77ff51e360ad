package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/audit"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

const auditAbout = `
Audit a REST API already deployed, made in the console or otherwise: one row
per method with its integration type; its invocation (async: always; client:
the caller chooses, with the header named; template: a request template sets
X-Amz-Invocation-Type; sync; varies: a stage variable or the request context
chooses; invalid: a value Lambda refuses; proxy; mock; http; other service;
none); the function, alias or version it invokes; whether a Lambda permission
lets API Gateway make its calls (yes, no, role: the integration has
credentials, unknown); where a failed asynchronous call goes; and, with
--stage, whether the stage runs the method as it is now defined.

Credentials come from the standard chain (environment, AWS_PROFILE or
--profile, SSO, instance roles). The audit only reads: GetRestApi,
GetResources, GetStage, GetExport, GetFunctionConfiguration, GetPolicy,
GetFunctionEventInvokeConfig, GetCallerIdentity.

Exit code 1 when a problem is found: no permission, a function that does not
exist, a deployment behind the definition, an invocation type Lambda refuses,
or, with --expect, a Lambda method of another class. Warnings (a failed
asynchronous call that goes nowhere, as Serverless Rules' ES1007 says;
something that could not be read) do not change it. Exit code 3 when the
audit could not run (no credentials, no such API, no answer) or --apply
stopped at a failed step; 2 when the command line is wrong.

--fix --mode always|client prints the plan that makes the methods
asynchronous, as the exact aws commands, and changes nothing. Without
--method it changes only what is clearly wrong in the direction asked (a
method mapping no invocation type; with always, 'event' in the wrong case),
repairs the methods already as asked, and leaves deliberate choices alone
(async in client mode, client in always mode or on another header, a stage
variable, 'RequestResponse', DryRun, proxy), saying why; --method changes
the methods it names. With --apply it makes
those calls through the SDK, in order, stops at the first that fails, and
audits again. A Lambda proxy (AWS_PROXY) method is refused, since the
function's event would change, unless --event proxy converts it as the
macro's Event: proxy does, with the request templates that build the proxy
event, in always mode only (in client mode today's callers, who send no
header, would get the function's proxy result as a 200 body), and the plan
warns what its callers lose. With --stage the plan ends with a deployment to that stage (and to
no other).`

// methodFlag is --method METHOD /path.
var methodFlag = regexp.MustCompile(`^[A-Za-z]+ /\S*$`)

// multi collects a repeated flag.
type multi []string

func (m *multi) String() string { return strings.Join(*m, ", ") }

func (m *multi) Set(s string) error {
	if !methodFlag.MatchString(strings.TrimSpace(s)) {
		return fmt.Errorf("want 'METHOD /path', such as 'POST /jobs', not %q", s)
	}
	*m = append(*m, s)
	return nil
}

func auditCommand(args []string, stdio IO) int {
	c := newCommand("audit", "--rest-api-id ID [--stage NAME] [--region R] [--profile P] [--endpoint-url URL] [-f text|json] [--expect async|client] [--method 'POST /jobs']... [--fix --mode always|client [--header NAME] [--apply]]", auditAbout, stdio)
	fs := c.fs
	id := fs.String("rest-api-id", "", "the `ID` of the REST API (required)")
	stage := fs.String("stage", "", "a stage `NAME`: compare what it runs with the definition, read its variables, and deploy a fix to it")
	var cfg audit.Config
	fs.StringVar(&cfg.Region, "region", "", "the API's `region` (else the standard chain's: AWS_REGION, the profile)")
	fs.StringVar(&cfg.Profile, "profile", "", "a `profile` of the shared AWS configuration")
	fs.StringVar(&cfg.EndpointURL, "endpoint-url", "", "send every call to this `URL` (a local emulator) instead of AWS")
	form := newChoice("text", "text", "json")
	fs.Var(form, "f", "output `format`: text or json")
	expect := newChoice("", "async", "client")
	fs.Var(expect, "expect", "a Lambda method that is not `async` (or client) is a problem")
	var methods multi
	fs.Var(&methods, "method", "only this `method`, as 'POST /jobs' (repeat the flag for more)")
	fix := fs.Bool("fix", false, "print the plan that makes the methods asynchronous, as aws commands")
	mode := newChoice("", "always", "client")
	fs.Var(mode, "mode", "with --fix: `always` asynchronous, or client: the caller chooses with a header")
	header := fs.String("header", "", "with --fix --mode client: the method request `header` the caller sets (default InvocationType)")
	event := newChoice("", "proxy")
	fs.Var(event, "event", "with --fix: `proxy` converts AWS_PROXY methods, keeping the function's event (the macro's Event: proxy)")
	apply := fs.Bool("apply", false, "with --fix: make the changes")
	pos, code, done := c.parse(args)
	if done {
		return code
	}
	switch {
	case len(pos) != 0:
		return c.usageError("takes no arguments, not %q", pos[0])
	case *id == "":
		return c.usageError("--rest-api-id is required")
	case !*fix && (mode.value != "" || *header != "" || event.value != "" || *apply):
		return c.usageError("--mode, --header, --event and --apply go with --fix")
	case *fix && mode.value == "":
		return c.usageError("--fix needs --mode always or --mode client")
	case mode.value == "always" && *header != "":
		return c.usageError("--header goes with --mode client")
	case event.value != "" && len(methods) == 0:
		return c.usageError("--event proxy converts the proxy methods --method names, and no other: name them")
	case *header != "" && !macro.IsHeaderName(*header):
		return c.usageError("--header: want an HTTP header name such as %s, not %q", audit.DefaultHeader, *header)
	}
	ctx := context.Background()
	fail := func(err error) int { // the audit could not run, or not to its end
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %v\n", err)
		return exitFailed
	}
	cl, err := audit.Connect(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	o := audit.Options{RestAPIID: *id, Stage: *stage, Methods: methods, Expect: expectClass(expect.value)}
	report, err := audit.Run(ctx, cl, o)
	var unknown *audit.UnknownMethodsError
	if errors.As(err, &unknown) {
		return c.usageError("--method: %v", err)
	}
	if err != nil {
		return fail(err)
	}
	if !*fix {
		if err := write(stdio.Stdout, form.value, output{report: report}); err != nil {
			return fail(err)
		}
		return problemsCode(report)
	}
	plan := report.Plan(audit.FixOptions{Mode: expectClass(mode.value), Header: *header, Methods: methods, Event: event.value})
	if !*apply || len(plan.Steps) == 0 {
		if err := write(stdio.Stdout, form.value, output{report: report, plan: plan}); err != nil {
			return fail(err)
		}
		if plan.Refused() {
			return exitProblems
		}
		return exitOK
	}
	if form.value == "text" {
		if err := write(stdio.Stdout, form.value, output{report: report, plan: plan, applying: true}); err != nil {
			return fail(err)
		}
	}
	if err := plan.Apply(ctx, cl, stdio.Stderr); err != nil {
		if form.value == "json" { // which steps were applied, for a script
			var ae *audit.ApplyError
			applied := 0
			if errors.As(err, &ae) {
				applied = ae.Step - 1
			}
			_ = write(stdio.Stdout, form.value, output{report: report, plan: plan, applying: true, applied: applied, err: err})
		}
		return fail(err)
	}
	after, err := audit.Run(ctx, cl, o)
	if err != nil {
		return fail(fmt.Errorf("the changes were applied, but reading the API again failed: %w", err))
	}
	if form.value == "text" {
		fmt.Fprintln(stdio.Stdout, "\nAfter the changes:")
		if err := after.WriteText(stdio.Stdout); err != nil {
			return fail(err)
		}
	} else if err := write(stdio.Stdout, form.value, output{report: report, plan: plan, applying: true, applied: len(plan.Steps), after: after}); err != nil {
		return fail(err)
	}
	if plan.Refused() {
		return exitProblems
	}
	return problemsCode(after)
}

func expectClass(v string) audit.Class {
	switch v {
	case "always", "async":
		return audit.Async
	case "client":
		return audit.Client
	}
	return ""
}

func problemsCode(r *audit.Report) int {
	if len(r.Problems) > 0 {
		return exitProblems
	}
	return exitOK
}

// output is what audit writes: the report, the plan of --fix, and with
// --apply how many of its steps were applied, the error that stopped it,
// and the report after.
type output struct {
	report   *audit.Report
	plan     *audit.Plan
	applying bool
	applied  int
	err      error
	after    *audit.Report
}

// write writes the output as text or as one JSON object.
func write(w io.Writer, format string, out output) error {
	if format == "json" {
		if out.plan == nil {
			return out.report.WriteJSON(w)
		}
		obj := map[string]any{"audit": out.report, "plan": out.plan}
		if out.applying {
			obj["applied"] = out.applied
		}
		if out.err != nil {
			obj["error"] = out.err.Error()
		}
		if out.after != nil {
			obj["after"] = out.after
		}
		return audit.WriteJSON(w, obj)
	}
	if err := out.report.WriteText(w); err != nil {
		return err
	}
	if out.plan == nil {
		return nil
	}
	if out.applying {
		fmt.Fprintln(w, "\nPlan (applying it now):")
	} else {
		fmt.Fprintln(w, "\nPlan (nothing changes without --apply):")
	}
	return out.plan.WriteText(w)
}
