package macro

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRules: every code the macro reports is in Rules once, in order, with
// its level (E for a problem, W for a note), and Rules has no code the
// macro does not declare.
func TestRules(t *testing.T) {
	// The codes declared in codes.go, and the notes' codes.
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	require.NoError(t, err)
	declared := map[Code]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Code" {
				for _, v := range vs.Values {
					s, err := strconv.Unquote(v.(*ast.BasicLit).Value)
					require.NoError(t, err)
					declared[Code(s)] = true
				}
			}
		}
		return true
	})
	for k := NoteLeftToYou; k <= NoteOtherQualifier; k++ {
		declared[k.Code()] = true
	}
	assert.Equal(t, Code("W4001"), NoteLeftToYou.Code())

	listed := map[Code]bool{}
	for i, r := range Rules {
		assert.False(t, listed[r.Code], "%s is listed twice", r.Code)
		listed[r.Code] = true
		assert.True(t, declared[r.Code], "%s is not a code of the macro", r.Code)
		assert.Equal(t, r.Note, r.Code[0] == 'W', "%s: a note's code begins with W, a problem's with E", r.Code)
		assert.NotEmpty(t, r.Summary, r.Code)
		if i > 0 {
			assert.Less(t, Rules[i-1].Code, r.Code, "Rules are in the order of their codes")
		}
	}
	for c := range declared {
		assert.True(t, listed[c], "%s has no rule in Rules", c)
	}
}
