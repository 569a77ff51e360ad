// Package parse reads CloudFormation templates, in YAML or JSON, into the
// generic tree of package tree.
//
// YAML is read with go.yaml.in/yaml/v3 (the YAML organization's maintained
// line of gopkg.in/yaml.v3, the parser rain uses) through its Node API, so
// key order, every short-form intrinsic tag (!Ref, !GetAtt A.B, !Sub, ...)
// and the exact text of numbers survive. Scalars that YAML would read as
// numbers but JSON cannot write (012345678901, 0x1F, 1_000) stay strings,
// as CloudFormation reads them.
//
// Read also keeps what is needed to say where each value is written (line
// and column) and, for YAML, how; a template that cannot be read is an
// *Error that says where the problem is.
package parse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"go.yaml.in/yaml/v3"
)

// Template reads a template in JSON or YAML. Its top level must be an object.
func Template(data []byte) (*tree.Object, error) {
	s, err := read(data, false)
	if err != nil {
		return nil, err
	}
	return s.Template, nil
}

// Document reads any JSON or YAML document.
func Document(data []byte) (any, error) {
	v, _, err := document(data, nil)
	return v, err
}

// document reads data as JSON when it is JSON, else as YAML, and returns the
// YAML document node it read (nil for JSON). When values is not nil, it
// records the value each YAML node was read as.
func document(data []byte, values map[*yaml.Node]any) (any, *yaml.Node, error) {
	t := bytes.TrimSpace(data)
	looksJSON := len(t) > 0 && t[0] == '{'
	if looksJSON {
		v, err := tree.Decode(t)
		if err == nil {
			return v, nil, nil
		}
		if json.Valid(t) {
			// Valid JSON that the tree refuses: a key given twice. Say where.
			if _, ierr := jsonIndex(data); ierr != nil {
				return nil, nil, ierr
			}
			return nil, nil, &Error{Message: err.Error()}
		}
		// Not JSON after all: YAML's flow style also starts with '{'.
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if looksJSON && jsonish(t) {
			return nil, nil, jsonSyntaxError(data)
		}
		return nil, nil, yamlError(data, err)
	}
	if doc.Kind == 0 {
		return nil, nil, &Error{Message: "the document is empty"}
	}
	c := converter{budget: maxNodes, values: values}
	v, err := c.convert(&doc, nil)
	if err != nil {
		return nil, nil, err
	}
	return v, &doc, nil
}

// maxNodes bounds what one document may expand to: aliases can multiply a
// small text into a huge tree ("billion laughs").
const maxNodes = 2_000_000

type converter struct {
	budget int
	values map[*yaml.Node]any // the value each node was read as; nil: not recorded
}

func (c *converter) convert(n *yaml.Node, path []string) (any, error) {
	v, err := c.value(n, path)
	if err == nil && c.values != nil {
		c.values[n] = v
	}
	return v, err
}

func (c *converter) value(n *yaml.Node, path []string) (any, error) {
	if c.budget--; c.budget < 0 {
		return nil, at(n, "the document expands to more than %d values (YAML aliases?)", maxNodes)
	}
	if key, ok := cfn.LongForm(n.Tag); ok {
		return c.intrinsic(n, key, path)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, at(n, "unknown tag %s at %s; CloudFormation's short forms are %s", n.Tag, cfn.Path(path).String(), cfn.ShortTags())
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], path)
	case yaml.AliasNode:
		return c.convert(n.Alias, path)
	case yaml.MappingNode:
		o := &tree.Object{Members: make([]tree.Member, 0, len(n.Content)/2)}
		var seen map[string]bool
		if len(n.Content) > 32 {
			seen = make(map[string]bool, len(n.Content)/2)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, at(k, "a key at %s is not a plain string", cfn.Path(path).String())
			}
			if k.Value == "<<" && k.Tag == "!!merge" {
				return nil, at(k, "merge keys (<<) are not supported by CloudFormation")
			}
			dup := false
			if seen != nil {
				dup = seen[k.Value]
				seen[k.Value] = true
			} else {
				dup = o.Has(k.Value)
			}
			if dup {
				return nil, at(k, "duplicate key %q in %s: a key may appear once in an object", k.Value, cfn.Path(path).String())
			}
			v, err := c.convert(n.Content[i+1], append(path, k.Value))
			if err != nil {
				return nil, err
			}
			o.Members = append(o.Members, tree.Member{Key: k.Value, Value: v})
		}
		return o, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			v, err := c.convert(e, append(path, fmt.Sprint(i)))
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	default:
		return scalar(n), nil
	}
}

// scalar converts a scalar by its resolved YAML tag, keeping number text.
func scalar(n *yaml.Node) any {
	plain := n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
	switch n.ShortTag() {
	case "!!int", "!!float":
		if plain && json.Valid([]byte(n.Value)) {
			return json.Number(n.Value)
		}
	case "!!bool":
		if plain {
			switch n.Value {
			case "true", "True", "TRUE":
				return true
			case "false", "False", "FALSE":
				return false
			}
		}
	case "!!null":
		if plain {
			return nil
		}
	}
	return n.Value
}

// intrinsic converts a short-form tag to its long form.
func (c *converter) intrinsic(n *yaml.Node, key string, path []string) (any, error) {
	inner := *n
	inner.Tag = ""
	if n.Kind == yaml.ScalarNode {
		inner.Tag = "!!str" // !Ref 123 names "123"; !GetAZs '' is the empty string
	}
	v, err := c.convert(&inner, append(path, key))
	if err != nil {
		return nil, err
	}
	if s, ok := v.(string); ok && key == "Fn::GetAtt" {
		id, attr, found := strings.Cut(s, ".")
		if !found {
			return nil, at(n, "!GetAtt %s at %s needs the form Resource.Attribute", s, cfn.Path(path).String())
		}
		return tree.NewObject(key, []any{id, attr}), nil
	}
	return tree.NewObject(key, v), nil
}
