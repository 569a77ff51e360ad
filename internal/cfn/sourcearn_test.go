package cfn_test

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/stretchr/testify/assert"
)

// TestSourceARNCovers: the macro's rules (macro's TestSourceARNCovers holds
// the template forms) applied to a deployed API, whose policy holds
// literal ARNs: the API's own ID, the stage when one is named, and ArnLike's
// wildcards within a segment.
func TestSourceARNCovers(t *testing.T) {
	deployed := cfn.Call{Partition: "aws", Region: "us-east-1", Account: "123456789012", APIID: "a1b2c3d4e5", Method: "POST", Path: "/jobs/{id}"}
	prod := deployed
	prod.Stage = "prod"
	anyMethod := deployed
	anyMethod.Method = "ANY"
	root := deployed
	root.Method, root.Path = "GET", "/"
	const arn = "arn:aws:execute-api:us-east-1:123456789012:"
	tests := []struct {
		name string
		arn  string
		call cfn.Call
		want bool
	}{
		{"every stage and method", arn + "a1b2c3d4e5/*/*", deployed, true},
		{"everything", arn + "a1b2c3d4e5/*", deployed, true},
		{"this method, path parameter as *", arn + "a1b2c3d4e5/*/POST/jobs/*", deployed, true},
		{"the console's form for this method", arn + "a1b2c3d4e5/*/POST/jobs/*", prod, true},
		{"one stage, no stage named", arn + "a1b2c3d4e5/prod/POST/jobs/*", deployed, false},
		{"one stage, that stage named", arn + "a1b2c3d4e5/prod/POST/jobs/*", prod, true},
		{"one stage, another stage named", arn + "a1b2c3d4e5/test/POST/jobs/*", prod, false},
		{"another method", arn + "a1b2c3d4e5/*/GET/jobs/*", deployed, false},
		{"the literal path template", arn + "a1b2c3d4e5/*/POST/jobs/{id}", deployed, false},
		{"ANY needs a method wildcard", arn + "a1b2c3d4e5/*/POST/jobs/*", anyMethod, false},
		{"ANY with a wildcard", arn + "a1b2c3d4e5/*/*/jobs/*", anyMethod, true},
		{"the root path", arn + "a1b2c3d4e5/*/GET/", root, true},
		{"another API", arn + "zzzzzzzzzz/*/*", deployed, false},
		{"any API", arn + "*", deployed, true},
		{"an API wildcard within the segment", arn + "a1b2*/*/*", deployed, true},
		{"a template's reference never matches a deployed API", "arn:aws:execute-api:us-east-1:123456789012:${Api}/*/*", deployed, false},
		{"another account", "arn:aws:execute-api:us-east-1:999999999999:a1b2c3d4e5/*/*", deployed, false},
		{"any account", "arn:aws:execute-api:us-east-1:*:a1b2c3d4e5/*/*", deployed, true},
		{"a region wildcard within the segment", "arn:aws:execute-api:us-*:123456789012:a1b2c3d4e5/*/*", deployed, true},
		{"another partition", "arn:aws-cn:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/*", deployed, false},
		{"the API unknown: only a wildcard matches it", arn + "a1b2c3d4e5/*/*", cfn.Call{Partition: "aws", Region: "us-east-1", Account: "123456789012", Method: "POST", Path: "/jobs"}, false},
		{"not execute-api", "arn:aws:s3:::bucket", deployed, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, cfn.SourceARNCovers(tc.arn, tc.call))
		})
	}
}

// TestSourceARNLike: StringLike compares the whole ARN as one string, so
// * spans colons and slashes, where ArnLike matches each segment alone;
// what varies in a call (a path parameter, the stage when none is named)
// is still matched by * only.
func TestSourceARNLike(t *testing.T) {
	deployed := cfn.Call{Partition: "aws", Region: "us-east-1", Account: "123456789012", APIID: "a1b2c3d4e5", Method: "POST", Path: "/jobs/{id}"}
	tests := []struct {
		name    string
		pattern string
		want    bool
	}{
		{"fewer segments than an ARN: * across colons", "arn:aws:execute-api:*", true},
		{"the API, anything after", "arn:aws:execute-api:*:a1b2c3d4e5/*", true},
		{"this method", "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/jobs/*", true},
		{"another API", "arn:aws:execute-api:*:zzz/*", false},
		{"one stage, no stage named", "arn:aws:execute-api:*:a1b2c3d4e5/prod/*", false},
		{"? for a path parameter of any length", "arn:aws:execute-api:*:a1b2c3d4e5/*/POST/jobs/?", false},
		{"a reference", "arn:aws:execute-api:*:${Api}/*", false},
		{"another service", "arn:aws:s3:::*", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, cfn.SourceARNLike(tc.pattern, deployed))
		})
	}
}
