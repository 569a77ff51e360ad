package parse_test

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// FuzzTemplate: whatever parses writes back as YAML and JSON that parse to
// the same document.
func FuzzTemplate(f *testing.F) {
	f.Add([]byte("Resources:\n  A:\n    Type: X\n    Properties: {V: !Sub '${AWS::Region}', N: 012, F: 1.50}\n"))
	f.Add([]byte(`{"a": [1, 2.0, "x", null, true, {"Ref": "B"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parse.Document(data)
		if err != nil {
			return
		}
		y, err := format.YAML(v)
		if err != nil {
			t.Fatalf("format.YAML: %v", err)
		}
		back, err := parse.Document(y)
		if err != nil {
			t.Fatalf("the YAML output does not parse: %v\n%s", err, y)
		}
		if !tree.Equal(v, back) {
			t.Fatalf("YAML round trip changed the document:\nin:  %s\nout: %s\nyaml:\n%s", tree.Encode(v), tree.Encode(back), y)
		}
		j, err := parse.Document(format.JSON(v))
		if err != nil || !tree.Equal(v, j) {
			t.Fatalf("JSON round trip: %v", err)
		}
	})
}
