package local

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// proxy serves a Lambda proxy integration with the proxy event format
// (version 1.0).
func (s *Server) proxy(w http.ResponseWriter, m *methodRequest) {
	r := m.route
	payload, _ := json.Marshal(proxyEvent(m))
	a := s.pools[r.FunctionID].invoke(m.req.Context(), payload)
	if a.failed() {
		s.log.Printf("%s %s: proxy integration: %v", r.Method, r.Path, a.error())
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
	b := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if d, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			b = d
		}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(b)
}

// proxyEvent is the event of a Lambda proxy integration for a request;
// its requestContext has the values of the request's $context.
func proxyEvent(m *methodRequest) events.APIGatewayProxyRequest {
	req, r, params, body := m.req, m.route, m.pathParams, m.body
	ev := events.APIGatewayProxyRequest{
		Resource:                        r.Path,
		Path:                            req.URL.Path,
		HTTPMethod:                      req.Method,
		Headers:                         map[string]string{},
		MultiValueHeaders:               map[string][]string(req.Header.Clone()),
		QueryStringParameters:           map[string]string{},
		MultiValueQueryStringParameters: map[string][]string(req.URL.Query()),
		PathParameters:                  params,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: localAccount, APIID: r.API, ResourceID: resourceID(r), ExtendedRequestID: m.extendedID,
			ResourcePath: r.Path, Path: req.URL.Path, HTTPMethod: req.Method, Stage: localStage, Protocol: req.Proto,
			RequestID: m.requestID, RequestTime: m.received.UTC().Format("02/Jan/2006:15:04:05 -0700"), RequestTimeEpoch: m.received.UnixMilli(),
			DomainName: req.Host, Identity: events.APIGatewayRequestIdentity{SourceIP: sourceIP(req.RemoteAddr), UserAgent: req.UserAgent()},
		},
	}
	for k, v := range req.Header {
		ev.Headers[k] = v[len(v)-1]
	}
	for k, v := range req.URL.Query() {
		ev.QueryStringParameters[k] = v[len(v)-1]
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

// sourceIP is the client's address, host:port or [host]:port, without its
// port.
func sourceIP(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}
