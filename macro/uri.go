package macro

import (
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

const uriHelp = "write the function as !GetAtt Function.Arn, !Ref Function, a function ARN (an alias or version may follow it: ${Function.Arn}:live), or the invocation URI arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function.Arn}/invocations"

// regionVariable names the Fn::Sub variable that holds the region of a
// function whose ARN comes from a parameter.
const regionVariable = "FunctionRegion"

// invocationURI is the URI of Lambda's Invoke API for fn (the function's
// ARN as Fn::Sub text) in region, partition-aware.
func invocationURI(region, fn string, vars *tree.Object) any {
	s := cfn.InvocationURI("${AWS::Partition}", region, fn)
	if vars != nil && vars.Len() > 0 {
		return tree.NewObject("Fn::Sub", []any{s, vars})
	}
	return tree.NewObject("Fn::Sub", s)
}

// fixURI returns the canonical form of an integration URI and what it
// invokes. ok is false when it reported a problem. A URI the macro cannot
// improve comes back as written.
func (e *expander) fixURI(v any, where *loc) (fixed any, targets []resolved, ok bool) {
	switch u := v.(type) {
	case string:
		return e.fixLiteralURI(u, where)
	case *tree.Object:
		k, arg, isFn := tree.Only(u)
		if !isFn {
			break
		}
		switch k {
		case "Ref", "Fn::GetAtt":
			if flat, good := cfn.Flatten(u); good {
				return e.fixFunctionARN(flat, flat, nil, nil, where)
			}
		case "Fn::Sub":
			s, vars, good := cfn.SubArgs(arg)
			if !good {
				e.fail(codeURI, where, "has a Fn::Sub that is neither a string nor a [string, variables] pair; %s", uriHelp)
				return v, nil, false
			}
			return e.fixSubURI(u, s, vars, where)
		case "Fn::Join":
			return e.fixJoinURI(u, where)
		case "Fn::If":
			return e.fixIfURI(u, arg, where)
		default:
			if cfn.IsIntrinsic(k) {
				// Fn::ImportValue, Fn::FindInMap...: left as written; what
				// it invokes is not a resource of the template.
				return v, []resolved{{external: true}}, true
			}
		}
	}
	e.fail(codeURI, where, "is %s; %s", describe(v), uriHelp)
	return v, nil, false
}

// fixLiteralURI handles a literal invocation URI or function ARN. It stays
// a literal: only the documentation's stray "$" is removed, and an ARN
// becomes its invocation URI in the ARN's own partition and region.
func (e *expander) fixLiteralURI(s string, where *loc) (any, []resolved, bool) {
	flat, _ := cfn.Flatten(s)
	if partition, region, fn, isURI := cfn.SplitInvocationURI(flat); isURI {
		if _, good := cfn.ParseFunctionARN(fn); good && !strings.Contains(fn, "${") || isStageQualified(fn) {
			return cfn.InvocationURI(partition, region, unflatten(fn)), e.literalTargets(fn), true
		}
	}
	if r, good := cfn.ParseFunctionARN(flat); good && r.Head == "" && (!strings.Contains(flat, "${") || isStageQualified(flat)) {
		partition := cfn.SplitARN(flat)[1]
		return cfn.InvocationURI(partition, r.Region, s), e.literalTargets(flat), true
	}
	if other := otherService(flat); other != "" {
		e.fail(codeOtherService, where, "invokes %s through API Gateway, not Lambda (%s); AsyncInvoke needs a Lambda function: %s", other, describe(s), uriHelp)
		return s, nil, false
	}
	if e.unknownLambdaPath(flat, where) {
		return s, nil, false
	}
	e.fail(codeURI, where, "%s is neither a Lambda function ARN nor a Lambda invocation URI; %s", describe(s), uriHelp)
	return s, nil, false
}

// literalTargets is what a literal function ARN invokes: a function of
// this template when the ARN spells it out in the stack's region and
// account (so it gets its permission, as the same ARN written with
// ${AWS::Region} and ${AWS::AccountId} does), else a function defined
// elsewhere (with a stage variable qualifier, perhaps).
func (e *expander) literalTargets(flat string) []resolved {
	if r, ok := cfn.ParseFunctionARN(flat); ok && !isStageQualified(flat) {
		if fn := e.functionNamed(r); fn != "" {
			if t, msg := e.qualify(resolved{}, fn, r.Qualifier); msg == "" {
				return []resolved{t}
			}
		}
	}
	return []resolved{{external: true, target: target{StageVariable: isStageQualified(flat)}}}
}

// isStageQualified reports whether a flattened literal ARN's only reference
// is a stage variable qualifier, ${stageVariables.alias}.
func isStageQualified(flat string) bool {
	segs := cfn.SplitARN(flat)
	last := segs[len(segs)-1]
	return strings.HasPrefix(last, "${!stageVariables.") && !strings.Contains(strings.Join(segs[:len(segs)-1], ":"), "${")
}

// unflatten undoes Flatten's escaping of a literal.
func unflatten(s string) string { return strings.ReplaceAll(s, "${!", "${") }

// unknownLambdaPath reports an API Gateway URI for Lambda other than the
// Invoke API's (...:lambda:path/2015-03-31/functions/FUNCTION/invocations):
// response streaming, another API version, a query string. Left as written
// it would deploy, then fail or run synchronously.
func (e *expander) unknownLambdaPath(flat string, where *loc) bool {
	if !strings.Contains(flat, ":lambda:path/") {
		return false
	}
	_, tail, _ := strings.Cut(unflatten(flat), ":lambda:path/")
	e.fail(codeLambdaPath, where, "is an API Gateway URI for Lambda that does not invoke a function asynchronously (...lambda:path/%s); the one that does is arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations (response streaming, for one, accepts only synchronous calls); %s", tail, uriHelp)
	return true
}

// otherService names the AWS service of an API Gateway service URI that is
// not Lambda's (arn:...:apigateway:REGION:s3:path/...), or "".
func otherService(flat string) string {
	segs := cfn.SplitARN(flat)
	if len(segs) < 6 || segs[0] != "arn" || segs[2] != "apigateway" || segs[4] == "lambda" {
		return ""
	}
	if !strings.HasPrefix(segs[5], "path/") && !strings.HasPrefix(segs[5], "action/") {
		return ""
	}
	return "another AWS service (" + segs[4] + ")"
}

// fixSubURI handles a Fn::Sub: an invocation URI (the function part and
// the region are kept as written), or a function ARN, which becomes its
// invocation URI.
func (e *expander) fixSubURI(orig *tree.Object, s string, vars *tree.Object, where *loc) (any, []resolved, bool) {
	if _, region, fn, isURI := cfn.SplitInvocationURI(s); isURI {
		flat := substitute(fn, vars)
		if _, good := cfn.ParseFunctionARN(flat); !good && strings.Contains(flat, cfn.Opaque) {
			return invocationURI(region, fn, vars), nil, true // the function comes from something the macro cannot follow
		}
		_, res, fn, ok := e.functionIn(flat, fn, where)
		if !ok {
			return orig, nil, false
		}
		return invocationURI(region, fn, vars), []resolved{res}, true
	}
	flat := substitute(s, vars)
	if r, isRef := cfn.ParseFunctionARN(flat); isRef && !r.Opaque() {
		return e.fixFunctionARN(flat, s, vars, orig, where)
	}
	if other := otherService(flat); other != "" {
		e.fail(codeOtherService, where, "invokes %s through API Gateway, not Lambda (%s); AsyncInvoke needs a Lambda function: %s", other, describe(s), uriHelp)
		return orig, nil, false
	}
	if e.unknownLambdaPath(flat, where) {
		return orig, nil, false
	}
	// Some other shape the macro cannot read: left as written.
	return orig, nil, true
}

// functionIn reads what a function ARN invokes: flat is its flattened text,
// text the same as Fn::Sub text ("" when it is not written as one, as in a
// Fn::Join). It returns the ARN read, what it invokes, and the text to
// write: ${X}, a function's name, becomes ${X.Arn}, its ARN.
func (e *expander) functionIn(flat, text string, where *loc) (cfn.FunctionARN, resolved, string, bool) {
	r, good := cfn.ParseFunctionARN(flat)
	if !good {
		e.fail(codeURI, where, "names %s as the function, which is not a function ARN; %s", describe(unflatten(flat)), uriHelp)
		return r, resolved{}, text, false
	}
	res, msg := e.resolveFunction(r)
	if msg != "" {
		e.fail(codeNotFunction, where, "%s; %s", msg, uriHelp)
		return r, res, text, false
	}
	if res.nameRef {
		id, _ := cfn.SplitRef(r.Head)
		ref := "${" + id + "}"
		if !strings.HasPrefix(text, ref) {
			e.fail(codeFunctionName, where, "names function %s by !Ref %s, which is its name, through a Fn::Sub variable or a Fn::Join; an invocation URI needs its ARN, !GetAtt %s.Arn", id, id, id)
			return r, res, text, false
		}
		text = "${" + id + ".Arn}" + strings.TrimPrefix(text, ref)
	}
	return r, res, text, e.checkParameter(res, where)
}

// substitute flattens a Fn::Sub string with its variables.
func substitute(s string, vars *tree.Object) string {
	if vars == nil {
		return s
	}
	flat, _ := cfn.Flatten(tree.NewObject("Fn::Sub", []any{s, vars}))
	return flat
}

// fixFunctionARN turns a function ARN (flat, its flattened text; text, the
// same as Fn::Sub text with variables vars) into its invocation URI. orig
// is what to give back on failure.
func (e *expander) fixFunctionARN(flat, text string, vars *tree.Object, orig any, where *loc) (any, []resolved, bool) {
	if orig == nil {
		orig = tree.NewObject("Fn::Sub", text)
	}
	r, res, text, ok := e.functionIn(flat, text, where)
	if !ok {
		return orig, nil, false
	}
	region := "${AWS::Region}"
	switch {
	case r.Head == "" && strings.HasPrefix(text, "arn:"):
		region = cfn.SplitARN(text)[3] // the ARN's own region, as written
	case r.Head == "" && !strings.Contains(r.Region, "${"):
		region = r.Region
	case res.parameter != "":
		// A function ARN from a parameter may be of another region: invoke
		// the function there. ${P} may also be a variable holding it.
		var source any = tree.NewObject("Ref", res.parameter)
		if name := leadingRef(text); vars != nil && vars.Has(name) {
			source, _ = vars.Get(name)
		}
		var name string
		vars, name = withVariable(vars, regionVariable, tree.NewObject("Fn::Select", []any{"3", tree.NewObject("Fn::Split", []any{":", source})}))
		region = "${" + name + "}"
	}
	return invocationURI(region, text, vars), []resolved{res}, true
}

// withVariable returns a copy of vars with value under name, or under
// name2, name3... when name holds another value; and the name used.
func withVariable(vars *tree.Object, name string, value any) (*tree.Object, string) {
	out := &tree.Object{}
	if vars != nil {
		out = tree.Clone(vars).(*tree.Object)
	}
	base := name
	for n := 2; ; n++ {
		existing, taken := out.Get(name)
		if !taken {
			out.Set(name, value)
			return out, name
		}
		if tree.Equal(existing, value) {
			return out, name
		}
		name = base + strconv.Itoa(n)
	}
}

// leadingRef is X when s begins with ${X}, else "".
func leadingRef(s string) string {
	inner, ok := strings.CutPrefix(s, "${")
	if end := strings.IndexByte(inner, '}'); ok && end > 0 {
		return inner[:end]
	}
	return ""
}

// checkParameter refuses a parameter whose value (or Default) is known and
// is not a function ARN: API Gateway could not invoke it.
func (e *expander) checkParameter(res resolved, where *loc) bool {
	if res.parameter == "" {
		return true
	}
	p, _ := e.params.Declared(res.parameter)
	if typ, _ := p.Get("Type"); typ != nil && typ != "String" {
		return true // e.g. AWS::SSM::Parameter::Value<String>: the value is resolved later
	}
	val, known := e.params.Value(res.parameter)
	s, isStr := val.(string)
	if !known || !isStr {
		return true
	}
	if r, ok := cfn.ParseFunctionARN(s); ok && r.Head == "" && !strings.Contains(s, "${") {
		return true
	}
	e.fail(codeParameterValue, where, "refers to parameter %s, whose value %s is not a function ARN; API Gateway invokes a function by its ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME, perhaps with :ALIAS)", res.parameter, describe(s))
	return false
}

// fixJoinURI handles a Fn::Join. A joined invocation URI is left as written
// (the macro finds the function in it for the permission); a joined
// function ARN becomes its invocation URI.
func (e *expander) fixJoinURI(orig *tree.Object, where *loc) (any, []resolved, bool) {
	flat, _ := cfn.Flatten(orig)
	if _, _, fn, isURI := cfn.SplitInvocationURI(flat); isURI {
		if _, good := cfn.ParseFunctionARN(fn); !good {
			return orig, nil, true
		}
		_, res, _, ok := e.functionIn(fn, "", where)
		if !ok {
			return orig, nil, false
		}
		return orig, []resolved{res}, true
	}
	if r, isRef := cfn.ParseFunctionARN(flat); isRef && !r.Opaque() {
		_, res, _, ok := e.functionIn(flat, "", where)
		if !ok {
			return orig, nil, false
		}
		region := "${AWS::Region}"
		vars, _ := withVariable(nil, "Function", orig)
		switch {
		case r.Head == "" && !strings.Contains(r.Region, cfn.Opaque) && !strings.Contains(r.Region, "${!"):
			region = r.Region
		case res.parameter != "" || res.unknown:
			// An ARN from outside the template may be of another region.
			var name string
			vars, name = withVariable(vars, regionVariable, tree.NewObject("Fn::Select", []any{"3", tree.NewObject("Fn::Split", []any{":", orig})}))
			region = "${" + name + "}"
		}
		return invocationURI(region, "${Function}", vars), []resolved{res}, true
	}
	if other := otherService(flat); other != "" {
		e.fail(codeOtherService, where, "invokes %s through API Gateway, not Lambda; AsyncInvoke needs a Lambda function: %s", other, uriHelp)
		return orig, nil, false
	}
	if e.unknownLambdaPath(flat, where) {
		return orig, nil, false
	}
	return orig, nil, true
}

// fixIfURI fixes each branch of a Fn::If.
func (e *expander) fixIfURI(orig *tree.Object, arg any, where *loc) (any, []resolved, bool) {
	a, isList := arg.([]any)
	if !isList || len(a) != 3 {
		return orig, nil, true
	}
	out := []any{a[0], a[1], a[2]}
	var all []resolved
	ok := true
	for i := 1; i <= 2; i++ {
		if k, name, _ := tree.Only(a[i]); k == "Ref" && name == "AWS::NoValue" {
			continue
		}
		fixed, ts, good := e.fixURI(a[i], where.at("Fn::If").at(strconv.Itoa(i)))
		out[i], all, ok = fixed, append(all, ts...), ok && good
	}
	return tree.NewObject("Fn::If", out), all, ok
}
