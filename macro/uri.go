package macro

import (
	"regexp"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/cfn"
	"github.com/asyncinvoke/asyncinvoke/tree"
)

// target is the function an integration invokes, as far as the template
// tells: the logical ID of a function, alias or version of this template,
// or "".
type target struct{ ID string }

// A segment of an ARN: literal characters and ${Var} references.
const seg = `(?:\$\{[^}]*\}|[^:$])+`

// functionARN is a function ARN, perhaps with a version or alias qualifier.
var functionARN = regexp.MustCompile(`^arn:(` + seg + `):lambda:(` + seg + `):(` + seg + `):function:(` + seg + `)(?::` + seg + `)?$`)

const uriHelp = "write the function as !GetAtt Function.Arn, !Ref Function, a function ARN, or the invocation URI arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function.Arn}/invocations"

// canonicalURI is the invocation URI of fn (a ${Function.Arn} reference or a
// function ARN) as a Fn::Sub, partition-aware.
func canonicalURI(fn, region string, vars any) any {
	s := "arn:${AWS::Partition}:apigateway:" + region + ":lambda:path/2015-03-31/functions/" + fn + "/invocations"
	if vars != nil {
		return tree.NewObject("Fn::Sub", []any{s, vars})
	}
	return tree.NewObject("Fn::Sub", s)
}

func functionKind(typ string) string {
	switch typ {
	case "AWS::Lambda::Function", "AWS::Serverless::Function":
		return "function"
	case "AWS::Lambda::Alias", "AWS::Lambda::Version":
		return "qualified"
	}
	return ""
}

// fixURI returns the canonical form of an integration URI and the function
// it invokes. ok is false when it reported a problem; a URI built in a way
// the macro cannot improve comes back as written.
func (e *expander) fixURI(v any, where *loc) (fixed any, t target, ok bool) {
	switch u := v.(type) {
	case string:
		return e.fixLiteralURI(u, where)
	case *tree.Object:
		k, arg, isFn := tree.Only(u)
		if !isFn {
			break
		}
		switch k {
		case "Fn::Sub":
			return e.fixSubURI(u, arg, where)
		case "Fn::GetAtt":
			id, attr := cfn.GetAtt(arg)
			if id == "" {
				break
			}
			if attr != "Arn" {
				e.fail(where, "takes !GetAtt %s.Arn, the function's ARN, not its %s attribute", id, attr)
				return v, t, false
			}
			return e.fixReference(id, where)
		case "Ref":
			if id, isStr := arg.(string); isStr {
				return e.fixReference(id, where)
			}
		default:
			if tree.IsIntrinsic(k) {
				return v, t, true // Fn::Join, Fn::If, Fn::ImportValue...: left as written
			}
		}
	}
	e.fail(where, "is %s; %s", describe(v), uriHelp)
	return v, t, false
}

// fixReference handles Ref X and GetAtt X.Arn: X is a function, alias,
// version or parameter of this template.
func (e *expander) fixReference(id string, where *loc) (any, target, bool) {
	typ := e.res.Type(id)
	switch functionKind(typ) {
	case "function":
		return canonicalURI("${"+id+".Arn}", "${AWS::Region}", nil), target{ID: id}, true
	case "qualified":
		return canonicalURI("${"+id+"}", "${AWS::Region}", nil), target{ID: id}, true
	}
	if _, isRes := e.res.Get(id); isRes {
		e.fail(where, "refers to %s (%s), not a Lambda function; %s", id, describeType(typ), uriHelp)
		return nil, target{}, false
	}
	if _, isParam := e.parameter(id); isParam {
		return canonicalURI("${"+id+"}", "${AWS::Region}", nil), target{}, true
	}
	e.fail(where, "refers to %s, which is neither a resource nor a parameter of this template; %s", id, uriHelp)
	return nil, target{}, false
}

// functionName is how a permission names the target: a function by its
// ARN, an alias or version by its Ref (which is its ARN).
func (e *expander) functionName(t target) any {
	if functionKind(e.res.Type(t.ID)) == "function" {
		return tree.NewObject("Fn::GetAtt", []any{t.ID, "Arn"})
	}
	return tree.NewObject("Ref", t.ID)
}

func (e *expander) fixLiteralURI(s string, where *loc) (any, target, bool) {
	fn := s
	if _, _, f, ok := cfn.SplitInvocationURI(s); ok {
		fn = f
	}
	if m := functionARN.FindStringSubmatch(fn); m != nil && !strings.Contains(fn, "${") {
		return canonicalURI(fn, m[2], nil), target{}, true
	}
	e.fail(where, "%s is neither a Lambda function ARN nor a Lambda invocation URI; %s", describe(s), uriHelp)
	return s, target{}, false
}

func (e *expander) fixSubURI(orig *tree.Object, arg any, where *loc) (any, target, bool) {
	var s string
	var vars any
	switch a := arg.(type) {
	case string:
		s = a
	case []any:
		if len(a) == 2 {
			s, _ = a[0].(string)
			vars = a[1]
		}
	}
	if s == "" {
		e.fail(where, "has a Fn::Sub that is neither a string nor a [string, variables] pair; %s", uriHelp)
		return orig, target{}, false
	}
	fn := s
	if _, _, f, ok := cfn.SplitInvocationURI(s); ok {
		fn = f
	}
	// ${Function.Arn} or ${Function}: a resource or parameter of the template.
	if id, attr, ok := cfn.SplitSubVar(fn); ok {
		if v, ok := vars.(*tree.Object); ok && v.Has(fn[2:len(fn)-1]) {
			return canonicalURI(fn, "${AWS::Region}", vars), target{}, true
		}
		if attr != "" && attr != "Arn" {
			e.fail(where, "uses ${%s.%s}; the function's ARN is ${%s.Arn}", id, attr, id)
			return orig, target{}, false
		}
		fixed, t, ok := e.fixReference(id, where)
		if ok && vars != nil {
			sub, _ := fixed.(*tree.Object).Get("Fn::Sub")
			fixed = tree.NewObject("Fn::Sub", []any{sub, vars})
		}
		return fixed, t, ok
	}
	if m := functionARN.FindStringSubmatch(fn); m != nil {
		region := "${AWS::Region}"
		if !strings.Contains(m[2], "${") {
			region = m[2] // a literal ARN: invoke it in its own region
		}
		t := target{}
		if id, attr, ok := cfn.SplitSubVar(m[4]); ok && attr == "" && functionKind(e.res.Type(id)) == "function" {
			t = target{ID: id}
		}
		return canonicalURI(fn, region, vars), t, true
	}
	if strings.Contains(s, ":apigateway:") {
		e.fail(where, "invokes another AWS service through API Gateway, not Lambda (%s); AsyncInvoke needs a Lambda function: %s", describe(s), uriHelp)
		return orig, target{}, false
	}
	// Some other shape, e.g. a function ARN built of variables: left as written.
	return orig, target{}, true
}
