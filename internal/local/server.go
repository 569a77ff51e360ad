package local

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
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
	Concurrency int               // emulators per function, started as needed; default Workers+1, so a synchronous call finds one
	RetryDelays []time.Duration   // before each retry of a failed asynchronous invocation; default 1s, 2s
	// Parameters are the values of template parameters; the others take
	// their Default.
	Parameters map[string]any
	// Stage names the stage each API is served on; "" serves the one its
	// template declares (the first, when it declares several).
	Stage string
	// DestinationsDir is where the records of asynchronous invocations are
	// written, in a folder per destination; "" logs them only.
	DestinationsDir string

	now func() time.Time // the clock of event ages and records; time.Now when nil
}

// withDefaults is c with the defaults in place of what it leaves unset.
func (c Config) withDefaults() Config {
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
		c.Concurrency = c.Workers + 1 // the asynchronous workers never take every emulator of a function
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Server serves a template's REST APIs as API Gateway would: its Lambda
// integrations invoke each function's pool of emulators, synchronously or
// through the asynchronous queue.
type Server struct {
	routes   []Route
	warnings []string
	pools    map[string]*pool       // by function logical ID: those that routes invoke
	configs  map[Target]AsyncConfig // asynchronous invocation configurations
	log      *log.Logger
	seq      atomic.Int64     // numbers asynchronous invocations and proxy events
	now      func() time.Time // the clock of event ages and records

	// The asynchronous queue and its workers.
	queue       chan job
	queueMu     sync.RWMutex // held to send on queue; Lock to close it
	queueClosed bool
	workers     sync.WaitGroup
	retry       []time.Duration
	stopping    context.Context // cancelled when pending asynchronous work is abandoned
	abandon     context.CancelFunc
	records     records

	requests  atomic.Int64 // being answered
	closeOnce sync.Once
}

// NewServer reads the routes, builds and starts the functions they invoke,
// and starts the asynchronous invocation workers.
func NewServer(ctx context.Context, c Config) (*Server, error) {
	c = c.withDefaults()
	if c.DestinationsDir != "" {
		if err := os.MkdirAll(c.DestinationsDir, 0o755); err != nil {
			return nil, fmt.Errorf("the destinations directory (--destinations-dir): %w", err)
		}
	}
	s := &Server{pools: map[string]*pool{}, log: log.New(c.Log, "", log.Ltime|log.Lmicroseconds), now: c.now,
		queue: make(chan job, c.QueueSize), retry: c.RetryDelays, records: records{dir: c.DestinationsDir}}
	s.stopping, s.abandon = context.WithCancel(context.Background())
	s.routes, s.warnings = Routes(c.Template, c.Parameters, c.Stage)
	configs, warnings := AsyncConfigs(c.Template, c.Parameters)
	s.configs, s.warnings = configs, append(s.warnings, warnings...)
	if err := s.startPools(ctx, c); err != nil {
		s.Close()
		return nil, err
	}
	s.targets(c.Template, c.Parameters)
	s.startWorkers(c.Workers)
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
// for at most d, abandons the rest, cuts short the synchronous calls still
// running and stops every emulator the server started. Nothing it started
// is left running.
func (s *Server) Drain(d time.Duration) {
	s.closeOnce.Do(func() {
		s.closeQueue()
		done := make(chan struct{})
		go func() { s.workers.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(d):
			s.abandon()
			<-done
		}
		s.abandon()
		for _, p := range s.pools {
			p.stop()
		}
		// Requests whose calls were cut short answer and log it.
		for deadline := time.Now().Add(time.Second); s.requests.Load() > 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	})
}
