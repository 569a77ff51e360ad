package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// The shorthand is expanded only where it can work. These checks make sure
// that a fragment never comes back with a shorthand still in it, which
// CloudFormation would refuse with an unrelated message or, in an OpenAPI
// document, silently deploy as a synchronous API.

const templateTransform = "add Transform: AsyncInvoke at the top of the template (with SAM: Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]) and remove the Fn::Transform"

// snippet refuses a fragment without Resources that holds the shorthand:
// the macro was called as Fn::Transform on a part of a template, where it
// cannot see the function, the API or the permissions it must add.
func (e *expander) snippet(f *tree.Object) {
	shorthandKeys(f, func(path []string) {
		e.fail(codeSnippet, locOf(path), "the macro runs on the whole template, not on a snippet given to Fn::Transform: it needs the template's functions, APIs and permissions; %s", templateTransform)
	})
}

// loops refuses the shorthand inside Fn::ForEach, which only
// AWS::LanguageExtensions expands, after the macro when it is listed
// after it.
func (e *expander) loops(resources *tree.Object) {
	for _, m := range resources.Members {
		if !strings.HasPrefix(m.Key, "Fn::ForEach::") {
			continue
		}
		shorthandKeys(m.Value, func(path []string) {
			e.fail(codeForEach, locOf(append([]string{"Resources", m.Key}, path...)), "is inside %s, which AWS::LanguageExtensions expands; it must run before AsyncInvoke: list it first, Transform: [AWS::LanguageExtensions, AsyncInvoke]", m.Key)
		})
	}
}

// leftovers refuses any shorthand still in the fragment after the
// expansion: it stands where the macro does not expand it. (Those it
// refused already with a better reason are gone, or inside a loop.)
func (e *expander) leftovers(fragment any) {
	shorthandKeys(fragment, func(full []string) {
		path, key := full[:len(full)-1], full[len(full)-1]
		switch {
		case e.reported(full):
			return // refused with its reason
		case len(path) == 1 && isSection(path[0]):
			return // a logical ID or name that happens to be AsyncInvoke
		case len(path) > 0 && path[0] == "Mappings":
			return // data
		case len(path) > 1 && path[0] == "Resources" && strings.HasPrefix(path[1], "Fn::ForEach::"):
			return // refused by loops
		case len(path) == 4 && path[0] == "Resources" && path[2] == "Properties" && path[3] == "Integration" && key == Shorthand && e.res.Type(path[1]) == cfn.TypeMethod:
			e.fail(codeMisplaced, locOf(full), "AsyncInvoke goes on the method's Properties, beside Integration, not inside it; move it up one level")
			return
		case len(path) == 2 && path[0] == "Resources" && key == Shorthand && e.res.Type(path[1]) == cfn.TypeMethod:
			e.fail(codeMisplaced, locOf(full), "AsyncInvoke goes in the method's Properties, not beside its Type; move it into Properties")
			return
		}
		for i, k := range path {
			if cfn.IsIntrinsic(k) {
				e.fail(codeInsideIntrinsic, locOf(full), "%s is inside %s (at %s), which the macro does not read through there, so it would be left in the template: the macro expands it on an AWS::ApiGateway::Method's Properties and on OpenAPI operations, and through Fn::If only around a path item or an operation; write it outside the function, for example a method per case, each with its own Condition, or an Fn::If around the whole operation", key, k, Path(path[:i]).String())
				return
			}
		}
		e.fail(codeMisplaced, locOf(full), "%s is not where the macro expands it, so it would be left in the template; it belongs on an AWS::ApiGateway::Method's Properties (AsyncInvoke), or on an operation of an inline OpenAPI document in a REST API's Body or a SAM Api's DefinitionBody (x-async-invoke): move it there or remove it", key)
	})
}

func isSection(key string) bool {
	switch key {
	case "Parameters", "Resources", "Outputs", "Conditions", "Mappings", "Rules":
		return true
	}
	return false
}

// shorthandKeys calls f with the path of every AsyncInvoke and
// x-async-invoke key in v, from v down to the key. f must not keep path:
// its array is reused.
func shorthandKeys(v any, f func(path []string)) {
	tree.Walk(v, func(path []string, _ any) tree.Step {
		if n := len(path); n > 0 && (path[n-1] == Shorthand || path[n-1] == OpenAPIShorthand) {
			f(path)
		}
		return tree.Continue
	})
}

// locOf is the loc of a path.
func locOf(path []string) *loc {
	var l *loc
	for _, k := range path {
		l = &loc{parent: l, key: k}
	}
	return l
}
