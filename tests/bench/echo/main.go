// Command echo is floor (a) as a Lambda function, for `make bench-e2e`: the
// echo any Go macro written with aws-lambda-go starts from. aws-lambda-go
// decodes the event into map[string]any with encoding/json and encodes the
// value returned, here the event unchanged.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, event map[string]any) (map[string]any, error) {
		return event, nil
	})
}
