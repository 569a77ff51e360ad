package local

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
)

// integrationResponse is what an integration answered: for Lambda, the
// Invoke API's status, headers and payload, as Lambda sends them.
type integrationResponse struct {
	status int
	header []headerField // in the case Lambda writes them
	body   []byte
	// errorMessage is a function error's errorMessage, which selects the
	// integration response of a Lambda integration.
	errorMessage string
}

type headerField struct{ name, value string }

// invokeResponse is the Invoke API's answer, with the headers Lambda
// sends (the Lambda API reference, Invoke): 200 with the payload for
// RequestResponse, 202 with no body for Event, 204 for DryRun; the request
// ID of the invocation in x-amzn-RequestId; the version that ran in
// X-Amz-Executed-Version; X-Amz-Function-Error when the function failed.
func invokeResponse(status int, requestID string, payload []byte, functionError string) integrationResponse {
	ir := integrationResponse{status: status, body: payload}
	add := func(name, value string) { ir.header = append(ir.header, headerField{name, value}) }
	add("Date", time.Now().UTC().Format(http.TimeFormat))
	if status == http.StatusOK {
		add("Content-Type", "application/json")
	}
	add("Content-Length", strconv.Itoa(len(payload)))
	add("x-amzn-RequestId", requestID)
	if status == http.StatusOK {
		add("X-Amz-Executed-Version", "$LATEST")
	}
	if functionError != "" {
		add("X-Amz-Function-Error", functionError)
	}
	return ir
}

// headerValues are the values of a header whose name is exactly name;
// fold are those of another case.
func (ir *integrationResponse) headerValues(name string) (values []string, fold string) {
	for _, h := range ir.header {
		switch {
		case h.name == name:
			values = append(values, h.value)
		case strings.EqualFold(h.name, name):
			fold = h.name
		}
	}
	return values, fold
}

// selectResponse chooses the integration response as API Gateway does:
// for a Lambda integration, the one whose SelectionPattern matches the
// function's errorMessage, else the default; for a mock, the one whose
// pattern matches the status code, else the default.
func (r *Route) selectResponse(ir *integrationResponse) *Response {
	value := ir.errorMessage
	if r.Kind == cfn.Mock {
		value = strconv.Itoa(ir.status)
	}
	var def *Response
	for i := range r.Responses {
		resp := &r.Responses[i]
		if resp.pattern == nil {
			if def == nil {
				def = resp
			}
			continue
		}
		if value != "" && resp.pattern.MatchString(value) {
			return resp
		}
	}
	return def
}

// respond answers the method request from the integration response, as
// API Gateway does: the selected integration response's status; its
// header mappings; its response template for the Accept header (else the
// body as it is); then what the templates set in
// $context.responseOverride, the request template's included.
func (s *Server) respond(w http.ResponseWriter, m *methodRequest, ir integrationResponse) {
	r := m.route
	chosen := r.selectResponse(&ir)
	if chosen == nil {
		s.log.Printf("%s %s: no integration response matches and there is no default; API Gateway answers 500", r.Method, r.Path)
		internalError(w)
		return
	}
	if ids, _ := ir.headerValues("x-amzn-RequestId"); len(ids) > 0 {
		m.endpointRequestID = ids[len(ids)-1] // $context.awsEndpointRequestId from here on
	}
	status := 200
	if n, err := strconv.Atoi(chosen.StatusCode); err == nil {
		status = n
	}
	header := http.Header{}
	for _, p := range chosen.Parameters {
		if v, ok := s.parameter(m, &ir, p); ok {
			header.Set(p.Header, v)
		}
	}
	body, contentType := ir.body, "application/json"
	overrides := m.requested // what the request template set in $context.responseOverride
	if t := chosen.responseTemplate(m.req.Header.Get("Accept")); t != nil {
		contentType = t.ContentType
		if t.template != nil {
			res, err := s.render(m, t, ir.body, "the response template of integration response "+chosen.StatusCode)
			if err != nil {
				s.log.Printf("%s %s: %v; API Gateway answers 500", r.Method, r.Path, err)
				internalError(w)
				return
			}
			body = []byte(res.Output)
			overrides = res // continuing the request template's
		}
	}
	if overrides != nil {
		if overrides.Status != 0 {
			status = overrides.Status
		}
		for k, v := range overrides.ResponseHeader {
			header.Set(k, v)
		}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	w.Write(body)
}

// parameter is the value a response parameter maps; false when its
// source has none.
func (s *Server) parameter(m *methodRequest, ir *integrationResponse, p Parameter) (string, bool) {
	src := p.Source
	if len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'") {
		return src[1 : len(src)-1], true
	}
	if src == "integration.response.body" {
		return string(ir.body), len(ir.body) > 0
	}
	if path, ok := strings.CutPrefix(src, "integration.response.body."); ok {
		v, found, err := vtl.Select(string(ir.body), path)
		if err != nil {
			s.log.Printf("%s %s: method.response.header.%s: %v", m.route.Method, m.route.Path, p.Header, err)
		}
		return v, found && v != ""
	}
	for _, multi := range []bool{false, true} {
		prefix := "integration.response.header."
		if multi {
			prefix = "integration.response.multivalueheader."
		}
		name, ok := strings.CutPrefix(src, prefix)
		if !ok {
			continue
		}
		values, fold := ir.headerValues(name)
		if len(values) == 0 {
			if fold != "" {
				s.log.Printf("%s %s: method.response.header.%s maps %s, but the integration response has %s: API Gateway matches the header's name as written, so %s is not set", m.route.Method, m.route.Path, p.Header, src, fold, p.Header)
			}
			return "", false
		}
		if multi {
			return strings.Join(values, ","), true
		}
		return values[len(values)-1], true
	}
	if path, ok := strings.CutPrefix(src, "context."); ok {
		var v any = m.context()
		for _, k := range strings.Split(path, ".") {
			c, isMap := v.(map[string]any)
			if !isMap {
				return "", false
			}
			v = c[k]
		}
		switch x := v.(type) {
		case string:
			return x, x != ""
		case int64:
			return strconv.FormatInt(x, 10), true
		}
		return "", false
	}
	if name, ok := strings.CutPrefix(src, "stageVariables."); ok {
		return m.route.stageVariable(name)
	}
	return "", false
}
