package gen

import (
	"slices"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// TestDeterministic: a case is a function of its seed and index.
func TestDeterministic(t *testing.T) {
	for i := range 50 {
		a, b := Generate(7, i), Generate(7, i)
		if !tree.Equal(a.Template, b.Template) || !slices.Equal(a.Features, b.Features) {
			t.Fatalf("case %d differs between two runs", i)
		}
	}
}

// TestFeatures: every feature a case records is one of Names, and every
// one of Names is combined in some case of a soak-sized run.
func TestFeatures(t *testing.T) {
	names := Names()
	seen := map[string]bool{}
	for i := range 3000 {
		for _, f := range Generate(1, i).Features {
			if !slices.Contains(names, f) {
				t.Fatalf("case %d records %q, which is not in Names", i, f)
			}
			seen[f] = true
		}
	}
	for _, n := range names {
		if !seen[n] {
			t.Errorf("no case of 3000 combines %q", n)
		}
	}
}
