package vtl_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGuide: the mapping-template examples of the API Gateway developer
// guide, each with its input and the output the guide documents
// (testdata/guide/*.txt: a description, then sections "-- body --",
// "-- params --" (JSON: path, querystring, header), "-- context --"
// (JSON), "-- template --" and "-- want --"). The output must be the
// documented JSON; the guide lays it out otherwise, so it is compared as
// JSON.
func TestGuide(t *testing.T) {
	files, err := filepath.Glob("testdata/guide/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			s := sections(t, file)
			vars := vtl.Variables{Body: s["body"]}
			if p := s["params"]; p != "" {
				var params struct{ Path, QueryString, Header map[string]string }
				require.NoError(t, json.Unmarshal([]byte(p), &params))
				vars.Params = vtl.Params{Path: params.Path, QueryString: params.QueryString, Header: params.Header}
			}
			if c := s["context"]; c != "" {
				require.NoError(t, json.Unmarshal([]byte(c), &vars.Context))
			}
			tmpl, err := vtl.Parse(s["template"])
			require.NoError(t, err)
			r, err := tmpl.Execute(vars)
			require.NoError(t, err)
			assert.JSONEq(t, s["want"], r.Output)
			assert.Empty(t, r.Notices)
		})
	}
}

// sections reads a test vector: "-- name --" lines start sections.
func sections(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	out := map[string]string{}
	name := ""
	var b strings.Builder
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "-- ") && strings.HasSuffix(l, " --") {
			out[name] = b.String()
			name = strings.TrimSuffix(strings.TrimPrefix(l, "-- "), " --")
			b.Reset()
			continue
		}
		b.WriteString(line)
	}
	out[name] = b.String()
	for _, k := range []string{"template", "want"} {
		require.Contains(t, out, k, "%s has no -- %s -- section", file, k)
	}
	return out
}
