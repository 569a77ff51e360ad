package macro

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// An asynchronous call that fails every attempt is dropped by Lambda unless
// the function has somewhere to send its record. The options OnFailure,
// OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds become the
// function's AWS::Lambda::EventInvokeConfig (or a SAM function's
// EventInvokeConfig property), and the execution role is allowed to deliver.

// destination is where Lambda sends invocation records.
type destination struct {
	arn      any                  // the ARN as written
	kind     *cfn.DestinationKind // what it is (cfn.DestinationKinds); nil until known
	resource string               // the template's resource it is, or ""
	key      keyUse               // the KMS key it is encrypted with (kms.go)
	// conditions under which it exists (its resource's Condition): the
	// configuration sends records to it only where they hold, and keeps its
	// other settings everywhere.
	conditions []string
}

// settings asks for the configuration a shorthand's settings give what its
// integration invokes (wantInvokeConfig); when a number is out of range,
// and so no configuration is planned, its destinations are still checked.
func (e *expander) settings(targets []resolved, o Options) {
	if o.Config.refused {
		e.checkDestinations(o.Config)
		return
	}
	e.wantInvokeConfig(targets, o)
}

// checkDestinations checks, for their own problems, the destinations of a
// shorthand whose configuration is not planned (it cannot be read, or the
// function its integration invokes is not known): each is independent of
// the rest.
func (e *expander) checkDestinations(c InvokeConfig) {
	if c.where == nil {
		return
	}
	if c.OnFailure != nil {
		e.optionDestination(c.OnFailure, true, c.where.at("OnFailure"))
	}
	if c.OnSuccess != nil {
		e.optionDestination(c.OnSuccess, false, c.where.at("OnSuccess"))
	}
}

// destinationHelp says what a destination may be, for messages.
var destinationHelp = cfn.DestinationHelp()

// optionDestination reads OnFailure or OnSuccess: a destination, or
// Fn::If [Condition, destination, !Ref AWS::NoValue], which sends records
// there only where the condition holds (as a destination resource with that
// Condition would).
func (e *expander) optionDestination(v any, onFailure bool, where *loc) (destination, bool) {
	c, a, b, isIf := ifArgs(v)
	if !isIf {
		return e.destination(v, onFailure, where)
	}
	w := where.at("Fn::If")
	if !e.isCondition(c, w.at("0")) {
		return destination{arn: v}, false
	}
	switch {
	case tree.Equal(b, noValue) && !tree.Equal(a, noValue):
		d, ok := e.optionDestination(a, onFailure, w.at("1"))
		if !contains(d.conditions, c) {
			d.conditions = append([]string{c}, d.conditions...)
		}
		return d, ok
	case tree.Equal(a, noValue) && !tree.Equal(b, noValue):
		e.fail(codeConditionalDestination, where, "sends records only where condition %s does not hold; the macro applies a destination where a condition holds: write !If [Not%s, destination, !Ref AWS::NoValue] with a condition Not%s: !Not [!Condition %s]", c, c, c, c)
	case tree.Equal(a, noValue):
		e.fail(codeConditionalDestination, where, "has no destination in either branch; remove it")
	default:
		e.fail(codeConditionalDestination, where, "chooses between two destinations by condition %s; the macro applies one destination, where a condition holds (!If [%s, destination, !Ref AWS::NoValue]) or where its resource exists (its Condition), and retries and event age everywhere; to send records to another under the other case, write the function's AWS::Lambda::EventInvokeConfig (and its role's permissions) yourself, and remove OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds from the shorthand", c, c)
	}
	return destination{arn: v}, false
}

// destination reads a destination option. onFailure: S3 is allowed.
func (e *expander) destination(v any, onFailure bool, where *loc) (destination, bool) {
	d := destination{arn: v}
	flat, _ := cfn.Flatten(v)
	if ref, ok := cfn.ParseFunctionARN(flat); ok && ref.Head != "" && ref.Qualifier == "" && !ref.Opaque() {
		id, attr := cfn.SplitRef(ref.Head)
		if p, isParam := e.params.Declared(id); isParam && attr == "" {
			val := e.literal(tree.NewObject("Ref", id))
			if typ, _ := p.Get("Type"); typ != nil && typ != "String" {
				e.fail(codeUnseenDestination, where, "refers to parameter %s of type %s, whose value the macro cannot see, so the kind of destination cannot be known; give the ARN as a String parameter, or %s", id, describe(typ), destinationHelp)
				return d, false
			}
			if val == "" {
				e.fail(codeUnseenDestination, where, "refers to parameter %s, which has no value and no Default, so the kind of destination cannot be known; %s", id, destinationHelp)
				return d, false
			}
			flat, _ = cfn.Flatten(val)
		} else {
			kind, code, msg := e.destinationResource(id, attr)
			if msg != "" {
				if code != codeFIFO {
					msg += "; " + destinationHelp
				}
				e.fail(code, where, "%s", msg)
				return d, false
			}
			d.kind, d.resource = kind, id
		}
	}
	if d.kind == nil && cfn.IsIntrinsicValue(v) && (flat == "" || strings.Contains(flat, cfn.Opaque)) {
		e.fail(codeUnseenDestination, where, "is %s, whose value the macro cannot see (CloudFormation knows it only when it deploys), so it cannot tell which kind of destination it is, and so which permission the execution role needs (and SAM's Type); give the ARN as a String parameter (!Ref FailureQueueArn: the macro reads its value or Default), or write it out with !Sub (arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:shared-dlq)", describe(v))
		return d, false
	}
	if d.kind == nil {
		kind, resource, ok := e.destinationARN(v, flat, where)
		if !ok {
			return d, false
		}
		d.kind, d.resource = kind, resource
	}
	if d.kind.OnFailureOnly && !onFailure {
		e.fail(codeOnFailureOnly, where, "is %s, which Lambda supports for on-failure records only; use OnFailure, or another destination for OnSuccess", d.kind.What)
		return d, false
	}
	d.key = e.kmsKeyOf(d.resource)
	if c := e.res.Condition(d.resource); d.resource != "" && c != "" {
		d.conditions = append(d.conditions, c)
	}
	return d, true
}

// destinationARN reads a destination's ARN (flat, v flattened): its kind,
// and the template's resource it names by the reference that is its name
// (${Queue.QueueName}, ${Bucket}), or "".
func (e *expander) destinationARN(v any, flat string, where *loc) (*cfn.DestinationKind, string, bool) {
	segs := cfn.SplitARN(flat)
	var kind *cfn.DestinationKind
	if len(segs) >= 6 && segs[0] == "arn" {
		kind, _ = cfn.DestinationKindOf(segs[2])
	}
	if kind == nil {
		e.fail(codeNotDestination, where, "is %s, which is not the ARN of a destination Lambda can send invocation records to; %s", describe(v), destinationHelp)
		return nil, "", false
	}
	part := strings.Join(segs[5:], ":")
	named := ""
	for _, name := range refNames(part) {
		id, attr := cfn.SplitRef(name)
		k, r, isDestination := cfn.DestinationResourceOf(e.res.Type(id))
		if !isDestination || k != kind || r.Name == "" || attr != strings.TrimPrefix(r.Name, "Ref") {
			continue
		}
		if _, code, msg := e.destinationResource(id, strings.TrimPrefix(r.ARN[0], "Ref")); msg != "" {
			e.fail(code, where, "%s", msg)
			return nil, "", false
		}
		named = id
	}
	switch {
	case strings.TrimSuffix(strings.TrimPrefix(part, kind.ARNPrefix), "/") == "":
		e.fail(codeNotDestination, where, "is %s, which names no %s; %s", describe(v), cfn.DestinationNouns(), destinationHelp)
	case kind.FIFO && strings.HasSuffix(part, ".fifo"):
		e.fail(codeFIFO, where, "is a FIFO %s; Lambda sends invocation records only to %s; use a standard one", kind.Noun, standard(nil))
	case kind.ARNOK(part) != "":
		fix := kind.Fix
		if fix == "" {
			fix = destinationHelp
		}
		e.fail(codeNotDestination, where, "is %s; %s", kind.ARNOK(part), fix)
	default:
		return kind, named, true
	}
	return nil, "", false
}

// standard says which kinds Lambda takes only the standard ones of (not
// FIFO): standard SQS queues and SNS topics; only kind's when it is one.
func standard(kind *cfn.DestinationKind) string {
	var kinds []string
	for _, k := range cfn.DestinationKinds {
		if k.FIFO && (kind == nil || k.Type == kind.Type) {
			kinds = append(kinds, k.Type+" "+k.Noun+"s")
		}
	}
	return "standard " + strings.Join(kinds, " and ")
}

// destinationResource reads the kind of destination that Ref X (attr "")
// or Fn::GetAtt X.attr gives, or says why it is none, and the rule's code.
func (e *expander) destinationResource(id, attr string) (*cfn.DestinationKind, Code, string) {
	typ := e.res.Type(id)
	if _, isRes := e.res.Get(id); !isRes {
		return nil, codeNotDestination, "refers to " + id + ", which is neither a resource nor a parameter of this template"
	}
	kind, r, ok := cfn.DestinationResourceOf(typ)
	if !ok {
		return nil, codeNotDestination, "refers to " + id + " (" + describeType(typ) + "), which Lambda cannot send invocation records to"
	}
	if typ == cfn.TypeSAMFunction && (attr == "Alias" || attr == "Version") {
		if e.samProperty(id, "AutoPublishAlias") == nil {
			return nil, codeNotDestination, "uses " + id + "." + attr + ", but " + id + " has no AutoPublishAlias, so SAM creates no " + attr + " for it"
		}
		return kind, "", "" // SAM's Function.Alias: its Ref is the alias's ARN
	}
	ref := attr
	if ref == "" {
		ref = "Ref"
	}
	if !slices.Contains(r.ARN, ref) {
		if ref == "Ref" && r.RefIs != "" {
			return nil, codeNotDestination, "is !Ref " + id + ", which is the " + kind.Noun + "'s " + r.RefIs + "; Lambda needs its ARN, " + cfn.ShortRef(id, r.ARN[0])
		}
		forms := make([]string, len(r.ARN))
		for i, a := range r.ARN {
			forms[i] = cfn.ShortRef(id, a)
		}
		return nil, codeNotDestination, "takes " + strings.Join(forms, " or ") + ", the ARN of " + typ + " " + id + ", not its " + attr + " attribute"
	}
	if r.FIFOProperty != "" {
		props := e.res.Properties(id)
		f, _ := props.Get(r.FIFOProperty)
		fifo, _ := boolean(e.resolved(f))
		n, _ := props.Get(r.NameProperty)
		if fifo || strings.HasSuffix(e.literal(n), ".fifo") {
			return nil, codeFIFO, id + " is a FIFO " + kind.Noun + "; Lambda sends invocation records only to " + standard(kind) + "; use a standard one"
		}
	}
	return kind, "", ""
}

// grants are the permissions a destination needs (its kind's Actions, and
// KeyActions on its key).
func (d destination) grants() []grant {
	var gs []grant
	for _, a := range d.kind.Actions {
		on := d.arn
		if a.Suffix != "" {
			on = withSuffix(d.arn, a.Suffix)
		}
		gs = append(gs, grant{a.Action, on})
	}
	if d.key.arn != nil {
		for _, action := range d.kind.KeyActions {
			gs = append(gs, grant{action, d.key.arn})
		}
	}
	return gs
}

// withSuffix is an ARN followed by suffix: a bucket's objects, ARN/*.
func withSuffix(arn any, suffix string) any {
	if s, ok := arn.(string); ok {
		return s + suffix
	}
	if flat, ok := cfn.Flatten(arn); ok && !strings.Contains(flat, cfn.Opaque) {
		return tree.NewObject("Fn::Sub", flat+suffix)
	}
	return tree.NewObject("Fn::Join", []any{"", []any{arn, suffix}})
}

// destinationNamed is the resource of the template that destination ARN v
// names: by a reference that is its ARN (!GetAtt Queue.Arn, ${Queue.Arn},
// !Ref Topic), or spelled out, in the stack's region and account, with the
// reference that is its name (arn:${AWS::Partition}:sqs:${AWS::Region}:
// ${AWS::AccountId}:${Queue.QueueName}); "" otherwise. Two ARNs that name
// one are the same destination however they are written.
func (e *expander) destinationNamed(v any) string {
	flat, ok := cfn.Flatten(v)
	if !ok || strings.Contains(flat, cfn.Opaque) {
		return ""
	}
	named := func(id, attr string, kind *cfn.DestinationKind) string {
		if attr == "" {
			attr = "Ref"
		}
		k, r, isDestination := cfn.DestinationResourceOf(e.res.Type(id))
		switch {
		case !isDestination:
		case kind == nil && slices.Contains(r.ARN, attr), kind == k && r.Name == attr:
			return id
		}
		return ""
	}
	if id, attr, ok := cfn.SplitSubVar(flat); ok {
		return named(id, attr, nil)
	}
	segs := cfn.SplitARN(flat)
	if len(segs) < 6 || segs[0] != "arn" {
		return ""
	}
	here := func(seg, pseudo, value string) bool { return seg == "" || seg == pseudo || value != "" && seg == value }
	kind, _ := cfn.DestinationKindOf(segs[2])
	if kind == nil || !here(segs[3], "${AWS::Region}", e.stack.Region) || !here(segs[4], "${AWS::AccountId}", e.stack.AccountID) {
		return ""
	}
	name, isName := strings.CutPrefix(strings.Join(segs[5:], ":"), kind.ARNPrefix)
	id, attr, ok := cfn.SplitSubVar(name)
	if !isName || !ok {
		return ""
	}
	return named(id, attr, kind)
}
