// Command macro is the AsyncInvoke CloudFormation macro's Lambda function: a
// thin aws-lambda-go entry point over package macro.
package main

import (
	"context"
	"log"

	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() { lambda.Start(handler{}) }

// handler answers each request with macro.Handle and logs its one-line
// summary: never the template or its parameter values.
type handler struct{}

func (handler) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	out, sum := macro.Handle(payload)
	log.Print(sum)
	return out, nil
}
