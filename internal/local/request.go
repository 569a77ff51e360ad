package local

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
)

// methodRequest is a request as API Gateway holds it on its way to the
// integration: its route, parameters and body, and what its mapping
// templates read in $context.
type methodRequest struct {
	req        *http.Request
	route      *Route
	pathParams map[string]string
	body       []byte
	requestID  string // $context.requestId: API Gateway's, answered as x-amzn-RequestId
	extendedID string // $context.extendedRequestId, answered as x-amz-apigw-id
	received   time.Time
	// requested is what the request template gave (nil when none ran): its
	// overrides carry on to the response template, and what it set in
	// $context.responseOverride applies to the response.
	requested *vtl.Result
	// endpointRequestID is $context.awsEndpointRequestId once the
	// integration has answered: the request ID of Lambda's Invoke, which
	// is the invocation's (x-amzn-RequestId of its answer); "" before, and
	// for a mock.
	endpointRequestID string
}

// newExtendedRequestID is an id in the form of $context.extendedRequestId.
func newExtendedRequestID() string {
	return strings.ReplaceAll(newRequestID(), "-", "")[:14] + "="
}

// context is $context: what API Gateway knows of the request. There is
// no authorizer, API key or caller identity here; the account is a
// placeholder, the API its logical ID and the stage the route's. Once the
// integration has answered, awsEndpointRequestId is its request ID, as
// API Gateway gives it to response templates and mappings.
func (m *methodRequest) context() map[string]any {
	host := m.req.Host
	prefix, _, _ := strings.Cut(host, ".")
	c := map[string]any{
		"accountId":         localAccount,
		"apiId":             m.route.API,
		"authorizer":        map[string]any{},
		"domainName":        host,
		"domainPrefix":      prefix,
		"extendedRequestId": m.extendedID,
		"httpMethod":        m.req.Method,
		"identity":          map[string]any{"sourceIp": sourceIP(m.req.RemoteAddr), "userAgent": m.req.UserAgent()},
		"path":              m.req.URL.Path,
		"protocol":          m.req.Proto,
		"requestId":         m.requestID,
		"requestTime":       m.received.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		"requestTimeEpoch":  m.received.UnixMilli(),
		"resourceId":        resourceID(m.route),
		"resourcePath":      m.route.Path,
		"stage":             m.route.Stage.Name,
	}
	if m.endpointRequestID != "" {
		c["awsEndpointRequestId"] = m.endpointRequestID
	}
	return c
}

// resourceID is a stable stand-in for the id API Gateway gives a
// resource: six characters of its API and path.
func resourceID(r *Route) string {
	h := fnv.New32a()
	h.Write([]byte(r.API + " " + r.Path))
	return fmt.Sprintf("%06x", h.Sum32()&0xffffff)
}

// params are $input.params(): the path parameters, the query string and
// the headers (the last value of each, the Host header included).
func (m *methodRequest) params() vtl.Params {
	p := vtl.Params{Path: m.pathParams, QueryString: map[string]string{}, Header: map[string]string{}}
	for k, v := range m.req.URL.Query() {
		p.QueryString[k] = v[len(v)-1]
	}
	for k, v := range m.req.Header {
		p.Header[k] = v[len(v)-1]
	}
	if m.req.Host != "" {
		p.Header["Host"] = m.req.Host
	}
	return p
}

// variables are what a mapping template reads, with body as $input.
func (m *methodRequest) variables(body []byte) vtl.Variables {
	v := vtl.Variables{Body: string(body), Params: m.params(), Context: m.context(), StageVariables: m.route.Stage.Variables}
	if m.requested != nil {
		v.Overrides = m.requested.Overrides
	}
	return v
}

// render runs a mapping template; notices go to the log.
func (s *Server) render(m *methodRequest, t *MappingTemplate, body []byte, what string) (*vtl.Result, error) {
	r, err := t.template.Execute(m.variables(body))
	if err != nil {
		return nil, fmt.Errorf("%s for %s: %w", what, t.ContentType, err)
	}
	for _, n := range r.Notices {
		s.log.Printf("%s %s: %s for %s: %s", m.route.Method, m.route.Path, what, t.ContentType, n)
	}
	return r, nil
}
