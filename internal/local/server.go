package local

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Config configures a Server.
type Config struct {
	Template    *tree.Object      // the expanded template
	TemplateDir string            // where the template's relative code paths start
	Endpoints   map[string]string // function logical ID -> a running Lambda Invoke API endpoint
	WorkDir     string            // where functions are built
	RIE         string            // the emulator executable; emulator.Find's answer, before any build, when empty
	Log         io.Writer         // request lines, async outcomes, function logs
	QueueSize   int               // asynchronous invocations waiting at most; default 100
	Workers     int               // asynchronous invocations running at once; default 4
	Concurrency int               // emulators per function, started as needed; default 4
	RetryDelays []time.Duration   // before each retry of a failed asynchronous invocation; default 1s, 2s
	// Parameters are the values of template parameters; the others take
	// their Default.
	Parameters map[string]any
	// DestinationsDir is where the records of asynchronous invocations are
	// written, in a folder per destination; "" logs them only.
	DestinationsDir string

	now func() time.Time // the clock of event ages and records; time.Now when nil
}

// Server serves a template's REST APIs as API Gateway would.
type Server struct {
	mu        sync.Mutex // guards emulators
	routes    []Route
	warnings  []string
	functions map[string]*function
	emulators []*emulator.Emulator
	queue     chan job
	workers   sync.WaitGroup
	retry     []time.Duration
	log       *log.Logger
	seq       atomic.Int64
	closeOnce sync.Once
	stopping  context.Context // cancelled when pending asynchronous work is abandoned
	abandon   context.CancelFunc
	configs   map[Target]AsyncConfig // asynchronous invocation configurations
	records   records
	now       func() time.Time
}

// function runs invocations of one function, each on an idle emulator (an
// emulator runs one invocation at a time, as a Lambda execution environment
// does), starting another when all are busy, up to a limit.
type function struct {
	id    string
	idle  chan *lambda.Client
	start func(context.Context) (*lambda.Client, error) // nil for a given endpoint

	mu      sync.Mutex
	started int
	max     int
}

func (f *function) acquire(ctx context.Context) (*lambda.Client, error) {
	select {
	case c := <-f.idle:
		return c, nil
	default:
	}
	f.mu.Lock()
	if f.start != nil && f.started < f.max {
		f.started++
		f.mu.Unlock()
		c, err := f.start(ctx)
		if err != nil {
			f.mu.Lock()
			f.started--
			f.mu.Unlock()
		}
		return c, err
	}
	f.mu.Unlock()
	select {
	case c := <-f.idle:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// job is an asynchronous invocation.
type job struct {
	id        string // async-N, for the log
	requestID string // the same on every attempt, as in Lambda
	fn        *function
	target    Target
	config    AsyncConfig
	payload   []byte
	route     string
	received  time.Time // when Lambda took the event: its age counts from here
}

// maxPayload is API Gateway's request payload limit.
const maxPayload = 10 << 20

// NewServer reads the routes, builds and starts the functions they invoke,
// and starts the asynchronous invocation workers.
func NewServer(ctx context.Context, c Config) (*Server, error) {
	if c.QueueSize <= 0 {
		c.QueueSize = 100
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.RetryDelays == nil {
		c.RetryDelays = []time.Duration{time.Second, 2 * time.Second}
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.DestinationsDir != "" {
		if err := os.MkdirAll(c.DestinationsDir, 0o755); err != nil {
			return nil, fmt.Errorf("the destinations directory: %w", err)
		}
	}
	s := &Server{functions: map[string]*function{}, queue: make(chan job, c.QueueSize), retry: c.RetryDelays, log: log.New(c.Log, "", log.Ltime|log.Lmicroseconds), now: c.now}
	s.records.dir = c.DestinationsDir
	s.stopping, s.abandon = context.WithCancel(context.Background())
	s.routes, s.warnings = Routes(c.Template)
	var warnings []string
	s.configs, warnings = AsyncConfigs(c.Template, c.Parameters)
	s.warnings = append(s.warnings, warnings...)
	runnable, notRunnable := Functions(c.Template, c.TemplateDir)
	if c.RIE == "" {
		for _, r := range s.routes {
			_, given := c.Endpoints[r.Function]
			if _, ok := runnable[r.Function]; ok && r.Broken == "" && !given {
				// Find (or install) the emulator before building anything.
				rie, err := emulator.Find(ctx, c.Log)
				if err != nil {
					return nil, err
				}
				c.RIE = rie
				break
			}
		}
	}
	for i := range s.routes {
		r := &s.routes[i]
		if r.Broken != "" || r.Function == "" {
			continue
		}
		if _, done := s.functions[r.Function]; done {
			continue
		}
		if endpoint, given := c.Endpoints[r.Function]; given {
			fn := &function{id: r.Function, idle: make(chan *lambda.Client, 1), max: 1}
			fn.idle <- emulator.Client(endpoint)
			s.functions[r.Function] = fn
			s.log.Printf("%s is invoked at %s", r.Function, endpoint)
			continue
		}
		f, ok := runnable[r.Function]
		if !ok {
			r.Broken = fmt.Sprintf("function %s cannot run here: %s; give its endpoint with --function-endpoint %s=URL", r.Function, notRunnable[r.Function], r.Function)
			s.warnings = append(s.warnings, fmt.Sprintf("%s %s (%s): %s", r.Method, r.Path, r.Source, r.Broken))
			continue
		}
		s.log.Printf("building %s (make build-%s in %s)", f.ID, f.ID, f.Dir)
		bootstrap, err := Build(ctx, f, filepath.Join(c.WorkDir, f.ID), c.Log)
		if err != nil {
			s.Close()
			return nil, err
		}
		fn := &function{id: f.ID, idle: make(chan *lambda.Client, c.Concurrency), max: c.Concurrency}
		config := f.Config(bootstrap, c.Log)
		config.RIE = c.RIE
		fn.start = func(ctx context.Context) (*lambda.Client, error) {
			em, err := emulator.Start(ctx, config)
			if err != nil {
				return nil, err
			}
			s.mu.Lock()
			s.emulators = append(s.emulators, em)
			s.mu.Unlock()
			s.log.Printf("%s: started an emulator at %s", f.ID, em.Endpoint())
			return emulator.Client(em.Endpoint()), nil
		}
		// One emulator now, so that a function that cannot start says so at start-up.
		first, err := fn.start(ctx)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("%s: %w", f.ID, err)
		}
		fn.started = 1
		fn.idle <- first
		s.functions[r.Function] = fn
	}
	for i := range s.routes { // routes of a function that could not start
		r := &s.routes[i]
		if r.Broken == "" && r.Function != "" && s.functions[r.Function] == nil {
			r.Broken = fmt.Sprintf("function %s is not running", r.Function)
		}
	}
	s.targets(c.Template, c.Parameters)
	for range c.Workers {
		s.workers.Add(1)
		go s.work()
	}
	return s, nil
}

// Routes are the routes served.
func (s *Server) Routes() []Route { return s.routes }

// Warnings say what the server cannot serve as API Gateway would.
func (s *Server) Warnings() []string { return s.warnings }

// Close abandons the queued asynchronous invocations and stops every
// emulator the server started.
func (s *Server) Close() { s.Drain(0) }

// Drain stops taking asynchronous invocations, lets the queued ones finish
// for at most d, abandons the rest and stops every emulator the server
// started. Nothing it started is left running.
func (s *Server) Drain(d time.Duration) {
	s.closeOnce.Do(func() {
		close(s.queue)
		done := make(chan struct{})
		go func() { s.workers.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(d):
			s.abandon()
			<-done
		}
		s.abandon()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, em := range s.emulators {
			em.Stop()
		}
	})
}

// statusWriter records the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	start := time.Now()
	w := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
	invocation := s.serve(w, req)
	s.log.Printf("%s %s %s %d %s", req.Method, req.URL.Path, invocation, w.status, time.Since(start).Round(time.Microsecond))
}

// apiError answers as API Gateway answers its own errors.
func apiError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", errorType)
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"message": message})
	w.Write(b)
}

func internalError(w http.ResponseWriter) {
	apiError(w, http.StatusInternalServerError, "InternalServerErrorException", "Internal server error")
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
	case "MOCK":
		s.respond(w, r, nil, "")
		return "MOCK"
	case "AWS_PROXY":
		s.proxy(w, req, r, params, body)
		return "RequestResponse"
	}
	typ := invocationType(r.InvocationType, req)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		// Lambda refuses a payload that is not JSON: API Gateway answers 500.
		s.log.Printf("%s %s: the body is not JSON, which Lambda rejects (InvalidRequestContentException)", r.Method, r.Path)
		internalError(w)
		return typ
	}
	fn := s.functions[r.Function]
	switch typ {
	case "Event":
		j := job{id: fmt.Sprintf("async-%d", s.seq.Add(1)), requestID: newRequestID(), fn: fn, target: r.target, config: s.config(r.target),
			payload: body, route: r.Method + " " + r.Path, received: s.now()}
		select {
		case s.queue <- j:
			s.respond(w, r, nil, "")
		default:
			s.log.Printf("%s: the asynchronous queue is full (%d waiting); Lambda would throttle (429), API Gateway answers 500", j.route, cap(s.queue))
			internalError(w)
		}
	case "RequestResponse":
		out, err := fn.invoke(req.Context(), body)
		if err != nil {
			s.log.Printf("%s %s: invoke %s: %v", r.Method, r.Path, fn.id, err)
			internalError(w)
			return typ
		}
		errorMessage := ""
		if out.FunctionError != nil {
			var e struct {
				ErrorMessage string `json:"errorMessage"`
			}
			_ = json.Unmarshal(out.Payload, &e)
			errorMessage = e.ErrorMessage
			if errorMessage == "" {
				errorMessage = string(out.Payload)
			}
		}
		s.respond(w, r, out.Payload, errorMessage)
	case "DryRun":
		// Lambda checks the call and answers 204 without running the
		// function; API Gateway answers with the default integration
		// response and an empty body, as for Event.
		s.log.Printf("%s %s: DryRun: Lambda validates the call and does not run %s", r.Method, r.Path, fn.id)
		s.respond(w, r, nil, "")
	default:
		// Lambda refuses the call (InvalidParameterValueException): API Gateway answers 500.
		s.log.Printf("%s %s: X-Amz-Invocation-Type %q is not Event, RequestResponse or DryRun; Lambda rejects the call", r.Method, r.Path, typ)
		internalError(w)
	}
	return typ
}

// invocationType computes X-Amz-Invocation-Type as the integration's request
// parameter maps it.
func invocationType(source string, req *http.Request) string {
	switch {
	case source == "":
		return "RequestResponse"
	case len(source) >= 2 && strings.HasPrefix(source, "'") && strings.HasSuffix(source, "'"):
		return source[1 : len(source)-1]
	case strings.HasPrefix(source, "method.request.header."):
		if v := req.Header.Get(strings.TrimPrefix(source, "method.request.header.")); v != "" {
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
		if resp.SelectionPattern == "" {
			if chosen == nil {
				chosen = resp
			}
			continue
		}
		if errorMessage != "" {
			if re, err := regexp.Compile("^(?:" + resp.SelectionPattern + ")$"); err == nil && re.MatchString(errorMessage) {
				chosen = resp
				break
			}
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

func (f *function) invoke(ctx context.Context, payload []byte, options ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	client, err := f.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { f.idle <- client }()
	out, err := client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(emulator.FunctionName),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	}, options...)
	if err == nil && out.FunctionError == nil && isErrorPayload(out.Payload) {
		// The emulator answers a function error without Lambda's
		// X-Amz-Function-Error header: tell it by its payload.
		out.FunctionError = aws.String("Unhandled")
	}
	return out, err
}

// isErrorPayload reports whether a payload is the error a Lambda runtime
// reports for a function that failed, or the emulator's "Task timed out
// after" text. Like the SAM CLI's test, it looks for an object with a string
// errorMessage and errorType and no other keys than the runtimes add
// (stackTrace, trace, cause, requestId).
func isErrorPayload(p []byte) bool {
	if bytes.HasPrefix(p, []byte("Task timed out after ")) {
		return true
	}
	var e map[string]any
	if json.Unmarshal(p, &e) != nil {
		return false
	}
	_, message := e["errorMessage"].(string)
	_, typ := e["errorType"].(string)
	for k := range e {
		switch k {
		case "errorMessage", "errorType", "stackTrace", "trace", "cause", "requestId":
		default:
			return false
		}
	}
	return message && typ
}

// work runs queued asynchronous invocations.
func (s *Server) work() {
	defer s.workers.Done()
	for j := range s.queue {
		s.run(&j)
	}
}

// run invokes a function asynchronously as Lambda does: it retries a
// failed invocation up to the configured MaximumRetryAttempts (with
// shorter delays), gives up on an event older than its
// MaximumEventAgeInSeconds when an attempt is due, and delivers the
// invocation record to the on-success or on-failure destination. Once
// shutdown abandons pending work, an invocation it cuts short or never
// starts gets one line, is not retried, and has no record: its fate is not
// decided.
func (s *Server) run(j *job) {
	start := time.Now()
	var last *attempt
	for n := 1; ; n++ {
		if s.stopping.Err() != nil {
			if n == 1 {
				s.log.Printf("async %s %s (%s): abandoned at shutdown before it started", j.id, j.fn.id, j.route)
			} else {
				s.log.Printf("async %s %s (%s): abandoned at shutdown after %s; not retried", j.id, j.fn.id, j.route, count(n-1, "failed attempt"))
			}
			return
		}
		if old := s.now().Sub(j.received); old > j.config.MaximumEventAge {
			why := "not attempted"
			if last != nil {
				why = fmt.Sprintf("not retried after %s: %v", count(n-1, "failed attempt"), last.error())
			}
			s.log.Printf("async %s %s (%s): %s old, older than its maximum event age (%s); %s%s", j.id, j.fn.id, j.route, old.Round(time.Millisecond), age(j.config.MaximumEventAge), why, s.dropped(j))
			s.deliver(j, ConditionEventAgeExceeded, n-1, last)
			return
		}
		out, err := j.fn.invoke(s.stopping, j.payload, withRequestID(j.requestID))
		if err != nil && s.stopping.Err() != nil {
			s.log.Printf("async %s %s (%s): cut short by shutdown after %s (attempt %d); not retried", j.id, j.fn.id, j.route, time.Since(start).Round(time.Millisecond), n)
			return
		}
		last = &attempt{out: out, err: err}
		if !last.failed() {
			s.log.Printf("async %s %s (%s): succeeded in %s", j.id, j.fn.id, j.route, time.Since(start).Round(time.Millisecond))
			s.deliver(j, ConditionSuccess, n, last)
			return
		}
		if n > j.config.MaximumRetryAttempts {
			s.log.Printf("async %s %s (%s): failed after %s: %v%s", j.id, j.fn.id, j.route, count(n, "attempt"), last.error(), s.dropped(j))
			s.deliver(j, ConditionRetriesExhausted, n, last)
			return
		}
		if s.stopping.Err() != nil {
			s.log.Printf("async %s %s (%s): attempt %d failed at shutdown; not retried: %v", j.id, j.fn.id, j.route, n, last.error())
			return
		}
		var delay time.Duration
		if len(s.retry) > 0 {
			delay = s.retry[min(n, len(s.retry))-1]
		}
		s.log.Printf("async %s %s (%s): attempt %d failed, retrying in %s: %v", j.id, j.fn.id, j.route, n, delay, last.error())
		select {
		case <-time.After(delay):
		case <-s.stopping.Done():
		}
	}
}

// dropped says that a failed event is dropped, when its function has no
// on-failure destination.
func (s *Server) dropped(j *job) string {
	if j.config.OnFailure != nil {
		return ""
	}
	return fmt.Sprintf("; dropped: %s has no on-failure destination, and Lambda drops the event", j.target)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// proxy serves a Lambda proxy integration with the proxy event format.
func (s *Server) proxy(w http.ResponseWriter, req *http.Request, r *Route, params map[string]string, body []byte) {
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
			ResourcePath: r.Path, Path: req.URL.Path, HTTPMethod: req.Method, Stage: "local",
			RequestID: fmt.Sprintf("local-%d", s.seq.Add(1)), Identity: events.APIGatewayRequestIdentity{SourceIP: strings.Split(req.RemoteAddr, ":")[0]},
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
	payload, _ := json.Marshal(ev)
	out, err := s.functions[r.Function].invoke(req.Context(), payload)
	if err != nil || out.FunctionError != nil {
		if err == nil {
			err = errors.New(string(out.Payload))
		}
		s.log.Printf("%s %s: proxy integration: %v", r.Method, r.Path, err)
		apiError(w, http.StatusBadGateway, "InternalServerErrorException", "Internal server error")
		return
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil || resp.StatusCode == 0 {
		s.log.Printf("%s %s: malformed Lambda proxy response: %.200s", r.Method, r.Path, out.Payload)
		apiError(w, http.StatusBadGateway, "InternalServerErrorException", "Internal server error")
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
