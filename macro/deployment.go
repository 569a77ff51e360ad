package macro

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// A stage runs a deployment, a snapshot of its REST API taken when the
// AWS::ApiGateway::Deployment is created; CloudFormation creates one only
// for a new logical ID (or a new RestApiId), and updates the methods of a
// deployed stage without deploying them. A method the macro makes
// asynchronous on a stage deployed before would stay synchronous there,
// silently. So, as SAM (the deployment of an AWS::Serverless::Api) and CDK
// (RestApi's latestDeployment) do, the macro gives each deployment of an
// API whose methods it expanded a logical ID that ends with a hash of what
// it expanded: when that changes (a method made asynchronous, or expanded
// otherwise, by an edit or by another version of the macro), the logical ID
// changes, CloudFormation creates a new deployment, the stage that
// references it moves to it, and the old one is deleted. When nothing
// changes, neither does the ID. Every Ref, Fn::GetAtt, Fn::Sub and DependsOn
// that names the deployment follows it. What it cannot do, it says
// (NoteDeployment).

// expanded is a method or operation the macro expanded: its REST API as
// its RestApiId writes it, where it is, and what it became.
type expanded struct {
	api    any    // RestApiId; Ref of the RestApi or SAM Api for an operation
	method string // the logical ID of an AWS::ApiGateway::Method; "" for an operation
	where  *loc
	value  *tree.Object // the method's Properties, or the operation
}

// apiKey identifies a REST API as templates write it: by logical ID for a
// resource of the template (Ref or Fn::GetAtt RestApiId), else by the
// expression.
func apiKey(v any) string {
	if id := cfn.RestAPI(v); id != "" {
		return "ref:" + id
	}
	return string(tree.Encode(v))
}

// deploymentSuffix is 8 hexadecimal digits (upper case, so alphanumeric) of
// a hash of what the macro expanded for one API.
func deploymentSuffix(changes []expanded) string {
	h := sha256.New()
	for _, c := range changes {
		h.Write([]byte(c.where.path().String()))
		h.Write([]byte{0})
		h.Write(tree.Encode(c.value))
		h.Write([]byte{0})
	}
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)[:4]))
}

// redeploy renames the deployments of the APIs whose methods or operations
// the macro expanded, and notes what it cannot do.
func (e *expander) redeploy() {
	if len(e.expanded) == 0 {
		return
	}
	byAPI := map[string][]expanded{}
	var apis []string
	for _, c := range e.expanded {
		k := apiKey(c.api)
		if _, seen := byAPI[k]; !seen {
			apis = append(apis, k)
		}
		byAPI[k] = append(byAPI[k], c)
	}
	deployments := map[string][]string{} // API key: logical IDs of its deployments
	e.res.Each(func(id string, _ *tree.Object) {
		if e.res.Type(id) == cfn.TypeDeployment {
			k := apiKey(valueOf(e.res.Properties(id), "RestApiId"))
			deployments[k] = append(deployments[k], id)
		}
	})
	renames := map[string]string{}
	taken := map[string]bool{}
	for _, k := range apis {
		changes := byAPI[k]
		ids := deployments[k]
		if len(ids) == 0 {
			e.undeployed(changes[0])
			continue
		}
		suffix := deploymentSuffix(changes)
		for _, id := range ids {
			if strings.HasSuffix(id, suffix) {
				continue // named for what the API runs now: expanded before
			}
			where := resourcesLoc.at(id)
			if _, has := e.res.Properties(id).Get("StageDescription"); has {
				e.noteOf(NoteDeployment, where.at("Properties").at("StageDescription"), "%s; the macro cannot give this deployment a new logical ID, as it does to create a new deployment when they change: CloudFormation refuses a new deployment with StageDescription for a stage that exists; move the stage's settings to an AWS::ApiGateway::Stage (DeploymentId: !Ref %s) and remove StageName and StageDescription here, or deploy the API to its stage after each update that changes them (aws apigateway create-deployment)", staleStage(changes[0].api), id)
				continue
			}
			to := id + suffix
			if len(to) > maxLogicalID || e.named(to) || taken[to] {
				e.noteOf(NoteDeployment, where, "%s; the macro cannot give this deployment the new logical ID %s, which it does to create a new deployment when they change: that name is too long, or taken; rename the deployment yourself when they change, or deploy the API to its stage after each update that changes them (aws apigateway create-deployment)", staleStage(changes[0].api), to)
				continue
			}
			taken[to] = true
			renames[id] = to
			e.dependOn(id, changes)
		}
	}
	if len(renames) == 0 {
		return
	}
	for i, m := range e.res.Section.Members {
		if to, ok := renames[m.Key]; ok {
			e.res.Section.Members[i].Key = to
		}
	}
	e.stats.Deployments += len(renames)
	for i := range e.fragment.Members {
		m := &e.fragment.Members[i]
		m.Value = renameRefs(m.Value, renames, m.Key == "Resources")
	}
}

// staleStage says what a stage deployed before runs.
func staleStage(api any) string {
	name := cfn.RestAPI(api)
	if name == "" {
		name = describe(api)
	}
	return "a stage of " + name + " deployed before runs its methods as they were then: a method the macro makes asynchronous, or expands otherwise than before, reaches it only with a new deployment"
}

// dependOn makes deployment id depend on the methods of changes, so that
// CloudFormation creates it after it has updated them (a deployment made
// before would take the methods as they were). A method whose condition is
// not the deployment's cannot be depended on (CloudFormation refuses a
// dependency on a resource it may not create): that is noted.
func (e *expander) dependOn(id string, changes []expanded) {
	res, _ := e.res.Get(id)
	var deps []any
	dv, has := res.Get("DependsOn")
	switch d := dv.(type) {
	case string:
		deps = []any{d}
	case []any:
		deps = d
	}
	n := len(deps)
	for _, c := range changes {
		if c.method == "" || containsString(deps, c.method) || e.names(c.method, id) {
			continue // an operation; named already; or a method that depends on the deployment itself
		}
		if cond := e.res.Condition(c.method); cond != "" && cond != e.res.Condition(id) {
			e.noteOf(NoteDeployment, resourcesLoc.at(id), "does not depend on %s, whose condition %s it does not share, so CloudFormation may create this deployment before it updates that method, and the stage would run the method as it was; add DependsOn: %s and the same Condition, or deploy the API to its stage after the update", c.method, cond, c.method)
			continue
		}
		deps = append(deps, c.method)
	}
	if len(deps) == n {
		return
	}
	if !has {
		res.Set("DependsOn", deps)
		return
	}
	for i, m := range res.Members {
		if m.Key == "DependsOn" {
			res.Members[i].Value = deps
		}
	}
}

// names reports whether resource from names resource to (a Ref, a
// Fn::GetAtt, a Fn::Sub, a DependsOn), so that a dependency the other way
// would be a cycle.
func (e *expander) names(from, to string) bool {
	res, _ := e.res.Get(from)
	text := tree.Encode(res)
	return bytes.Contains(text, []byte(`"`+to+`"`)) || bytes.Contains(text, []byte(`"`+to+`.`)) || bytes.Contains(text, []byte(`${`+to))
}

func containsString(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// undeployed notes a method on a REST API that is not a resource of this
// template, and that no deployment here deploys: the stack that deploys it
// does not see the change; or, for SAM's implicit API, SAM's deployment
// does not.
func (e *expander) undeployed(c expanded) {
	if c.method == "" {
		return // an operation's document is the API's, a resource of this template
	}
	if id := cfn.RestAPI(c.api); id != "" {
		if _, ok := e.res.Get(id); ok {
			return // the template's API; it deploys it, or you do, knowingly
		}
		if id == cfn.SAMImplicitAPI {
			e.noteOf(NoteDeployment, c.where.at("RestApiId"), "names %s, the REST API SAM makes for this template's Api events (its implicit API), with a deployment and the stage %s; SAM makes that deployment from the OpenAPI document it writes for the events, which does not hold this method, and does not make it wait for this method, so the stage may run without it (API Gateway answers 403 Missing Authentication Token), even after the stack's first deployment, and keeps running it as it was after a change; declare the API as an AWS::Serverless::Api (RestApiId: !Ref it on the events) with this operation in its DefinitionBody, x-async-invoke beside its x-amazon-apigateway-integration, whose deployment SAM makes from what the macro expanded; or deploy %s yourself, with an AWS::ApiGateway::Deployment (RestApiId: !Ref %s) to a stage other than %s, which the macro renames when this method changes", cfn.SAMImplicitAPI, cfn.SAMImplicitStage, cfn.SAMImplicitAPI, cfn.SAMImplicitAPI, cfn.SAMImplicitStage)
			return
		}
	}
	e.noteOf(NoteDeployment, c.where.at("RestApiId"), "names a REST API that is not a resource of this template, and no AWS::ApiGateway::Deployment here deploys it: a stage of that API keeps running this method as it was (synchronous, if it was) until the API is deployed to it again, which its own stack does not do for a change made here; after each update, run aws apigateway create-deployment --rest-api-id ID --stage-name STAGE")
}

// renameRefs rewrites, in v, every reference to a renamed logical ID: Ref
// X, Fn::GetAtt X.Attr (either form), ${X} and ${X.Attr} in a Fn::Sub whose
// variables do not name X, and, in the Resources section (resources), a
// resource's DependsOn. A Raw value that holds none of the old IDs is left
// as it came.
func renameRefs(v any, renames map[string]string, resources bool) any {
	switch v := v.(type) {
	case tree.Raw:
		for old := range renames {
			if bytes.Contains(v, []byte(old)) {
				d, err := v.Decode()
				if err != nil {
					return v
				}
				return renameRefs(d, renames, resources)
			}
		}
		return v
	case []any:
		for i := range v {
			v[i] = renameRefs(v[i], renames, false)
		}
		return v
	case *tree.Object:
		if resources {
			for i := range v.Members {
				res := &v.Members[i]
				res.Value = renameRefs(res.Value, renames, false)
				if r, ok := res.Value.(*tree.Object); ok {
					for j := range r.Members {
						if r.Members[j].Key == "DependsOn" {
							r.Members[j].Value = renameDependsOn(r.Members[j].Value, renames)
						}
					}
				}
			}
			return v
		}
		if k, arg, ok := tree.Only(v); ok {
			switch k {
			case "Ref":
				if s, isStr := arg.(string); isStr && renames[s] != "" {
					v.Members[0].Value = renames[s]
				}
				return v
			case "Fn::GetAtt":
				switch a := arg.(type) {
				case string:
					if id, attr, found := strings.Cut(a, "."); found && renames[id] != "" {
						v.Members[0].Value = renames[id] + "." + attr
					}
				case []any:
					if len(a) > 0 {
						if s, isStr := a[0].(string); isStr && renames[s] != "" {
							a[0] = renames[s]
						}
					}
				}
				return v
			case "Fn::Sub":
				v.Members[0].Value = renameSub(arg, renames)
				return v
			}
		}
		for i := range v.Members {
			v.Members[i].Value = renameRefs(v.Members[i].Value, renames, false)
		}
	}
	return v
}

// renameSub rewrites the references of a Fn::Sub argument, a string or a
// [string, variables] pair, whose variables may themselves reference.
func renameSub(arg any, renames map[string]string) any {
	s, vars, ok := cfn.SubArgs(arg)
	if !ok {
		return renameRefs(arg, renames, false)
	}
	var b strings.Builder
	for _, p := range cfn.SplitSub(s) {
		id, attr := cfn.SplitRef(p.Ref)
		if to := renames[id]; p.Ref == "" || to == "" || vars.Has(id) {
			b.WriteString(p.Text)
			continue
		} else if attr != "" {
			b.WriteString("${" + to + "." + attr + "}")
		} else {
			b.WriteString("${" + to + "}")
		}
	}
	if vars == nil {
		return b.String()
	}
	a := arg.([]any)
	a[0] = b.String()
	a[1] = renameRefs(vars, renames, false)
	return a
}

// renameDependsOn rewrites a DependsOn, a logical ID or a list of them.
func renameDependsOn(v any, renames map[string]string) any {
	switch d := v.(type) {
	case string:
		if to := renames[d]; to != "" {
			return to
		}
	case []any:
		for i, x := range d {
			if s, ok := x.(string); ok && renames[s] != "" {
				d[i] = renames[s]
			}
		}
	}
	return v
}
