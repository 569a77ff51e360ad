package cfn

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// SubArgs unpacks the argument of Fn::Sub: a string, or a [string,
// variables] pair. ok is false for anything else.
func SubArgs(arg any) (s string, vars *tree.Object, ok bool) {
	switch a := arg.(type) {
	case string:
		return a, nil, true
	case []any:
		if len(a) != 2 {
			return "", nil, false
		}
		s, isStr := a[0].(string)
		vars, isObj := a[1].(*tree.Object)
		return s, vars, isStr && isObj
	}
	return "", nil, false
}

// Opaque stands, in a flattened string, for a part whose value the template
// does not tell (an Fn::If, an Fn::ImportValue, ...). It matches no logical
// ID and no literal text.
const Opaque = "${?}"

// Flatten writes a string-valued expression in Fn::Sub syntax, so that
// one piece of code can read a URI or an ARN however it is written: a
// literal (whose "${" is escaped as "${!"), Ref X as ${X}, Fn::GetAtt X.A as
// ${X.A}, Fn::Sub with its variables substituted, and Fn::Join of any of
// these. Parts it cannot follow become Opaque. ok is false when v is not a
// string or one of these functions at its top level.
func Flatten(v any) (string, bool) {
	var b strings.Builder
	ok := flatten(&b, v, 0)
	return b.String(), ok
}

func flatten(b *strings.Builder, v any, depth int) bool {
	if depth > 32 {
		b.WriteString(Opaque)
		return false
	}
	switch v := v.(type) {
	case string:
		b.WriteString(strings.ReplaceAll(v, "${", "${!"))
		return true
	case *tree.Object:
		k, arg, ok := tree.Only(v)
		if !ok {
			break
		}
		switch k {
		case "Ref":
			if s, isStr := arg.(string); isStr {
				b.WriteString("${" + s + "}")
				return true
			}
		case "Fn::GetAtt":
			if id, attr := GetAtt(arg); id != "" && attr != "" {
				b.WriteString("${" + id + "." + attr + "}")
				return true
			}
		case "Fn::Sub":
			s, vars, ok := SubArgs(arg)
			if !ok {
				break
			}
			substitute(b, s, vars, depth)
			return true
		case "Fn::Join":
			a, isList := arg.([]any)
			if !isList || len(a) != 2 {
				break
			}
			sep, isStr := a[0].(string)
			items, isList := a[1].([]any)
			if !isStr || !isList {
				break
			}
			for i, item := range items {
				if i > 0 {
					b.WriteString(strings.ReplaceAll(sep, "${", "${!"))
				}
				flatten(b, item, depth+1)
			}
			return true
		}
	}
	b.WriteString(Opaque)
	return false
}

// substitute writes a Fn::Sub string with its variables flattened in.
func substitute(b *strings.Builder, s string, vars *tree.Object, depth int) {
	for _, p := range SplitSub(s) {
		if p.Ref == "" || vars == nil {
			b.WriteString(p.Text)
			continue
		}
		val, ok := vars.Get(p.Ref)
		if !ok {
			b.WriteString(p.Text)
			continue
		}
		flatten(b, val, depth+1)
	}
}

// SubPart is a piece of a Fn::Sub string: literal text, or a ${Name}
// reference (Ref holds Name, which may be X.Attr or AWS::Region). Text is
// the piece as written; an escaped ${!Literal} is literal text.
type SubPart struct {
	Text string
	Ref  string
}

// SplitSub splits a Fn::Sub string into literal text and references.
func SplitSub(s string) []SubPart {
	var parts []SubPart
	lit := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) || s[i+1] != '{' {
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			break
		}
		name := s[i+2 : i+end]
		if strings.HasPrefix(name, "!") {
			i += end
			continue // ${!Literal}: literal text
		}
		if i > lit {
			parts = append(parts, SubPart{Text: s[lit:i]})
		}
		parts = append(parts, SubPart{Text: s[i : i+end+1], Ref: name})
		i += end
		lit = i + 1
	}
	if lit < len(s) {
		parts = append(parts, SubPart{Text: s[lit:]})
	}
	return parts
}

// SplitRef splits a reference name X.Attr into its logical ID and attribute.
func SplitRef(name string) (id, attr string) {
	id, attr, _ = strings.Cut(name, ".")
	return id, attr
}

// RestAPI is the logical ID a method's RestApiId names: !Ref Api, or
// !GetAtt Api.RestApiId, which is the same value; "" for anything else.
func RestAPI(v any) string {
	k, arg, ok := tree.Only(v)
	if !ok {
		return ""
	}
	switch k {
	case "Ref":
		s, _ := arg.(string)
		if strings.HasPrefix(s, "AWS::") {
			return ""
		}
		return s
	case "Fn::GetAtt":
		if id, attr := GetAtt(arg); attr == "RestApiId" {
			return id
		}
	}
	return ""
}
