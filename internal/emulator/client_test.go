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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLargePayloads: Invoke carries payloads up to Lambda's limits both
// ways, every time (the SDK's own HTTP client failed about one large call in
// ten, see ownBody).
func TestLargePayloads(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	defer echo.Close()
	c := Client(echo.URL)
	for _, size := range []int{256 << 10, 1 << 20} {
		payload := `{"a":"` + strings.Repeat("x", size) + `"}`
		for i := range 60 {
			out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(FunctionName), Payload: []byte(payload)})
			require.NoError(t, err, "call %d of %d bytes", i, size)
			assert.Equal(t, len(payload), len(out.Payload))
		}
	}
}
