package local

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The conditions of invocation records, as Lambda names them.
const (
	ConditionSuccess          = "Success"
	ConditionRetriesExhausted = "RetriesExhausted"
	ConditionEventAgeExceeded = "EventAgeExceeded"
)

// Record is Lambda's record of an asynchronous invocation, the JSON
// document it sends to the function's on-success or on-failure
// destination.
type Record struct {
	Version         string           `json:"version"`   // "1.0"
	Timestamp       string           `json:"timestamp"` // when it was sent, e.g. 2026-11-26T10:15:02.123Z
	RequestContext  RequestContext   `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`            // the event
	ResponseContext *ResponseContext `json:"responseContext,omitempty"` // nil when the function never ran
	ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"` // what the last attempt returned: the result, or the error object
}

// RequestContext says which invocation a record is about and why it was sent.
type RequestContext struct {
	RequestID              string `json:"requestId"`   // the same on every attempt
	FunctionARN            string `json:"functionArn"` // the qualified ARN invoked
	Condition              string `json:"condition"`   // Success, RetriesExhausted or EventAgeExceeded
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// ResponseContext is the Invoke API's answer to the last attempt.
type ResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"` // Unhandled or Handled, when the function failed
}

// record is the invocation record of a job after attempts attempts, the
// last of which is last (nil when none ran).
func (j *job) record(condition string, attempts int, last *attempt, now time.Time) Record {
	r := Record{
		Version:   "1.0",
		Timestamp: now.UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: RequestContext{
			RequestID:              j.requestID,
			FunctionARN:            j.target.ARN(),
			Condition:              condition,
			ApproximateInvokeCount: attempts,
		},
		RequestPayload: json.RawMessage(j.payload),
	}
	switch {
	case last == nil:
	case last.err != nil:
		// The emulator could not run the function (its process died, say):
		// the record carries the Invoke API's error.
		status, code := 500, "InvokeError"
		var re *smithyhttp.ResponseError
		if errors.As(last.err, &re) && re.HTTPStatusCode() != 0 {
			status = re.HTTPStatusCode()
		}
		var ae smithy.APIError
		if errors.As(last.err, &ae) && ae.ErrorCode() != "" {
			code = ae.ErrorCode()
		}
		r.ResponseContext = &ResponseContext{StatusCode: status, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"}
		r.ResponsePayload, _ = json.Marshal(map[string]string{"errorType": code, "errorMessage": last.err.Error()})
	default:
		out := last.out
		r.ResponseContext = &ResponseContext{StatusCode: int(out.StatusCode), ExecutedVersion: "$LATEST"}
		if out.ExecutedVersion != nil && *out.ExecutedVersion != "" {
			r.ResponseContext.ExecutedVersion = *out.ExecutedVersion
		}
		if last.failure != nil {
			r.ResponseContext.FunctionError = last.failure.Kind
		}
		r.ResponsePayload = out.Payload
		if len(out.Payload) == 0 {
			r.ResponsePayload = json.RawMessage("null")
		} else if !json.Valid(out.Payload) {
			r.ResponsePayload, _ = json.Marshal(string(out.Payload))
		}
	}
	return r
}

// encode writes a record as JSON, compact or indented, without escaping
// HTML characters.
func (r Record) encode(indent string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	_ = enc.Encode(r) // a record always encodes: its payloads are valid JSON
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// maxLogged is how much of a record its log line shows.
const maxLogged = 4 << 10

// records writes invocation records into a folder per destination, under
// files whose names sort in the order they were delivered.
type records struct {
	dir  string // "" when records are only logged
	mu   sync.Mutex
	last time.Time
	seq  int
}

// name is the file name of the next record: the delivery time (never
// before the last one's) and a sequence number, then the condition.
func (rs *records) name(condition string, now time.Time) string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	now = now.UTC().Truncate(time.Microsecond)
	if !now.After(rs.last) {
		now = rs.last.Add(time.Microsecond)
	}
	rs.last = now
	rs.seq++
	return fmt.Sprintf("%s-%06d-%s.json", now.Format("20060102T150405.000000Z"), rs.seq, condition)
}

// write writes a record under the destination's folder and returns its path.
func (rs *records) write(d *Destination, r Record, now time.Time) (string, error) {
	if d.Name == "" {
		return "", errors.New("the destination is not known, so the record has no folder")
	}
	dir := filepath.Join(rs.dir, d.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Written aside, then renamed: a reader never sees half a record.
	f, err := os.CreateTemp(dir, ".record-*.tmp")
	if err != nil {
		return "", err
	}
	err = f.Chmod(0o644) // as os.WriteFile would create it
	if err == nil {
		_, err = f.Write(append(r.encode("  "), '\n'))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	path := filepath.Join(dir, rs.name(r.RequestContext.Condition, now))
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return path, nil
}

// deliver sends a job's record to its destination for the condition, as
// Lambda does: a line in the log, and a file under the destinations
// directory when there is one.
func (s *Server) deliver(j *job, condition string, attempts int, last *attempt) {
	d, kind := j.config.OnFailure, "on-failure"
	if condition == ConditionSuccess {
		d, kind = j.config.OnSuccess, "on-success"
	}
	if d == nil {
		return
	}
	now := s.now()
	r := j.record(condition, attempts, last, now)
	where := ""
	if s.records.dir != "" {
		if path, err := s.records.write(d, r, now); err != nil {
			where = fmt.Sprintf(" (not written: %v)", err)
		} else {
			where = " (" + path + ")"
		}
	}
	line := r.encode("")
	if len(line) > maxLogged {
		line = append(line[:maxLogged:maxLogged], fmt.Sprintf("... (%d bytes)", len(line))...)
	}
	s.log.Printf("async %s %s (%s): %s record to %s%s: %s", j.id, j.pool.function, j.route, kind, d.describe(), where, line)
}

// newRequestID is a random (version 4) UUID, as Lambda's request IDs are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// withRequestID has the emulator run an invocation under the given request
// ID (it reads X-Amzn-RequestId), so that every attempt of an asynchronous
// invocation has the same one, as in Lambda.
func withRequestID(id string) func(*lambda.Options) {
	return func(o *lambda.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("X-Amzn-RequestId", id))
	}
}
