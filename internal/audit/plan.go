package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// FixOptions say what --fix makes of the methods.
type FixOptions struct {
	Mode   Class  // Async (always) or Client
	Header string // Client: the method request header the caller sets; "" for InvocationType
	// Methods are the methods to change ("POST /jobs"). When empty, the
	// Lambda methods that are clearly wrong in the direction the mode asks
	// (see unnamed): a deliberate choice changes only when named.
	Methods    []string
	Event      string // "" or "proxy": convert AWS_PROXY methods, keeping the function's event
	StatusCode string // of the default integration response added when there is none; "" for 200
}

// DefaultHeader is the header the caller sets in client mode, as the
// macro's default and AWS's documentation name it.
const DefaultHeader = "InvocationType"

// Plan is what --fix would change: the calls, in order, and the methods
// it leaves as they are.
type Plan struct {
	Steps []Step `json:"steps"`
	// Skipped are the methods the plan leaves as they are, and why: code
	// "unchanged" (already as asked), "refused" (a method --method names
	// cannot be fixed) or "skipped" (one it does not name is left alone).
	Skipped []Finding `json:"skipped"`
	// Warnings say, for a method the plan changes, what its callers lose
	// or must do (code "callers").
	Warnings []Finding `json:"warnings"`
	Notes    []string  `json:"notes"`
}

// Refused reports whether the plan refuses a method it was asked for.
func (p *Plan) Refused() bool {
	return slices.ContainsFunc(p.Skipped, func(f Finding) bool { return f.Code == "refused" })
}

// Step is one AWS call of a plan.
type Step struct {
	Method string `json:"method,omitempty"` // POST /jobs; "" for the deployment
	Why    string `json:"why"`
	// Command is the exact AWS CLI command that makes the same call.
	Command []string `json:"command"`
	input   any      // the SDK input: *apigateway.UpdateIntegrationInput, ...
	region  string   // Lambda calls: the function's region
	// policyBytes is, for add-permission, the size of the policy it adds to.
	policyBytes int
}

// Plan plans the fix of a report's methods: a pure function of what the
// audit read. stage is the stage named with --stage (the only one
// deployed to), or "".
func (r *Report) Plan(o FixOptions) *Plan {
	if o.StatusCode == "" {
		o.StatusCode = "200"
	}
	p := &Plan{Steps: []Step{}, Skipped: []Finding{}, Warnings: []Finding{}, Notes: []string{}}
	defer p.commands(r.config, r.API.Region)
	asked := len(o.Methods) > 0
	named := map[string]bool{}
	for _, m := range o.Methods {
		named[NormalizeMethod(m)] = true
	}
	for _, row := range r.Methods {
		if asked && !named[row.Key()] {
			continue
		}
		if !asked && row.Target == nil {
			continue // not a Lambda method: only --method names one to be refused
		}
		act := convert
		if !asked {
			var why string
			if act, why = unnamed(row, o); act == leave {
				p.Skipped = append(p.Skipped, Finding{Method: row.Key(), Code: "skipped", Message: why})
				continue
			}
		} else if o.Mode == Client && row.Invocation.Class == Client && (o.Header == "" || strings.EqualFold(o.Header, row.Invocation.Header)) {
			act = repair // client already: its callers keep the header they send
		}
		steps, skip := r.planMethod(row, o, act)
		if skip != nil {
			if !asked && skip.Code == "refused" {
				skip.Code = "skipped" // not asked for by name: said, not an error
			}
			p.Skipped = append(p.Skipped, *skip)
			continue
		}
		p.Steps = append(p.Steps, steps...)
		if act == convert {
			for _, w := range r.callerWarnings(row, o) {
				p.Warnings = append(p.Warnings, Finding{Method: row.Key(), Code: "callers", Message: w})
			}
		}
	}
	p.Notes = append(p.Notes, r.policyGrowth(p.Steps)...)
	if r.API.Stack != "" && len(p.Steps) > 0 {
		p.Notes = append(p.Notes, "the CloudFormation stack "+r.API.Stack+" made this API (its tag "+stackTag+"): these changes are drift, which the stack's next update may undo where its template says otherwise; make them in the template too (AsyncInvoke on the method, with the macro)")
	}
	behind := slices.ContainsFunc(r.Problems, func(f Finding) bool { return f.Code == CodeDeployment })
	asIs := map[string]bool{} // methods --method names that are as asked already
	for _, f := range p.Skipped {
		asIs[f.Method] = asked && f.Code == "unchanged"
	}
	namedBehind := slices.ContainsFunc(r.Problems, func(f Finding) bool { return f.Code == CodeDeployment && asIs[f.Method] })
	if len(p.Steps) == 0 && r.Stage != nil && behind && !namedBehind {
		// Nothing to fix: deploying would only deploy what someone else
		// changed, which nobody asked for.
		p.Notes = append(p.Notes, fmt.Sprintf("the stage %s runs an older definition (see the problems above), and the plan does not deploy it since it changes nothing: name the methods with --method to deploy them, or deploy the API yourself (aws apigateway create-deployment --rest-api-id %s --stage-name %s)", r.Stage.Name, r.API.ID, r.Stage.Name))
		return p
	}
	if len(p.Steps) == 0 && (r.Stage == nil || !behind) {
		return p
	}
	if r.Stage == nil {
		p.Notes = append(p.Notes, fmt.Sprintf("nothing changes for callers until the API is deployed to a stage: give --stage NAME to deploy it (aws apigateway create-deployment --rest-api-id %s --stage-name NAME)", r.API.ID))
		return p
	}
	changed := map[string]bool{}
	for _, s := range p.Steps {
		changed[s.Method] = true
	}
	var others []string
	for _, f := range r.Problems {
		if f.Code == CodeDeployment && !changed[f.Method] && !slices.Contains(others, f.Method) {
			others = append(others, f.Method)
		}
	}
	if len(others) > 0 && len(p.Steps) > 0 {
		p.Notes = append(p.Notes, "the deployment also deploys the changes the stage "+r.Stage.Name+" does not run yet of "+listCapped(others, maxListed, ", ", "")+" (see the problems above)")
	}
	why := "deploy the API to the stage " + r.Stage.Name + ", so that callers get the change"
	if len(p.Steps) == 0 {
		why = "deploy the API to the stage " + r.Stage.Name + ", which runs an older definition (see the problems above)"
	}
	p.Steps = append(p.Steps, Step{
		Why: why,
		input: &apigateway.CreateDeploymentInput{
			RestApiId: aws.String(r.API.ID), StageName: aws.String(r.Stage.Name),
			Description: aws.String(fmt.Sprintf("asyncinvoke audit --fix --mode %s", modeName(o.Mode))),
		},
	})
	return p
}

func modeName(c Class) string {
	if c == Async {
		return "always"
	}
	return string(c)
}

func refused(row Row, why string) *Finding {
	return &Finding{Method: row.Key(), Code: "refused", Message: why}
}

// planMethod plans one method's steps, or says why it is left alone: with
// act convert its X-Amz-Invocation-Type mapping becomes the mode's, with
// repair it is kept.
func (r *Report) planMethod(row Row, o FixOptions, act action) ([]Step, *Finding) {
	in := row.def.MethodIntegration
	switch row.Invocation.Class {
	case Proxy:
		return r.convertProxy(row, o)
	case Template:
		return nil, refused(row, "its request template for "+row.Invocation.Source+" sets X-Amz-Invocation-Type itself ($context.requestOverride), after any mapping: remove that assignment from the template, then run --fix again")
	case None, Mock, HTTP, OtherService:
		if row.Invocation.Source == "lambda" {
			return nil, refused(row, "invokes Lambda through another API than Invoke ("+row.Invocation.Note+"): only Invoke reads an invocation type")
		}
		return nil, refused(row, "invokes no Lambda function ("+InvocationText(row.Invocation)+"): only a Lambda integration can invoke asynchronously")
	}
	if row.Invocation.InvokeAsync {
		return r.fromInvokeAsync(row, o)
	}
	if row.Target == nil {
		return nil, refused(row, "invokes no Lambda function")
	}
	if p := row.Permission; p != nil && p.State == Unpermitted && p.Note == "the function does not exist" {
		return nil, refused(row, "invokes "+row.Target.String()+", which does not exist: point the integration at a function first")
	}
	keys := invocationTypeKeys(in.RequestParameters)
	var mapping string
	var steps []Step
	if act == repair && len(keys) > 0 {
		mapping = in.RequestParameters[keys[0]]
	} else {
		mapping, steps = r.mapping(row, o)
	}
	var ops []types.PatchOperation
	switch {
	case len(keys) == 0:
		ops = append(ops, types.PatchOperation{Op: types.OpAdd, Path: aws.String(requestParameterPath(cfn.InvocationTypeParameter)), Value: aws.String(mapping)})
	case in.RequestParameters[keys[0]] != mapping:
		ops = append(ops, types.PatchOperation{Op: types.OpReplace, Path: aws.String(requestParameterPath(keys[0])), Value: aws.String(mapping)})
	}
	for _, k := range keys[min(1, len(keys)):] {
		ops = append(ops, types.PatchOperation{Op: types.OpRemove, Path: aws.String(requestParameterPath(k))})
	}
	var whys []string
	if len(ops) > 0 {
		whys = append(whys, "map X-Amz-Invocation-Type from "+mapping)
	}
	if !strings.EqualFold(deref(in.HttpMethod), "POST") {
		ops = append(ops, types.PatchOperation{Op: types.OpReplace, Path: aws.String("/httpMethod"), Value: aws.String("POST")})
		whys = append(whys, "call Lambda with POST, which its Invoke API takes")
	}
	why := strings.Join(whys, ", and ")
	if len(ops) > 0 {
		steps = append(steps, r.integrationStep(row, why, ops))
	}
	steps, refusal := r.responsesAndPermission(steps, row, row, o.StatusCode)
	if refusal != nil {
		return nil, refusal
	}
	if len(steps) == 0 {
		return nil, r.unchanged(row)
	}
	return steps, nil
}

// unchanged says that a method is left as it is, since it is as asked,
// and what of its permission the audit knows.
func (r *Report) unchanged(row Row) *Finding {
	msg := "already " + InvocationText(row.Invocation) + ", with a default integration response"
	switch p := row.Permission; {
	case p == nil:
	case p.State == Permitted:
		msg += " and a permission"
	case p.State == ByRole:
		msg += ", calling Lambda with the integration's credentials"
	case p.State == Unpermitted:
		msg += "; its permission is for the function's account to grant"
	default:
		msg += "; whether a permission lets API Gateway invoke the function is not known: " + p.Note
	}
	return &Finding{Method: row.Key(), Code: "unchanged", Message: msg}
}

// fromInvokeAsync plans a method that invokes Lambda's InvokeAsync API:
// in always mode it is asynchronous already and only repaired; in client
// mode its integration URI becomes the Invoke API's, with the mapping.
func (r *Report) fromInvokeAsync(row Row, o FixOptions) ([]Step, *Finding) {
	var steps []Step
	if o.Mode == Client {
		uri, _ := invokeAsyncURI(deref(row.def.MethodIntegration.Uri))
		mapping, declare := r.mapping(row, o)
		steps = append(declare, r.integrationStep(row, "invoke the function through Lambda's Invoke API instead of InvokeAsync, and map X-Amz-Invocation-Type from "+mapping, []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/uri"), Value: aws.String(uri)},
			{Op: types.OpAdd, Path: aws.String(requestParameterPath(cfn.InvocationTypeParameter)), Value: aws.String(mapping)},
		}))
	}
	steps, refusal := r.responsesAndPermission(steps, row, row, o.StatusCode)
	if refusal != nil {
		return nil, refusal
	}
	if len(steps) == 0 {
		return nil, r.unchanged(row)
	}
	return steps, nil
}

// callerWarnings say what the callers of a method lose, or must do, when
// the plan converts it; none when they notice nothing.
func (r *Report) callerWarnings(row Row, o FixOptions) []string {
	switch {
	case row.Invocation.Class == Proxy:
		return r.proxyWarnings(row)
	case o.Mode == Async && row.Invocation.Class == Client:
		return []string{"callers that ask for RequestResponse (with " + chooser(row.Invocation) + ") get the function's result now; made always asynchronous, every call answers at once with the default integration response, without it"}
	case o.Mode == Async && row.Invocation.Class == Sync:
		return []string{"its callers get the function's result now; made asynchronous, every call answers at once with the default integration response, without it"}
	case o.Mode == Async && row.Invocation.Class == Varies:
		return []string{"the calls that run synchronously now (" + row.Invocation.Source + " chooses) give their callers the function's result; made always asynchronous, every call answers at once with the default integration response, without it"}
	}
	if o.Mode != Client {
		return nil
	}
	var w []string
	header, _ := declaredHeader(row.def.RequestParameters, headerOr(o.Header))
	if row.Invocation.Class == Async {
		w = append(w, "every call is asynchronous now; in client mode a call without the header "+header+" runs synchronously (Lambda's default), so callers must send "+header+": Event to stay asynchronous")
	}
	if allowed, blocks := r.preflightBlocks(row.Path, header); blocks {
		w = append(w, "its preflight (OPTIONS "+row.Path+") allows the headers "+allowed+" only: a browser that sends "+header+" is stopped by the preflight; add "+header+" to its Access-Control-Allow-Headers")
	}
	return w
}

func headerOr(h string) string {
	if h == "" {
		return DefaultHeader
	}
	return h
}

// mapping is the source the X-Amz-Invocation-Type mapping takes in mode
// o.Mode: 'Event', or in client mode the method request header, which a
// step declares when the method does not (in any case).
func (r *Report) mapping(row Row, o FixOptions) (string, []Step) {
	if o.Mode != Client {
		return "'" + eventType + "'", nil
	}
	header, declared := declaredHeader(row.def.RequestParameters, headerOr(o.Header))
	if declared {
		return cfn.HeaderSource + header, nil
	}
	return cfn.HeaderSource + header, []Step{r.methodStep(row, "declare the method request header "+header+" (not required), which the caller sets to Event or RequestResponse", &apigateway.UpdateMethodInput{
		PatchOperations: []types.PatchOperation{{Op: types.OpAdd, Path: aws.String(requestParameterPath("method.request.header." + header)), Value: aws.String("false")}},
	})}
}

// responsesAndPermission adds to steps the default response that the
// integration of responsesOf lacks, and the permission row lacks.
func (r *Report) responsesAndPermission(steps []Step, row, responsesOf Row, status string) ([]Step, *Finding) {
	responses, refusal := r.defaultResponse(responsesOf, status)
	if refusal != nil {
		return nil, refusal
	}
	steps = append(steps, responses...)
	return append(steps, r.permissionSteps(row)...), nil
}

// declaredHeader is the method request header the method declares as
// header, in the case it declares it, and whether it does.
func declaredHeader(params map[string]bool, header string) (string, bool) {
	for _, k := range sortedKeys(params) {
		if name, ok := strings.CutPrefix(k, "method.request.header."); ok && strings.EqualFold(name, header) {
			return name, true
		}
	}
	return header, false
}

// defaultResponse plans the default integration response (and its method
// response) when the integration has none: without it API Gateway has
// nothing to answer a successful call with, and answers 500.
func (r *Report) defaultResponse(row Row, status string) ([]Step, *Finding) {
	in := row.def.MethodIntegration
	if hasDefaultResponse(in) {
		return nil, nil
	}
	if ir, taken := in.IntegrationResponses[status]; taken {
		return nil, refused(row, fmt.Sprintf("has no default integration response, and the status %s is taken by the response for %q: give --status-code another status", status, deref(ir.SelectionPattern)))
	}
	var steps []Step
	if _, ok := row.def.MethodResponses[status]; !ok {
		steps = append(steps, Step{Method: row.Key(), Why: "declare the method response " + status + ", which the default integration response needs",
			input: &apigateway.PutMethodResponseInput{RestApiId: aws.String(r.API.ID), ResourceId: aws.String(row.ResourceID), HttpMethod: aws.String(row.Method), StatusCode: aws.String(status)}})
	}
	steps = append(steps, Step{Method: row.Key(), Why: "add a default integration response, " + status + ", to answer the call with",
		input: &apigateway.PutIntegrationResponseInput{RestApiId: aws.String(r.API.ID), ResourceId: aws.String(row.ResourceID), HttpMethod: aws.String(row.Method), StatusCode: aws.String(status)}})
	return steps, nil
}

// permissionSteps plan the permission a method lacks: lambda:InvokeFunction
// for apigateway.amazonaws.com on exactly what the method invokes, from
// this API and this method only: from every stage (so that a deployment
// to another stage keeps working) when no stage's calls are allowed; when
// some are (the policy grants stage by stage, as CDK writes it), from each
// stage whose calls are not, which keeps the policy's own scoping. The
// least that lets the calls through, and what the macro's rules count as
// covering them.
func (r *Report) permissionSteps(row Row) []Step {
	if row.Permission == nil || row.Permission.State != Unpermitted || row.Target == nil {
		return nil
	}
	t := *row.Target
	if t.Account != "" && t.Account != r.API.Account {
		return nil // another account's function: its owner grants it (noted by the problem)
	}
	fn := t.Function
	if t.Qualifier == "$LATEST" {
		fn = t.unqualified()
	}
	stages := row.Permission.Missing
	if len(stages) == 0 {
		stages = []string{""}
	}
	var steps []Step
	for _, stage := range stages {
		c := r.call(row.Key(), stage)
		from := "this method"
		if stage != "" {
			from += " on the stage " + stage
		}
		steps = append(steps, Step{Method: row.Key(), Why: "let API Gateway invoke " + t.String() + " from " + from + " (" + SourceARN(c) + ")", region: regionOr(t.Region, r.API.Region), policyBytes: row.Permission.policyBytes,
			input: &lambda.AddPermissionInput{
				FunctionName: aws.String(fn), StatementId: aws.String(statementID(r.API.ID, stage, row.Method, row.Path)),
				Action: aws.String("lambda:InvokeFunction"), Principal: aws.String(cfn.APIGatewayPrincipal), SourceArn: aws.String(SourceARN(c)),
			}})
	}
	return steps
}

// policyGrowth says, for a function whose policy the plan's permissions
// would take over Lambda's limit, that add-permission would fail partway,
// and what to do instead.
func (r *Report) policyGrowth(steps []Step) []string {
	type growth struct{ size, added, statements int }
	by := map[string]*growth{}
	var order []string
	for _, s := range steps {
		in, ok := s.input.(*lambda.AddPermissionInput)
		if !ok {
			continue
		}
		g, ok := by[*in.FunctionName]
		if !ok {
			g = &growth{size: s.policyBytes}
			by[*in.FunctionName] = g
			order = append(order, *in.FunctionName)
		}
		g.statements++
		g.added += len(mustJSON(map[string]any{
			"Sid": *in.StatementId, "Effect": "Allow", "Principal": map[string]string{"Service": *in.Principal}, "Action": *in.Action,
			"Resource": *in.FunctionName, "Condition": map[string]any{"ArnLike": map[string]string{"AWS:SourceArn": *in.SourceArn}},
		})) + 1
	}
	var notes []string
	for _, fn := range order {
		g := by[fn]
		if g.size+g.added <= policyLimit {
			continue
		}
		api := fmt.Sprintf("arn:%s:execute-api:%s:%s:%s/*/*/*", r.API.Partition, r.API.Region, r.API.Account, r.API.ID)
		notes = append(notes, fmt.Sprintf("the policy of %s holds %d bytes, and the plan's %s add about %d: Lambda refuses a function policy over 20 KB, so add-permission would fail partway; grant this API once instead (aws lambda add-permission --function-name %s --statement-id asyncinvoke-%s --action lambda:InvokeFunction --principal %s --source-arn '%s'), then run --fix again",
			fn, g.size, plural(g.statements, "permission"), g.added, fn, r.API.ID, cfn.APIGatewayPrincipal, api))
	}
	return notes
}

var notSidChar = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// statementID names the permission of a method (from a stage, or ""
// for every stage): readable, within Lambda's 100 characters of
// [A-Za-z0-9_-], and unique per API, stage and method.
func statementID(api, stage, method, path string) string {
	key := method + " " + path
	if stage != "" {
		key = stage + " " + key
		method = stage + "-" + method
	}
	sum := sha256.Sum256([]byte(key))
	readable := strings.Trim(notSidChar.ReplaceAllString(method+path, "-"), "-")
	if len(readable) > 50 {
		readable = readable[:50]
	}
	return "asyncinvoke-" + notSidChar.ReplaceAllString(api, "-") + "-" + readable + "-" + hex.EncodeToString(sum[:4])
}

// requestParameterPath is the patch path of a request parameter: a JSON
// Pointer, in which ~ is written ~0 and / is written ~1.
func requestParameterPath(key string) string {
	return "/requestParameters/" + jsonPointerEscape(key)
}

func jsonPointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (r *Report) integrationStep(row Row, why string, ops []types.PatchOperation) Step {
	return Step{Method: row.Key(), Why: why, input: &apigateway.UpdateIntegrationInput{
		RestApiId: aws.String(r.API.ID), ResourceId: aws.String(row.ResourceID), HttpMethod: aws.String(row.Method), PatchOperations: ops,
	}}
}

func (r *Report) methodStep(row Row, why string, in *apigateway.UpdateMethodInput) Step {
	in.RestApiId, in.ResourceId, in.HttpMethod = aws.String(r.API.ID), aws.String(row.ResourceID), aws.String(row.Method)
	return Step{Method: row.Key(), Why: why, input: in}
}
