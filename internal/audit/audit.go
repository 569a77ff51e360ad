package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// Options say what to audit.
type Options struct {
	RestAPIID string
	Stage     string   // "" for none: every stage is then taken to be possible
	Methods   []string // only these methods ("POST /jobs"); all when empty
	Expect    Class    // "", Async or Client: a Lambda method of another class is a problem
	PageSize  int32    // GetResources page size; 0 for 500, the most API Gateway gives
}

// Report is what the audit found.
type Report struct {
	API   API          `json:"api"`
	Stage *StageReport `json:"stage,omitempty"`
	// Stages are, without --stage, the API's stages (GetStages): a
	// permission covers a method when it covers its calls from each.
	Stages   []string  `json:"stages,omitempty"`
	Methods  []Row     `json:"methods"`
	Problems []Finding `json:"problems"`
	Warnings []Finding `json:"warnings"`

	stage            *stage                  // nil without --stage
	config           Config                  // how the clients were made, for the plan's commands
	binaryMediaTypes []string                // the API's, for --event proxy's templates
	preflights       map[string]types.Method // the OPTIONS methods by path, for client mode's header
}

// API is the audited REST API.
type API struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Region    string `json:"region"`
	Account   string `json:"account"`
	Partition string `json:"partition"`
	// Stack is the CloudFormation stack that made the API (its tag
	// aws:cloudformation:stack-name), or "".
	Stack string `json:"stack,omitempty"`
}

// stackTag is the tag CloudFormation puts on what a stack makes.
const stackTag = "aws:cloudformation:stack-name"

// StageReport is the stage named with --stage.
type StageReport struct {
	Name         string `json:"name"`
	DeploymentID string `json:"deploymentId"`
	// Compared is true when its export could be compared with the
	// definition; Note says why not, when not.
	Compared bool   `json:"compared"`
	Note     string `json:"note,omitempty"`
}

// Row is one method.
type Row struct {
	Method          string         `json:"method"`
	Path            string         `json:"path"`
	ResourceID      string         `json:"resourceId"`
	IntegrationType string         `json:"integrationType"`
	Invocation      Invocation     `json:"invocation"`
	Target          *Target        `json:"target,omitempty"`
	Permission      *Permission    `json:"permission,omitempty"` // nil when no Lambda function is invoked
	Async           *AsyncSettings `json:"async,omitempty"`
	Deployed        *Deployed      `json:"deployed,omitempty"`

	def types.Method
}

// Key names the method: POST /jobs.
func (r Row) Key() string { return r.Method + " " + r.Path }

// Finding is a problem or a warning, with a code from the README's table.
type Finding struct {
	Method  string `json:"method,omitempty"` // POST /jobs; "" for the API or stage
	Code    string `json:"code"`
	Message string `json:"message"`
}

// The codes of findings.
const (
	CodePermission  = "permission"   // problem: no permission lets API Gateway invoke the function
	CodeFunction    = "function"     // problem: the function does not exist
	CodeDeployment  = "deployment"   // problem: the stage's deployment is behind the definition
	CodeExpect      = "expect"       // problem: not the class --expect asks for
	CodeInvocation  = "invocation"   // problem: an invocation type Lambda refuses, or DryRun
	CodeIntegration = "integration"  // problem: a method without integration
	CodeOnFailure   = "on-failure"   // warning: an asynchronous call's failure goes nowhere (ES1007)
	CodeCORS        = "cors"         // warning: the preflight does not let a browser send the client's header
	CodeUnknown     = "cannot-check" // warning: something could not be read
)

// UnknownMethodsError says that --method named methods the API does not
// have, and lists those it has.
type UnknownMethodsError struct {
	Unknown, Known []string
}

func (e *UnknownMethodsError) Error() string {
	return fmt.Sprintf("the API has no method %s; its methods are: %s", strings.Join(e.Unknown, ", "), strings.Join(e.Known, ", "))
}

// Run audits a REST API.
func Run(ctx context.Context, cl *Clients, o Options) (*Report, error) {
	account, partition, err := cl.account(ctx)
	if err != nil {
		return nil, err
	}
	def, err := cl.readDefinition(ctx, o.RestAPIID, o.PageSize)
	if err != nil {
		return nil, err
	}
	methods, err := selectMethods(def.Methods, o.Methods)
	if err != nil {
		return nil, err
	}
	r := &Report{API: API{ID: def.ID, Name: def.Name, Region: cl.Region, Account: account, Partition: partition, Stack: def.Tags[stackTag]}, Methods: []Row{}, Problems: []Finding{}, Warnings: []Finding{}, config: cl.Config, binaryMediaTypes: def.BinaryMediaTypes}
	var vars map[string]string
	var deployed map[string]snapshot
	if o.Stage != "" {
		st, err := cl.readStage(ctx, o.RestAPIID, o.Stage)
		if err != nil {
			return nil, err
		}
		r.stage, vars = st, st.Variables
		r.Stage = &StageReport{Name: st.Name, DeploymentID: st.DeploymentID}
		deployed = r.compareStage(def, len(o.Methods) == 0)
	} else {
		names, err := cl.stageNames(ctx, o.RestAPIID)
		if err != nil {
			r.warn("", CodeUnknown, err.Error()+": permissions are checked for calls from a stage of any name")
		}
		r.Stages = names
	}
	r.preflights = map[string]types.Method{}
	for _, m := range def.Methods {
		if m.HTTPMethod == "OPTIONS" {
			r.preflights[m.Path] = m.Def
		}
	}
	functions := map[string]*function{}
	for _, m := range methods {
		r.Methods = append(r.Methods, r.row(ctx, cl, m, vars, functions, deployed, o))
	}
	return r, nil
}

// selectMethods keeps the methods --method names, in the API's order.
func selectMethods(all []method, names []string) ([]method, error) {
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[NormalizeMethod(n)] = true
	}
	var out []method
	var known []string
	for _, m := range all {
		known = append(known, m.key())
		if want[m.key()] {
			out = append(out, m)
			delete(want, m.key())
		}
	}
	if len(want) > 0 {
		return nil, &UnknownMethodsError{Unknown: sortedKeys(want), Known: known}
	}
	return out, nil
}

// NormalizeMethod writes a method as --method takes it, "post /jobs", as
// the audit names it: POST /jobs.
func NormalizeMethod(s string) string {
	m, p, _ := strings.Cut(strings.TrimSpace(s), " ")
	return strings.ToUpper(m) + " " + strings.TrimSpace(p)
}

// compareStage reads the stage's export into snapshots by method, and
// (when every method is audited) notes the methods it has deployed that
// the definition no longer has. It returns nil when nothing can be
// compared, and says why.
func (r *Report) compareStage(def definition, all bool) map[string]snapshot {
	st := r.stage
	if st.exportErr != nil {
		r.Stage.Note = "the stage's export could not be read, so its deployment is not compared: " + st.exportErr.Error()
		r.warn("", CodeUnknown, r.Stage.Note)
		return nil
	}
	deployed, hasIntegrations, err := deployedMethods(st.export)
	if err != nil {
		r.Stage.Note = err.Error()
		r.warn("", CodeUnknown, r.Stage.Note)
		return nil
	}
	if !hasIntegrations {
		// API Gateway deploys no API without methods, nor a method without
		// an integration: an export without any left them out.
		r.Stage.Note = "the stage's export carries no x-amazon-apigateway-integration (the endpoint exports none), so its deployment is not compared"
		r.warn("", CodeUnknown, r.Stage.Note)
		return nil
	}
	r.Stage.Compared = true
	defined := map[string]bool{}
	for _, m := range def.Methods {
		defined[m.key()] = true
	}
	for _, k := range sortedKeys(deployed) {
		if all && !defined[k] {
			r.problem(k, CodeDeployment, "is still deployed to the stage "+st.Name+" but no longer defined: the stage's deployment is behind the definition; deploy the API to the stage")
		}
	}
	return deployed
}

// row audits one method.
func (r *Report) row(ctx context.Context, cl *Clients, m method, vars map[string]string, functions map[string]*function, deployed map[string]snapshot, o Options) Row {
	row := Row{Method: m.HTTPMethod, Path: m.Path, ResourceID: m.ResourceID, Invocation: Classify(m.Def, vars), def: m.Def}
	key := row.Key()
	in := m.Def.MethodIntegration
	if in != nil {
		row.IntegrationType = string(in.Type)
	}
	switch row.Invocation.Class {
	case None:
		r.problem(key, CodeIntegration, row.Invocation.Note)
	case Invalid:
		r.problem(key, CodeInvocation, "maps X-Amz-Invocation-Type from "+row.Invocation.Source+": "+row.Invocation.Note)
	}
	if row.Invocation.unset {
		name := strings.TrimPrefix(row.Invocation.Source, "stageVariables.")
		r.problem(key, CodeInvocation, "maps X-Amz-Invocation-Type from the stage variable "+name+", which the stage "+r.stage.Name+" does not set: API Gateway sends no invocation type, so its calls run synchronously (Lambda's default); set "+name+" on the stage to Event or RequestResponse")
	}
	t, invokesLambda := InvokedTarget(in, vars)
	if invokesLambda && !strings.EqualFold(deref(in.HttpMethod), "POST") {
		r.problem(key, CodeIntegration, "calls Lambda with "+dash(deref(in.HttpMethod))+", but Lambda's Invoke API takes POST only (API Gateway requires POST for a Lambda integration), so every call fails (--fix makes it POST)")
	}
	if invokesLambda && row.Invocation.Class != Proxy && !hasDefaultResponse(in) {
		r.problem(key, CodeIntegration, "has no default integration response (one without a selection pattern): API Gateway answers 500 to every call the function does not fail, asynchronous ones included (--fix adds one)")
	}
	if invokesLambda {
		row.Target = &t
		p, async := r.lambdaChecks(ctx, cl, key, t, in, row.Invocation.Class, functions)
		row.Permission, row.Async = &p, async
		if o.Expect != "" && row.Invocation.Class != o.Expect {
			msg := fmt.Sprintf("is %s, not %s as --expect asks", row.Invocation.Class, o.Expect)
			if row.Invocation.Class == Proxy {
				msg += ": a Lambda proxy integration always invokes synchronously"
			}
			r.problem(key, CodeExpect, msg)
		}
	}
	if deployed != nil {
		row.Deployed = r.deployedState(key, m, deployed)
	}
	if row.Invocation.Class == Client && row.Invocation.Header != "" {
		if allowed, blocks := r.preflightBlocks(row.Path, row.Invocation.Header); blocks {
			r.warn(key, CodeCORS, "lets the caller choose with the header "+row.Invocation.Header+", but its preflight (OPTIONS "+row.Path+") allows the headers "+allowed+" only: a browser that sends "+row.Invocation.Header+" is stopped by the preflight and its request never made; add "+row.Invocation.Header+" to the preflight's Access-Control-Allow-Headers")
		}
	}
	return row
}

// preflightBlocks reports whether the preflight of a path (its OPTIONS
// method, as the console's Enable CORS makes it: an integration response
// that maps Access-Control-Allow-Headers from a literal) does not let a
// browser send header, and which headers it allows. A preflight that
// answers otherwise (a proxy, no such mapping) is not judged.
func (r *Report) preflightBlocks(path, header string) (allowed string, blocks bool) {
	m, ok := r.preflights[path]
	if !ok || m.MethodIntegration == nil {
		return "", false
	}
	for _, ir := range m.MethodIntegration.IntegrationResponses {
		v, ok := ir.ResponseParameters["method.response.header.Access-Control-Allow-Headers"]
		if !ok || len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
			continue
		}
		allowed = v[1 : len(v)-1]
		for _, h := range strings.Split(allowed, ",") {
			if h = strings.TrimSpace(h); h == "*" || strings.EqualFold(h, header) {
				return allowed, false
			}
		}
		return allowed, true
	}
	return "", false
}

// lambdaChecks checks the permission for a method's calls and, for a
// method that may invoke asynchronously, the function's asynchronous
// settings.
func (r *Report) lambdaChecks(ctx context.Context, cl *Clients, key string, t Target, in *types.Integration, class Class, functions map[string]*function) (Permission, *AsyncSettings) {
	if t.StageVariable != "" {
		note := "the stage variable " + t.StageVariable + " chooses the function; name the stage with --stage to check it"
		if r.stage != nil {
			note = "the stage variable " + t.StageVariable + " chooses the function and is not set on the stage " + r.stage.Name + ": calls answer 500"
			r.problem(key, CodeFunction, "invokes "+t.Function+": "+note)
		}
		return Permission{State: Unknown, Note: note}, nil
	}
	async := class == Async || class == Client || class == Template || class == Varies
	cacheKey := t.Region + " " + t.key()
	f, ok := functions[cacheKey]
	if !ok {
		f = cl.readFunction(ctx, t)
		functions[cacheKey] = f
	}
	if f.err != nil {
		r.warn(key, CodeUnknown, f.err.Error())
		return Permission{State: Unknown, Note: f.err.Error()}, nil
	}
	if !f.exists {
		msg := "invokes " + t.String() + ", which does not exist in " + regionOr(t.Region, cl.Region) + ": calls answer 500"
		r.problem(key, CodeFunction, msg)
		return Permission{State: Unpermitted, Note: "the function does not exist"}, nil
	}
	var p Permission
	switch {
	case deref(in.Credentials) != "":
		p = Permission{State: ByRole, Note: "API Gateway calls Lambda with the integration's credentials, " + deref(in.Credentials) + ", so no permission on the function is needed (the role's policy must allow lambda:InvokeFunction)"}
	case f.policyErr != nil:
		p = Permission{State: Unknown, Note: f.policyErr.Error()}
		r.warn(key, CodeUnknown, f.policyErr.Error())
	default:
		var answer string
		p, answer = r.permission(key, f.policy)
		p.policyBytes = f.policy.size
		if p.State == Unpermitted {
			r.problem(key, CodePermission, "invokes "+t.String()+", but "+p.Note+": "+answer+" (--fix adds it)")
		}
	}
	if !async {
		return p, nil
	}
	if f.asyncErr != nil {
		r.warn(key, CodeUnknown, f.asyncErr.Error())
		return p, nil
	}
	s := f.async
	if s.OnFailure == "" && s.DeadLetter == "" && (class == Async || class == Client) {
		r.warn(key, CodeOnFailure, fmt.Sprintf("invokes %s asynchronously, and a failed call goes nowhere: it has no on-failure destination and no dead-letter queue, so Lambda drops the event after %d retries (Serverless Rules ES1007); give it one with aws lambda put-function-event-invoke-config --destination-config", t.String(), s.MaximumRetryAttempts))
	}
	return p, &s
}

// hasDefaultResponse reports whether a Lambda non-proxy integration has an
// integration response without a selection pattern: for Lambda a pattern
// matches the error message of a failed call only, so without one a call
// that does not fail (and every asynchronous call, which Lambda answers 202)
// has no response, and API Gateway answers 500 ("No match for output
// mapping and no default output mapping configured").
func hasDefaultResponse(in *types.Integration) bool {
	for _, ir := range in.IntegrationResponses {
		if deref(ir.SelectionPattern) == "" {
			return true
		}
	}
	return false
}

func regionOr(region, fallback string) string {
	if region == "" {
		return fallback
	}
	return region
}

// checkedStages are the stages whose calls a permission must cover: the
// one named with --stage, else each the API has; "" (a stage of any name)
// when it has none, or they could not be read.
func (r *Report) checkedStages() []string {
	switch {
	case r.stage != nil:
		return []string{r.stage.Name}
	case len(r.Stages) > 0:
		return r.Stages
	}
	return []string{""}
}

// maxStatements is how many other statements a permission's note describes.
const maxStatements = 3

// permission tells whether a function's policy lets API Gateway make a
// method's calls from each checked stage; when not, the note says for
// which, and answer which calls answer 500.
func (r *Report) permission(key string, pol *policy) (p Permission, answer string) {
	var missing, covered, sids, others []string
	for _, st := range r.checkedStages() {
		sid, o := pol.covers(r.call(key, st))
		if sid == "" {
			missing = append(missing, st)
			if others == nil {
				others = o
			}
			continue
		}
		covered = append(covered, st)
		if !slices.Contains(sids, sid) {
			sids = append(sids, sid)
		}
	}
	if len(missing) == 0 {
		return Permission{State: Permitted, Statement: strings.Join(sids, ", ")}, ""
	}
	lets := "no statement of its policy lets " + cfn.APIGatewayPrincipal + " invoke it "
	if len(covered) > 0 {
		c := r.call(key, missing[0])
		note := fmt.Sprintf("%sfrom the %s %s (%s); from %s, %s does", lets, plural0(len(missing), "stage"), strings.Join(missing, ", "), SourceARN(c), strings.Join(covered, ", "), strings.Join(sids, ", "))
		return Permission{State: Unpermitted, Note: note, Missing: missing}, "calls from " + strings.Join(missing, ", ") + " answer 500"
	}
	c := r.call(key, missing[0])
	if len(missing) > 1 {
		c.Stage = ""
	}
	note := lets + "for " + SourceARN(c)
	if len(missing) > 1 {
		note += " from any of the stages " + strings.Join(missing, ", ")
	}
	if len(others) > 0 {
		note += "; for API Gateway: " + listCapped(others, maxStatements, "; ", "statements")
	}
	return Permission{State: Unpermitted, Note: note}, "calls answer 500"
}

// plural0 is what, for n of them, without the number.
func plural0(n int, what string) string {
	if n == 1 {
		return what
	}
	return what + "s"
}

// call is every call of a method from this API, as Lambda sees it, from
// stage ("" for a stage of any name).
func (r *Report) call(key, stage string) cfn.Call {
	method, path, _ := strings.Cut(key, " ")
	return cfn.Call{Partition: r.API.Partition, Region: r.API.Region, Account: r.API.Account, APIID: r.API.ID, Stage: stage, Method: method, Path: path}
}

// SourceARN writes the source ARN of every call c stands for, with * for
// what varies: arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*/POST/jobs/*.
func SourceARN(c cfn.Call) string {
	stage, method := c.Stage, strings.ToUpper(c.Method)
	if stage == "" {
		stage = "*"
	}
	if method == "" || method == "ANY" {
		method = "*"
	}
	parts := strings.Split(strings.Trim(c.Path, "/"), "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = "*"
		}
	}
	return fmt.Sprintf("arn:%s:execute-api:%s:%s:%s/%s/%s/%s", c.Partition, c.Region, c.Account, c.APIID, stage, method, strings.Join(parts, "/"))
}

// deployedState compares a method with the stage's export.
func (r *Report) deployedState(key string, m method, deployed map[string]snapshot) *Deployed {
	was, ok := deployed[key]
	if !ok {
		r.problem(key, CodeDeployment, "is not deployed to the stage "+r.stage.Name+": the stage's deployment is behind the definition; deploy the API to the stage")
		return &Deployed{State: NotDeployed}
	}
	diffs := differences(was, definitionSnapshot(m.Def))
	if len(diffs) == 0 {
		return &Deployed{State: UpToDate}
	}
	note := strings.Join(diffs, "; ")
	r.problem(key, CodeDeployment, "differs from what the stage "+r.stage.Name+" runs: "+note+"; deploy the API to the stage")
	return &Deployed{State: Behind, Note: note}
}

func (r *Report) problem(method, code, msg string) {
	r.Problems = append(r.Problems, Finding{Method: method, Code: code, Message: msg})
}

func (r *Report) warn(method, code, msg string) {
	r.Warnings = append(r.Warnings, Finding{Method: method, Code: code, Message: msg})
}
