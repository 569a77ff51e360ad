package tree_test

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	tests := []string{
		`{}`, `[]`, `null`, `true`, `"x"`, `0`, `-0.0`, `1e400`, `123456789012345678901234567890`,
		`{"b":1,"a":2,"c":{"z":[1,{"y":null}],"x":"\u0000\n\"\\\u2028"}}`,
		`"日本語 ✓ 😀 <>&"`,
	}
	for _, src := range tests {
		v, err := tree.Decode([]byte(src))
		require.NoError(t, err, src)
		again, err := tree.Decode(tree.Encode(v))
		require.NoError(t, err)
		assert.True(t, tree.Equal(v, again), src)
	}
	v, _ := tree.Decode([]byte(`{"b":1.50,"a":"<&>"}`))
	assert.Equal(t, `{"b":1.50,"a":"<&>"}`, string(tree.Encode(v)), "order, digits, no HTML escaping")
}

func TestDecodeRefuses(t *testing.T) {
	tests := map[string]string{
		`{"a":1,"a":2}`:       `duplicate key "a" in the document`,
		`{"a":{"b":1,"b":1}}`: `duplicate key "b" in a`,
		`{"a":1} {}`:          "more than one value",
		`{"a":`:               "unexpected end",
		`{"a" 1}`:             "invalid JSON",
		``:                    "unexpected end",
	}
	for src, want := range tests {
		_, err := tree.Decode([]byte(src))
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), want, src)
	}
}

func TestDuplicateKeyInLargeObject(t *testing.T) {
	src := `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":0,"k11":1,"k12":2,"k13":3,"k14":4,"k15":5,"k16":6,"k17":7,"k3":3}`
	_, err := tree.Decode([]byte(src))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `duplicate key "k3"`)
}

func TestEqual(t *testing.T) {
	a, _ := tree.Decode([]byte(`{"a":1.0,"b":[1,2]}`))
	b, _ := tree.Decode([]byte(`{"b":[1,2],"a":1}`))
	c, _ := tree.Decode([]byte(`{"b":[2,1],"a":1}`))
	assert.True(t, tree.Equal(a, b))
	assert.False(t, tree.Equal(a, c))
}

func TestObject(t *testing.T) {
	o := tree.NewObject("a", 1, "b", 2)
	o.Set("a", 3)
	o.Set("c", 4)
	assert.Equal(t, []string{"a", "b", "c"}, o.Keys())
	assert.True(t, o.Delete("b"))
	assert.False(t, o.Delete("b"))
	v, ok := o.Get("a")
	assert.True(t, ok)
	assert.Equal(t, 3, v)
}
