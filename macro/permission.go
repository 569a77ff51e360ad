package macro

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/cfn"
	"github.com/asyncinvoke/asyncinvoke/tree"
)

const apiGatewayPrincipal = "apigateway.amazonaws.com"

// permissions plans one AWS::Lambda::Permission per (function, REST API)
// pair: one per method would soon hit Lambda's 20 KB policy size limit.
type permissions struct {
	existing map[string]bool // functions the template already lets API Gateway invoke
	planned  map[pair]bool   // (function, API) pairs already planned
	order    []plannedPermission
}

// pair is a function and the API that invokes it: a logical ID or, for an
// API that is not a Ref, its JSON.
type pair struct{ function, api string }

type plannedPermission struct {
	target target
	api    any
}

// init notes the functions that already have a permission for API Gateway.
func (p *permissions) init(e *expander) {
	p.existing = map[string]bool{}
	p.planned = map[pair]bool{}
	e.res.Each(func(id string, _ *tree.Object) {
		po := e.res.Properties(id)
		if e.res.Type(id) != "AWS::Lambda::Permission" || po == nil {
			return
		}
		if pr, _ := po.Get("Principal"); pr != apiGatewayPrincipal {
			return
		}
		fn, _ := po.Get("FunctionName")
		if ref := cfn.RefID(fn); ref != "" {
			p.existing[ref] = true
		}
	})
}

// want asks for a permission for API Gateway to invoke t from api, the
// RestApiId of a method or a reference to the RestApi of a document.
func (p *permissions) want(t target, api any) {
	if api == nil || p.existing[t.ID] {
		return
	}
	key := pair{function: t.ID}
	if k, id, _ := tree.Only(api); k == "Ref" {
		key.api, _ = id.(string)
	} else {
		key.api = string(tree.Encode(api))
	}
	if p.planned[key] {
		return
	}
	p.planned[key] = true
	p.order = append(p.order, plannedPermission{target: t, api: api})
}

// add appends the planned permissions to the template's resources and
// returns how many it added.
func (p *permissions) add(e *expander) int {
	for _, pp := range p.order {
		apiID := cfn.RefID(pp.api)
		if k, _, _ := tree.Only(pp.api); k != "Ref" {
			apiID = ""
		}
		var sourceARN any
		const arn = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
		name := apiID
		switch {
		case apiID != "":
			sourceARN = tree.NewObject("Fn::Sub", arn+"${"+apiID+"}/*/*")
		case isLiteral(pp.api):
			s, _ := pp.api.(string)
			sourceARN = tree.NewObject("Fn::Sub", arn+s+"/*/*")
			name = "Api" + shortHash(s)
		default:
			sourceARN = tree.NewObject("Fn::Sub", []any{arn + "${RestApiId}/*/*", tree.NewObject("RestApiId", pp.api)})
			name = "Api" + shortHash(string(tree.Encode(pp.api)))
		}
		res := tree.NewObject("Type", "AWS::Lambda::Permission")
		if c := e.condition(pp.target.ID, apiID); c != "" {
			res.Set("Condition", c)
		}
		res.Set("Properties", tree.NewObject(
			"Action", "lambda:InvokeFunction",
			"FunctionName", e.functionName(pp.target),
			"Principal", apiGatewayPrincipal,
			"SourceArn", sourceARN,
		))
		e.res.Section.Set(e.freeID(pp.target.ID+name+"AsyncInvokePermission"), res)
	}
	return len(p.order)
}

func isLiteral(v any) bool {
	s, ok := v.(string)
	return ok && !strings.Contains(s, "${")
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:4]))
}

// freeID returns id, or id with a number after it when a resource already
// has that logical ID. Logical IDs are alphanumeric and at most 255 long.
func (e *expander) freeID(id string) string {
	if len(id) > 240 {
		id = id[:232] + shortHash(id)
	}
	base := id
	for n := 2; e.res.Section.Has(id); n++ {
		id = base + strconv.Itoa(n)
	}
	return id
}

// condition is the condition the permission needs so that it exists exactly
// when both the function and the API do: the function's, the API's, or a new
// condition that is true when both are.
func (e *expander) condition(fnID, apiID string) string {
	fc := e.res.Condition(fnID)
	ac := e.res.Condition(apiID)
	switch {
	case fc == "" || fc == ac:
		return ac
	case ac == "":
		return fc
	}
	if e.conditions == nil {
		e.conditions = &tree.Object{}
		e.fragment.Set("Conditions", e.conditions)
	}
	both := tree.NewObject("Fn::And", []any{tree.NewObject("Condition", fc), tree.NewObject("Condition", ac)})
	base := "AsyncInvoke" + fc + "And" + ac
	for n := 1; ; n++ {
		name := base
		if n > 1 {
			name += strconv.Itoa(n)
		}
		existing, taken := e.conditions.Get(name)
		if !taken {
			e.conditions.Set(name, both)
			return name
		}
		if tree.Equal(existing, both) {
			return name // added by an earlier permission
		}
	}
}
