package emulator

import (
	"bytes"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Client returns a Lambda client for a Lambda Invoke API endpoint, with
// placeholder credentials (an emulator checks none) and no retries.
func Client(endpoint string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: ownBody{http.DefaultTransport}},
	})
}

// ownBody sends each request with a copy of its body that only the
// transport reads.
//
// The SDK (lambda v1.114, smithy-go v1.28) closes a request's body stream
// as soon as the response arrives. The transport may then still be in its
// last read of the body, which fails, and it closes the connection under
// the response being read: an Invoke with a large payload (256 KB and more)
// failed about one time in ten with "use of closed network connection"
// (TestLargePayloads). An Invoke's payload is in memory already, so the copy
// costs little.
type ownBody struct{ next http.RoundTripper }

func (t ownBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return t.next.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.ContentLength = int64(len(b))
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return t.next.RoundTrip(r)
}
