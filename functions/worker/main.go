// Command worker is an example backend that an API invokes asynchronously.
// It logs what it received and, when the event asks with "sleepMs", takes
// its time before answering; with "fail": "message" it fails with that
// message, as a function that cannot do its job does. Given API Gateway's
// proxy event (Event: proxy), it reads those from the request's body.
package main

import (
	"context"
	"encoding/json"
	"log"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func main() { lambda.Start(work) }

// maxSleep keeps a request from outliving the function's timeout.
const maxSleep = 10 * time.Second

// Result is what the worker returns to a synchronous caller.
type Result struct {
	RequestID string          `json:"requestId"`
	Received  json.RawMessage `json:"received"`
	SleptMs   int64           `json:"sleptMs"`
}

// Failure is the error the worker returns when an event asks it to fail;
// Lambda reports it with errorType "Failure".
type Failure struct{ Message string }

func (f *Failure) Error() string { return f.Message }

func work(ctx context.Context, event json.RawMessage) (Result, error) {
	var req struct {
		SleepMs int64  `json:"sleepMs"`
		Fail    string `json:"fail"`
	}
	_ = json.Unmarshal(requestBody(event), &req) // any event is accepted; only sleepMs and fail are read
	id := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		id = lc.AwsRequestID
	}
	if len(event) == 0 {
		event = json.RawMessage("null")
	}
	log.Printf("worker: started requestId=%s bytes=%d", id, len(event))
	d := min(time.Duration(req.SleepMs)*time.Millisecond, maxSleep)
	select {
	case <-time.After(d):
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	if req.Fail != "" {
		log.Printf("worker: failing requestId=%s as asked: %s", id, req.Fail)
		return Result{}, &Failure{Message: req.Fail}
	}
	log.Printf("worker: finished requestId=%s after %dms", id, d.Milliseconds())
	return Result{RequestID: id, Received: event, SleptMs: d.Milliseconds()}, nil
}

// requestBody is the request's body when event is API Gateway's proxy
// event, else the event itself.
func requestBody(event json.RawMessage) []byte {
	var proxy struct {
		HTTPMethod string  `json:"httpMethod"`
		Path       string  `json:"path"`
		Body       *string `json:"body"`
	}
	if json.Unmarshal(event, &proxy) != nil || proxy.HTTPMethod == "" {
		return event
	}
	log.Printf("worker: proxy event %s %s", proxy.HTTPMethod, proxy.Path)
	if proxy.Body == nil {
		return nil
	}
	return []byte(*proxy.Body)
}
