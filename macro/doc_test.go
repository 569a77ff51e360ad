package macro

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocNamesEveryFile: the package doc (doc.go) says the concern of
// every file of the package, and names no file that is gone.
func TestDocNamesEveryFile(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	named := map[string]bool{}
	for _, w := range strings.Fields(string(doc)) {
		if w = strings.Trim(w, ":;,.()"); strings.HasSuffix(w, ".go") {
			named[w] = true
		}
	}
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") && f != "doc.go" {
			assert.True(t, named[f], "doc.go does not say what %s is for", f)
			delete(named, f)
		}
	}
	assert.Empty(t, named, "doc.go names files that are not in the package")
}
