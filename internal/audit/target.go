package audit

import (
	"regexp"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// Target is the Lambda function, alias or version an integration invokes.
type Target struct {
	// Function is what the integration URI names, with the stage's
	// variables put in when the stage is known: a function ARN, perhaps
	// qualified, or a name.
	Function  string `json:"function"`
	Name      string `json:"name"`
	Qualifier string `json:"qualifier,omitempty"`
	Region    string `json:"region,omitempty"`
	Account   string `json:"account,omitempty"`
	// StageVariable names a stage variable that chooses the function or its
	// qualifier and is not known (no stage named, or not set on it).
	StageVariable string `json:"stageVariable,omitempty"`
}

// String is how the table shows the target: name[:qualifier].
func (t Target) String() string {
	if t.Qualifier == "" {
		return t.Name
	}
	return t.Name + ":" + t.Qualifier
}

// unqualified is the function's ARN (or name) without its qualifier.
func (t Target) unqualified() string {
	if t.Qualifier == "" {
		return t.Function
	}
	return strings.TrimSuffix(t.Function, ":"+t.Qualifier)
}

// key identifies what Lambda keeps a policy and settings for: the function
// and its qualifier, $LATEST being the function itself.
func (t Target) key() string {
	if t.Qualifier == "" || t.Qualifier == "$LATEST" {
		return t.unqualified()
	}
	return t.Function
}

// policyQualifier is the qualifier to ask GetPolicy for: none for the
// function itself and for $LATEST, whose permissions are the function's.
func (t Target) policyQualifier() string {
	if t.Qualifier == "$LATEST" {
		return ""
	}
	return t.Qualifier
}

var stageVariableRef = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)

// InvokedTarget is the function an integration invokes: a Lambda non-proxy
// integration's invocation URI, or a proxy integration's. ok is false when
// the integration invokes no Lambda function. stageVariables are the
// stage's, nil when no stage is named.
func InvokedTarget(in *types.Integration, stageVariables map[string]string) (Target, bool) {
	if in == nil {
		return Target{}, false
	}
	switch strings.ToUpper(string(in.Type)) {
	case string(types.IntegrationTypeAws), string(types.IntegrationTypeAwsProxy):
	default:
		return Target{}, false
	}
	uri := deref(in.Uri)
	segs := strings.SplitN(uri, ":", 6)
	if len(segs) < 6 || segs[0] != "arn" || segs[2] != "apigateway" || segs[4] != "lambda" {
		return Target{}, false
	}
	rest, ok := strings.CutPrefix(segs[5], "path/")
	if !ok {
		return Target{}, false
	}
	_, fn, ok := strings.Cut(rest, "/functions/")
	if !ok {
		return Target{}, false
	}
	fn, _, _ = strings.Cut(fn, "/")
	fn = strings.TrimSuffix(fn, "$") // the AWS documentation's typo
	if fn == "" {
		return Target{}, false
	}
	t := Target{Region: segs[3]}
	fn = stageVariableRef.ReplaceAllStringFunc(fn, func(ref string) string {
		name := stageVariableRef.FindStringSubmatch(ref)[1]
		if v, set := stageVariables[name]; set && stageVariables != nil {
			return v
		}
		if t.StageVariable == "" {
			t.StageVariable = name
		}
		return ref
	})
	t.Function = fn
	parts := cfn.SplitARN(fn)
	if len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
		t.Region, t.Account, t.Name = parts[3], parts[4], parts[6]
		if len(parts) == 8 {
			t.Qualifier = parts[7]
		}
		return t, true
	}
	// A name, perhaps qualified: in the URI's region, the API's account.
	t.Name, t.Qualifier, _ = strings.Cut(fn, ":")
	return t, true
}
