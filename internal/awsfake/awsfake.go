// Package awsfake is a fake of the AWS calls asyncinvoke audit makes, for
// tests: API Gateway's REST routes (GetRestApi, GetResources paged with
// position and limit, GetStages, GetStage, GetExport of what a stage has deployed,
// UpdateIntegration and UpdateMethod applying PatchOperation add, replace
// and remove, PutIntegration, PutMethodResponse, PutIntegrationResponse,
// CreateDeployment), Lambda's (GetFunctionConfiguration, GetPolicy,
// GetFunctionEventInvokeConfig, AddPermission) and STS's
// GetCallerIdentity, all on one endpoint, as the SDK's BaseEndpoint or the
// AWS CLI's --endpoint-url reach it. It records every request, so that a
// test can tell exactly which calls were made.
//
// State is kept as the services' JSON wire form (generic maps), so that a
// test writes a method as GetMethod returns it, and patches apply to it as
// JSON Pointer paths do. Where the API reference leaves a case open, the
// fake is the stricter: add on a key that exists, and replace or remove of
// one that does not, are refused with 400, so a test fails if a plan
// chooses the wrong operation.
package awsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Request is one request the fake received.
type Request struct {
	Method string // HTTP method
	Path   string // as sent, escaped
	Query  string
	Body   string
}

// Mutating reports whether the request is one that changes something:
// anything but a GET, and STS's read.
func (r Request) Mutating() bool {
	return r.Method != http.MethodGet && !strings.Contains(r.Body, "Action=GetCallerIdentity")
}

// Fake is the fake AWS. Its zero value is not usable: use New.
type Fake struct {
	Account, Region string

	mu        sync.Mutex
	apis      map[string]*API
	functions map[string]*Function
	requests  []Request
	// NoExportIntegrations makes GetExport leave out
	// x-amazon-apigateway-integration, as some emulators do.
	NoExportIntegrations bool
}

// New makes an empty fake for an account and region.
func New(account, region string) *Fake {
	return &Fake{Account: account, Region: region, apis: map[string]*API{}, functions: map[string]*Function{}}
}

// Requests returns the requests received so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// Mutations returns the requests received so far that change something.
func (f *Fake) Mutations() []Request {
	var out []Request
	for _, r := range f.Requests() {
		if r.Mutating() {
			out = append(out, r)
		}
	}
	return out
}

// API is a REST API of the fake.
type API struct {
	ID, Name         string
	BinaryMediaTypes []string
	Tags             map[string]string
	resources        []*resource
	stages           map[string]*stage
	deployments      map[string][]*resource
	nextID           int
}

type resource struct {
	ID, ParentID, PathPart, Path string
	Methods                      map[string]map[string]any // the Method's wire JSON, with methodIntegration
}

type stage struct {
	Name, DeploymentID string
	Variables          map[string]string
}

// AddAPI adds a REST API with its root resource.
func (f *Fake) AddAPI(id, name string) *API {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := &API{ID: id, Name: name, stages: map[string]*stage{}, deployments: map[string][]*resource{}}
	a.resources = []*resource{{ID: a.newID("root"), Path: "/", Methods: map[string]map[string]any{}}}
	f.apis[id] = a
	return a
}

func (a *API) newID(kind string) string {
	a.nextID++
	return fmt.Sprintf("%s%04d", kind[:min(4, len(kind))], a.nextID)
}

// Method adds (or replaces) a method on the resource at path, creating the
// resources of the path; method is the Method as GetMethod returns it, in
// JSON (httpMethod is set from name). It returns the resource's ID.
func (a *API) Method(path, name, method string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(method), &m); err != nil {
		panic(fmt.Sprintf("awsfake: method %s %s: %v", name, path, err))
	}
	m["httpMethod"] = name
	r := a.resource(path)
	r.Methods[name] = m
	return r.ID
}

// Delete deletes a method.
func (a *API) Delete(path, name string) {
	delete(a.resource(path).Methods, name)
}

func (a *API) resource(path string) *resource {
	for _, r := range a.resources {
		if r.Path == path {
			return r
		}
	}
	parentPath := path[:strings.LastIndex(path, "/")]
	if parentPath == "" {
		parentPath = "/"
	}
	parent := a.resource(parentPath)
	r := &resource{ID: a.newID("res"), ParentID: parent.ID, PathPart: path[strings.LastIndex(path, "/")+1:], Path: path, Methods: map[string]map[string]any{}}
	a.resources = append(a.resources, r)
	return r
}

// Deploy deploys the API as it is now to a stage, with its variables, and
// returns the deployment's ID.
func (a *API) Deploy(stageName string, variables map[string]string) string {
	id := a.newID("dep")
	a.deployments[id] = cloneResources(a.resources)
	s, ok := a.stages[stageName]
	if !ok {
		s = &stage{Name: stageName, Variables: variables}
		a.stages[stageName] = s
	}
	s.DeploymentID = id
	return id
}

func cloneResources(rs []*resource) []*resource {
	out := make([]*resource, len(rs))
	for i, r := range rs {
		c := *r
		c.Methods = map[string]map[string]any{}
		for k, m := range r.Methods {
			c.Methods[k] = deepClone(m).(map[string]any)
		}
		out[i] = &c
	}
	return out
}

func deepClone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// Function is a Lambda function of the fake.
type Function struct {
	Name   string
	Region string
	// Qualifiers that exist besides the function itself (aliases, versions).
	Qualifiers []string
	// Policies are the statements of each qualifier's policy ("" for the
	// function's own), as policy JSON objects.
	Policies map[string][]map[string]any
	// EventInvokeConfigs by qualifier ($LATEST for the function's own), as
	// GetFunctionEventInvokeConfig returns them.
	EventInvokeConfigs map[string]map[string]any
	DeadLetterQueue    string
}

// AddFunction adds a function in the fake's region.
func (f *Fake) AddFunction(name string, qualifiers ...string) *Function {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn := &Function{Name: name, Region: f.Region, Qualifiers: qualifiers, Policies: map[string][]map[string]any{}, EventInvokeConfigs: map[string]map[string]any{}}
	f.functions[name] = fn
	return fn
}

// Allow adds a statement that lets API Gateway invoke the function (or its
// qualifier) from sourceARN ("" for no condition).
func (fn *Function) Allow(qualifier, sid, sourceARN string) {
	s := map[string]any{
		"Sid": sid, "Effect": "Allow", "Principal": map[string]any{"Service": "apigateway.amazonaws.com"},
		"Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:" + fn.Region + ":...:function:" + fn.Name,
	}
	if sourceARN != "" {
		s["Condition"] = map[string]any{"ArnLike": map[string]any{"AWS:SourceArn": sourceARN}}
	}
	fn.Policies[qualifier] = append(fn.Policies[qualifier], s)
}

// OnFailure configures where the function's (or qualifier's) failed
// asynchronous calls go.
func (fn *Function) OnFailure(qualifier, destination string, retries int) {
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	fn.EventInvokeConfigs[qualifier] = map[string]any{
		"MaximumRetryAttempts": retries, "MaximumEventAgeInSeconds": 21600,
		"DestinationConfig": map[string]any{"OnFailure": map[string]any{"Destination": destination}},
	}
}

// ServeHTTP serves the routes, recording each request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery, Body: string(body)})
	segs := strings.Split(strings.Trim(req.URL.EscapedPath(), "/"), "/")
	for i, s := range segs {
		segs[i], _ = url.PathUnescape(s)
	}
	switch {
	case req.URL.Path == "/" && req.Method == http.MethodPost:
		f.sts(w, body)
	case segs[0] == "restapis":
		f.apigateway(w, req, segs, body)
	case len(segs) >= 3 && segs[1] == "functions":
		f.lambda(w, req, segs, body)
	default:
		apiError(w, http.StatusNotFound, "UnknownOperationException", "no route for "+req.Method+" "+req.URL.Path)
	}
}

func (f *Fake) sts(w http.ResponseWriter, body []byte) {
	form, _ := url.ParseQuery(string(body))
	if form.Get("Action") != "GetCallerIdentity" {
		apiError(w, http.StatusBadRequest, "InvalidAction", "the fake serves GetCallerIdentity only")
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::%s:user/tester</Arn><UserId>AIDATESTER</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, f.Account, f.Account)
}

// apiError answers as AWS's REST JSON services do.
func apiError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message, "Message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Fake) apigateway(w http.ResponseWriter, req *http.Request, segs []string, body []byte) {
	if len(segs) < 2 {
		apiError(w, http.StatusNotFound, "NotFoundException", "no route")
		return
	}
	a, ok := f.apis[segs[1]]
	if !ok {
		apiError(w, http.StatusNotFound, "NotFoundException", "Invalid API identifier specified "+f.Account+":"+segs[1])
		return
	}
	rest := segs[2:]
	switch {
	case len(rest) == 0 && req.Method == http.MethodGet:
		writeJSON(w, 200, map[string]any{"id": a.ID, "name": a.Name, "binaryMediaTypes": a.BinaryMediaTypes, "tags": a.Tags})
	case len(rest) == 1 && rest[0] == "resources" && req.Method == http.MethodGet:
		a.getResources(w, req.URL.Query())
	case len(rest) == 1 && rest[0] == "stages" && req.Method == http.MethodGet:
		items := []any{}
		for _, name := range slices.Sorted(maps.Keys(a.stages)) {
			s := a.stages[name]
			items = append(items, map[string]any{"stageName": s.Name, "deploymentId": s.DeploymentID, "variables": s.Variables})
		}
		writeJSON(w, 200, map[string]any{"item": items})
	case len(rest) == 2 && rest[0] == "stages" && req.Method == http.MethodGet:
		s, ok := a.stages[rest[1]]
		if !ok {
			apiError(w, 404, "NotFoundException", "Invalid stage identifier specified")
			return
		}
		writeJSON(w, 200, map[string]any{"stageName": s.Name, "deploymentId": s.DeploymentID, "variables": s.Variables})
	case len(rest) == 4 && rest[0] == "stages" && rest[2] == "exports" && req.Method == http.MethodGet:
		s, ok := a.stages[rest[1]]
		if !ok {
			apiError(w, 404, "NotFoundException", "Invalid stage identifier specified")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(export(a, a.deployments[s.DeploymentID], req.URL.Query().Get("extensions") != "" && !f.NoExportIntegrations))
	case len(rest) == 1 && rest[0] == "deployments" && req.Method == http.MethodPost:
		var in struct{ StageName string }
		_ = json.Unmarshal(body, &in)
		if in.StageName == "" {
			apiError(w, 400, "BadRequestException", "the fake deploys to a stage only")
			return
		}
		writeJSON(w, 201, map[string]any{"id": a.Deploy(in.StageName, nil)})
	case len(rest) >= 4 && rest[0] == "resources" && rest[2] == "methods":
		a.method(w, req, rest[1], rest[3], rest[4:], body)
	default:
		apiError(w, 404, "NotFoundException", "no route for "+req.Method+" "+req.URL.Path)
	}
}

// getResources pages as API Gateway does: limit (25 by default, at most
// 500), and position, the token of the next page.
func (a *API) getResources(w http.ResponseWriter, q url.Values) {
	limit := 25
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			apiError(w, 400, "BadRequestException", "limit must be between 1 and 500")
			return
		}
		limit = n
	}
	start := 0
	if p := q.Get("position"); p != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(p, "pos"))
		if err != nil || n < 0 || n > len(a.resources) {
			apiError(w, 400, "BadRequestException", "Invalid position")
			return
		}
		start = n
	}
	embed := q.Get("embed") == "methods"
	end := min(start+limit, len(a.resources))
	var items []map[string]any
	for _, r := range a.resources[start:end] {
		item := map[string]any{"id": r.ID, "path": r.Path}
		if r.ParentID != "" {
			item["parentId"], item["pathPart"] = r.ParentID, r.PathPart
		}
		if len(r.Methods) > 0 {
			ms := map[string]any{}
			for k, m := range r.Methods {
				if embed {
					ms[k] = m
				} else {
					ms[k] = map[string]any{}
				}
			}
			item["resourceMethods"] = ms
		}
		items = append(items, item)
	}
	out := map[string]any{"item": items}
	if end < len(a.resources) {
		out["position"] = "pos" + strconv.Itoa(end)
	}
	writeJSON(w, 200, out)
}

func (a *API) method(w http.ResponseWriter, req *http.Request, resourceID, name string, rest []string, body []byte) {
	var r *resource
	for _, x := range a.resources {
		if x.ID == resourceID {
			r = x
		}
	}
	if r == nil {
		apiError(w, 404, "NotFoundException", "Invalid Resource identifier specified")
		return
	}
	m, ok := r.Methods[name]
	if !ok {
		apiError(w, 404, "NotFoundException", "Invalid Method identifier specified")
		return
	}
	switch {
	case len(rest) == 0 && req.Method == http.MethodPatch:
		if err := patch(m, body, true); err != nil {
			apiError(w, 400, "BadRequestException", err.Error())
			return
		}
		writeJSON(w, 200, m)
	case len(rest) == 1 && rest[0] == "integration" && req.Method == http.MethodPatch:
		in, ok := m["methodIntegration"].(map[string]any)
		if !ok {
			apiError(w, 404, "NotFoundException", "No integration defined for method")
			return
		}
		if err := patch(in, body, false); err != nil {
			apiError(w, 400, "BadRequestException", err.Error())
			return
		}
		writeJSON(w, 200, in)
	case len(rest) == 1 && rest[0] == "integration" && req.Method == http.MethodPut:
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		m["methodIntegration"] = in // integration responses are dropped, as PutIntegration does
		writeJSON(w, 201, in)
	case len(rest) == 2 && rest[0] == "responses" && req.Method == http.MethodPut:
		responses := child(m, "methodResponses")
		responses[rest[1]] = map[string]any{"statusCode": rest[1]}
		writeJSON(w, 201, responses[rest[1]])
	case len(rest) == 3 && rest[0] == "integration" && rest[1] == "responses" && req.Method == http.MethodPut:
		in, ok := m["methodIntegration"].(map[string]any)
		if !ok {
			apiError(w, 404, "NotFoundException", "No integration defined for method")
			return
		}
		if _, ok := child(m, "methodResponses")[rest[2]]; !ok {
			apiError(w, 404, "NotFoundException", "Invalid Response status code specified")
			return
		}
		var ir map[string]any
		_ = json.Unmarshal(body, &ir)
		ir["statusCode"] = rest[2]
		child(in, "integrationResponses")[rest[2]] = ir
		writeJSON(w, 201, ir)
	default:
		apiError(w, 404, "NotFoundException", "no route for "+req.Method+" "+req.URL.Path)
	}
}

// child is the object under key, made when absent.
func child(m map[string]any, key string) map[string]any {
	c, ok := m[key].(map[string]any)
	if !ok {
		c = map[string]any{}
		m[key] = c
	}
	return c
}

// patch applies a PATCH request's patchOperations to a method (method
// true: its request parameters are booleans) or an integration.
func patch(target map[string]any, body []byte, method bool) error {
	var in struct {
		PatchOperations []struct{ Op, Path, Value string }
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return err
	}
	for _, op := range in.PatchOperations {
		keys := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
		for i, k := range keys {
			keys[i] = strings.ReplaceAll(strings.ReplaceAll(k, "~1", "/"), "~0", "~")
		}
		var value any = op.Value
		if method && keys[0] == "requestParameters" {
			b, err := strconv.ParseBool(op.Value)
			if err != nil && op.Op != "remove" {
				return fmt.Errorf("Invalid patch value for %s: want true or false", op.Path)
			}
			value = b
		}
		parent := target
		for _, k := range keys[:len(keys)-1] {
			parent = child(parent, k)
		}
		last := keys[len(keys)-1]
		_, exists := parent[last]
		switch op.Op {
		case "add":
			if exists {
				return fmt.Errorf("Invalid patch operation specified: cannot add %s: it exists (use replace)", op.Path)
			}
			parent[last] = value
		case "replace":
			if !exists {
				return fmt.Errorf("Invalid patch operation specified: cannot replace %s: it does not exist (use add)", op.Path)
			}
			parent[last] = value
		case "remove":
			if !exists {
				return fmt.Errorf("Invalid patch operation specified: cannot remove %s: it does not exist", op.Path)
			}
			delete(parent, last)
		default:
			return fmt.Errorf("Invalid patch operation specified. Must be one of: [add, remove, replace]")
		}
	}
	return nil
}

// export writes a deployment as GetExport (oas30) does: paths with their
// operations, the method request parameters as parameters, and, with
// integrations, x-amazon-apigateway-integration as API Gateway writes it.
func export(a *API, deployed []*resource, integrations bool) map[string]any {
	paths := map[string]any{}
	for _, r := range deployed {
		if len(r.Methods) == 0 {
			continue
		}
		ops := map[string]any{}
		for name, m := range r.Methods {
			op := map[string]any{"responses": map[string]any{}}
			var params []any
			rp, _ := m["requestParameters"].(map[string]any)
			for _, k := range slices.Sorted(maps.Keys(rp)) {
				loc, pname, _ := strings.Cut(strings.TrimPrefix(k, "method.request."), ".")
				in := map[string]string{"header": "header", "querystring": "query", "path": "path"}[loc]
				if in != "" {
					params = append(params, map[string]any{"name": pname, "in": in, "required": rp[k], "schema": map[string]any{"type": "string"}})
				}
			}
			if params != nil {
				op["parameters"] = params
			}
			if in, ok := m["methodIntegration"].(map[string]any); ok && integrations {
				op["x-amazon-apigateway-integration"] = exportIntegration(in)
			}
			key := strings.ToLower(name)
			if name == "ANY" {
				key = "x-amazon-apigateway-any-method"
			}
			ops[key] = op
		}
		paths[r.Path] = ops
	}
	return map[string]any{"openapi": "3.0.1", "info": map[string]any{"title": a.Name}, "paths": paths}
}

func exportIntegration(in map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"httpMethod", "uri", "credentials", "requestParameters", "requestTemplates", "contentHandling", "timeoutInMillis", "cacheNamespace", "cacheKeyParameters"} {
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	if t, ok := in["type"].(string); ok {
		out["type"] = strings.ToLower(t)
	}
	if p, ok := in["passthroughBehavior"].(string); ok {
		out["passthroughBehavior"] = strings.ToLower(p)
	}
	responses := map[string]any{}
	irs, _ := in["integrationResponses"].(map[string]any)
	for status, v := range irs {
		ir, _ := v.(map[string]any)
		key, _ := ir["selectionPattern"].(string)
		if key == "" {
			key = "default"
		}
		r := map[string]any{"statusCode": status}
		for _, k := range []string{"responseParameters", "responseTemplates", "contentHandling"} {
			if v, ok := ir[k]; ok {
				r[k] = v
			}
		}
		responses[key] = r
	}
	if len(responses) > 0 {
		out["responses"] = responses
	}
	return out
}

func (f *Fake) lambda(w http.ResponseWriter, req *http.Request, segs []string, body []byte) {
	name, qualifier := segs[2], req.URL.Query().Get("Qualifier")
	if strings.HasPrefix(name, "arn:") {
		parts := strings.Split(name, ":")
		if len(parts) < 7 {
			apiError(w, 400, "InvalidParameterValueException", "invalid function ARN")
			return
		}
		name = parts[6]
		if len(parts) == 8 {
			qualifier = parts[7]
		}
	} else if n, q, ok := strings.Cut(name, ":"); ok {
		name, qualifier = n, q
	}
	fn, ok := f.functions[name]
	if ok && qualifier != "" && qualifier != "$LATEST" && !slices.Contains(fn.Qualifiers, qualifier) {
		ok = false
	}
	if !ok {
		lambdaError(w, 404, "ResourceNotFoundException", "Function not found: "+segs[2])
		return
	}
	arn := "arn:aws:lambda:" + fn.Region + ":" + f.Account + ":function:" + fn.Name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	policyKey := qualifier
	if policyKey == "$LATEST" {
		policyKey = ""
	}
	switch {
	case len(segs) == 4 && segs[3] == "configuration" && req.Method == http.MethodGet:
		out := map[string]any{"FunctionName": fn.Name, "FunctionArn": arn}
		if fn.DeadLetterQueue != "" {
			out["DeadLetterConfig"] = map[string]any{"TargetArn": fn.DeadLetterQueue}
		}
		writeJSON(w, 200, out)
	case len(segs) == 4 && segs[3] == "policy" && req.Method == http.MethodGet:
		statements := fn.Policies[policyKey]
		if len(statements) == 0 {
			lambdaError(w, 404, "ResourceNotFoundException", "The resource you requested does not exist.")
			return
		}
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": statements})
		writeJSON(w, 200, map[string]any{"Policy": string(doc), "RevisionId": "1"})
	case len(segs) == 4 && segs[3] == "policy" && req.Method == http.MethodPost:
		var in struct{ Action, Principal, SourceArn, StatementId string }
		_ = json.Unmarshal(body, &in)
		for _, s := range fn.Policies[policyKey] {
			if s["Sid"] == in.StatementId {
				lambdaError(w, 409, "ResourceConflictException", "The statement id ("+in.StatementId+") provided already exists.")
				return
			}
		}
		s := map[string]any{"Sid": in.StatementId, "Effect": "Allow", "Principal": map[string]any{"Service": in.Principal}, "Action": in.Action, "Resource": arn}
		if in.SourceArn != "" {
			s["Condition"] = map[string]any{"ArnLike": map[string]any{"AWS:SourceArn": in.SourceArn}}
		}
		fn.Policies[policyKey] = append(fn.Policies[policyKey], s)
		doc, _ := json.Marshal(s)
		writeJSON(w, 201, map[string]any{"Statement": string(doc)})
	case len(segs) == 4 && segs[3] == "event-invoke-config" && req.Method == http.MethodGet:
		q := qualifier
		if q == "" {
			q = "$LATEST"
		}
		c, ok := fn.EventInvokeConfigs[q]
		if !ok {
			lambdaError(w, 404, "ResourceNotFoundException", "The function "+arn+" doesn't have an EventInvokeConfig")
			return
		}
		out := maps.Clone(c)
		out["FunctionArn"] = arn
		writeJSON(w, 200, out)
	default:
		lambdaError(w, 404, "UnknownOperationException", "no route for "+req.Method+" "+req.URL.Path)
	}
}

func lambdaError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "Message": message})
}

// NotImplemented serves h, except that it answers the requests match picks
// as an emulator answers an operation it does not implement (moto's
// UpdateIntegration): 500 with an HTML page and no error of the service's.
func NotImplemented(h http.Handler, match func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !match(r) {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "<!doctype html>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>")
	})
}
