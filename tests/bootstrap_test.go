package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMacroBootstrapLinksNoSDK: the macro's Lambda function links no AWS
// SDK package: the command's audit (API Gateway, Lambda, STS clients) and
// local server stay out of it.
func TestMacroBootstrapLinksNoSDK(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "../functions/macro")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	require.NoError(t, err)
	var sdk []string
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(pkg, "github.com/aws/smithy-go") {
			sdk = append(sdk, pkg)
		}
	}
	assert.Empty(t, sdk, "functions/macro must not link the AWS SDK")
}

// maxBootstrap is the most the macro's bootstrap may weigh, linux/arm64
// and stripped as Lambda runs it: 8 MB.
const maxBootstrap = 8_000_000

// TestMacroBootstrapSize: the macro's bootstrap, built as the Makefile
// builds it for Lambda, stays within 8 MB.
func TestMacroBootstrapSize(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "../functions/macro")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	info, err := os.Stat(out)
	require.NoError(t, err)
	t.Logf("bootstrap (linux/arm64, stripped): %d bytes", info.Size())
	assert.LessOrEqual(t, info.Size(), int64(maxBootstrap))
}
