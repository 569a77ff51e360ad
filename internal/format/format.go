// Package format writes the generic tree of package tree as a template: YAML
// that reads like a template a person wrote (short-form intrinsic tags, block
// style, multi-line strings as literal blocks), or indented JSON as
// CloudFormation shows a processed template. YAMLLike writes a changed
// template keeping the comments and styles of what did not change.
package format

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"go.yaml.in/yaml/v3"
)

// JSON writes v as JSON indented by two spaces, keys in order.
func JSON(v any) []byte {
	var b bytes.Buffer
	_ = json.Indent(&b, tree.Encode(v), "", "  ") // tree.Encode writes valid JSON
	b.WriteByte('\n')
	return b.Bytes()
}

// YAML writes v as a YAML template.
func YAML(v any) ([]byte, error) {
	return encode(node(v))
}

func node(v any) *yaml.Node {
	if raw, ok := v.(tree.Raw); ok { // kept as read by a tree.Decoder: valid JSON
		v, _ = raw.Decode()
	}
	switch v := v.(type) {
	case *tree.Object:
		if k, arg, ok := tree.Only(v); ok {
			if n := short(k, arg); n != nil {
				return n
			}
		}
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if v.Len() == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, m := range v.Members {
			n.Content = append(n.Content, str(m.Key), node(m.Value))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, e := range v {
			n.Content = append(n.Content, node(e))
		}
		return n
	case string:
		return str(v)
	case json.Number:
		// YAML reads an integer beyond 64 bits as a float: say so, or the
		// encoder adds an explicit !!int tag.
		tag := "!!float"
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			tag = "!!int"
		} else if _, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(v)}
	case bool:
		s := "false"
		if v {
			s = "true"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: s}
	default:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
}

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.HasPrefix(s, "'") {
		n.Style = yaml.DoubleQuotedStyle // "'Event'" reads better than '''Event'''
	} else if yaml11Scalar(s) {
		n.Style = yaml.DoubleQuotedStyle // YAML 1.1 readers, CloudFormation's among them, read yes and on as true
	} else if strings.Contains(strings.TrimRight(s, "\n"), "\n") && !strings.ContainsAny(s, "\r\t") && !hasTrailingSpace(s) {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func hasTrailingSpace(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") {
			return true
		}
	}
	return false
}

// short writes an intrinsic function in its short form where that form says
// the same thing.
func short(key string, arg any) *yaml.Node {
	tag, ok := cfn.ShortTag(key)
	if !ok {
		return nil
	}
	if key == "Fn::GetAtt" {
		if a, ok := arg.([]any); ok && len(a) == 2 {
			id, _ := a[0].(string)
			attr, _ := a[1].(string)
			if cfn.IsLogicalID(id) && attr != "" {
				return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: id + "." + attr}
			}
		}
		return nil
	}
	n := node(arg)
	if n.Tag != "!!str" && n.Tag != "!!seq" && n.Tag != "!!map" {
		return nil // a number, boolean or null argument: keep the long form
	}
	if n.Kind == yaml.ScalarNode && n.Style == 0 && (n.Value == "" || needsQuotes(n.Value)) {
		n.Style = yaml.DoubleQuotedStyle
	}
	if n.Kind == yaml.SequenceNode && flat(n) {
		n.Style = yaml.FlowStyle // !Equals [!Ref Env, prod]
	}
	n.Tag = tag
	return n
}

// yaml11Scalar reports whether a plain s means something else than a
// string to YAML 1.1 readers (PyYAML, so cfn-lint, among them), though it is
// a string in YAML 1.2, which the YAML library writes: a boolean (yes, on),
// a number in base 60 (12:30), or the value key (=). Single letters are
// strings: AttributeType: N is a string to CloudFormation.
func yaml11Scalar(s string) bool {
	switch s {
	case "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "=":
		return true
	}
	return sexagesimal.MatchString(s)
}

var sexagesimal = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)

// needsQuotes reports whether a plain scalar under a tag would read back as
// something else than the same string.
func needsQuotes(s string) bool {
	var probe yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+s), &probe); err != nil || len(probe.Content) == 0 {
		return true
	}
	m := probe.Content[0]
	return len(m.Content) != 2 || m.Content[1].Kind != yaml.ScalarNode || m.Content[1].Value != s || m.Content[1].Style != 0
}

// flat reports whether a sequence holds only short one-line scalars, which
// read best on one line.
func flat(n *yaml.Node) bool {
	width := 0
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Style == yaml.LiteralStyle || strings.Contains(c.Value, "\n") {
			return false
		}
		width += len(c.Value) + len(c.Tag) + 2
	}
	return width <= 60
}
