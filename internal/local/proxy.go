package local

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/aws/aws-lambda-go/events"
)

// proxy serves a Lambda proxy integration with the proxy event format
// (version 1.0).
func (s *Server) proxy(w http.ResponseWriter, m *methodRequest) {
	r := m.route
	payload, _ := json.Marshal(proxyEvent(m))
	if s.tooLarge(w, m, "RequestResponse", payload) { // the event: the body and what API Gateway adds
		return
	}
	a, ok := s.call(w, m, payload, newRequestID())
	if !ok {
		return
	}
	if a.failure != nil { // a function error: API Gateway answers 502
		s.log.Printf("%s %s: proxy integration: %v", r.Method, r.Path, a.failure)
		badGateway(w)
		return
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(a.out.Payload, &resp); err != nil || resp.StatusCode == 0 {
		s.log.Printf("%s %s: malformed Lambda proxy response: %.200s", r.Method, r.Path, a.out.Payload)
		badGateway(w)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	// API Gateway decodes a base64 body when the request's first Accept
	// media type is a binary media type of the API, and else answers the
	// base64 text (Binary media types for REST APIs: Lambda proxy
	// integrations).
	b := []byte(resp.Body)
	if accept, _, _ := strings.Cut(m.req.Header.Get("Accept"), ","); resp.IsBase64Encoded && cfn.IsBinary(accept, r.binaryTypes) {
		if d, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			b = d
		}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(b)
}

// proxyEvent is the event of a Lambda proxy integration for a request
// (format 1.0), as API Gateway writes it (LocalStack's
// test_lambda_aws_proxy_integration, recorded against AWS): a map, a body
// or an identity field without a value is null; headers and the query
// string give the last value of each name, their multiValue forms every
// one; requestContext holds the request's $context values; the body is
// base64-encoded when its Content-Type is one of the API's binary media
// types (isBase64Encoded), and else text.
func proxyEvent(m *methodRequest) map[string]any {
	req, c := m.req, m.context()
	headers, multiHeaders := map[string]any{}, map[string]any{}
	for k, v := range req.Header {
		headers[k], multiHeaders[k] = v[len(v)-1], v
	}
	if req.Host != "" {
		headers["Host"], multiHeaders["Host"] = req.Host, []string{req.Host}
	}
	query, multiQuery := map[string]any{}, map[string]any{}
	for k, v := range req.URL.Query() {
		query[k], multiQuery[k] = v[len(v)-1], v
	}
	path := map[string]any{}
	for k, v := range m.pathParams {
		path[k] = v
	}
	identity := map[string]any{}
	for _, k := range []string{"accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
		"cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "sourceIp", "user", "userAgent", "userArn"} {
		identity[k] = nil
	}
	for k, v := range c["identity"].(map[string]any) {
		if v != "" {
			identity[k] = v
		}
	}
	rc := map[string]any{"identity": identity}
	for _, k := range []string{"accountId", "apiId", "domainName", "domainPrefix", "extendedRequestId", "httpMethod", "path",
		"protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId", "resourcePath", "stage"} {
		rc[k] = c[k]
	}
	ev := map[string]any{
		"resource":                        m.route.Path,
		"path":                            req.URL.Path,
		"httpMethod":                      req.Method,
		"headers":                         orNull(headers),
		"multiValueHeaders":               orNull(multiHeaders),
		"queryStringParameters":           orNull(query),
		"multiValueQueryStringParameters": orNull(multiQuery),
		"pathParameters":                  orNull(path),
		"stageVariables":                  orNull(m.route.Stage.variables()),
		"requestContext":                  rc,
		"body":                            nil,
		"isBase64Encoded":                 false,
	}
	switch body := m.body; {
	case len(body) == 0:
	case m.binaryRequest(): // its Content-Type is a binary media type of the API
		ev["body"], ev["isBase64Encoded"] = base64.StdEncoding.EncodeToString(body), true
	default: // text, even when it is not UTF-8 (a binary upload of another type arrives corrupted)
		ev["body"] = asText(body)
	}
	return ev
}

// orNull is m, or nil when it has no entries: API Gateway writes null.
func orNull(m map[string]any) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// sourceIP is the client's address, host:port or [host]:port, without its
// port.
func sourceIP(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}
