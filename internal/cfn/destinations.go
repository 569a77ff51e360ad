package cfn

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Destinations of asynchronous invocation records (Lambda Developer Guide,
// "Capturing records of Lambda asynchronous invocations"). DestinationKinds
// is the one place a kind is described: the macro reads a destination,
// refuses one Lambda cannot deliver to, grants the execution role what
// delivering needs and writes SAM's Type from it; the macro's request
// decoder keeps its resources decoded (the macro reads them); the local
// server names the queue or topic SAM makes for one; and the README's table
// of kinds is checked against it (TestREADMEDestinations). Adding a kind is
// adding a row, and a golden that uses it.

// DestinationKind is a kind of destination.
type DestinationKind struct {
	// Type names the kind: SAM's Type for it in a function's
	// EventInvokeConfig (SQS, SNS, Lambda, EventBridge, S3Bucket).
	Type string
	// Service is the service of its ARNs, arn:PARTITION:SERVICE:...
	Service string
	// What is one, and Example how a template names one, in messages and
	// the README: a standard SQS queue, !GetAtt Queue.Arn.
	What, Example string
	// Noun is one in a list of what the kinds are (queue, topic, function,
	// bus, bucket), and in messages about one.
	Noun string
	// ARNPrefix begins the resource part of its ARNs (function:NAME,
	// event-bus/NAME); NoSlash: a / after it names something within one (an
	// S3 object), not one. NotOne is an ARN of the service that is not one,
	// in messages ("is NotOne"), and Fix what to write then ("" for the
	// kinds' help, DestinationHelp).
	ARNPrefix   string
	NoSlash     bool
	NotOne, Fix string
	// FIFO: an ARN of it that ends in .fifo is a FIFO queue or topic, to
	// which Lambda sends no records.
	FIFO bool
	// OnFailureOnly: Lambda sends it the records of failed calls only.
	OnFailureOnly bool
	// Actions are what the execution role needs to deliver to it.
	Actions []DestinationAction
	// KeyActions are what the execution role needs of the customer managed
	// KMS key that encrypts it; none when the service uses the key itself
	// (an EventBridge bus: the key's policy allows events.amazonaws.com).
	KeyActions []string
	// SAMCreates is the kind of resource SAM makes for a SAM function's
	// EventInvokeConfig destination of this Type without a Destination (or
	// with one under a condition), as its logical ID ends (Queue, Topic),
	// and SAMCreatesARN the reference to it that is its ARN (Ref, or an
	// attribute); "" when SAM makes none: it refuses the destination.
	SAMCreates, SAMCreatesARN string
	// Record is what an invocation record is there, in the README's words.
	Record string
	// Resources are the resource types of a template that are one.
	Resources []DestinationResource
}

// DestinationAction is an action the execution role needs on a
// destination: on its ARN followed by Suffix (/*: a bucket's objects).
type DestinationAction struct{ Action, Suffix string }

// DestinationResource is a resource type of a template that is a
// destination, and how a template refers to one.
type DestinationResource struct {
	Type string
	// ARN are the references to one that are its ARN, the usual one
	// first: Ref, or an attribute of Fn::GetAtt.
	ARN []string
	// RefIs is what its Ref is when that is not its ARN: name, URL.
	RefIs string
	// Name is the reference to one that is its name (Ref, or an
	// attribute), by which an ARN spelled out names it; "" when none.
	Name string
	// FIFOProperty makes one FIFO, as NameProperty (its name) does when it
	// ends in .fifo.
	FIFOProperty, NameProperty string
	// Key is where the KMS key that encrypts one stands in its Properties
	// (* for every item of a list); nil when no grant needs it.
	Key []string
}

// DestinationKinds are the kinds of destination, in the order messages and
// the README list them.
var DestinationKinds = []DestinationKind{
	{
		Type: "SQS", Service: "sqs", What: "a standard SQS queue", Example: "!GetAtt Queue.Arn", Noun: "queue",
		FIFO:       true,
		Actions:    []DestinationAction{{Action: "sqs:SendMessage"}},
		KeyActions: []string{"kms:GenerateDataKey", "kms:Decrypt"},
		SAMCreates: "Queue", SAMCreatesARN: "Arn",
		Record: "an SQS message's body",
		Resources: []DestinationResource{{
			Type: TypeQueue, ARN: []string{"Arn"}, RefIs: "URL", Name: "QueueName",
			FIFOProperty: "FifoQueue", NameProperty: "QueueName", Key: []string{"KmsMasterKeyId"},
		}},
	},
	{
		Type: "SNS", Service: "sns", What: "a standard SNS topic", Example: "!Ref Topic", Noun: "topic",
		FIFO:       true,
		Actions:    []DestinationAction{{Action: "sns:Publish"}},
		KeyActions: []string{"kms:GenerateDataKey", "kms:Decrypt"},
		SAMCreates: "Topic", SAMCreatesARN: "Ref",
		Record: "an SNS message",
		Resources: []DestinationResource{{
			Type: TypeTopic, ARN: []string{"Ref", "TopicArn"}, Name: "TopicName",
			FIFOProperty: "FifoTopic", NameProperty: "TopicName", Key: []string{"KmsMasterKeyId"},
		}},
	},
	{
		Type: "Lambda", Service: "lambda", What: "a Lambda function", Example: "!GetAtt Function.Arn", Noun: "function",
		ARNPrefix: "function:", NotOne: "a Lambda ARN but not a function's",
		Actions: []DestinationAction{{Action: "lambda:InvokeFunction"}},
		Record:  "a Lambda function's event",
		Resources: []DestinationResource{
			{Type: TypeFunction, ARN: []string{"Arn"}, RefIs: "name", Name: "Ref"},
			{Type: TypeSAMFunction, ARN: []string{"Arn"}, RefIs: "name", Name: "Ref"},
			{Type: TypeAlias, ARN: []string{"Ref", "AliasArn"}},
			{Type: TypeVersion, ARN: []string{"Ref", "FunctionArn"}},
		},
	},
	{
		Type: "EventBridge", Service: "events", What: "an EventBridge event bus", Example: "!GetAtt Bus.Arn", Noun: "bus",
		ARNPrefix: "event-bus/", NotOne: "an EventBridge ARN but not an event bus's",
		Actions: []DestinationAction{{Action: "events:PutEvents"}},
		Record:  "an EventBridge event's `detail`",
		Resources: []DestinationResource{
			{Type: TypeEventBus, ARN: []string{"Arn"}, RefIs: "name", Name: "Ref"},
		},
	},
	{
		Type: "S3Bucket", Service: "s3", What: "an S3 bucket", Example: "!GetAtt Bucket.Arn", Noun: "bucket",
		NoSlash: true, NotOne: "an S3 object ARN", Fix: "give the bucket's ARN (arn:aws:s3:::bucket)",
		OnFailureOnly: true,
		Actions:       []DestinationAction{{Action: "s3:PutObject", Suffix: "/*"}, {Action: "s3:ListBucket"}},
		KeyActions:    []string{"kms:GenerateDataKey"},
		Record:        "an S3 object",
		Resources: []DestinationResource{{
			Type: TypeBucket, ARN: []string{"Arn"}, RefIs: "name", Name: "Ref",
			Key: []string{"BucketEncryption", "ServerSideEncryptionConfiguration", "*", "ServerSideEncryptionByDefault", "KMSMasterKeyID"},
		}},
	},
}

// DestinationKindOf is the kind of destination whose ARNs have service.
func DestinationKindOf(service string) (*DestinationKind, bool) {
	return findKind(func(k *DestinationKind) bool { return k.Service == service })
}

// DestinationKindOfType is the kind of destination of SAM's Type typ.
func DestinationKindOfType(typ string) (*DestinationKind, bool) {
	return findKind(func(k *DestinationKind) bool { return k.Type == typ })
}

func findKind(match func(*DestinationKind) bool) (*DestinationKind, bool) {
	for i := range DestinationKinds {
		if match(&DestinationKinds[i]) {
			return &DestinationKinds[i], true
		}
	}
	return nil, false
}

// DestinationResourceOf is the kind of destination a resource of type typ
// is, and the row of its type.
func DestinationResourceOf(typ string) (*DestinationKind, *DestinationResource, bool) {
	for i := range DestinationKinds {
		k := &DestinationKinds[i]
		for j := range k.Resources {
			if k.Resources[j].Type == typ {
				return k, &k.Resources[j], true
			}
		}
	}
	return nil, nil, false
}

// IsDestinationType reports whether resources of type typ can be
// destinations.
func IsDestinationType(typ string) bool { return destinationTypes[typ] }

var destinationTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range DestinationKinds {
		for _, r := range k.Resources {
			m[r.Type] = true
		}
	}
	return m
}()

// DestinationHelp says what a destination may be, for messages: the ARN of
// each kind (What and Example), those for failed calls only said so.
func DestinationHelp() string {
	var b strings.Builder
	b.WriteString("give the ARN of ")
	for i, k := range DestinationKinds {
		switch {
		case i == len(DestinationKinds)-1:
			b.WriteString(" or")
		case i > 0:
			b.WriteString(",")
		}
		if k.OnFailureOnly {
			b.WriteString(", on failure only,")
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(k.What + " (" + k.Example + ")")
	}
	return b.String()
}

// DestinationNouns lists the kinds' nouns: queue, topic, function, bus or
// bucket.
func DestinationNouns() string {
	nouns := make([]string, len(DestinationKinds))
	for i, k := range DestinationKinds {
		nouns[i] = k.Noun
	}
	return strings.Join(nouns[:len(nouns)-1], ", ") + " or " + nouns[len(nouns)-1]
}

// ARNOK says what is wrong with resource, the resource part of an ARN of
// k's service (after arn:PARTITION:SERVICE:REGION:ACCOUNT:), when it is
// not one of k: "" when it is.
func (k *DestinationKind) ARNOK(resource string) string {
	rest, ok := strings.CutPrefix(resource, k.ARNPrefix)
	if !ok || k.NoSlash && strings.Contains(rest, "/") {
		return k.NotOne
	}
	return ""
}

// ShortRef writes a reference to resource id, "Ref" or an attribute, as
// the short form does: !Ref X, !GetAtt X.Attr.
func ShortRef(id, ref string) string {
	if ref == "Ref" {
		return "!Ref " + id
	}
	return "!GetAtt " + id + "." + ref
}

// RefValue is a reference to resource id, "Ref" or an attribute, as a
// template value.
func RefValue(id, ref string) any {
	if ref == "Ref" {
		return tree.NewObject("Ref", id)
	}
	return tree.NewObject("Fn::GetAtt", []any{id, ref})
}

// KeyOf is the KMS key, as written, that encrypts a resource of r's type
// with properties props: the last one its Key path holds; nil when none.
func (r *DestinationResource) KeyOf(props *tree.Object) any {
	keys := valuesAt(props, r.Key)
	if len(keys) == 0 {
		return nil
	}
	return keys[len(keys)-1]
}

// valuesAt is every value at path in v ("*" stands for each item of a
// list), in order.
func valuesAt(v any, path []string) []any {
	if len(path) == 0 {
		if v == nil {
			return nil
		}
		return []any{v}
	}
	if path[0] == "*" {
		list, _ := v.([]any)
		var out []any
		for _, x := range list {
			out = append(out, valuesAt(x, path[1:])...)
		}
		return out
	}
	o, _ := v.(*tree.Object)
	x, has := o.Get(path[0])
	if !has {
		return nil
	}
	return valuesAt(x, path[1:])
}
