package macro

import (
	"regexp"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// InvocationTypeParameter is the integration request parameter that makes
// API Gateway invoke Lambda with X-Amz-Invocation-Type.
const InvocationTypeParameter = cfn.InvocationTypeParameter

const headerSource = cfn.HeaderSource

// integration expands what both dialects share: the type, the POST to
// Lambda, the URI and the invocation type mapping, from source (what
// sourceFor returns), reporting the problems of each. It returns what the
// integration invokes; known is false when the URI has a problem, and so
// what it invokes is not known.
func (e *expander) integration(in *tree.Object, d cfn.IntegrationKeys, o Options, source string, where *loc) (targets []resolved, known, ok bool) {
	in.Members = slices.Grow(in.Members, 8) // room for what the expansion adds
	ok = true
	switch typ, _ := in.Get(d.Type); t := typ.(type) {
	case nil:
		in.Set(d.Type, d.Lambda)
	case string:
		switch strings.ToUpper(t) {
		case "AWS":
			if t != d.Lambda && d == cfn.MethodIntegration {
				in.Set(d.Type, d.Lambda) // CloudFormation's enumeration is upper case
			}
		case "AWS_PROXY":
			if o.Event == EventProxy {
				in.Set(d.Type, d.Lambda) // the request template gives the function the proxy event
				break
			}
			e.fail(codeProxyIntegration, where.at(d.Type), "is %s: a Lambda proxy integration always invokes the function synchronously, so API Gateway cannot invoke it asynchronously; add Event: proxy to %s (%s: {Mode: %s, Event: proxy}) and the macro makes it %s (a Lambda non-proxy integration) whose request template gives the function the same proxy event; or use %s, or leave %s out, and the function gets the request body", t, shorthandOf(where), shorthandOf(where), o.Mode, d.Lambda, d.Lambda, d.Type)
			ok = false
		default:
			e.fail(codeIntegrationType, where.at(d.Type), "is %s; asynchronous invocation needs a Lambda non-proxy integration: use %s, or leave %s out and the macro sets it", t, d.Lambda, d.Type)
			ok = false
		}
	default:
		e.fail(codeIntegrationType, where.at(d.Type), "is %s; write %s, or leave it out and the macro sets it", cfn.TypeName(typ), d.Lambda)
		ok = false
	}

	// Lambda's Invoke API is a POST, whatever the method's HTTP method is.
	if m, _ := in.Get(d.HTTPMethod); m != "POST" {
		in.Set(d.HTTPMethod, "POST")
	}

	if uri, has := in.Get(d.URI); !has {
		e.fail(codeNoURI, where, "has no %s; give the function to invoke: %s: !GetAtt Function.Arn", d.URI, d.URI)
		ok = false
	} else if fixed, ts, good := e.fixURI(uri, where.at(d.URI)); good {
		in.Set(d.URI, fixed)
		targets, known = ts, true
	} else {
		ok = false
	}

	if !e.noInvocationTypeOverride(in, d, o, where) {
		ok = false
	}

	params, good := e.object(in, d.RequestParameters, where)
	if !good {
		return targets, known, false
	}
	for i, m := range params.Members {
		if !strings.EqualFold(m.Key, InvocationTypeParameter) {
			continue
		}
		if !sameSource(m.Value, source) {
			e.fail(codeInvocationTypeMapped, where.at(d.RequestParameters).at(m.Key), "already maps the invocation type from %s, which conflicts with AsyncInvoke %s (%s); remove this entry, or remove AsyncInvoke", describe(m.Value), o.Mode, source)
			return targets, known, false
		}
		params.Members[i].Value = source // the header as the method declares it
		return targets, known, ok
	}
	params.Set(InvocationTypeParameter, source)
	return targets, known, ok
}

// noInvocationTypeOverride refuses a request template that sets
// X-Amz-Invocation-Type itself with $context.requestOverride: API Gateway
// applies it after the integration's parameter mappings, so it decides how
// Lambda is invoked, not the shorthand. Every text in the templates is
// read, in both branches of an Fn::If too.
func (e *expander) noInvocationTypeOverride(in *tree.Object, d cfn.IntegrationKeys, o Options, where *loc) bool {
	v, ok := in.Get(d.RequestTemplates)
	if !ok {
		return true
	}
	at := where.at(d.RequestTemplates)
	if templates, isObject := v.(*tree.Object); isObject && !isIntrinsic(templates) {
		ok := true
		for _, m := range templates.Members {
			if overrides(m.Value) {
				e.failOverride(at.at(m.Key), o, where)
				ok = false
			}
		}
		return ok
	}
	if overrides(v) {
		e.failOverride(at, o, where)
		return false
	}
	return true
}

func (e *expander) failOverride(at *loc, o Options, where *loc) {
	e.fail(codeInvocationTypeOverride, at, "sets the X-Amz-Invocation-Type header itself ($context.requestOverride.header), which API Gateway applies after the mapping %s %s adds, so the template, not the shorthand, decides whether Lambda runs the call asynchronously; remove that assignment, or remove %s", shorthandOf(where), o.Mode, shorthandOf(where))
}

// overrides reports whether any text in v, or v flattened as Fn::Sub or
// Fn::Join would write it, sets X-Amz-Invocation-Type by request override.
func overrides(v any) bool {
	return !tree.Walk(v, func(_ []string, x any) tree.Step {
		if flat, ok := cfn.Flatten(x); ok && overridesInvocationType(flat) {
			return tree.Stop
		}
		if s, ok := x.(string); ok && overridesInvocationType(s) {
			return tree.Stop
		}
		return tree.Continue
	})
}

var (
	// An assignment to the header, by property, by index or with put, on
	// $context.requestOverride.header or on a variable that holds it.
	// An assignment whose header name is a variable, in a template that
	// holds the name as a value (#set($n = '...'), a list), not only as
	// an argument ($input.params('...')).
	setsByVariable     = regexp.MustCompile(`(\[\s*\$[^\]]*\]\s*=|\.put\(\s*\$)(?:[^=]|$)`)
	namesTheHeader     = regexp.MustCompile(`(?i)[=\[,]\s*["']x-amz-invocation-type["']`)
	setsInvocationType = regexp.MustCompile(`(?i)(\.x-amz-invocation-type\s*=|\[\s*["']x-amz-invocation-type["']\s*\]\s*=|\.put\(\s*["']x-amz-invocation-type["'])(?:[^=]|$)`)
)

// overridesInvocationType reports whether a mapping template that uses
// $context.requestOverride assigns X-Amz-Invocation-Type, in any case,
// outside VTL comments. Reading the header is fine.
func overridesInvocationType(text string) bool {
	if !strings.Contains(strings.ToLower(text), "requestoverride") {
		return false
	}
	text = withoutComments(text)
	lower := strings.ToLower(text)
	if !strings.Contains(lower, "requestoverride") {
		return false
	}
	return setsInvocationType.MatchString(text) ||
		namesTheHeader.MatchString(text) && setsByVariable.MatchString(text)
}

// withoutComments removes VTL comments, ## to the end of the line and
// #* to *#, but not inside a quoted string (which ends with its line).
func withoutComments(text string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == quote || c == '\n' {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case strings.HasPrefix(text[i:], "##"):
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				return b.String()
			}
			i += end - 1
			continue
		case strings.HasPrefix(text[i:], "#*"):
			end := strings.Index(text[i+2:], "*#")
			if end < 0 {
				return b.String()
			}
			i += 2 + end + 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// sameSource reports whether an existing mapping says what the shorthand
// says: 'Event' exactly, or the same method request header in any case.
func sameSource(v any, source string) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if strings.HasPrefix(source, headerSource) {
		return strings.HasPrefix(s, headerSource) && strings.EqualFold(s, source)
	}
	return s == source
}

// mappedHeader is the header an existing X-Amz-Invocation-Type mapping
// reads, when it is header (in any case); "" otherwise.
func mappedHeader(in *tree.Object, d cfn.IntegrationKeys, header string) string {
	pv, _ := in.Get(d.RequestParameters)
	params, _ := pv.(*tree.Object)
	if params == nil {
		return ""
	}
	for _, m := range params.Members {
		if !strings.EqualFold(m.Key, InvocationTypeParameter) {
			continue
		}
		if s, ok := m.Value.(string); ok && strings.HasPrefix(s, headerSource) && strings.EqualFold(s[len(headerSource):], header) {
			return s[len(headerSource):]
		}
	}
	return ""
}

// object returns the object under key, creating it when absent. It reports a
// problem when the value is not an object the macro can add to.
func (e *expander) object(parent *tree.Object, key string, where *loc) (*tree.Object, bool) {
	v, has := parent.Get(key)
	if !has {
		o := &tree.Object{}
		parent.Set(key, o)
		return o, true
	}
	if o, isObj := v.(*tree.Object); isObj && !isIntrinsic(o) {
		return o, true
	}
	e.fail(codeUnreadable, where.at(key), "is %s, which the macro cannot add to; write it as a plain object (intrinsic functions may be used in its values)", cfn.TypeName(v))
	return nil, false
}

// OverridesInvocationType reports whether a request mapping template sets
// X-Amz-Invocation-Type itself through $context.requestOverride (in any
// case, outside VTL comments, directly, through a variable or with put), by
// the rules the macro refuses such a template by. API Gateway applies an
// override after the integration's parameter mappings, so such a template,
// not the mapping, decides how Lambda is invoked. asyncinvoke audit reads
// deployed integrations with it.
func OverridesInvocationType(template string) bool { return overridesInvocationType(template) }
