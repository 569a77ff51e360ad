package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// job is an asynchronous invocation.
type job struct {
	id        string // async-N, for the log
	requestID string // the same on every attempt, as in Lambda
	pool      *pool
	target    Target
	config    AsyncConfig
	payload   []byte
	route     string
	received  time.Time // when Lambda took the event: its age counts from here
}

// Why an asynchronous invocation is not taken.
var (
	errQueueFull = errors.New("the asynchronous queue is full")
	errStopped   = errors.New("the server is stopping")
)

// enqueue queues an asynchronous invocation, unless the queue is full or
// the server no longer takes them.
func (s *Server) enqueue(j job) error {
	s.queueMu.RLock()
	defer s.queueMu.RUnlock()
	if s.queueClosed {
		return errStopped
	}
	select {
	case s.queue <- j:
		return nil
	default:
		return errQueueFull
	}
}

// closeQueue stops taking asynchronous invocations: the workers finish
// the queued ones, then return.
func (s *Server) closeQueue() {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	s.queueClosed = true
	close(s.queue)
}

// startWorkers starts n workers that run the queued asynchronous
// invocations.
func (s *Server) startWorkers(n int) {
	for range n {
		s.workers.Add(1)
		go s.work()
	}
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
				s.log.Printf("async %s %s (%s): abandoned at shutdown before it started", j.id, j.pool.function, j.route)
			} else {
				s.log.Printf("async %s %s (%s): abandoned at shutdown after %s; not retried", j.id, j.pool.function, j.route, count(n-1, "failed attempt"))
			}
			return
		}
		if old := s.now().Sub(j.received); old > j.config.MaximumEventAge {
			why := "not attempted"
			if last != nil {
				why = fmt.Sprintf("not retried after %s: %v", count(n-1, "failed attempt"), last.error())
			}
			s.log.Printf("async %s %s (%s): %s old, older than its maximum event age (%s); %s%s", j.id, j.pool.function, j.route, old.Round(time.Millisecond), age(j.config.MaximumEventAge), why, s.dropped(j))
			s.deliver(j, ConditionEventAgeExceeded, n-1, last)
			return
		}
		a := j.pool.invoke(s.stopping, j.payload, withRequestID(j.requestID))
		if a.err != nil && s.stopping.Err() != nil {
			s.log.Printf("async %s %s (%s): cut short by shutdown after %s (attempt %d); not retried", j.id, j.pool.function, j.route, time.Since(start).Round(time.Millisecond), n)
			return
		}
		last = &a
		if !last.failed() {
			s.log.Printf("async %s %s (%s): succeeded in %s%s", j.id, j.pool.function, j.route, time.Since(start).Round(time.Millisecond), errorStatusNote(last.out.Payload))
			s.deliver(j, ConditionSuccess, n, last)
			return
		}
		if n > j.config.MaximumRetryAttempts {
			s.log.Printf("async %s %s (%s): failed after %s: %v%s", j.id, j.pool.function, j.route, count(n, "attempt"), last.error(), s.dropped(j))
			s.deliver(j, ConditionRetriesExhausted, n, last)
			return
		}
		if s.stopping.Err() != nil {
			s.log.Printf("async %s %s (%s): attempt %d failed at shutdown; not retried: %v", j.id, j.pool.function, j.route, n, last.error())
			return
		}
		var delay time.Duration
		if len(s.retry) > 0 {
			delay = s.retry[min(n, len(s.retry))-1]
		}
		s.log.Printf("async %s %s (%s): attempt %d failed, retrying in %s: %v", j.id, j.pool.function, j.route, n, delay, last.error())
		select {
		case <-time.After(delay):
		case <-s.stopping.Done():
		}
	}
}

// errorStatusNote flags a result that is a proxy response (a JSON object
// with a numeric statusCode) of a server error (5xx): serverless-http and
// most proxy handlers report an error so, rather than throw, and Lambda
// counts only a function error as a failure.
func errorStatusNote(payload []byte) string {
	var r struct {
		StatusCode *json.Number `json:"statusCode"`
	}
	if json.Unmarshal(payload, &r) != nil || r.StatusCode == nil {
		return ""
	}
	n, err := r.StatusCode.Int64()
	if err != nil || n < 500 || n > 599 {
		return ""
	}
	return fmt.Sprintf(", but answered statusCode %d: Lambda counts it as a success, so no retry and no OnFailure record; throw instead", n)
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
