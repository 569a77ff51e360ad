package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
)

// maxPayload is API Gateway's request payload limit.
const maxPayload = 10 << 20

// statusWriter records the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// ServeHTTP answers a request as API Gateway would, and logs it.
func (s *Server) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	s.requests.Add(1)
	defer s.requests.Add(-1)
	start := time.Now()
	w := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
	invocation := s.serve(w, req)
	s.log.Printf("%s %s %s %d %s", req.Method, req.URL.Path, invocation, w.status, time.Since(start).Round(time.Microsecond))
}

// serve answers one request and returns the invocation type for the log.
func (s *Server) serve(w http.ResponseWriter, req *http.Request) string {
	// API Gateway's request ID is in every answer, its own errors included.
	id, extendedID := newRequestID(), newExtendedRequestID()
	w.Header().Set("X-Amzn-RequestId", id)
	w.Header().Set("X-Amz-Apigw-Id", extendedID)
	r, params := match(s.routes, req.Method, req.URL.Path)
	if r == nil {
		apiError(w, http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
		return "-"
	}
	if r.Broken != "" {
		s.log.Printf("%s %s: broken integration: %s", r.Method, r.Path, r.Broken)
		internalError(w)
		return "-"
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxPayload+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "BadRequestException", "Could not read the request body")
		return "-"
	}
	if len(body) > maxPayload {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request Too Long")
		return "-"
	}
	m := &methodRequest{req: req, route: r, pathParams: params, body: body, requestID: id, extendedID: extendedID, received: s.now()}
	switch r.Kind {
	case cfn.Mock:
		s.mock(w, m)
		return string(cfn.Mock)
	case cfn.LambdaProxy:
		s.proxy(w, m)
		return "RequestResponse"
	}
	return s.invoke(w, m)
}

// integrationRequest is what API Gateway sends the integration: the
// request template's output for the request's Content-Type, else the body
// (as ContentHandling converts it), or a refusal (415) as
// PassthroughBehavior says. ok is false
// when it has answered the request itself.
func (s *Server) integrationRequest(w http.ResponseWriter, m *methodRequest) (payload []byte, result *vtl.Result, ok bool) {
	r := m.route
	t, reject := r.requestTemplate(m.req.Header.Get("Content-Type"))
	switch {
	case reject:
		s.log.Printf("%s %s: no request template for Content-Type %q, and PassthroughBehavior %s; API Gateway answers 415", r.Method, r.Path, m.req.Header.Get("Content-Type"), r.Passthrough)
		apiError(w, http.StatusUnsupportedMediaType, "UnsupportedMediaTypeException", "Unsupported Media Type")
		return nil, nil, false
	}
	body, converted := m.integrationBody()
	if !converted {
		s.log.Printf("%s %s: the body is not base64, which ContentHandling %s reads a text body as; API Gateway answers 500", r.Method, r.Path, r.ContentHandling)
		internalError(w)
		return nil, nil, false
	}
	if t == nil || t.template == nil { // no template, or an empty one: the body passes through
		return body, nil, true
	}
	res, err := s.render(m, t, body, "the request template")
	if err != nil {
		s.log.Printf("%s %s: %v; API Gateway answers 500", r.Method, r.Path, err)
		internalError(w)
		return nil, nil, false
	}
	m.requested = res
	return []byte(res.Output), res, true
}

// invoke serves a Lambda non-proxy integration: it invokes the function
// with the integration request as its event and the invocation type the
// integration maps (or the request template overrides), and returns that
// type.
func (s *Server) invoke(w http.ResponseWriter, m *methodRequest) string {
	r := m.route
	payload, res, ok := s.integrationRequest(w, m)
	if !ok {
		return "-"
	}
	typ := invocationType(r.InvocationType, m.req, r.Stage)
	if res != nil {
		// API Gateway applies a template's overrides after the mappings.
		for k, v := range res.RequestHeader {
			if strings.EqualFold(k, "X-Amz-Invocation-Type") {
				typ = v
			}
		}
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	if s.tooLarge(w, m, typ, payload) {
		return typ
	}
	if !json.Valid(payload) {
		// Lambda refuses a payload that is not JSON: API Gateway answers 500.
		s.log.Printf("%s %s: the integration request is not JSON, which Lambda rejects (InvalidRequestContentException): %.200s", r.Method, r.Path, payload)
		internalError(w)
		return typ
	}
	switch typ {
	case "Event":
		s.invokeAsync(w, m, payload)
	case "RequestResponse":
		s.invokeSync(w, m, payload)
	case "DryRun":
		// Lambda checks the call and answers 204 without running the
		// function; API Gateway answers with the default integration
		// response, as for Event.
		id := newRequestID() // the DryRun call's
		s.log.Printf("%s %s: DryRun: Lambda validates the call and does not run %s: no invocation has the request ID %s", r.Method, r.Path, r.FunctionID, id)
		s.respond(w, m, invokeResponse(http.StatusNoContent, id, nil, ""))
	default:
		// Lambda refuses the call (InvalidParameterValueException): API Gateway answers 500.
		s.log.Printf("%s %s: X-Amz-Invocation-Type %q is not Event, RequestResponse or DryRun; Lambda rejects the call", r.Method, r.Path, typ)
		internalError(w)
	}
	return typ
}

// tooLarge refuses a payload over Lambda's limit for its invocation type
// (cfn.MaxAsyncPayload, cfn.MaxSyncPayload), as Lambda refuses it (413
// RequestTooLargeException), and answers as API Gateway answers any
// invocation Lambda refuses: 500 {"message": "Internal server error"}
// (Lambda developer guide, Handling Lambda errors with an API Gateway API).
func (s *Server) tooLarge(w http.ResponseWriter, m *methodRequest, typ string, payload []byte) bool {
	limit := payloadLimit(typ)
	if limit == 0 || len(payload) <= limit {
		return false
	}
	s.log.Printf("%s %s: the %s payload is %d bytes, over Lambda's limit of %d for %s invocations: Lambda refuses it (413 RequestTooLargeException) and API Gateway answers 500",
		m.route.Method, m.route.Path, typ, len(payload), limit, map[string]string{"Event": "asynchronous", "RequestResponse": "synchronous"}[typ])
	internalError(w)
	return true
}

// payloadLimit is Lambda's payload limit for an invocation type, 0 when it
// has none here.
func payloadLimit(invocationType string) int {
	switch invocationType {
	case "Event":
		return cfn.MaxAsyncPayload
	case "RequestResponse":
		return cfn.MaxSyncPayload
	}
	return 0
}

// invokeAsync queues the invocation and answers at once, as Lambda takes
// an event (202, with the invocation's request ID), or answers 500 as API
// Gateway does when Lambda does not.
func (s *Server) invokeAsync(w http.ResponseWriter, m *methodRequest, payload []byte) {
	r := m.route
	j := job{id: fmt.Sprintf("async-%d", s.seq.Add(1)), requestID: newRequestID(), pool: s.pools[r.FunctionID], target: r.target, config: s.config(r.target),
		payload: payload, route: r.Method + " " + r.Path, received: s.now()}
	switch err := s.enqueue(j); {
	case err == nil:
		s.respond(w, m, invokeResponse(http.StatusAccepted, j.requestID, nil, ""))
	case errors.Is(err, errQueueFull):
		s.log.Printf("%s: the asynchronous queue is full (%d waiting); Lambda would throttle (429), API Gateway answers 500", j.route, cap(s.queue))
		internalError(w)
	default:
		s.log.Printf("%s: the server is stopping and takes no more asynchronous invocations; as when Lambda is unavailable, API Gateway answers 500", j.route)
		internalError(w)
	}
}

// invokeSync invokes the function and answers with its result, through
// the integration response its errorMessage selects.
func (s *Server) invokeSync(w http.ResponseWriter, m *methodRequest, payload []byte) {
	id := newRequestID()
	a, ok := s.call(w, m, payload, id)
	if !ok {
		return
	}
	ir := invokeResponse(http.StatusOK, id, a.out.Payload, "")
	if a.failure != nil {
		functionError := "Unhandled"
		if a.out.FunctionError != nil {
			functionError = *a.out.FunctionError
		}
		ir = invokeResponse(http.StatusOK, id, a.out.Payload, functionError)
		ir.errorMessage = a.failure.ErrorMessage
		if ir.errorMessage == "" {
			ir.errorMessage = string(a.failure.Payload)
		}
	}
	s.respond(w, m, ir)
}

// call invokes the route's function synchronously, under request ID id.
// Shutdown cuts it short, as it does an asynchronous one. When the
// function did not answer, ok is false, and call has answered the request
// as API Gateway answers an invocation Lambda does not take, 500 (or not
// at all: its caller has gone), and logged one line.
func (s *Server) call(w http.ResponseWriter, m *methodRequest, payload []byte, id string) (a attempt, ok bool) {
	r := m.route
	start := time.Now()
	ctx, cancel := context.WithCancel(m.req.Context())
	defer cancel()
	defer context.AfterFunc(s.stopping, cancel)()
	a = s.pools[r.FunctionID].invoke(ctx, payload, withRequestID(id))
	switch {
	case a.err != nil && s.stopping.Err() != nil:
		s.log.Printf("%s %s: synchronous invocation of %s cut short by shutdown after %s; answered 500", r.Method, r.Path, r.FunctionID, time.Since(start).Round(time.Millisecond))
		internalError(w)
	case a.err != nil && m.req.Context().Err() != nil:
		s.log.Printf("%s %s: the caller went away after %s, before %s answered", r.Method, r.Path, time.Since(start).Round(time.Millisecond), r.FunctionID)
	case a.err != nil:
		s.log.Printf("%s %s: invoke %s: %v", r.Method, r.Path, r.FunctionID, a.err)
		internalError(w)
	default:
		return a, true
	}
	return a, false
}

// invocationType computes X-Amz-Invocation-Type as the integration's request
// parameter maps it.
func invocationType(source string, req *http.Request, stage Stage) string {
	switch {
	case strings.HasPrefix(source, "stageVariables."):
		if v := stage.Variables[strings.TrimPrefix(source, "stageVariables.")]; v != "" {
			return v
		}
	case source == "":
		return "RequestResponse"
	case len(source) >= 2 && strings.HasPrefix(source, "'") && strings.HasSuffix(source, "'"):
		return source[1 : len(source)-1]
	case strings.HasPrefix(source, cfn.HeaderSource):
		if v := req.Header.Get(strings.TrimPrefix(source, cfn.HeaderSource)); v != "" {
			return v
		}
	case strings.HasPrefix(source, "method.request.querystring."):
		if v := req.URL.Query().Get(strings.TrimPrefix(source, "method.request.querystring.")); v != "" {
			return v
		}
	}
	return "RequestResponse" // an unmapped header: Lambda's default
}
