package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// target is what an integration invokes, as far as the template tells: a
// function of the template, perhaps qualified by an alias or a version.
type target struct {
	// Function is the logical ID of the function's resource in this
	// template, or "" for a function defined elsewhere.
	Function string
	// Resource is the logical ID of the AWS::Lambda::Alias or
	// AWS::Lambda::Version invoked, or "".
	Resource string
	// Name is the FunctionName of the permission that lets API Gateway
	// invoke exactly this: the function, or its alias or version (Lambda
	// checks the permission of the qualified ARN that is invoked). nil when
	// the template does not say what is invoked.
	Name any
	// ID names the target in the permission's logical ID.
	ID string
	// StageVariable is set when a stage variable chooses the qualifier: no
	// one permission covers every alias it may name.
	StageVariable bool
}

// key identifies what a permission grants, for de-duplication.
func (t target) key() string { return string(tree.Encode(t.Name)) }

// resolved is what a function reference turned out to be.
type resolved struct {
	target
	// external: a function outside the template (a literal ARN, a
	// parameter, an import); API Gateway may invoke it, but no permission
	// can be added here.
	external bool
	// nameRef: the reference is ${X} to a function, which is its name, not
	// its ARN.
	nameRef bool
	// parameter holds the template parameter that gives the ARN, if any.
	parameter string
	// unknown: the template does not tell what the reference is (a Sub
	// variable or Join part the macro cannot follow).
	unknown bool
}

// resolveFunction reads what a flattened function reference invokes. A non-empty
// message says why it cannot be a function.
func (e *expander) resolveFunction(r cfn.FunctionARN) (resolved, string) {
	var out resolved
	if r.Head == "" {
		out.external = true
		id, attr, ok := cfn.SplitSubVar(r.Name)
		if ok && attr == "" && cfn.IsFunction(e.res.Type(id)) {
			out.external = false
			return e.qualify(out, id, r.Qualifier)
		}
		if fn := e.functionNamed(r); fn != "" {
			out.external = false // the ARN spells out a function of this template
			return e.qualify(out, fn, r.Qualifier)
		}
		if strings.Contains(r.Name+r.Qualifier, cfn.Opaque) {
			out.unknown = true
		}
		return out, ""
	}
	id, attr := cfn.SplitRef(r.Head)
	switch {
	case id == "?":
		out.unknown = true
		return out, ""
	case strings.HasPrefix(r.Head, "AWS::"):
		return out, "refers to the pseudo parameter " + r.Head + ", which is not a function"
	}
	typ := e.res.Type(id)
	if _, isRes := e.res.Get(id); !isRes {
		if _, isParam := e.params.Declared(id); isParam && attr == "" {
			out.external, out.parameter = true, id
			return out, ""
		}
		if strings.HasPrefix(id, "stageVariables") {
			return out, "names the function by the stage variable " + r.Head + "; a stage variable may choose the alias (${Function.Arn}:${stageVariables.alias}), not the function"
		}
		return out, "refers to " + id + ", which is neither a resource nor a parameter of this template"
	}
	qualified := r.Qualifier != ""
	switch {
	case cfn.IsFunction(typ):
		switch attr {
		case "Arn":
			return e.qualify(out, id, r.Qualifier)
		case "":
			out.nameRef = true
			return e.qualify(out, id, r.Qualifier)
		case "Alias", "Version":
			if typ != cfn.TypeSAMFunction {
				return out, "uses " + r.Head + ", which only SAM functions have; use !GetAtt " + id + ".Arn or the alias's own resource"
			}
			if alias := e.samProperty(id, "AutoPublishAlias"); alias == nil {
				return out, "uses " + r.Head + ", but " + id + " has no AutoPublishAlias, so SAM creates no " + attr + " for it; add AutoPublishAlias: live to " + id + " or name the function with !GetAtt " + id + ".Arn"
			}
			if qualified {
				return out, "qualifies " + r.Head + ", which is already an " + strings.ToLower(attr) + " ARN"
			}
			out.Function = id
			out.Name = tree.NewObject("Ref", r.Head)
			out.ID = id + attr
			return out, ""
		default:
			return out, "takes !GetAtt " + id + ".Arn, the function's ARN, not its " + attr + " attribute"
		}
	case typ == cfn.TypeAlias || typ == cfn.TypeVersion:
		ok := attr == "" || (typ == cfn.TypeAlias && attr == "AliasArn") || (typ == cfn.TypeVersion && attr == "FunctionArn")
		if !ok {
			want := map[string]string{cfn.TypeAlias: "AliasArn", cfn.TypeVersion: "FunctionArn"}[typ]
			return out, "takes !Ref " + id + " or !GetAtt " + id + "." + want + ", the ARN of " + describeType(typ) + " " + id + ", not its " + attr + " attribute"
		}
		if qualified {
			return out, "qualifies " + id + " (" + typ + "), whose ARN already names a qualified function"
		}
		out.Function = e.res.FunctionOf(id)
		out.Resource, out.Name, out.ID = id, tree.NewObject("Ref", id), id
		return out, ""
	}
	return out, "refers to " + id + " (" + describeType(typ) + "), not a Lambda function"
}

// qualify completes a target that is function fn of the template, invoked
// with qualifier q (an alias or version; "" for the function itself).
func (e *expander) qualify(out resolved, fn, q string) (resolved, string) {
	out.Function = fn
	qv := q // the qualifier's value: a parameter's, when it names one
	if id, attr, ok := cfn.SplitSubVar(q); ok && attr == "" {
		if _, isParam := e.params.Declared(id); isParam {
			qv = e.literal(tree.NewObject("Ref", id))
		}
	}
	switch {
	case q == "" || q == "$LATEST": // Lambda keeps no permissions for $LATEST: the function's cover it

		out.Name = tree.NewObject("Fn::GetAtt", []any{fn, "Arn"})
		out.ID = fn
	case strings.HasPrefix(q, "${!stageVariables.") || strings.HasPrefix(q, "${stageVariables."):
		out.StageVariable, out.ID = true, fn
	case strings.Contains(q, cfn.Opaque):
		out.unknown, out.ID = true, fn
	default:
		if alias := e.aliasResource(fn, q, qv); alias != "" {
			out.Resource, out.Name, out.ID = alias, tree.NewObject("Ref", alias), alias
			return out, ""
		}
		if e.res.Type(fn) == cfn.TypeSAMFunction {
			if a := e.samProperty(fn, "AutoPublishAlias"); a != nil && e.literal(a) == qv {
				out.Name, out.ID = tree.NewObject("Ref", fn+".Alias"), fn+"Alias"
				return out, ""
			}
		}
		out.Name = tree.NewObject("Fn::Sub", "${"+fn+".Arn}:"+q)
		if strings.Contains(q, "${") {
			out.ID = fn + "Qualifier" + logicalPart(q)
		} else {
			out.ID = logicalPart(cfn.SAMAliasID(fn, q)) // as SAM names an alias
		}
	}
	return out, ""
}

// aliasResource finds the AWS::Lambda::Alias or AWS::Lambda::Version
// resource that qualifier q of function fn names: an alias whose Name is q,
// or the version whose ${V.Version} q is.
func (e *expander) aliasResource(fn, q, qv string) string {
	if id, attr, ok := cfn.SplitSubVar(q); ok && attr == "Version" && e.res.Type(id) == cfn.TypeVersion && e.res.FunctionOf(id) == fn {
		return id
	}
	found := ""
	e.res.Each(func(id string, _ *tree.Object) {
		if found != "" || e.res.Type(id) != cfn.TypeAlias || e.res.FunctionOf(id) != fn {
			return
		}
		if name, _ := e.res.Properties(id).Get("Name"); qv != "" && e.literal(name) == qv {
			found = id
		}
	})
	return found
}

// logicalPart keeps the letters and digits of s, for a logical ID.
func logicalPart(s string) string {
	var b strings.Builder
	for _, c := range cfn.StripRefs(s) + strings.Join(refNames(s), "") {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// functionNamed is the function of this template whose ARN r spells out:
// in this stack's region and account, with the name the function's
// FunctionName gives it; or "".
func (e *expander) functionNamed(r cfn.FunctionARN) string {
	if !sameAs(r.Region, "${AWS::Region}", e.stack.Region) || r.Region == "*" ||
		!sameAs(r.Account, "${AWS::AccountId}", e.stack.AccountID) || r.Account == "*" {
		return ""
	}
	found := ""
	e.res.Each(func(id string, _ *tree.Object) {
		if found != "" || !cfn.IsFunction(e.res.Type(id)) {
			return
		}
		name, _ := e.res.Properties(id).Get("FunctionName")
		if flat, ok := cfn.Flatten(name); ok && flat == r.Name && !strings.Contains(flat, cfn.Opaque) {
			found = id
		}
	})
	return found
}
