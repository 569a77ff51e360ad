// Command proxyhandler is a Lambda function written for API Gateway's
// proxy integration as users write one with aws-lambda-go: its handler
// takes events.APIGatewayProxyRequest. go test ./tests (TestProxyEventEndToEnd)
// serves it behind a proxy route and behind an asynchronous Event: proxy
// route and compares what it receives.
//
// It answers with what it received: the event as it decoded it, the event
// as Lambda delivered it, and the request ID it runs under. A request whose
// query string has fail=message fails with that message.
package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func main() { lambda.Start(handle) }

// Request is the proxy event as the handler decodes it, and as it came.
type Request struct {
	events.APIGatewayProxyRequest
	Raw json.RawMessage
}

// UnmarshalJSON keeps the event's text beside what it decodes to.
func (r *Request) UnmarshalJSON(b []byte) error {
	r.Raw = append(json.RawMessage(nil), b...)
	return json.Unmarshal(b, &r.APIGatewayProxyRequest)
}

// Received is what the handler answers.
type Received struct {
	RequestID string                        `json:"requestId"` // its context's AwsRequestID
	Event     events.APIGatewayProxyRequest `json:"event"`
	Raw       json.RawMessage               `json:"raw"`
}

func handle(ctx context.Context, req Request) (events.APIGatewayProxyResponse, error) {
	if msg := req.QueryStringParameters["fail"]; msg != "" {
		return events.APIGatewayProxyResponse{}, errors.New(msg)
	}
	r := Received{Event: req.APIGatewayProxyRequest, Raw: req.Raw}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.RequestID = lc.AwsRequestID
	}
	b, err := json.Marshal(r)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(b)}, nil
}
