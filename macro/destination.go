package macro

import (
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
	arn      any    // the ARN as written
	kind     string // SAM's Type for it: SQS, SNS, Lambda, EventBridge, S3Bucket
	resource string // the template's resource it is, or ""
	key      keyUse // the KMS key it is encrypted with (kms.go)
	// conditions under which it exists (its resource's Condition): the
	// configuration sends records to it only where they hold, and keeps its
	// other settings everywhere.
	conditions []string
}

// destinationKinds maps an ARN's service to the kind of destination.
var destinationKinds = map[string]string{"sqs": "SQS", "sns": "SNS", "lambda": "Lambda", "events": "EventBridge", "s3": "S3Bucket"}

// nameRefs are, by resource type, the reference that is a destination's
// name (an attribute, or "" for Ref), by which an ARN spelled out names it,
// and the one that is its ARN.
var nameRefs = map[string]struct{ name, arn string }{
	cfn.TypeQueue: {"QueueName", "Arn"}, cfn.TypeTopic: {"TopicName", "TopicArn"},
	cfn.TypeBucket: {"", "Arn"}, cfn.TypeEventBus: {"", "Arn"},
	cfn.TypeFunction: {"", "Arn"}, cfn.TypeSAMFunction: {"", "Arn"},
}

// kindOf is the kind of destination of a resource type.
var kindOf = map[string]string{
	cfn.TypeQueue: "SQS", cfn.TypeTopic: "SNS", cfn.TypeBucket: "S3Bucket", cfn.TypeEventBus: "EventBridge",
	cfn.TypeFunction: "Lambda", cfn.TypeSAMFunction: "Lambda",
}

const destinationHelp = "give the ARN of a standard SQS queue (!GetAtt Queue.Arn), a standard SNS topic (!Ref Topic), a Lambda function (!GetAtt Function.Arn), an EventBridge event bus (!GetAtt Bus.Arn) or, on failure only, an S3 bucket (!GetAtt Bucket.Arn)"

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
		e.fail(where, "sends records only where condition %s does not hold; the macro applies a destination where a condition holds: write !If [Not%s, destination, !Ref AWS::NoValue] with a condition Not%s: !Not [!Condition %s]", c, c, c, c)
	case tree.Equal(a, noValue):
		e.fail(where, "has no destination in either branch; remove it")
	default:
		e.fail(where, "chooses between two destinations by condition %s; the macro applies one destination, where a condition holds (!If [%s, destination, !Ref AWS::NoValue]) or where its resource exists (its Condition), and retries and event age everywhere; to send records to another under the other case, write the function's AWS::Lambda::EventInvokeConfig (and its role's permissions) yourself, and remove OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds from the shorthand", c, c)
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
				e.fail(where, "refers to parameter %s of type %s, whose value the macro cannot see, so the kind of destination cannot be known; give the ARN as a String parameter, or %s", id, describe(typ), destinationHelp)
				return d, false
			}
			if val == "" {
				e.fail(where, "refers to parameter %s, which has no value and no Default, so the kind of destination cannot be known; %s", id, destinationHelp)
				return d, false
			}
			flat, _ = cfn.Flatten(val)
		} else {
			kind, msg := e.destinationResource(id, attr)
			if msg != "" {
				if !strings.Contains(msg, "FIFO") {
					msg += "; " + destinationHelp
				}
				e.fail(where, "%s", msg)
				return d, false
			}
			d.kind, d.resource = kind, id
		}
	}
	if d.kind == "" && cfn.IsIntrinsicValue(v) && (flat == "" || strings.Contains(flat, cfn.Opaque)) {
		e.fail(where, "is %s, whose value the macro cannot see (CloudFormation knows it only when it deploys), so it cannot tell which kind of destination it is, and so which permission the execution role needs (and SAM's Type); give the ARN as a String parameter (!Ref FailureQueueArn: the macro reads its value or Default), or write it out with !Sub (arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:shared-dlq)", describe(v))
		return d, false
	}
	if d.kind == "" {
		segs := cfn.SplitARN(flat)
		if len(segs) < 6 || segs[0] != "arn" || destinationKinds[segs[2]] == "" {
			e.fail(where, "is %s, which is not the ARN of a destination Lambda can send invocation records to; %s", describe(v), destinationHelp)
			return d, false
		}
		d.kind = destinationKinds[segs[2]]
		resource := strings.Join(segs[5:], ":")
		// A resource of the template, named by the reference that is its
		// name: ${Queue.QueueName}, ${Topic.TopicName}, ${Bucket},
		// ${Function}, ${Bus}.
		for _, name := range refNames(resource) {
			id, attr := cfn.SplitRef(name)
			typ := e.res.Type(id)
			byName, isName := nameRefs[typ]
			if !isName || attr != byName.name || d.kind != destinationKinds[segs[2]] || kindOf[typ] != d.kind {
				continue
			}
			if _, msg := e.destinationResource(id, byName.arn); msg != "" {
				e.fail(where, "%s", msg)
				return d, false
			}
			d.resource = id
		}
		switch {
		case strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(resource, "event-bus/"), "function:"), "/") == "":
			e.fail(where, "is %s, which names no queue, topic, function, bus or bucket; %s", describe(v), destinationHelp)
			return d, false
		case (d.kind == "SQS" || d.kind == "SNS") && strings.HasSuffix(resource, ".fifo"):
			e.fail(where, "is a FIFO %s; Lambda sends invocation records only to standard SQS queues and SNS topics; use a standard one", map[string]string{"SQS": "queue", "SNS": "topic"}[d.kind])
			return d, false
		case d.kind == "EventBridge" && !strings.HasPrefix(resource, "event-bus/"):
			e.fail(where, "is an EventBridge ARN but not an event bus's; %s", destinationHelp)
			return d, false
		case d.kind == "Lambda" && !strings.HasPrefix(resource, "function:"):
			e.fail(where, "is a Lambda ARN but not a function's; %s", destinationHelp)
			return d, false
		case d.kind == "S3Bucket" && strings.Contains(resource, "/"):
			e.fail(where, "is an S3 object ARN; give the bucket's ARN (arn:aws:s3:::bucket)")
			return d, false
		}
	}
	if d.kind == "S3Bucket" && !onFailure {
		e.fail(where, "is an S3 bucket, which Lambda supports for on-failure records only; use OnFailure, or another destination for OnSuccess")
		return d, false
	}
	d.key = e.kmsKeyOf(d.resource)
	if c := e.res.Condition(d.resource); d.resource != "" && c != "" {
		d.conditions = append(d.conditions, c)
	}
	return d, true
}

// destinationResource reads the kind of destination that Ref X (attr "")
// or Fn::GetAtt X.attr gives, or says why it is none.
func (e *expander) destinationResource(id, attr string) (string, string) {
	typ := e.res.Type(id)
	if _, isRes := e.res.Get(id); !isRes {
		return "", "refers to " + id + ", which is neither a resource nor a parameter of this template"
	}
	props := e.res.Properties(id)
	fifo := func(flag, name string) bool {
		f, _ := props.Get(flag)
		b, _ := boolean(e.resolved(f))
		n, _ := props.Get(name)
		return b || strings.HasSuffix(e.literal(n), ".fifo")
	}
	switch typ {
	case cfn.TypeQueue:
		switch {
		case attr == "":
			return "", "is !Ref " + id + ", which is the queue's URL; Lambda needs its ARN, !GetAtt " + id + ".Arn"
		case attr != "Arn":
			return "", "takes !GetAtt " + id + ".Arn, not its " + attr + " attribute"
		case fifo("FifoQueue", "QueueName"):
			return "", id + " is a FIFO queue; Lambda sends invocation records only to standard SQS queues; use a standard one"
		}
		return "SQS", ""
	case cfn.TypeTopic:
		switch {
		case attr != "" && attr != "TopicArn":
			return "", "takes !Ref " + id + " (the topic's ARN), not its " + attr + " attribute"
		case fifo("FifoTopic", "TopicName"):
			return "", id + " is a FIFO topic; Lambda sends invocation records only to standard SNS topics; use a standard one"
		}
		return "SNS", ""
	case cfn.TypeFunction, cfn.TypeSAMFunction:
		if typ == cfn.TypeSAMFunction && (attr == "Alias" || attr == "Version") {
			if e.samProperty(id, "AutoPublishAlias") == nil {
				return "", "uses " + id + "." + attr + ", but " + id + " has no AutoPublishAlias, so SAM creates no " + attr + " for it"
			}
			return "Lambda", "" // SAM's Function.Alias: its Ref is the alias's ARN
		}
		if attr != "Arn" {
			return "", "takes !GetAtt " + id + ".Arn, the function's ARN (!Ref gives its name)"
		}
		return "Lambda", ""
	case cfn.TypeAlias, cfn.TypeVersion:
		want := map[string]string{cfn.TypeAlias: "AliasArn", cfn.TypeVersion: "FunctionArn"}[typ]
		if attr != "" && attr != want {
			return "", "takes !Ref " + id + " or !GetAtt " + id + "." + want + ", the ARN of " + typ + " " + id + ", not its " + attr + " attribute"
		}
		return "Lambda", ""
	case cfn.TypeEventBus:
		if attr != "Arn" {
			return "", "takes !GetAtt " + id + ".Arn, the event bus's ARN (!Ref gives its name)"
		}
		return "EventBridge", ""
	case cfn.TypeBucket:
		if attr != "Arn" {
			return "", "takes !GetAtt " + id + ".Arn, the bucket's ARN (!Ref gives its name)"
		}
		return "S3Bucket", ""
	}
	return "", "refers to " + id + " (" + describeType(typ) + "), which Lambda cannot send invocation records to"
}

// grant is one permission the execution role needs to deliver records.
type grant struct {
	action   string
	resource any
}

// grants are the permissions a destination needs (Lambda's documentation,
// "Capturing records of Lambda asynchronous invocations").
func (d destination) grants(e *expander) []grant {
	var gs []grant
	switch d.kind {
	case "SQS":
		gs = []grant{{"sqs:SendMessage", d.arn}}
	case "SNS":
		gs = []grant{{"sns:Publish", d.arn}}
	case "Lambda":
		gs = []grant{{"lambda:InvokeFunction", d.arn}}
	case "EventBridge":
		gs = []grant{{"events:PutEvents", d.arn}}
	case "S3Bucket":
		gs = []grant{{"s3:PutObject", objectsOf(d.arn)}, {"s3:ListBucket", d.arn}}
	}
	if d.key.arn != nil {
		for _, action := range d.keyActions() {
			gs = append(gs, grant{action, d.key.arn})
		}
	}
	return gs
}

// keyActions are what delivering to d needs of its customer managed key
// (Lambda's documentation of on-failure destinations): SQS and SNS decrypt
// the data key they generate, S3 only generates one. An EventBridge bus
// uses its key as EventBridge, which the key's policy allows.
func (d destination) keyActions() []string {
	switch d.kind {
	case "SQS", "SNS":
		return []string{"kms:GenerateDataKey", "kms:Decrypt"}
	case "S3Bucket":
		return []string{"kms:GenerateDataKey"}
	}
	return nil
}

// objectsOf is the ARN of the objects of a bucket ARN: ARN/*.
func objectsOf(bucket any) any {
	if s, ok := bucket.(string); ok {
		return s + "/*"
	}
	if flat, ok := cfn.Flatten(bucket); ok && !strings.Contains(flat, cfn.Opaque) {
		return tree.NewObject("Fn::Sub", flat+"/*")
	}
	return tree.NewObject("Fn::Join", []any{"", []any{bucket, "/*"}})
}
