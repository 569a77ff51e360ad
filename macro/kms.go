package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// A destination encrypted with a customer managed KMS key takes the
// records only from a role that may use the key: Lambda's documentation
// (on-failure destinations) asks for kms:GenerateDataKey and kms:Decrypt
// for SQS and SNS, kms:GenerateDataKey for S3. IAM grants a key's use on the
// key's ARN, never on an alias, so the key a queue, topic or bucket names
// (by key ID, key ARN, alias name or alias ARN) is followed to the key.
// An AWS managed key (alias/aws/sqs) needs no grant: its key policy lets
// the account's principals use it through the service. An EventBridge bus
// encrypts with the key as EventBridge itself (events.amazonaws.com, in the
// key's policy), so its callers need no grant either.

// keyUse is what a destination's KMS key needs from the execution role.
type keyUse struct {
	arn     any // the key's ARN, to grant on; nil when none is needed or known
	unknown any // the key as written, when the template does not tell which key it is
}

// kmsKeyOf reads the KMS key of a destination of this template (where its
// kind's resource row says it stands), when its kind needs a grant on it.
func (e *expander) kmsKeyOf(resource string) keyUse {
	kind, r, ok := cfn.DestinationResourceOf(e.res.Type(resource))
	if !ok || len(kind.KeyActions) == 0 {
		return keyUse{}
	}
	key := r.KeyOf(e.res.Properties(resource))
	if key == nil {
		return keyUse{}
	}
	arn, known := e.keyARN(key, true)
	if !known {
		return keyUse{unknown: key}
	}
	return keyUse{arn: arn}
}

// keyARN is the ARN of the KMS key that v names, as a key ID, key ARN, alias
// name or alias ARN (an alias of this template when aliases), written
// literally, by a parameter or with Ref, Fn::GetAtt and Fn::Sub: !GetAtt
// Key.Arn for a key of this template. It is nil and known for an AWS managed
// key, and not known when the template does not tell the key.
func (e *expander) keyARN(v any, aliases bool) (arn any, known bool) {
	flat, ok := cfn.Flatten(e.resolved(v))
	if !ok || strings.Contains(flat, cfn.Opaque) {
		return nil, false
	}
	if id, attr, ok := cfn.SplitSubVar(flat); ok {
		switch {
		case e.res.Type(id) == cfn.TypeKMSKey:
			return tree.NewObject("Fn::GetAtt", []any{id, "Arn"}), true // Ref is the key's ID
		case e.res.Type(id) == cfn.TypeKMSAlias && attr == "" && aliases:
			return e.aliasTarget(id) // Ref is the alias's name
		}
		return nil, false
	}
	name := flat
	if segs := cfn.SplitARN(flat); len(segs) == 6 && segs[0] == "arn" && segs[2] == "kms" {
		if strings.HasPrefix(segs[5], "key/") {
			return e.resolved(v), true
		}
		if !sameAs(segs[3], "${AWS::Region}", e.stack.Region) || !sameAs(segs[4], "${AWS::AccountId}", e.stack.AccountID) {
			return nil, false // another account's or region's alias
		}
		name = segs[5]
	}
	switch {
	case strings.HasPrefix(name, "alias/aws/"):
		return nil, true // an AWS managed key
	case strings.HasPrefix(name, "alias/"):
		if id := e.aliasNamed(name); id != "" && aliases {
			return e.aliasTarget(id)
		}
		return nil, false
	case name == flat && name != "" && !strings.ContainsAny(name, "/:$"):
		// A key ID: a key of the stack's account and region.
		return tree.NewObject("Fn::Sub", "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/"+name), true
	}
	return nil, false
}

// aliasNamed is the logical ID of the AWS::KMS::Alias of this template
// whose AliasName is name (flattened), or "".
func (e *expander) aliasNamed(name string) string {
	found := ""
	e.res.Each(func(id string, _ *tree.Object) {
		if found != "" || e.res.Type(id) != cfn.TypeKMSAlias {
			return
		}
		an, _ := e.res.Properties(id).Get("AliasName")
		if flat, ok := cfn.Flatten(e.resolved(an)); ok && flat == name {
			found = id
		}
	})
	return found
}

// aliasTarget is the ARN of the key an AWS::KMS::Alias of this template
// points to (its TargetKeyId: a key ID or ARN, never another alias).
func (e *expander) aliasTarget(id string) (any, bool) {
	target, _ := e.res.Properties(id).Get("TargetKeyId")
	if target == nil {
		return nil, false
	}
	arn, known := e.keyARN(target, false)
	return arn, known && arn != nil
}

// noteUnknownKeys notes each destination of p encrypted with a KMS key the
// template does not tell (alias/shared, !ImportValue): the macro cannot
// grant the execution role its use, and Lambda would fail to deliver.
func (e *expander) noteUnknownKeys(p *configPlan) {
	for _, d := range p.destinations() {
		if d.d.key.unknown == nil || len(d.d.kind.KeyActions) == 0 {
			continue
		}
		e.note(p.first.at(d.option), "sends the records of %s's asynchronous invocations to %s, encrypted with the KMS key %s, which the macro cannot follow to a key of this template (a key's ARN, ID or alias, an alias of the template), so it grants no one its use; allow %s's execution role %s on that key (and let the key's policy allow it), or Lambda cannot deliver the records (DestinationDeliveryFailures)",
			p.t.Function, d.d.resource, describe(d.d.key.unknown), p.t.Function, strings.Join(d.d.kind.KeyActions, " and "))
	}
}
