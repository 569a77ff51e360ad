package emulator_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
)

// TestFunctionErrorOf: a function error is told by Lambda's
// X-Amz-Function-Error header, or, as the emulator does not send it, by a
// payload that is Lambda's error object or the emulator's timeout text.
func TestFunctionErrorOf(t *testing.T) {
	tests := []struct {
		name, header, payload string
		want                  *emulator.FunctionError // nil: the function succeeded
	}{
		{"Lambda's error object", "", `{"errorMessage":"x","errorType":"Failure"}`,
			&emulator.FunctionError{Kind: "Unhandled", ErrorType: "Failure", ErrorMessage: "x"}},
		{"with a stack trace", "", `{"errorType":"Error","errorMessage":"x","stackTrace":["a"]}`,
			&emulator.FunctionError{Kind: "Unhandled", ErrorType: "Error", ErrorMessage: "x"}},
		{"with the keys the runtimes add", "", `{"errorMessage":"x","errorType":"E","requestId":"r","stackTrace":[],"trace":[],"cause":{}}`,
			&emulator.FunctionError{Kind: "Unhandled", ErrorType: "E", ErrorMessage: "x"}},
		{"the emulator's timeout", "", "Task timed out after 3.00 seconds", &emulator.FunctionError{Kind: "Unhandled"}},
		{"the header says so, whatever the payload", "Handled", `{"done":true}`, &emulator.FunctionError{Kind: "Handled"}},
		{"the header, with a message that is not a string", "Unhandled", `{"errorMessage":1,"errorType":"E"}`,
			&emulator.FunctionError{Kind: "Unhandled", ErrorType: "E"}},
		{"no errorType", "", `{"errorMessage":"x"}`, nil},
		{"another key: a result", "", `{"errorMessage":"x","errorType":"E","result":1}`, nil},
		{"a message that is not a string", "", `{"errorMessage":1,"errorType":"E"}`, nil},
		{"a result", "", `{"done":true}`, nil},
		{"null", "", `null`, nil},
		{"a string", "", `"errorMessage"`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := &lambda.InvokeOutput{Payload: []byte(tc.payload), StatusCode: 200}
			if tc.header != "" {
				out.FunctionError = aws.String(tc.header)
			}
			got := emulator.FunctionErrorOf(out)
			if tc.want == nil {
				assert.Nil(t, got)
				return
			}
			tc.want.Payload = []byte(tc.payload)
			assert.Equal(t, tc.want, got)
		})
	}
	assert.Nil(t, emulator.FunctionErrorOf(nil))
}

// A function error reads as its payload, on one line, and is told from the
// Invoke API's errors with errors.As.
func ExampleFunctionError() {
	var err error = emulator.FunctionErrorOf(&lambda.InvokeOutput{Payload: []byte(`{
  "errorMessage": "no such job",
  "errorType": "Failure"
}`)})
	fmt.Println(err)
	var fe *emulator.FunctionError
	if errors.As(err, &fe) {
		fmt.Println(fe.ErrorType, fe.ErrorMessage)
	}
	// Output:
	// function error: {"errorMessage":"no such job","errorType":"Failure"}
	// Failure no such job
}
