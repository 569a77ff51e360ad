package emulator

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/require"
)

// TestClientLargePayloads: calls with a 1 MB payload and answer (Lambda's
// asynchronous limit, a function that echoes it) all succeed. Sent through
// its WriteTo, the SDK's request body made about one such call in ten fail
// while the answer was read; a hundred calls in a row then all succeeded
// in fewer than one run in ten thousand.
func TestClientLargePayloads(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	defer echo.Close()
	payload := []byte(`{"a":"` + strings.Repeat("x", 1<<20-8) + `"}`)
	c := Client(echo.URL)
	for i := range 100 {
		out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(FunctionName), Payload: payload})
		require.NoError(t, err, "call %d", i)
		require.Equal(t, len(payload), len(out.Payload), "call %d", i)
	}
}
