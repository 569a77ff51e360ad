package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
)

// maxPayload is API Gateway's request payload limit.
const maxPayload = 10 << 20

// Lambda's limits on an invocation's payload (the Invoke API reference):
// 1 MB asynchronous (256 KB until 2025), 6 MB synchronous. Lambda refuses a
// larger one with 413 RequestTooLargeException, and API Gateway, as for
// any invocation Lambda refuses, answers 500 {"message": "Internal server
// error"} (Lambda developer guide, Handling Lambda errors with an API
// Gateway API).
const (
	MaxAsyncPayload = 1 << 20 // 1,048,576 bytes
	MaxSyncPayload  = 6 << 20 // 6,291,456 bytes
)

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
	switch r.Kind {
	case cfn.Mock:
		s.respond(w, r, nil, "")
		return string(cfn.Mock)
	case cfn.LambdaProxy:
		s.proxy(w, req, r, params, body)
		return "RequestResponse"
	}
	return s.invoke(w, req, r, body)
}

// invoke serves a Lambda non-proxy integration: it invokes the function
// with the body as its event and the invocation type the integration maps,
// and returns that type.
func (s *Server) invoke(w http.ResponseWriter, req *http.Request, r *Route, body []byte) string {
	typ := invocationType(r.InvocationType, req)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if limit := payloadLimit(typ); limit > 0 && len(body) > limit {
		s.log.Printf("%s %s: the %s payload is %d bytes, over Lambda's limit of %d for %s invocations: Lambda refuses it (413 RequestTooLargeException) and API Gateway answers 500",
			r.Method, r.Path, typ, len(body), limit, map[string]string{"Event": "asynchronous", "RequestResponse": "synchronous"}[typ])
		internalError(w)
		return typ
	}
	if !json.Valid(body) {
		// Lambda refuses a payload that is not JSON: API Gateway answers 500.
		s.log.Printf("%s %s: the body is not JSON, which Lambda rejects (InvalidRequestContentException)", r.Method, r.Path)
		internalError(w)
		return typ
	}
	switch typ {
	case "Event":
		s.invokeAsync(w, r, body)
	case "RequestResponse":
		s.invokeSync(w, req, r, body)
	case "DryRun":
		// Lambda checks the call and answers 204 without running the
		// function; API Gateway answers with the default integration
		// response and an empty body, as for Event.
		s.log.Printf("%s %s: DryRun: Lambda validates the call and does not run %s", r.Method, r.Path, r.FunctionID)
		s.respond(w, r, nil, "")
	default:
		// Lambda refuses the call (InvalidParameterValueException): API Gateway answers 500.
		s.log.Printf("%s %s: X-Amz-Invocation-Type %q is not Event, RequestResponse or DryRun; Lambda rejects the call", r.Method, r.Path, typ)
		internalError(w)
	}
	return typ
}

// payloadLimit is Lambda's payload limit for an invocation type, 0 when it
// has none here.
func payloadLimit(invocationType string) int {
	switch invocationType {
	case "Event":
		return MaxAsyncPayload
	case "RequestResponse":
		return MaxSyncPayload
	}
	return 0
}

// invokeAsync queues the invocation and answers at once, as Lambda takes
// an event, or answers 500 as API Gateway does when Lambda does not.
func (s *Server) invokeAsync(w http.ResponseWriter, r *Route, body []byte) {
	j := job{id: fmt.Sprintf("async-%d", s.seq.Add(1)), requestID: newRequestID(), pool: s.pools[r.FunctionID], target: r.target, config: s.config(r.target),
		payload: body, route: r.Method + " " + r.Path, received: s.now()}
	switch err := s.enqueue(j); {
	case err == nil:
		s.respond(w, r, nil, "")
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
func (s *Server) invokeSync(w http.ResponseWriter, req *http.Request, r *Route, body []byte) {
	start := time.Now()
	// Shutdown cuts a synchronous call short, as it does an asynchronous one.
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	defer context.AfterFunc(s.stopping, cancel)()
	a := s.pools[r.FunctionID].invoke(ctx, body)
	switch {
	case a.err != nil && s.stopping.Err() != nil:
		s.log.Printf("%s %s: synchronous invocation of %s cut short by shutdown after %s; answered 500", r.Method, r.Path, r.FunctionID, time.Since(start).Round(time.Millisecond))
		internalError(w)
		return
	case a.err != nil && req.Context().Err() != nil:
		s.log.Printf("%s %s: the caller went away after %s, before %s answered", r.Method, r.Path, time.Since(start).Round(time.Millisecond), r.FunctionID)
		return
	case a.err != nil:
		s.log.Printf("%s %s: invoke %s: %v", r.Method, r.Path, r.FunctionID, a.err)
		internalError(w)
		return
	}
	errorMessage := ""
	if a.failure != nil {
		errorMessage = a.failure.ErrorMessage
		if errorMessage == "" {
			errorMessage = string(a.failure.Payload)
		}
	}
	s.respond(w, r, a.out.Payload, errorMessage)
}

// invocationType computes X-Amz-Invocation-Type as the integration's request
// parameter maps it.
func invocationType(source string, req *http.Request) string {
	switch {
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

// respond selects the integration response as API Gateway does: the one
// whose selection pattern matches the function's errorMessage, else the
// default, and passes the payload through.
func (s *Server) respond(w http.ResponseWriter, r *Route, payload []byte, errorMessage string) {
	var chosen *Response
	for i := range r.Responses {
		resp := &r.Responses[i]
		if resp.pattern == nil {
			if chosen == nil {
				chosen = resp
			}
			continue
		}
		if errorMessage != "" && resp.pattern.MatchString(errorMessage) {
			chosen = resp
			break
		}
	}
	if chosen == nil {
		s.log.Printf("%s %s: no integration response matches and there is no default; API Gateway answers 500", r.Method, r.Path)
		internalError(w)
		return
	}
	status := 200
	fmt.Sscanf(chosen.StatusCode, "%d", &status)
	for k, v := range chosen.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(payload)
}
