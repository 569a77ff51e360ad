package macro

import (
	"fmt"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// route is an API method as Lambda sees the call in its source ARN:
// API/STAGE/METHOD/PATH. path is "" when the template does not tell it.
type route struct{ method, path string }

// permissions plans one AWS::Lambda::Permission per (target, REST API)
// pair: one per method would soon hit Lambda's 20 KB policy size limit. A
// pair gets none when the template's own permissions already cover every
// method that invokes the target from that API.
type permissions struct {
	existing []existingPermission
	planned  map[pair]int // index in order
	order    []plannedPermission
}

// pair is what a permission grants and the API it grants it to: a logical
// ID or, for an API that is not a reference, its JSON.
type pair struct{ target, api string }

type plannedPermission struct {
	target  target
	api     any    // the RestApiId expression
	apiID   string // its logical ID, or ""
	covered bool   // every method so far is covered by a permission of the template
}

// existingPermission is an AWS::Lambda::Permission of the template that
// lets API Gateway invoke something.
type existingPermission struct {
	target    string // target.key() of what it grants
	condition string
	sourceARN string // flattened; "" when it has none
	source    any    // the SourceArn as written
}

// init notes the template's permissions for API Gateway.
func (p *permissions) init(e *expander) {
	p.planned = map[pair]int{}
	e.res.Each(func(id string, _ *tree.Object) {
		po := e.res.Properties(id)
		if e.res.Type(id) != cfn.TypePermission || po == nil {
			return
		}
		if pr, _ := po.Get("Principal"); !isAPIGatewayPrincipal(pr) {
			return
		}
		if a, _ := po.Get("Action"); !grantsInvoke(a) {
			return
		}
		fn, _ := po.Get("FunctionName")
		ep := existingPermission{target: string(tree.Encode(fn)), condition: e.res.Condition(id)}
		if flat, ok := cfn.Flatten(fn); ok {
			if r, ok := cfn.ParseFunctionARN(flat); ok {
				if res, msg := e.resolveFunction(r); msg == "" && res.Name != nil {
					ep.target = res.key()
				}
			}
		}
		if src, has := po.Get("SourceArn"); has {
			ep.source = src
			ep.sourceARN, _ = cfn.Flatten(src)
			if ep.sourceARN == "" {
				ep.sourceARN = cfn.Opaque
			}
		}
		p.existing = append(p.existing, ep)
	})
}

func isAPIGatewayPrincipal(v any) bool {
	if v == cfn.APIGatewayPrincipal {
		return true
	}
	flat, _ := cfn.Flatten(v)
	return flat == "apigateway.${AWS::URLSuffix}"
}

// grantsInvoke reports whether a permission's Action allows
// lambda:InvokeFunction: it, lambda:* or *.
func grantsInvoke(v any) bool {
	s, _ := v.(string)
	return cfn.ActionMatches(s, "lambda:InvokeFunction")
}

// wantPermissions asks for the permissions that let API Gateway call the
// targets an integration invokes, from api (a method's RestApiId, or a
// reference to the RestApi of a document) through r.
func (e *expander) wantPermissions(targets []resolved, o Options, api any, r route, where *loc) {
	if !o.Permission {
		return
	}
	// What to do once the permission is granted by hand: say so with
	// Permission: false, unless the macro grants another branch's function,
	// which Permission: false would leave without its permission.
	then := fmt.Sprintf("; then set Permission: false in %s to say so", shorthandOf(where))
	for _, t := range targets {
		if grantable(t) {
			then = fmt.Sprintf("; keep Permission on in %s: the macro still adds the permission for the other function this integration may invoke", shorthandOf(where))
			break
		}
	}
	for _, t := range targets {
		switch {
		case t.StageVariable:
			e.note(where, "invokes an alias a stage variable chooses, so the macro adds no permission (no one permission covers every alias): grant lambda:InvokeFunction to apigateway.amazonaws.com on each alias the stage variable may name, or calls through this method answer 500%s", then)
		case t.external:
			e.note(where, "invokes a function defined outside this template, so the macro adds no permission for API Gateway to invoke it: grant lambda:InvokeFunction to apigateway.amazonaws.com, with a SourceArn of this API, where the function is defined, or calls through this method answer 500%s", then)
		case t.Function == "" && t.Resource == "" && t.Name == nil:
			e.note(where, "invokes a function the macro cannot identify, so it adds no permission for API Gateway to invoke it: name the function with !GetAtt Function.Arn, or grant lambda:InvokeFunction to apigateway.amazonaws.com yourself%s", then)
		case t.Name == nil:
			e.fail(codeQualifier, where, "invokes %s with an alias or version the macro cannot read, so it cannot add the permission for API Gateway to invoke it; set Permission: false in %s and grant lambda:InvokeFunction on that alias or version yourself", t.Function, shorthandOf(where))
		default:
			e.perms.want(e, t.target, api, r)
		}
	}
}

// grantable reports whether the macro adds the permission to invoke t.
func grantable(t resolved) bool {
	return !t.StageVariable && !t.external && t.Name != nil
}

// shorthandOf is the name of the shorthand that applies at where: x-async-invoke
// within an OpenAPI integration, AsyncInvoke otherwise.
func shorthandOf(where *loc) string {
	for l := where; l != nil; l = l.parent {
		if l.key == cfn.IntegrationExtension {
			return OpenAPIShorthand
		}
	}
	return Shorthand
}

// want asks for a permission for API Gateway to invoke t from api through r.
func (p *permissions) want(e *expander, t target, api any, r route) {
	if api == nil {
		return
	}
	apiID := cfn.RestAPI(api)
	key := pair{target: t.key(), api: apiID}
	if apiID == "" {
		key.api = string(tree.Encode(api))
	}
	i, planned := p.planned[key]
	if !planned {
		i = len(p.order)
		p.planned[key] = i
		p.order = append(p.order, plannedPermission{target: t, api: api, apiID: apiID, covered: true})
	}
	pp := &p.order[i]
	if pp.covered && !p.covers(e, pp, r) {
		pp.covered = false
	}
}

// covers reports whether one of the template's permissions lets API
// Gateway invoke pp's target through r: one for the same function, alias or
// version, that exists whenever the permission the macro would add does,
// with no SourceArn, or one that matches every call of r from the API.
func (p *permissions) covers(e *expander, pp *plannedPermission, r route) bool {
	conditions := e.needs(pp.target, pp.apiID)
	for _, ep := range p.existing {
		if ep.target != pp.target.key() {
			continue
		}
		if ep.condition != "" && !cfn.Implied(e.conditions, ep.condition, conditions) {
			continue
		}
		if ep.sourceARN == "" || sourceARNCovers(ep.sourceARN, pp.apiID, e.stack, r) || tree.Equal(ep.source, sourceARNFor(pp)) {
			return true
		}
	}
	return false
}

// sourceARNCovers reports whether a flattened SourceArn matches every call
// of r from API api (a logical ID) in stack s, by cfn.SourceARNCovers.
func sourceARNCovers(arn, api string, s Stack, r route) bool {
	return cfn.SourceARNCovers(arn, cfn.Call{Partition: s.partition(), Region: s.Region, Account: s.AccountID, API: api, Method: r.method, Path: r.path})
}

// add appends the permissions not covered by the template's own to its
// resources and returns how many it added.
func (p *permissions) add(e *expander) int {
	n := 0
	for _, pp := range p.order {
		if pp.covered {
			continue
		}
		sourceARN := sourceARNFor(&pp)
		name := pp.apiID
		switch {
		case pp.apiID != "":
		case isLiteral(pp.api):
			s, _ := pp.api.(string)
			name = "Api" + shortHash(s)
		default:
			name = "Api" + shortHash(string(tree.Encode(pp.api)))
		}
		res := tree.NewObject("Type", cfn.TypePermission)
		if c := e.condition(e.needs(pp.target, pp.apiID)); c != "" {
			res.Set("Condition", c)
		}
		res.Set("Properties", tree.NewObject(
			"Action", "lambda:InvokeFunction",
			"FunctionName", pp.target.Name,
			"Principal", cfn.APIGatewayPrincipal,
			"SourceArn", sourceARN,
		))
		e.res.Section.Set(e.freeID(pp.target.ID+name+"AsyncInvokePermission"), res)
		n++
	}
	return n
}

// sourceARNFor is the SourceArn of the macro's permission: every stage,
// method and path of the API.
func sourceARNFor(pp *plannedPermission) any {
	const arn = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
	switch {
	case pp.apiID != "":
		return tree.NewObject("Fn::Sub", arn+"${"+pp.apiID+"}/*/*")
	case isLiteral(pp.api):
		s, _ := pp.api.(string)
		return tree.NewObject("Fn::Sub", arn+s+"/*/*")
	}
	return tree.NewObject("Fn::Sub", []any{arn + "${RestApiId}/*/*", tree.NewObject("RestApiId", pp.api)})
}

func isLiteral(v any) bool {
	s, ok := v.(string)
	return ok && !strings.Contains(s, "${")
}

// Permitted reports whether the permissions of a template (an expanded one,
// say) let API Gateway invoke what an integration's uri invokes, from api (a
// method's RestApiId, or !Ref to the API of a document) through method and
// path (path "" when not known), by the rules the macro adds its own by.
// values are the template parameter values. A function the template does not
// define, or cannot tell, is taken as permitted: its permissions are not in
// the template.
func Permitted(template *tree.Object, values map[string]any, api any, method, path string, uri any) bool {
	resources, _ := template.Get("Resources")
	section, ok := resources.(*tree.Object)
	if !ok {
		return false
	}
	e := &expander{params: cfn.Parameters{Given: values}}
	e.read(template, section)
	_, targets, ok := e.fixURI(tree.Clone(uri), &loc{key: "uri"})
	if !ok {
		return false
	}
	for _, t := range targets {
		if t.external || t.StageVariable || t.Name == nil {
			continue
		}
		pp := plannedPermission{target: t.target, api: api, apiID: cfn.RestAPI(api)}
		if !e.perms.covers(e, &pp, route{method: method, path: path}) {
			return false
		}
	}
	return true
}
