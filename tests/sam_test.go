package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSAMChain: with Transform [AsyncInvoke, AWS::Serverless-2016-10-31] the
// macro's output translates cleanly with the SAM translator, the translated
// template still carries the asynchronous configuration, and cfn-lint passes.
func TestSAMChain(t *testing.T) {
	var expanded, stderr bytes.Buffer
	code := cli.Main([]string{"expand", "-o", "json", "../examples/jobs.yaml"}, cli.IO{Stdout: &expanded, Stderr: &stderr})
	require.Equal(t, 0, code, stderr.String())

	cmd := exec.Command("python3", "sam/translate.py")
	cmd.Stdin = &expanded
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
	var translated, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &translated, &errs
	require.NoError(t, cmd.Run(), "the SAM translator refused the expanded template (pip install aws-sam-translator):\n%s", errs.String())

	var tmpl struct {
		Transform any
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(translated.Bytes(), &tmpl))
	assert.Nil(t, tmpl.Transform, "no transform is left")

	integration := func(id string) map[string]any {
		return tmpl.Resources[id].Properties["Integration"].(map[string]any)
	}
	assert.Equal(t, "'Event'", integration("StartJob")["RequestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])
	assert.Equal(t, "method.request.header.InvocationType", integration("RunJob")["RequestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])

	api := tmpl.Resources["ReportsApi"]
	require.Equal(t, "AWS::ApiGateway::RestApi", api.Type, "SAM made the RestApi")
	post := api.Properties["Body"].(map[string]any)["paths"].(map[string]any)["/reports"].(map[string]any)["post"].(map[string]any)
	in := post["x-amazon-apigateway-integration"].(map[string]any)
	assert.Equal(t, "aws", in["type"])
	assert.Equal(t, "'Event'", in["requestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])
	assert.NotContains(t, post, "x-async-invoke")

	permissions := 0
	for _, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Permission" && r.Properties["Principal"] == "apigateway.amazonaws.com" {
			permissions++
		}
	}
	assert.Equal(t, 2, permissions, "one per (function, API)")

	f := filepath.Join(t.TempDir(), "translated.json")
	require.NoError(t, os.WriteFile(f, translated.Bytes(), 0o644))
	lint(t, f)
}
