package macro

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"os"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLazyMatchesFull: for every golden template, the Lambda's answer, which
// keeps what the expansion does not read as raw bytes, is the answer for
// the template decoded in full. A resource type the expansion starts to read
// without ReadsType knowing it fails here.
func TestLazyMatchesFull(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.yaml")
	require.NoError(t, err)
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden.yaml") {
			continue
		}
		t.Run(strings.TrimSuffix(filepath.Base(in), ".yaml"), func(t *testing.T) {
			src, err := os.ReadFile(in)
			require.NoError(t, err)
			in, err := readGoldenHeader(src)
			require.NoError(t, err)
			if in.Stack.Region == "" {
				in.Stack = Stack{Region: "us-east-1", AccountID: "123456789012"}
			}
			tmpl, err := parse.Template(src)
			require.NoError(t, err)
			params, err := json.Marshal(in.Values)
			require.NoError(t, err)
			payload := []byte(`{"requestId":"r","region":"` + in.Stack.Region + `","accountId":"` + in.Stack.AccountID + `","templateParameterValues":` + string(params) + `,"fragment":` + string(tree.Encode(tmpl)) + `}`)
			lazy, _ := handle(payload, true)
			full, _ := handle(payload, false)
			assert.True(t, tree.Equal(mustDecode(t, lazy), mustDecode(t, full)), "lazy:\n%s\nfull:\n%s", lazy, full)
		})
	}
}
