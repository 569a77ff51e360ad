package audit

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
)

// Permission says whether a Lambda permission lets API Gateway make a
// method's calls.
type Permission struct {
	State PermissionState `json:"state"`
	// Statement is the Sid of the statement that allows the calls (of
	// each statement, when one stage's calls are allowed by one and
	// another's by another).
	Statement string `json:"statement,omitempty"`
	Note      string `json:"note,omitempty"`
	// Missing are, when the calls from some of the stages are allowed, the
	// stages whose calls are not: --fix grants those.
	Missing []string `json:"missingStages,omitempty"`

	policyBytes int // the size of the function's policy, for --fix
}

// policyLimit is the most a function's resource-based policy may hold:
// Lambda's quota of 20 KB (Lambda quotas, "Function resource-based
// policy"); AddPermission beyond it fails.
const policyLimit = 20 * 1024

// PermissionState is the answer.
type PermissionState string

// The answers.
const (
	Permitted   PermissionState = "yes"     // a statement of the function's policy allows every call of the method
	Unpermitted PermissionState = "no"      // none does: calls answer 500
	ByRole      PermissionState = "role"    // the integration has credentials (a role API Gateway assumes): no permission is needed
	Unknown     PermissionState = "unknown" // it could not be told (the note says why)
)

// policy is a Lambda function's resource-based policy, as GetPolicy
// returns it.
type policy struct {
	Statement []statement
	size      int // of the document, in bytes
}

type statement struct {
	Sid       string
	Effect    string
	Principal any
	Action    any
	Condition map[string]map[string]any
}

// parsePolicy reads GetPolicy's Policy document.
func parsePolicy(doc string) (policy, error) {
	var p policy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return p, fmt.Errorf("the function's policy is not a policy document: %v", err)
	}
	return p, nil
}

// covers returns the Sid of the statement of p that lets API Gateway make
// every call c stands for, by the macro's source-ARN rules
// (cfn.SourceARNCovers); "" when none does, with what the statements for
// API Gateway allow instead.
func (p policy) covers(c cfn.Call) (sid string, others []string) {
	for i, s := range p.Statement {
		if !strings.EqualFold(s.Effect, "Allow") || !forAPIGateway(s.Principal) || !allowsInvoke(s.Action) {
			continue
		}
		ok, why := s.conditionsHold(c)
		if ok {
			if s.Sid == "" {
				return fmt.Sprintf("statement %d", i+1), nil
			}
			return s.Sid, nil
		}
		name := s.Sid
		if name == "" {
			name = fmt.Sprintf("statement %d", i+1)
		}
		others = append(others, name+" "+why)
	}
	return "", others
}

// forAPIGateway reports whether a principal includes API Gateway: its
// service principal, or anyone.
func forAPIGateway(principal any) bool {
	switch p := principal.(type) {
	case string:
		return p == "*"
	case map[string]any:
		for k, v := range p {
			switch {
			case strings.EqualFold(k, "Service") && anyString(v, func(s string) bool { return s == cfn.APIGatewayPrincipal }):
				return true
			case strings.EqualFold(k, "AWS") && anyString(v, func(s string) bool { return s == "*" }):
				return true
			}
		}
	}
	return false
}

// allowsInvoke reports whether an Action allows lambda:InvokeFunction.
func allowsInvoke(action any) bool {
	return anyString(action, func(a string) bool { return cfn.ActionMatches(a, "lambda:InvokeFunction") })
}

// conditionsHold reports whether every condition of s holds for every
// call c stands for; when not, why, in words.
func (s statement) conditionsHold(c cfn.Call) (bool, string) {
	for op, keys := range s.Condition {
		// ForAnyValue: and ForAllValues: on a key with one value, as
		// aws:SourceArn is, compare that value as the operator does.
		base := strings.TrimSuffix(op, "IfExists")
		if set, rest, ok := strings.Cut(base, ":"); ok && (set == "ForAnyValue" || set == "ForAllValues") {
			base = rest
		}
		for key, values := range keys {
			switch strings.ToLower(key) {
			case "aws:sourcearn":
				if !slices.Contains([]string{"ArnLike", "ArnEquals", "StringLike", "StringEquals"}, base) {
					return false, "has a condition the audit does not read (" + op + " " + key + ")"
				}
				if !anyString(values, func(v string) bool { return sourceARNHolds(base, v, c) }) {
					return false, "allows " + describeValues(values) + " only"
				}
			case "aws:sourceaccount":
				if !slices.Contains([]string{"StringEquals", "StringLike"}, base) {
					return false, "has a condition the audit does not read (" + op + " " + key + ")"
				}
				if !anyString(values, func(v string) bool { return accountHolds(base, v, c.Account) }) {
					return false, "allows the account " + describeValues(values) + " only"
				}
			default:
				return false, "has a condition the audit does not read (" + op + " " + key + ")"
			}
		}
	}
	return true, ""
}

func sourceARNHolds(op, v string, c cfn.Call) bool {
	switch op {
	case "ArnLike", "ArnEquals":
		return cfn.SourceARNCovers(v, c)
	case "StringLike":
		return cfn.SourceARNLike(v, c)
	case "StringEquals":
		return !strings.ContainsAny(v, "*?") && cfn.SourceARNCovers(v, c)
	}
	return false
}

func accountHolds(op, v, account string) bool {
	switch op {
	case "StringEquals":
		return v == account
	case "StringLike":
		ok, _ := path.Match(v, account)
		return ok
	}
	return false
}

// anyString reports whether v, a string or a list of strings (as policy
// JSON writes either), has one for which f is true.
func anyString(v any, f func(string) bool) bool {
	switch v := v.(type) {
	case string:
		return f(v)
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && f(s) {
				return true
			}
		}
	}
	return false
}

func describeValues(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}
