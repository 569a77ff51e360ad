package macro

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/tree"
)

// dialect names an integration's properties: CloudFormation's
// AWS::ApiGateway::Method Integration, or OpenAPI's
// x-amazon-apigateway-integration.
type dialect struct {
	Type, Lambda, Proxy, HTTPMethod, URI, RequestParameters string
}

var (
	cfnIntegration     = dialect{"Type", "AWS", "AWS_PROXY", "IntegrationHttpMethod", "Uri", "RequestParameters"}
	openAPIIntegration = dialect{"type", "aws", "aws_proxy", "httpMethod", "uri", "requestParameters"}
)

// InvocationTypeParameter is the integration request parameter that makes
// API Gateway invoke Lambda with X-Amz-Invocation-Type.
const InvocationTypeParameter = "integration.request.header.X-Amz-Invocation-Type"

// integration expands what both dialects share: the type, the POST to
// Lambda, the URI and the invocation type mapping. It returns the function
// invoked.
func (e *expander) integration(in *tree.Object, d dialect, o Options, where *loc) (target, bool) {
	in.Members = slices.Grow(in.Members, 8) // room for what the expansion adds
	ok := true
	switch typ, _ := in.Get(d.Type); t := typ.(type) {
	case nil:
		in.Set(d.Type, d.Lambda)
	case string:
		switch strings.ToUpper(t) {
		case "AWS":
		case "AWS_PROXY":
			e.fail(where.at(d.Type), "is %s: a Lambda proxy integration always invokes the function synchronously, so API Gateway cannot invoke it asynchronously; use %s (a Lambda non-proxy integration), or leave %s out and the macro sets it", t, d.Lambda, d.Type)
			ok = false
		default:
			e.fail(where.at(d.Type), "is %s; asynchronous invocation needs a Lambda non-proxy integration: use %s, or leave %s out and the macro sets it", t, d.Lambda, d.Type)
			ok = false
		}
	default:
		e.fail(where.at(d.Type), "is %s; write %s, or leave it out and the macro sets it", tree.TypeName(typ), d.Lambda)
		ok = false
	}

	// Lambda's Invoke API is a POST, whatever the method's HTTP method is.
	if m, _ := in.Get(d.HTTPMethod); m != "POST" {
		in.Set(d.HTTPMethod, "POST")
	}

	var t target
	if uri, has := in.Get(d.URI); !has {
		e.fail(where, "has no %s; give the function to invoke: %s: !GetAtt Function.Arn", d.URI, d.URI)
		ok = false
	} else if fixed, tt, good := e.fixURI(uri, where.at(d.URI)); good {
		in.Set(d.URI, fixed)
		t = tt
	} else {
		ok = false
	}

	params, good := e.object(in, d.RequestParameters, where)
	if !good {
		return t, false
	}
	want := o.source()
	for _, m := range params.Members {
		if !strings.EqualFold(m.Key, InvocationTypeParameter) {
			continue
		}
		if m.Value != want {
			e.fail(where.at(d.RequestParameters).at(m.Key), "already maps the invocation type from %s, which conflicts with AsyncInvoke %s (%s); remove this entry, or remove AsyncInvoke", describe(m.Value), o.Mode, want)
			return t, false
		}
		return t, ok // already mapped as the shorthand would, perhaps in another case
	}
	params.Set(InvocationTypeParameter, want)
	return t, ok
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
	e.fail(where.at(key), "is %s, which the macro cannot add to; write it as a plain object (intrinsic functions may be used in its values)", tree.TypeName(v))
	return nil, false
}

// isIntrinsic reports whether o is an intrinsic function such as
// {"Fn::If": [...]}, whose result the macro cannot see.
func isIntrinsic(o *tree.Object) bool {
	k, _, ok := tree.Only(o)
	return ok && tree.IsIntrinsic(k)
}
