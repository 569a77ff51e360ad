// Package cfn is what this module knows of CloudFormation templates, in one
// place for the macro, the command and the local server: intrinsic
// functions and their short forms; resources by logical ID, their types,
// properties and conditions, and how SAM merges Globals; the logical IDs
// that Ref, Fn::GetAtt and Fn::Sub name, and any string expression read as
// Fn::Sub text; function ARNs and API Gateway's Lambda invocation URIs; the
// names of an integration's properties; which calls a Lambda permission's
// SourceArn covers (for templates and for deployed APIs alike); what one
// condition says of another (conditions.go) and a parameter's value
// (parameters.go); Lambda's asynchronous settings, payload limits and IAM
// action matching (lambda.go); the kinds of destination of invocation
// records (destinations.go); binary media types (binary.go).
package cfn

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Resources indexes a template's Resources section by logical ID.
type Resources struct {
	Section *tree.Object // the Resources object itself; nil when the template has none
	byID    map[string]*tree.Object
}

// NewResources indexes section (a template's Resources value). Entries
// that are not objects are left out.
func NewResources(section *tree.Object) *Resources {
	r := &Resources{Section: section, byID: map[string]*tree.Object{}}
	if section != nil {
		r.byID = make(map[string]*tree.Object, section.Len())
		for _, m := range section.Members {
			if res, ok := m.Value.(*tree.Object); ok {
				r.byID[m.Key] = res
			}
		}
	}
	return r
}

// Get returns the resource with logical ID id.
func (r *Resources) Get(id string) (*tree.Object, bool) {
	res, ok := r.byID[id]
	return res, ok
}

// Type is a resource's Type, or "".
func (r *Resources) Type(id string) string { return r.str(id, "Type") }

// Condition is a resource's Condition, or "".
func (r *Resources) Condition(id string) string { return r.str(id, "Condition") }

func (r *Resources) str(id, key string) string {
	if res, ok := r.byID[id]; ok {
		v, _ := res.Get(key)
		s, _ := v.(string)
		return s
	}
	return ""
}

// Properties is a resource's Properties object, or nil.
func (r *Resources) Properties(id string) *tree.Object {
	if res, ok := r.byID[id]; ok {
		v, _ := res.Get("Properties")
		p, _ := v.(*tree.Object)
		return p
	}
	return nil
}

// Each calls f for every resource that is an object, in template order.
func (r *Resources) Each(f func(id string, res *tree.Object)) {
	if r.Section == nil {
		return
	}
	for _, m := range r.Section.Members {
		if res, ok := m.Value.(*tree.Object); ok {
			f(m.Key, res)
		}
	}
}

// RefID is the logical ID that Ref X, Fn::GetAtt X.Attr, or a Fn::Sub of
// just ${X} or ${X.Attr} names; "" for anything else.
func RefID(v any) string {
	k, arg, ok := tree.Only(v)
	if !ok {
		return ""
	}
	switch k {
	case "Ref":
		s, _ := arg.(string)
		return s
	case "Fn::GetAtt":
		id, _ := GetAtt(arg)
		return id
	case "Fn::Sub":
		if s, isStr := arg.(string); isStr {
			if id, _, ok := SplitSubVar(s); ok {
				return id
			}
		}
	}
	return ""
}

// GetAtt splits the argument of Fn::GetAtt, [X, Attr] or "X.Attr".
func GetAtt(arg any) (id, attr string) {
	switch a := arg.(type) {
	case string:
		id, attr, _ = strings.Cut(a, ".")
	case []any:
		if len(a) == 2 {
			id, _ = a[0].(string)
			attr, _ = a[1].(string)
		}
	}
	return id, attr
}

// SplitSubVar splits a string that is nothing but ${X} or ${X.Attr}, the
// form a Fn::Sub names a resource or parameter in.
func SplitSubVar(s string) (id, attr string, ok bool) {
	inner, ok := strings.CutPrefix(s, "${")
	if !ok {
		return
	}
	if inner, ok = strings.CutSuffix(inner, "}"); !ok {
		return
	}
	id, attr, _ = strings.Cut(inner, ".")
	return id, attr, IsLogicalID(id)
}

// IsLogicalID reports whether s can be a logical ID: alphanumeric.
func IsLogicalID(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// SplitInvocationURI splits API Gateway's URI for the Lambda Invoke API,
// arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION/invocations,
// allowing the stray "$" of the AWS documentation's example before
// /invocations. Any part may hold ${Var} references.
func SplitInvocationURI(s string) (partition, region, function string, ok bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return
	}
	if partition, rest, ok = cutSegment(rest); !ok {
		return
	}
	if rest, ok = strings.CutPrefix(rest, "apigateway:"); !ok {
		return
	}
	if region, rest, ok = cutSegment(rest); !ok {
		return
	}
	if rest, ok = strings.CutPrefix(rest, invocationPath[1:]); !ok {
		return
	}
	if function, ok = strings.CutSuffix(rest, "/invocations"); !ok {
		return
	}
	function = strings.TrimSuffix(function, "$")
	return partition, region, function, function != ""
}

// cutSegment cuts an ARN segment, in whose ${...} references colons may
// stand, from the colon after it.
func cutSegment(s string) (segment, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '$':
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				i += end
			}
		case ':':
			return s[:i], s[i+1:], i > 0
		}
	}
	return "", "", false
}

// TemplateBodyLimit is the largest template, in bytes, that CloudFormation
// takes in a request (TemplateBody of CreateStack, UpdateStack,
// CreateChangeSet, ValidateTemplate); through S3 (TemplateURL) it takes up
// to 1 MB. A template with macros must fit once processed: "The maximum
// size for a processed stack template is 51,200 bytes when passed directly
// into a CreateStack, UpdateStack, or ValidateTemplate request" (the
// CloudFormation User Guide, Troubleshoot the processed template).
const TemplateBodyLimit = 51200
