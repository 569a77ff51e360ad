package emulator

import (
	"bytes"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// FunctionError is the error of a function that ran and failed: Lambda
// answers the Invoke call, and its payload is the error the runtime
// reports.
type FunctionError struct {
	// Kind is what Lambda's X-Amz-Function-Error header says, Unhandled
	// (or Handled); Unhandled when the emulator, which does not send the
	// header, answers an error payload.
	Kind    string
	Payload []byte // the error as the runtime reports it
	// ErrorType and ErrorMessage are read from the payload, Lambda's error
	// object; "" when it has none, as the emulator's "Task timed out
	// after" text.
	ErrorType, ErrorMessage string
}

// Error is the payload on one line.
func (e *FunctionError) Error() string {
	var line bytes.Buffer
	if json.Compact(&line, e.Payload) != nil {
		line.Reset()
		line.Write(bytes.TrimSpace(e.Payload))
	}
	return "function error: " + line.String()
}

// FunctionErrorOf is the error of the function that an answer of the
// Invoke API reports, or nil when the function succeeded. Lambda says so
// with the X-Amz-Function-Error header; the emulator does not send it, so
// a payload that is Lambda's error object (as the SAM CLI tells it), or
// the emulator's "Task timed out after" text, is a function error too.
func FunctionErrorOf(out *lambda.InvokeOutput) *FunctionError {
	kind := ""
	switch {
	case out == nil:
		return nil
	case out.FunctionError != nil:
		kind = *out.FunctionError
	case isErrorPayload(out.Payload):
		kind = "Unhandled"
	default:
		return nil
	}
	fe := &FunctionError{Kind: kind, Payload: out.Payload}
	var e struct {
		ErrorType    any `json:"errorType"`
		ErrorMessage any `json:"errorMessage"`
	}
	if json.Unmarshal(out.Payload, &e) == nil {
		fe.ErrorType, _ = e.ErrorType.(string)
		fe.ErrorMessage, _ = e.ErrorMessage.(string)
	}
	return fe
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
