package tree_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
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
		`{"a":[1,2,}`:         "invalid JSON at byte 9 (in a): invalid character ','",
		`{"a":{"b":tru}}`:     "invalid JSON at byte 13 (in a.b): invalid character '}' in literal true",
		`"\ud800"`:            "invalid surrogate pair `\\ud800\"` in string (a \\u escape must be a character",
		"{\"a\":\"\xc0\"}":    "a string is not valid UTF-8",
		"{\"\xff\":1}":        "a string is not valid UTF-8",
		strings.Repeat("[", tree.MaxDepth+1) + strings.Repeat("]", tree.MaxDepth+1): "nest more than 10000 levels deep",
		`{"a":` + strings.Repeat(`{"b":`, 20000):                                    "nest more than 10000 levels deep",
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
	tests := []struct {
		a, b  string
		equal bool
	}{
		{`{"a":1,"b":[1,2]}`, `{"a":1,"b":[1,2]}`, true},
		{`{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, false}, // order is part of the document
		{`{"a":1.0}`, `{"a":1}`, false},                   // so is the number's text
		{`{"b":[2,1]}`, `{"b":[1,2]}`, false},
		{`{"a":"x"}`, `{"a":"x","b":null}`, false},
		{`["x"]`, `[{"x":1}]`, false},
		{`[true,null,"s",-0.50]`, `[true,null,"s",-0.50]`, true},
	}
	for _, tc := range tests {
		a, err := tree.Decode([]byte(tc.a))
		require.NoError(t, err)
		b, err := tree.Decode([]byte(tc.b))
		require.NoError(t, err)
		assert.Equal(t, tc.equal, tree.Equal(a, b), "%s %s", tc.a, tc.b)
		// A Raw value is the document its bytes are, however it is spaced.
		assert.Equal(t, tc.equal, tree.Equal(tree.Raw(tc.a), b), "raw %s %s", tc.a, tc.b)
		assert.Equal(t, tc.equal, tree.Equal(a, tree.Raw(" "+tc.b+"\n")), "raw %s %s", tc.a, tc.b)
		assert.Equal(t, tc.equal, tree.Equal(tree.Raw(tc.a), tree.Raw(tc.b)), "raw %s %s", tc.a, tc.b)
	}
	assert.False(t, tree.Equal(tree.Raw(`{`), tree.Raw(`{}`)))
}

func TestRaw(t *testing.T) {
	raw := tree.Raw(`{ "b" : [1, 2.50] ,"a":"\u00e9"}`)
	o := tree.NewObject("x", raw, "y", tree.Raw(`null`))
	assert.Equal(t, `{"x":{ "b" : [1, 2.50] ,"a":"\u00e9"},"y":null}`, string(tree.Encode(o)), "copied byte for byte")

	c := tree.Clone(o).(*tree.Object)
	assert.True(t, tree.Equal(o, c))
	raw[3] = 'c' // the clone does not share the original's memory
	v, _ := c.Get("x")
	assert.Equal(t, `{ "b" : [1, 2.50] ,"a":"\u00e9"}`, string(v.(tree.Raw)))
}

// TestDecoder: the decoder lets its caller keep some values Raw; what it
// keeps is validated as the rest is.
func TestDecoder(t *testing.T) {
	data := []byte(`{"keep": {"z": 1, "a": [0.10, "\u00e9"]}, "read": {"z": 1}}`)
	d := tree.NewDecoder(data)
	got := map[string]any{}
	require.Equal(t, byte('{'), d.Kind())
	require.NoError(t, d.Members(func(key string) error {
		var err error
		if key == "keep" {
			got[key], err = d.Raw()
		} else {
			got[key], err = d.Value()
		}
		return err
	}))
	require.NoError(t, d.End())
	assert.Equal(t, tree.Raw(`{"z": 1, "a": [0.10, "\u00e9"]}`), got["keep"])
	assert.Equal(t, tree.NewObject("z", json.Number("1")), got["read"])

	for src, want := range map[string]string{
		`{"keep":{"a":1,"a":2}}`:           `duplicate key "a" in keep: a key may appear once in an object`,
		`{"keep":{"a":[1,{"b":1,"b":2}]}}`: `duplicate key "b" in keep.a.1`,
		`{"keep":{"a":[1,}}`:               "invalid JSON at byte 16 (in keep.a.1): invalid character '}' at start of value",
		"{\"keep\":\"\xff\"}":              "invalid JSON at byte 9 (in keep): a string is not valid UTF-8",
		`{"keep":{"a":`:                    "invalid JSON: unexpected end of input",
	} {
		d := tree.NewDecoder([]byte(src))
		err := d.Members(func(string) error { _, err := d.Raw(); return err })
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), want, src)
		var se *tree.SyntaxError
		assert.ErrorAs(t, err, &se)
	}
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

// TestNilObject: a nil *Object, as a failed type assertion leaves it, reads
// as an empty object everywhere, also behind an interface.
func TestNilObject(t *testing.T) {
	var o *tree.Object
	assert.Zero(t, o.Len())
	assert.False(t, o.Has("a"))
	_, ok := o.Get("a")
	assert.False(t, ok)
	_, _, ok = tree.Only(o)
	assert.False(t, ok)
}

// TestDeep: nesting up to MaxDepth decodes and encodes; beyond, it is
// refused with an error, never a crash.
func TestDeep(t *testing.T) {
	src := strings.Repeat(`{"a":[`, tree.MaxDepth/2) + "1" + strings.Repeat("]}", tree.MaxDepth/2)
	v, err := tree.Decode([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, src, string(tree.Encode(v)))
	assert.True(t, tree.Equal(v, tree.Clone(v)))
}

// TestUTF8: a document is UTF-8 text (RFC 8259), and the decoder refuses
// one that is not rather than change its bytes. What it reads comes back
// with the same characters; a string built in code with bytes that are not
// UTF-8 is written with U+FFFD for each, so that the output is JSON.
func TestUTF8(t *testing.T) {
	v, err := tree.Decode([]byte(`["é", "\u00e9", "😀", "\ud83d\ude00", "\u2028"]`))
	require.NoError(t, err)
	assert.Equal(t, `["é","é","😀","😀","\u2028"]`, string(tree.Encode(v)))
	for _, bad := range []string{"\"\xff\"", "\"\xc3\"", "\"\xed\xa0\x80\"", `"\udc00"`, `"\ud83dx"`} {
		_, err := tree.Decode([]byte(bad))
		assert.Error(t, err, "%q", bad)
	}
	assert.Equal(t, `"a\ufffdb"`, string(tree.Encode("a\xffb")))
}

// TestWalk: every value in document order with its path, and each step.
func TestWalk(t *testing.T) {
	doc, err := tree.Decode([]byte(`{"a":{"b":[1,{"c":2}],"d":3},"e":4}`))
	require.NoError(t, err)
	tests := []struct {
		name string
		step func(path []string) tree.Step
		want []string
		all  bool
	}{
		{"every value", func([]string) tree.Step { return tree.Continue },
			[]string{"", "a", "a.b", "a.b.0", "a.b.1", "a.b.1.c", "a.d", "e"}, true},
		{"skip a's children", func(p []string) tree.Step {
			if strings.Join(p, ".") == "a" {
				return tree.SkipChildren
			}
			return tree.Continue
		}, []string{"", "a", "e"}, true},
		{"stop at a.b.0", func(p []string) tree.Step {
			if strings.Join(p, ".") == "a.b.0" {
				return tree.Stop
			}
			return tree.Continue
		}, []string{"", "a", "a.b", "a.b.0"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			all := tree.Walk(doc, func(path []string, v any) tree.Step {
				got = append(got, strings.Join(path, "."))
				return tc.step(path)
			})
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.all, all)
		})
	}
	assert.True(t, tree.Walk(tree.Raw(`{"x":1}`), func(path []string, v any) tree.Step {
		assert.Empty(t, path, "a tree.Raw value is not looked into")
		return tree.Continue
	}))
}
