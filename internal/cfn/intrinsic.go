package cfn

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// intrinsics are CloudFormation's intrinsic functions (with Ref and
// Condition): the long-form key and the YAML short-form tag. Reading and
// writing templates, and telling a function from a plain object, all use
// this one table.
var intrinsics = []struct{ Key, Tag string }{
	{"Ref", "!Ref"}, {"Condition", "!Condition"},
	{"Fn::And", "!And"}, {"Fn::Base64", "!Base64"}, {"Fn::Cidr", "!Cidr"}, {"Fn::Equals", "!Equals"},
	{"Fn::FindInMap", "!FindInMap"}, {"Fn::ForEach", "!ForEach"}, {"Fn::GetAZs", "!GetAZs"},
	{"Fn::GetAtt", "!GetAtt"}, {"Fn::If", "!If"}, {"Fn::ImportValue", "!ImportValue"},
	{"Fn::Join", "!Join"}, {"Fn::Length", "!Length"}, {"Fn::Not", "!Not"}, {"Fn::Or", "!Or"},
	{"Fn::Select", "!Select"}, {"Fn::Split", "!Split"}, {"Fn::Sub", "!Sub"},
	{"Fn::ToJsonString", "!ToJsonString"}, {"Fn::Transform", "!Transform"},
}

// IsIntrinsic reports whether key names an intrinsic function (or Ref or
// Condition).
func IsIntrinsic(key string) bool {
	_, ok := ShortTag(key)
	return ok
}

// ShortTag is the YAML short-form tag of an intrinsic function's key:
// !Sub for Fn::Sub.
func ShortTag(key string) (string, bool) {
	for _, f := range intrinsics {
		if f.Key == key {
			return f.Tag, true
		}
	}
	return "", false
}

// LongForm is the key a YAML short-form tag stands for: Fn::Sub for !Sub.
func LongForm(tag string) (string, bool) {
	for _, f := range intrinsics {
		if f.Tag == tag {
			return f.Key, true
		}
	}
	return "", false
}

// ShortTags lists the short-form tags, sorted, for messages.
func ShortTags() string {
	tags := make([]string, len(intrinsics))
	for i, f := range intrinsics {
		tags[i] = f.Tag
	}
	sort.Strings(tags)
	return strings.Join(tags, " ")
}

// IsIntrinsicValue reports whether v is an intrinsic function such as
// {"Fn::If": [...]}, whose result the template does not tell.
func IsIntrinsicValue(v any) bool {
	k, _, ok := tree.Only(v)
	return ok && IsIntrinsic(k)
}

// TypeName names what v is, for messages: an intrinsic function by its
// key, else its JSON type.
func TypeName(v any) string {
	switch v := v.(type) {
	case *tree.Object:
		if k, _, ok := tree.Only(v); ok && IsIntrinsic(k) {
			return k
		}
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case tree.Raw:
		if d, err := v.Decode(); err == nil {
			return TypeName(d)
		}
		return "invalid JSON"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// Path is where in a template a value is: the keys (and list indexes, as
// decimal text) from the template's top level down to it.
type Path []string

// String joins the keys with dots, as messages show a place:
// Resources.Api.Properties.Body.paths./jobs.post ("the template" for none).
func (p Path) String() string {
	if len(p) == 0 {
		return "the template"
	}
	return strings.Join(p, ".")
}
