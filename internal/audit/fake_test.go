package audit

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/awsfake"
	"github.com/stretchr/testify/require"
)

// fakeEnv points the SDK's standard credential chain at fixed test
// credentials and nothing else.
func fakeEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
}

// serve starts the fake and returns clients connected to it.
func serve(t *testing.T, f *awsfake.Fake) *Clients {
	t.Helper()
	fakeEnv(t)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cl, err := Connect(context.Background(), Config{Region: f.Region, EndpointURL: srv.URL})
	require.NoError(t, err)
	return cl
}

func example(t *testing.T) (*awsfake.Fake, *Clients) {
	f := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	awsfake.Example(f)
	return f, serve(t, f)
}
