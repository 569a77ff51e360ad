package local

import (
	"context"
	"fmt"
	"log"
	"path/filepath"
	"sync"

	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// pool runs the invocations of one function, each on an idle emulator (an
// emulator runs one invocation at a time, as a Lambda execution environment
// does), starting another when all are busy, up to a limit. The pool of a
// function given by its endpoint has that endpoint's client and starts
// nothing.
type pool struct {
	function string // logical ID
	idle     chan *lambda.Client
	config   *emulator.Config // what each emulator runs; nil for a given endpoint
	log      *log.Logger

	mu        sync.Mutex // guards what follows
	started   int
	max       int
	emulators []*emulator.Emulator
	stopped   bool
}

// startPools starts the pool of each function a route invokes: at its
// given endpoint, else built and run under the emulator. The routes of a
// function that cannot run here are broken; one that cannot be built or
// started is an error.
func (s *Server) startPools(ctx context.Context, c Config) error {
	runnable, notRunnable := Functions(c.Template, c.TemplateDir)
	if c.RIE == "" && s.needEmulator(runnable, c.Endpoints) {
		// Find (or install) the emulator before building anything.
		rie, err := emulator.Find(ctx, c.Log)
		if err != nil {
			return err
		}
		c.RIE = rie
	}
	cannot := map[string]string{} // function logical ID -> why it cannot run here
	for i := range s.routes {
		r := &s.routes[i]
		id := r.FunctionID
		if r.Broken != "" || id == "" {
			continue
		}
		_, started := s.pools[id]
		f, isRunnable := runnable[id]
		endpoint, given := c.Endpoints[id]
		switch {
		case started || cannot[id] != "":
		case given:
			s.pools[id] = endpointPool(id, endpoint)
			s.log.Printf("%s is invoked at %s", id, endpoint)
		case isRunnable:
			p, err := s.startPool(ctx, c, f)
			if err != nil {
				return err
			}
			s.pools[id] = p
		default:
			cannot[id] = fmt.Sprintf("function %s cannot run here: %s; give its endpoint with --function-endpoint %s=URL", id, notRunnable[id], id)
		}
		if why := cannot[id]; why != "" {
			r.Broken = why
			s.warnings = append(s.warnings, r.warning())
		}
	}
	return nil
}

// needEmulator reports whether a route invokes a function that is to run
// under the emulator.
func (s *Server) needEmulator(runnable map[string]Function, endpoints map[string]string) bool {
	for _, r := range s.routes {
		_, given := endpoints[r.FunctionID]
		if _, ok := runnable[r.FunctionID]; ok && r.Broken == "" && !given {
			return true
		}
	}
	return false
}

// endpointPool is the pool of a function given by its endpoint.
func endpointPool(id, endpoint string) *pool {
	p := &pool{function: id, idle: make(chan *lambda.Client, 1), max: 1}
	p.idle <- emulator.Client(endpoint)
	return p
}

// startPool builds f and starts one emulator now, so that a function that
// cannot start says so at start-up; the others start as needed.
func (s *Server) startPool(ctx context.Context, c Config, f Function) (*pool, error) {
	s.log.Printf("building %s (make build-%s in %s)", f.ID, f.ID, f.Dir)
	bootstrap, err := Build(ctx, f, filepath.Join(c.WorkDir, f.ID), c.Log)
	if err != nil {
		return nil, err
	}
	config := f.Config(bootstrap, c.Log)
	config.RIE = c.RIE
	config.Stopping = s.stopping // the server says which invocations shutdown cuts short
	p := &pool{function: f.ID, idle: make(chan *lambda.Client, c.Concurrency), config: &config, log: s.log, max: c.Concurrency}
	first, err := p.start(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.ID, err)
	}
	p.started = 1
	p.idle <- first
	return p, nil
}

// start starts an emulator and returns its client.
func (p *pool) start(ctx context.Context) (*lambda.Client, error) {
	em, err := emulator.Start(ctx, *p.config)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	stopped := p.stopped
	if !stopped {
		p.emulators = append(p.emulators, em)
	}
	p.mu.Unlock()
	if stopped { // the server stopped while it started
		em.Stop()
		return nil, errStopped
	}
	p.log.Printf("%s: started an emulator at %s", p.function, em.Endpoint())
	return emulator.Client(em.Endpoint()), nil
}

// acquire takes an idle emulator's client, or starts an emulator when
// none is idle and the pool may grow, else waits for one.
func (p *pool) acquire(ctx context.Context) (*lambda.Client, error) {
	select {
	case c := <-p.idle:
		return c, nil
	default:
	}
	p.mu.Lock()
	if p.config != nil && p.started < p.max {
		p.started++
		p.mu.Unlock()
		c, err := p.start(ctx)
		if err != nil {
			p.mu.Lock()
			p.started--
			p.mu.Unlock()
		}
		return c, err
	}
	p.mu.Unlock()
	select {
	case c := <-p.idle:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// attempt is the outcome of one invocation of a function.
type attempt struct {
	out     *lambda.InvokeOutput    // the Invoke API's answer; nil when err is set
	failure *emulator.FunctionError // the function's error, when it failed
	err     error                   // the Invoke API's error: the function did not answer
}

func (a attempt) failed() bool { return a.err != nil || a.failure != nil }

// error says why an attempt failed; nil when it did not.
func (a attempt) error() error {
	switch {
	case a.err != nil:
		return a.err
	case a.failure != nil:
		return a.failure
	}
	return nil
}

// invoke runs one synchronous invocation on an idle emulator.
func (p *pool) invoke(ctx context.Context, payload []byte, options ...func(*lambda.Options)) attempt {
	client, err := p.acquire(ctx)
	if err != nil {
		return attempt{err: err}
	}
	defer func() { p.idle <- client }()
	out, err := client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(emulator.FunctionName),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	}, options...)
	if err != nil {
		return attempt{err: err}
	}
	return attempt{out: out, failure: emulator.FunctionErrorOf(out)}
}

// stop stops the pool's emulators; one that is starting stops once started.
func (p *pool) stop() {
	p.mu.Lock()
	p.stopped = true
	ems := p.emulators
	p.emulators = nil
	p.mu.Unlock()
	for _, em := range ems {
		em.Stop()
	}
}
