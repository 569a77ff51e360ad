package audit

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// Deployed says whether a stage runs a method as it is now defined.
type Deployed struct {
	State DeployedState `json:"state"`
	Note  string        `json:"note,omitempty"`
}

// DeployedState is the answer.
type DeployedState string

// The answers.
const (
	UpToDate    DeployedState = "yes"          // the stage's export shows the method as defined
	Behind      DeployedState = "behind"       // it shows it otherwise: the note says what differs
	NotDeployed DeployedState = "not deployed" // the stage has no such method
	CannotTell  DeployedState = "unknown"      // the export could not be read, or carries no integrations
)

// snapshot is what decides how a method invokes its backend, read from the
// current definition or from a stage's export, written the same way from
// both, so that they compare.
type snapshot struct {
	Type, HTTPMethod, URI, Credentials string
	Passthrough, ContentHandling       string
	RequestParameters                  map[string]string
	RequestTemplates                   map[string]string
	Responses                          map[string]responseSnapshot // by selection pattern, "default" for none
	MethodParameters                   map[string]bool             // method.request.header.X: required
}

type responseSnapshot struct {
	Status     string
	Parameters map[string]string
	Templates  map[string]string
}

// compared lists what a snapshot compares, in words, for the README and
// for notes: every other change of a definition is not seen.
var compared = []string{
	"the integration's type", "its HTTP method", "its URI", "its credentials",
	"its passthrough behaviour", "its content handling", "its request parameters", "its request templates",
	"its integration responses (status, selection pattern, parameters, templates)", "the method's request parameters",
}

func definitionSnapshot(m types.Method) snapshot {
	s := snapshot{MethodParameters: map[string]bool{}}
	maps.Copy(s.MethodParameters, m.RequestParameters)
	in := m.MethodIntegration
	if in == nil {
		return s
	}
	s.Type, s.HTTPMethod = strings.ToUpper(string(in.Type)), strings.ToUpper(deref(in.HttpMethod))
	s.URI, s.Credentials = deref(in.Uri), deref(in.Credentials)
	s.Passthrough, s.ContentHandling = passthrough(deref(in.PassthroughBehavior)), string(in.ContentHandling)
	s.RequestParameters, s.RequestTemplates = nonEmpty(in.RequestParameters), nonEmpty(in.RequestTemplates)
	s.Responses = map[string]responseSnapshot{}
	for status, r := range in.IntegrationResponses {
		pattern := deref(r.SelectionPattern)
		if pattern == "" {
			pattern = "default"
		}
		s.Responses[pattern] = responseSnapshot{Status: status, Parameters: nonEmpty(r.ResponseParameters), Templates: nonEmpty(r.ResponseTemplates)}
	}
	return s
}

// passthrough writes a passthrough behaviour as the export does; API
// Gateway's default is WHEN_NO_MATCH.
func passthrough(p string) string {
	if p == "" {
		return "when_no_match"
	}
	return strings.ToLower(p)
}

func nonEmpty(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// export is a stage's OpenAPI export, as much of it as is compared.
type export struct {
	Paths map[string]map[string]json.RawMessage `json:"paths"`
}

type exportOperation struct {
	Parameters  []exportParameter  `json:"parameters"`
	Integration *exportIntegration `json:"x-amazon-apigateway-integration"`
}

type exportParameter struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

type exportIntegration struct {
	Type              string                    `json:"type"`
	HTTPMethod        string                    `json:"httpMethod"`
	URI               string                    `json:"uri"`
	Credentials       string                    `json:"credentials"`
	Passthrough       string                    `json:"passthroughBehavior"`
	ContentHandling   string                    `json:"contentHandling"`
	RequestParameters map[string]*string        `json:"requestParameters"`
	RequestTemplates  map[string]*string        `json:"requestTemplates"`
	Responses         map[string]exportResponse `json:"responses"`
}

type exportResponse struct {
	StatusCode         string             `json:"statusCode"`
	ResponseParameters map[string]*string `json:"responseParameters"`
	ResponseTemplates  map[string]*string `json:"responseTemplates"`
}

// deployedMethods reads an export into snapshots by method key (POST
// /jobs). hasIntegrations is false when no operation carries one: the
// endpoint exported none, and nothing can be compared.
func deployedMethods(body []byte) (methods map[string]snapshot, hasIntegrations bool, err error) {
	var e export
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, false, fmt.Errorf("the stage's export is not an OpenAPI document in JSON: %v", err)
	}
	methods = map[string]snapshot{}
	for path, item := range e.Paths {
		var shared []exportParameter
		if raw, ok := item["parameters"]; ok {
			_ = json.Unmarshal(raw, &shared)
		}
		for name, raw := range item {
			httpMethod := strings.ToUpper(name)
			switch {
			case name == "x-amazon-apigateway-any-method":
				httpMethod = "ANY"
			case !isHTTPMethod(httpMethod):
				continue
			}
			var op exportOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, false, fmt.Errorf("the stage's export: %s %s: %v", httpMethod, path, err)
			}
			s := snapshot{MethodParameters: map[string]bool{}}
			for _, p := range append(shared, op.Parameters...) {
				if loc := parameterLocation(p.In); loc != "" {
					s.MethodParameters["method.request."+loc+"."+p.Name] = p.Required
				}
			}
			if in := op.Integration; in != nil {
				hasIntegrations = true
				s.Type, s.HTTPMethod, s.URI, s.Credentials = strings.ToUpper(in.Type), strings.ToUpper(in.HTTPMethod), in.URI, in.Credentials
				s.Passthrough, s.ContentHandling = passthrough(in.Passthrough), in.ContentHandling
				s.RequestParameters, s.RequestTemplates = strings0(in.RequestParameters), strings0(in.RequestTemplates)
				s.Responses = map[string]responseSnapshot{}
				for pattern, r := range in.Responses {
					s.Responses[pattern] = responseSnapshot{Status: r.StatusCode, Parameters: strings0(r.ResponseParameters), Templates: strings0(r.ResponseTemplates)}
				}
			}
			methods[httpMethod+" "+path] = s
		}
	}
	return methods, hasIntegrations, nil
}

func isHTTPMethod(m string) bool {
	switch m {
	case "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// parameterLocation is API Gateway's name for an OpenAPI parameter's in.
func parameterLocation(in string) string {
	switch in {
	case "header", "path":
		return in
	case "query":
		return "querystring"
	}
	return ""
}

func strings0(m map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != nil && *v != "" {
			out[k] = *v
		}
	}
	return out
}

// differences lists, in words, what differs between the deployed snapshot
// and the defined one.
func differences(deployed, defined snapshot) []string {
	var out []string
	diff := func(what, was, now string) {
		if was != now {
			out = append(out, fmt.Sprintf("%s is %s, deployed %s", what, quoteOrNone(now), quoteOrNone(was)))
		}
	}
	diff("the integration's type", deployed.Type, defined.Type)
	diff("its HTTP method", deployed.HTTPMethod, defined.HTTPMethod)
	diff("its URI", deployed.URI, defined.URI)
	diff("its credentials", deployed.Credentials, defined.Credentials)
	diff("its passthrough behaviour", deployed.Passthrough, defined.Passthrough)
	diff("its content handling", deployed.ContentHandling, defined.ContentHandling)
	for _, k := range unionKeys(deployed.RequestParameters, defined.RequestParameters) {
		diff("the request parameter "+k, deployed.RequestParameters[k], defined.RequestParameters[k])
	}
	for _, k := range unionKeys(deployed.RequestTemplates, defined.RequestTemplates) {
		if deployed.RequestTemplates[k] != defined.RequestTemplates[k] {
			out = append(out, "the request template for "+k+" differs")
		}
	}
	for _, k := range unionKeys(deployed.Responses, defined.Responses) {
		was, now := deployed.Responses[k], defined.Responses[k]
		if was.Status != now.Status || !maps.Equal(was.Parameters, now.Parameters) || !maps.Equal(was.Templates, now.Templates) {
			out = append(out, "the integration response "+quoteOrNone(k)+" differs")
		}
	}
	for _, k := range unionKeys(deployed.MethodParameters, defined.MethodParameters) {
		was, wasOK := deployed.MethodParameters[k]
		now, nowOK := defined.MethodParameters[k]
		switch {
		case wasOK && !nowOK:
			out = append(out, "the method request parameter "+k+" is deployed, no longer defined")
		case !wasOK && nowOK:
			out = append(out, "the method request parameter "+k+" is defined, not deployed")
		case was != now:
			out = append(out, fmt.Sprintf("the method request parameter %s is required: %t, deployed %t", k, now, was))
		}
	}
	return out
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func unionKeys[V any](a, b map[string]V) []string {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return sortedKeys(m)
}
