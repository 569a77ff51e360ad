package format

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The YAML library writes a key longer than 128 characters as a complex
// key (? key, then : value on the next line), a form few people write and
// some tools read badly, though YAML allows an implicit key of up to 1,024
// characters on one line. OpenAPI paths often are that long. So encode
// writes each such key as a short placeholder and puts the key's own text,
// as the library writes it alone, in its place; the result is kept only if
// it reads as the same document.

const (
	// simpleKeyLimit is how long a key the YAML library writes as an
	// implicit key (its emitter's limit, a tag or anchor included);
	// shorter keys need nothing.
	simpleKeyLimit = 128
	// implicitKeyLimit is YAML's limit on an implicit key: longer ones
	// can only be complex keys.
	implicitKeyLimit = 1024
)

// encode writes n as YAML indented by two spaces, its long keys written as
// implicit keys (above).
func encode(n *yaml.Node) ([]byte, error) {
	var keys []string // the text of each long key, by placeholder index
	short := shortKeys(n, false, &keys)
	out, err := emit(short)
	if err != nil || len(keys) == 0 {
		return out, err
	}
	for i := len(keys) - 1; i >= 0; i-- { // placeholder 1 is a prefix of placeholder 10
		p := []byte(placeholder(i))
		if bytes.Count(out, p) != 1 {
			out = nil // the placeholder is in the document itself
			break
		}
		out = bytes.Replace(out, p, []byte(keys[i]), 1)
	}
	complexKeys, err := emit(n)
	if err != nil || out == nil {
		return complexKeys, err
	}
	return new(reads).verified(complexKeys, out), nil
}

// emit writes n as YAML indented by two spaces, as the YAML library does.
func emit(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// placeholder is the plain scalar that stands for the i-th long key.
func placeholder(i int) string {
	return "asyncinvokelongkey" + strconv.Itoa(i) + "x"
}

// shortKeys returns n, or a copy of it (sharing what does not change) in
// which every long key that can be written as an implicit key is a
// placeholder; keys gets the text of each. flow: n is inside a flow
// collection.
func shortKeys(n *yaml.Node, flow bool, keys *[]string) *yaml.Node {
	if n == nil || len(n.Content) == 0 {
		return n
	}
	flow = flow || n.Style&yaml.FlowStyle != 0
	var content []*yaml.Node // a copy, once something changes
	for i, c := range n.Content {
		r := c
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			if text, ok := keyText(c, flow); ok {
				k := *c
				k.Value, k.Tag, k.Style = placeholder(len(*keys)), "!!str", 0
				*keys = append(*keys, text)
				r = &k
			}
		} else {
			r = shortKeys(c, flow, keys)
		}
		if r != c && content == nil {
			content = append([]*yaml.Node(nil), n.Content...)
		}
		if content != nil {
			content[i] = r
		}
	}
	if content == nil {
		return n
	}
	m := *n
	m.Content = content
	return &m
}

// keyText is a long key as the YAML library writes the scalar alone (in a
// flow collection when flow), when it fits on one line as an implicit key.
func keyText(k *yaml.Node, flow bool) (string, bool) {
	if k.Kind != yaml.ScalarNode || k.Anchor != "" || len(k.Value)+len(k.Tag) <= simpleKeyLimit-8 || strings.ContainsAny(k.Value, "\n\r") {
		return "", false
	}
	alone := *k
	alone.HeadComment, alone.LineComment, alone.FootComment = "", "", ""
	var v *yaml.Node = &alone
	if flow {
		v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: []*yaml.Node{&alone}}
	}
	out, err := emit(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{v}})
	if err != nil {
		return "", false
	}
	text := strings.TrimSuffix(string(out), "\n")
	if flow {
		text = strings.TrimSuffix(strings.TrimPrefix(text, "["), "]")
	}
	if strings.Contains(text, "\n") || utf8.RuneCountInString(text) > implicitKeyLimit {
		return "", false
	}
	return text, true
}
