package cfn

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// SAMGlobals is the Function section of a template's Globals, which SAM
// merges into every AWS::Serverless::Function; nil when there is none.
func SAMGlobals(t *tree.Object) *tree.Object { return SAMGlobalsFor(t, TypeSAMFunction) }

// SAMGlobalsFor is the section of a template's Globals that SAM merges into
// every resource of SAM type typ: Function for AWS::Serverless::Function, Api
// for AWS::Serverless::Api; nil when there is none.
func SAMGlobalsFor(t *tree.Object, typ string) *tree.Object {
	g, _ := t.Get("Globals")
	gs, _ := g.(*tree.Object)
	s, _ := gs.Get(strings.TrimPrefix(typ, "AWS::Serverless::"))
	so, _ := s.(*tree.Object)
	return so
}

// MergeGlobals is a SAM resource's property as SAM makes it from the
// Globals' value and the resource's own (samtranslator's GlobalProperties):
// the resource's values win, objects are merged key by key, lists are
// concatenated (Globals' first), and an intrinsic function counts as a
// plain value.
func MergeGlobals(global, own any) any {
	if gl, ok := global.([]any); ok {
		if ol, ok := own.([]any); ok {
			return append(slices.Clip(gl), ol...)
		}
	}
	g, gok := global.(*tree.Object)
	o, ook := own.(*tree.Object)
	if !gok || !ook || IsIntrinsicValue(g) || IsIntrinsicValue(o) {
		if own != nil {
			return own
		}
		return global
	}
	m := &tree.Object{}
	for _, member := range g.Members {
		if ov, has := o.Get(member.Key); has {
			m.Set(member.Key, MergeGlobals(member.Value, ov))
		} else {
			m.Set(member.Key, member.Value)
		}
	}
	for _, member := range o.Members {
		if !m.Has(member.Key) {
			m.Set(member.Key, member.Value)
		}
	}
	return m
}

// SAMGlobal is the value globals (the section of Globals for the
// resource's type, SAMGlobalsFor) gives property key of SAM resource id,
// unless the resource's IgnoreGlobals attribute ("*", or a list of
// properties) leaves it out; nil when none.
func (r *Resources) SAMGlobal(globals *tree.Object, id, key string) any {
	res, _ := r.Get(id)
	switch ignore, _ := res.Get("IgnoreGlobals"); ignore := ignore.(type) {
	case string:
		if ignore == "*" {
			return nil
		}
	case []any:
		if slices.Contains(ignore, any(key)) {
			return nil
		}
	}
	v, _ := globals.Get(key)
	return v
}

// SAMProperty is a property of resource id as deployed: for a SAM
// resource, merged with globals (SAMGlobalsFor its type) as SAM merges
// it. A property the resource sets to null stays null, as in SAM.
func (r *Resources) SAMProperty(globals *tree.Object, id, key string) any {
	own, has := r.Properties(id).Get(key)
	if !strings.HasPrefix(r.Type(id), "AWS::Serverless::") || has && own == nil {
		return own
	}
	return MergeGlobals(r.SAMGlobal(globals, id, key), own)
}

// SAMImplicitAPI is the logical ID of the REST API SAM makes for the Api
// events of a template's functions that name no RestApiId, its implicit
// API, and SAMImplicitStage its stage's name
// (samtranslator/plugins/api/implicit_rest_api_plugin.py). SAM deploys it
// from the OpenAPI document it writes for those events: a method of the
// template on that API is neither in the document nor waited for.
const (
	SAMImplicitAPI   = "ServerlessRestApi"
	SAMImplicitStage = "Prod"
)

// The logical IDs SAM gives what it makes for an AWS::Serverless::Function
// fn (samtranslator/model/sam_resources.py), for references the template
// makes to them before SAM runs.

// samAliasIDPart writes an alias name as SAM writes it in a logical ID:
// alias names hold letters, digits, - and _ (SAM refuses any other), and
// SAM writes - as D and _ as U.
var samAliasIDPart = strings.NewReplacer("-", "D", "_", "U")

// SAMAliasID is the logical ID of the AWS::Lambda::Alias that SAM makes for
// fn's AutoPublishAlias name: fn + "Alias" + name, with - written D and _
// written U (live-v2 → FnAliasliveDv2).
func SAMAliasID(fn, name string) string { return fn + "Alias" + samAliasIDPart.Replace(name) }

// SAMEventInvokeConfigID is the logical ID of the
// AWS::Lambda::EventInvokeConfig that SAM makes from fn's EventInvokeConfig.
func SAMEventInvokeConfigID(fn string) string { return fn + "EventInvokeConfig" }

// SAMDestinationID is the logical ID of the queue or topic that SAM makes
// for fn's EventInvokeConfig destination on (OnSuccess or OnFailure) of
// Type typ (DestinationKind.SAMCreates) when it has no Destination, or one
// under a condition; "" for a Type SAM makes none for.
func SAMDestinationID(fn, on, typ string) string {
	if k, ok := DestinationKindOfType(typ); ok && k.SAMCreates != "" {
		return SAMEventInvokeConfigID(fn) + on + k.SAMCreates
	}
	return ""
}
