package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/stretchr/testify/require"
)

// TestSAMGoldens: every expanded golden template with SAM's transform
// translates with the SAM translator, as CloudFormation runs it after the
// macro (cfn-lint translates them too, but reports translator errors as its
// own; this names the failure).
func TestSAMGoldens(t *testing.T) {
	goldens, err := filepath.Glob("../macro/testdata/*.golden.yaml")
	require.NoError(t, err)
	n := 0
	for _, g := range goldens {
		src, err := os.ReadFile(g)
		require.NoError(t, err)
		if !bytes.Contains(src, []byte("AWS::Serverless-2016-10-31")) {
			continue
		}
		n++
		t.Run(strings.TrimSuffix(filepath.Base(g), ".golden.yaml"), func(t *testing.T) {
			tmpl, err := parse.Template(src)
			require.NoError(t, err)
			cmd := exec.Command("python3", "sam/translate.py")
			cmd.Stdin = bytes.NewReader(format.JSON(tmpl))
			cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "the SAM translator refused %s:\n%s", g, out)
		})
	}
	require.NotZero(t, n)
}
