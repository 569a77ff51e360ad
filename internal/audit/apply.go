package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// commands writes each step's exact AWS CLI command, with the region,
// profile and endpoint the audit used, so that it makes the same call.
func (p *Plan) commands(cl Config, apiRegion string) {
	for i := range p.Steps {
		s := &p.Steps[i]
		s.Command = command(s.input)
		region := apiRegion
		if s.region != "" {
			region = s.region
		}
		s.Command = append(s.Command, "--region", region)
		if cl.Profile != "" {
			s.Command = append(s.Command, "--profile", cl.Profile)
		}
		if cl.EndpointURL != "" {
			s.Command = append(s.Command, "--endpoint-url", cl.EndpointURL)
		}
	}
}

// command is the AWS CLI command (without region, profile and endpoint)
// that makes the call of an SDK input.
func command(input any) []string {
	switch in := input.(type) {
	case *apigateway.UpdateIntegrationInput:
		return append(methodArgs("update-integration", in.RestApiId, in.ResourceId, in.HttpMethod), "--patch-operations", patchJSON(in.PatchOperations))
	case *apigateway.UpdateMethodInput:
		return append(methodArgs("update-method", in.RestApiId, in.ResourceId, in.HttpMethod), "--patch-operations", patchJSON(in.PatchOperations))
	case *apigateway.PutMethodResponseInput:
		return append(methodArgs("put-method-response", in.RestApiId, in.ResourceId, in.HttpMethod), "--status-code", deref(in.StatusCode))
	case *apigateway.PutIntegrationResponseInput:
		return append(methodArgs("put-integration-response", in.RestApiId, in.ResourceId, in.HttpMethod), "--status-code", deref(in.StatusCode))
	case *apigateway.PutIntegrationInput:
		args := append(methodArgs("put-integration", in.RestApiId, in.ResourceId, in.HttpMethod),
			"--type", string(in.Type), "--integration-http-method", deref(in.IntegrationHttpMethod), "--uri", deref(in.Uri))
		if in.Credentials != nil {
			args = append(args, "--credentials", *in.Credentials)
		}
		args = append(args, "--request-parameters", mustJSON(in.RequestParameters), "--request-templates", mustJSON(in.RequestTemplates),
			"--passthrough-behavior", deref(in.PassthroughBehavior))
		if in.ContentHandling != "" {
			args = append(args, "--content-handling", string(in.ContentHandling))
		}
		if in.CacheNamespace != nil {
			args = append(args, "--cache-namespace", *in.CacheNamespace)
		}
		if len(in.CacheKeyParameters) > 0 {
			args = append(args, "--cache-key-parameters", mustJSON(in.CacheKeyParameters))
		}
		if in.TimeoutInMillis != nil {
			args = append(args, "--timeout-in-millis", strconv.Itoa(int(*in.TimeoutInMillis)))
		}
		return args
	case *apigateway.CreateDeploymentInput:
		return []string{"aws", "apigateway", "create-deployment", "--rest-api-id", deref(in.RestApiId), "--stage-name", deref(in.StageName), "--description", deref(in.Description)}
	case *lambda.AddPermissionInput:
		return []string{"aws", "lambda", "add-permission", "--function-name", deref(in.FunctionName), "--statement-id", deref(in.StatementId),
			"--action", deref(in.Action), "--principal", deref(in.Principal), "--source-arn", deref(in.SourceArn)}
	}
	panic(fmt.Sprintf("audit: no command for %T", input))
}

func methodArgs(op string, api, resource, method *string) []string {
	return []string{"aws", "apigateway", op, "--rest-api-id", deref(api), "--resource-id", deref(resource), "--http-method", deref(method)}
}

// patchJSON writes patch operations as the AWS CLI takes them in JSON,
// which keeps a value such as 'Event' exact (the CLI's shorthand syntax
// would read its quotes).
func patchJSON(ops []types.PatchOperation) string {
	type op struct {
		Op    string  `json:"op"`
		Path  string  `json:"path"`
		Value *string `json:"value,omitempty"`
	}
	out := make([]op, len(ops))
	for i, o := range ops {
		out[i] = op{Op: string(o.Op), Path: deref(o.Path), Value: o.Value}
	}
	return mustJSON(out)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// ShellLine writes a command for a POSIX shell: each argument as it is
// when that is safe, else in single quotes.
func ShellLine(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if shellSafe.MatchString(a) {
			quoted[i] = a
		} else {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

// WriteText writes the plan: each step's command, with why, and what it
// leaves as it is.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	if len(p.Steps) == 0 {
		b.WriteString("Nothing to change.\n")
	} else {
		fmt.Fprintf(&b, "%s:\n", plural(len(p.Steps), "change"))
	}
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "\n# %d. %s\n%s\n", i+1, s.what(), ShellLine(s.Command))
	}
	for _, f := range p.Skipped {
		fmt.Fprintf(&b, "\n# %s: %s: %s", f.Method, f.Code, f.Message)
	}
	if len(p.Skipped) > 0 {
		b.WriteString("\n")
	}
	for _, g := range groupFindings(p.Warnings) {
		fmt.Fprintf(&b, "\n# Warning: %s: %s\n", g.methods, g.Message)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "\n# Note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the plan as JSON.
func (p *Plan) WriteJSON(w io.Writer) error { return WriteJSON(w, p) }

// what says what a step does, and to which method.
func (s Step) what() string {
	if s.Method == "" {
		return s.Why
	}
	return s.Method + ": " + s.Why
}

// ApplyError says which step of a plan failed, and what had been done.
type ApplyError struct {
	Step, Of int
	Command  string
	Err      error
}

func (e *ApplyError) Error() string {
	done := "nothing was changed"
	switch {
	case e.Step == 2:
		done = "step 1 was applied, and nothing after step 2 was run"
	case e.Step > 2:
		done = fmt.Sprintf("steps 1 to %d were applied, and nothing after step %d was run", e.Step-1, e.Step)
	}
	return fmt.Sprintf("step %d of %d failed: %v\n  %s\n%s; run the audit again to see where the API stands", e.Step, e.Of, e.Err, e.Command, done)
}

// Apply makes the plan's calls, in order, through the SDK, and stops at the
// first that fails. progress gets one line per step done.
func (p *Plan) Apply(ctx context.Context, cl *Clients, progress io.Writer) error {
	for i, s := range p.Steps {
		if err := s.apply(ctx, cl); err != nil {
			return &ApplyError{Step: i + 1, Of: len(p.Steps), Command: ShellLine(s.Command), Err: err}
		}
		fmt.Fprintf(progress, "applied %d/%d: %s\n", i+1, len(p.Steps), s.what())
	}
	return nil
}

func (s Step) apply(ctx context.Context, cl *Clients) error {
	var err error
	var op string
	switch in := s.input.(type) {
	case *apigateway.UpdateIntegrationInput:
		op = "updating the integration of " + s.Method
		_, err = cl.APIs.UpdateIntegration(ctx, in)
	case *apigateway.UpdateMethodInput:
		op = "updating the method " + s.Method
		_, err = cl.APIs.UpdateMethod(ctx, in)
	case *apigateway.PutMethodResponseInput:
		op = "adding a method response to " + s.Method
		_, err = cl.APIs.PutMethodResponse(ctx, in)
	case *apigateway.PutIntegrationResponseInput:
		op = "adding an integration response to " + s.Method
		_, err = cl.APIs.PutIntegrationResponse(ctx, in)
	case *apigateway.PutIntegrationInput:
		op = "putting the integration of " + s.Method
		_, err = cl.APIs.PutIntegration(ctx, in)
	case *apigateway.CreateDeploymentInput:
		op = "deploying the API to the stage " + deref(in.StageName)
		_, err = cl.APIs.CreateDeployment(ctx, in)
	case *lambda.AddPermissionInput:
		op = "adding the permission for " + s.Method
		_, err = cl.lambdaIn(s.region).AddPermission(ctx, in)
	default:
		return fmt.Errorf("audit: no call for %T", s.input)
	}
	if err != nil {
		return callError(op, err)
	}
	return nil
}
