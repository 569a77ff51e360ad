package macro_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden expands every testdata/*.yaml template and compares the result
// with its .golden.yaml (or, for a refused template, its problems with its
// .golden.txt). Run with -update to rewrite them; then read the diff. A
// template's first line may give the inputs CloudFormation would send:
// "# asyncinvoke-test: -region R -account-id A -p Key=Value ..." (see
// readGoldenHeader); without it the stack is unknown and parameters take
// their Default.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.yaml")
	require.NoError(t, err)
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden.yaml") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			require.NoError(t, err)
			values, stack, err := macro.GoldenInputs(src)
			require.NoError(t, err)
			expand := func(v any) error {
				_, err := macro.ExpandFor(v, values, stack)
				return err
			}
			tmpl, err := parse.Template(src)
			require.NoError(t, err)
			original := tree.Clone(tmpl)

			err = expand(tmpl)
			var got []byte
			golden := strings.TrimSuffix(in, ".yaml") + ".golden.yaml"
			if err != nil {
				var ps macro.Problems
				require.True(t, errors.As(err, &ps), "Expand returned %T, not Problems", err)
				for _, p := range ps {
					got = append(got, string(p.Code)+" "+p.Error()+"\n"...)
				}
				golden = strings.TrimSuffix(in, ".yaml") + ".golden.txt"
			} else {
				got, err = format.YAML(tmpl)
				require.NoError(t, err)
			}
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file: run go test ./macro -update")
			assert.Equal(t, string(want), string(got))

			if strings.HasSuffix(golden, ".txt") {
				return
			}
			assert.Empty(t, shorthands(tmpl, nil), "a shorthand is left in the expanded template")
			// Idempotent: expanding the expanded template changes nothing.
			again := tree.Clone(tmpl)
			err = expand(again)
			require.NoError(t, err)
			assert.True(t, tree.Equal(tmpl, again), "a second expansion changed the template")
			// Idempotent with the shorthand put back where it was: the macro
			// recognizes everything it added (permissions, conditions,
			// configurations, policies) and adds nothing twice.
			again = tree.Clone(tmpl)
			restoreShorthands(original, again)
			err = expand(again)
			require.NoError(t, err)
			if !tree.Equal(tmpl, again) {
				first, _ := format.YAML(tmpl)
				second, _ := format.YAML(again)
				assert.Equal(t, string(first), string(second), "expanding again with the shorthand put back changed the template")
			}
			// Without the shorthand, nothing changes at all.
			if !bytes.Contains(src, []byte(macro.Shorthand)) && !bytes.Contains(src, []byte(macro.OpenAPIShorthand)) {
				assert.True(t, tree.Equal(original, tmpl), "a template without the shorthand changed")
			}
		})
	}
}

// shorthands lists where a shorthand key is left in v, but for names of
// template sections' entries (a parameter may be called AsyncInvoke).
func shorthands(v any, path []string) []string {
	var found []string
	switch v := v.(type) {
	case *tree.Object:
		for _, m := range v.Members {
			p := append(path[:len(path):len(path)], m.Key)
			if (m.Key == macro.Shorthand || m.Key == macro.OpenAPIShorthand) && len(path) != 1 {
				found = append(found, strings.Join(p, "."))
			}
			found = append(found, shorthands(m.Value, p)...)
		}
	case []any:
		for _, x := range v {
			found = append(found, shorthands(x, append(path, "-"))...)
		}
	}
	return found
}

// restoreShorthands puts every shorthand of original back into expanded, in
// the object at the same path.
func restoreShorthands(original, expanded any) {
	switch o := original.(type) {
	case *tree.Object:
		e, ok := expanded.(*tree.Object)
		if !ok {
			return
		}
		for _, m := range o.Members {
			if m.Key == macro.Shorthand || m.Key == macro.OpenAPIShorthand {
				e.Set(m.Key, tree.Clone(m.Value))
				continue
			}
			if v, ok := e.Get(m.Key); ok {
				restoreShorthands(m.Value, v)
			}
		}
	case []any:
		e, ok := expanded.([]any)
		for i := range o {
			if ok && i < len(e) {
				restoreShorthands(o[i], e[i])
			}
		}
	}
}
