package audit

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// callError is a failed AWS call as one line a person reads: what was
// being done, the operation, and the service's own error code and message
// (or the HTTP status when it sent no error of its own), without the SDK's
// request IDs, retry counts and response bodies.
func callError(doing string, err error) error {
	return fmt.Errorf("%s: %s", doing, describe(err))
}

func describe(err error) string {
	var op *smithy.OperationError
	operation := ""
	if errors.As(err, &op) {
		operation = op.Operation() + ": "
	}
	msg := err.Error()
	if strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "get credentials") || strings.Contains(msg, "no EC2 IMDS role found") {
		return operation + "no AWS credentials were found: set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in with aws sso login"
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code, text := api.ErrorCode(), firstLine(api.ErrorMessage())
		switch {
		case code != "" && code != "UnknownError" && text != "" && !strings.HasPrefix(text, "<"):
			return fmt.Sprintf("%s%s: %s", operation, code, text)
		case code != "" && code != "UnknownError":
			return fmt.Sprintf("%s%s%s", operation, code, statusText(status))
		}
	}
	if status != 0 {
		return fmt.Sprintf("%sthe endpoint answered HTTP %d with no error of the service's own%s", operation, status, notImplemented(status))
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return operation + "timed out"
	}
	// A transport error (no answer at all): where, and the innermost message.
	var ue *url.Error
	if errors.As(err, &ue) {
		inner := error(ue)
		for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
			inner = u
		}
		host := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Scheme + "://" + u.Host
		}
		return operation + "no answer from " + host + ": " + firstLine(inner.Error())
	}
	inner := err
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	return operation + firstLine(inner.Error())
}

func statusText(status int) string {
	if status == 0 {
		return ""
	}
	return fmt.Sprintf(" (HTTP %d)", status)
}

// notImplemented explains a 500 or 501 without an error of the service's
// own: what an emulator answers for an operation it does not implement.
func notImplemented(status int) string {
	if status == 500 || status == 501 {
		return " (an emulator answers so for an operation it does not implement)"
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const limit = 300
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return s
}
