package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// KMS honours an IAM policy that allows a key's use only when the key's
// own policy lets it: a statement that allows the account (its root
// principal, arn:PARTITION:iam::ACCOUNT:root, or its ID), which the
// default key policy has (KMS developer guide, Key policies; Default key
// policy). A key policy that names neither the account nor the execution
// role makes the grant the macro gives the role (kms.go) worthless: Lambda
// cannot deliver the records. The macro does not change the author's key
// policy; it says so when it is sure, and is silent whenever a statement
// may let the role in (a principal it cannot read, "*", a condition).

// noteKeyPolicies notes each destination of p encrypted with a KMS key of
// this template whose KeyPolicy lets neither IAM policies of the stack's
// account nor the function's execution role use it. namedRoles says
// whether the role may be named by a literal ARN: it is from outside the
// template, or a role of the template with a RoleName.
func (e *expander) noteKeyPolicies(p *configPlan, namedRoles bool) {
	for _, d := range p.destinations() {
		key := templateKey(d.d.key.arn)
		if key == "" || len(d.d.kind.KeyActions) == 0 || !e.keyPolicyShutsOut(key, d.d.kind.KeyActions, namedRoles) {
			continue
		}
		e.note(p.first.at(d.option), "sends the records of %s's asynchronous invocations to %s, encrypted with the KMS key %s, whose KeyPolicy neither enables IAM policies (no statement allows the account's root principal, arn:${AWS::Partition}:iam::${AWS::AccountId}:root) nor allows %s's execution role %s: the policy the macro gives the role has no effect, and Lambda cannot deliver the records (DestinationDeliveryFailures); add to Resources.%s.Properties.KeyPolicy a statement that allows the account's root principal kms:* (as the default key policy does), or the execution role %s",
			p.t.Function, d.d.resource, key, p.t.Function, strings.Join(d.d.kind.KeyActions, " and "), key, strings.Join(d.d.kind.KeyActions, " and "))
	}
}

// templateKey is the logical ID of the AWS::KMS::Key that arn (keyARN's
// answer, !GetAtt Key.Arn for a key of this template) names, or "".
func templateKey(arn any) string {
	k, arg, ok := tree.Only(arn)
	a, _ := arg.([]any)
	if !ok || k != "Fn::GetAtt" || len(a) != 2 {
		return ""
	}
	id, _ := a[0].(string)
	return id
}

// keyPolicyShutsOut reports whether the KeyPolicy of key certainly has no
// statement that may allow actions to IAM policies of the stack's account
// or to the execution role. A key without KeyPolicy has the default one,
// which enables IAM policies.
func (e *expander) keyPolicyShutsOut(key string, actions []string, namedRoles bool) bool {
	doc, ok := valueOf(e.res.Properties(key), "KeyPolicy").(*tree.Object)
	if !ok {
		return false // none (the default), a JSON string, an intrinsic function
	}
	statements, isList := valueOf(doc, "Statement").([]any)
	if !isList {
		statements = []any{valueOf(doc, "Statement")}
	}
	for _, s := range statements {
		st, ok := s.(*tree.Object)
		if !ok {
			return false
		}
		switch valueOf(st, "Effect") {
		case "Deny":
			continue
		case "Allow":
		default:
			return false
		}
		if valueOf(st, "NotAction") != nil || valueOf(st, "NotPrincipal") != nil {
			return false
		}
		covers, known := statementCovers(valueOf(st, "Action"), actions)
		if !known {
			return false
		}
		if covers && e.mayAllowRole(valueOf(st, "Principal"), namedRoles) {
			return false
		}
	}
	return true
}

// statementCovers reports whether a statement's Action allows one of
// actions; known is false when it cannot be read.
func statementCovers(v any, actions []string) (covers, known bool) {
	patterns, isList := v.([]any)
	if !isList {
		patterns = []any{v}
	}
	for _, p := range patterns {
		s, ok := p.(string)
		if !ok {
			return false, false
		}
		for _, a := range actions {
			if cfn.ActionMatches(s, a) {
				return true, true
			}
		}
	}
	return false, true
}

// mayAllowRole reports whether a key policy statement's Principal may let
// the execution role use the key: "*", the stack's account (which enables
// IAM policies), a principal the macro cannot read, or one that may name
// the role.
func (e *expander) mayAllowRole(principal any, namedRoles bool) bool {
	if principal == "*" {
		return true
	}
	p, ok := principal.(*tree.Object)
	if !ok {
		return true
	}
	for _, m := range p.Members {
		if m.Key != "AWS" {
			continue // Service, Federated, CanonicalUser: never the role
		}
		values, isList := m.Value.([]any)
		if !isList {
			values = []any{m.Value}
		}
		for _, v := range values {
			flat, ok := cfn.Flatten(e.resolved(v))
			if !ok || e.awsPrincipalMayAllow(flat, namedRoles) {
				return true
			}
		}
	}
	return false
}

// awsPrincipalMayAllow reads an AWS principal, flattened: an account ID, an
// ARN, or what the macro cannot tell.
func (e *expander) awsPrincipalMayAllow(s string, namedRoles bool) bool {
	if s == "*" || strings.Contains(s, cfn.Opaque) {
		return true
	}
	sameAccount := func(account string) bool {
		return account == "${AWS::AccountId}" || e.stack.AccountID == "" || account == e.stack.AccountID || strings.Contains(account, "${")
	}
	segs := cfn.SplitARN(s)
	if len(segs) != 6 || segs[0] != "arn" {
		if strings.Contains(s, "${") && s != "${AWS::AccountId}" {
			return true // a reference: the role's ARN, perhaps
		}
		return sameAccount(s) // an account ID
	}
	if segs[2] != "iam" && segs[2] != "sts" {
		return false
	}
	if !sameAccount(segs[4]) {
		return false // another account's principal
	}
	switch resource := segs[5]; {
	case resource == "root":
		return true
	case strings.Contains(resource, "${"):
		return true // a role of the template, perhaps the execution role
	case strings.HasPrefix(resource, "role/") || strings.HasPrefix(resource, "assumed-role/"):
		return namedRoles
	}
	return false
}

// anyNamed reports whether one of the template's roles has a RoleName, so
// that a literal ARN may name it.
func (e *expander) anyNamed(roles []string) bool {
	for _, r := range roles {
		if valueOf(e.res.Properties(r), "RoleName") != nil {
			return true
		}
	}
	return false
}
