package macro

import (
	"fmt"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLazyDecoding: the request decoder decodes what the expansion reads
// and keeps the rest raw; either way the answer is the one for the
// template decoded in full.
func TestLazyDecoding(t *testing.T) {
	resource := func(typ, props string) string {
		return fmt.Sprintf(`{"Type":%q,"Condition":"C","Properties":%s,"DependsOn":["X"]}`, typ, props)
	}
	tests := []struct {
		name     string
		fragment string
		path     []string // where to look
		raw      bool     // whether the value there is kept raw
	}{
		{"a type the macro never reads", `{"Resources":{"T":` + resource("AWS::DynamoDB::Table", `{"A":[1.50]}`) + `}}`, []string{"Resources", "T", "Properties"}, true},
		{"its other attributes too", `{"Resources":{"T":` + resource("AWS::DynamoDB::Table", `{"A":[1.50]}`) + `}}`, []string{"Resources", "T", "DependsOn"}, true},
		{"Type and Condition are decoded", `{"Resources":{"T":` + resource("AWS::DynamoDB::Table", `{}`) + `}}`, []string{"Resources", "T", "Condition"}, false},
		{"Type after Properties", `{"Resources":{"T":{"Properties":{"A":1},"Type":"Custom::X"}}}`, []string{"Resources", "T", "Properties"}, true},
		{"a type the macro reads, Type after Properties", `{"Resources":{"T":{"Properties":{"A":1},"Type":"AWS::Lambda::Function"}}}`, []string{"Resources", "T", "Properties"}, false},
		{"no Type", `{"Resources":{"T":{"Properties":{"A":1}}}}`, []string{"Resources", "T", "Properties"}, false},
		{"AsyncInvoke inside", `{"Resources":{"T":` + resource("Custom::X", `{"AsyncInvoke":"always"}`) + `}}`, []string{"Resources", "T", "Properties"}, false},
		{"AsyncInvoke spelled with escapes", `{"Resources":{"T":` + resource("Custom::X", `{"\u0041syncInvoke":"always"}`) + `}}`, []string{"Resources", "T", "Properties"}, false},
		{"x-async-invoke inside", `{"Resources":{"T":` + resource("Custom::X", `{"Doc":{"x-async-invoke":1}}`) + `}}`, []string{"Resources", "T", "Properties"}, false},
		{"Fn::ForEach inside", `{"Resources":{"T":` + resource("Custom::X", `{"L":{"Fn::ForEach::A":[]}}`) + `}}`, []string{"Resources", "T", "Properties"}, false},
		{"Fn::Transform inside", `{"Resources":{"T":` + resource("Custom::X", `{"Fn::Transform":{"Name":"AWS::Include"}}`) + `}}`, []string{"Resources", "T", "Properties"}, false},
		{"a Fn::ForEach loop under Resources", `{"Resources":{"Fn::ForEach::Topics":["T",["A"],{"Topic${T}":{"Type":"Custom::X"}}]}}`, []string{"Resources", "Fn::ForEach::Topics"}, false},
		{"Outputs", `{"Outputs":{"O":{"Value":1e3}},"Resources":{}}`, []string{"Outputs"}, true},
		{"Mappings", `{"Mappings":{"M":{"K":{"V":"012"}}},"Resources":{}}`, []string{"Mappings"}, true},
		{"Metadata", `{"Metadata":{"AWS::CloudFormation::Interface":{}},"Resources":{}}`, []string{"Metadata"}, true},
		{"Metadata that mentions AsyncInvoke", `{"Metadata":{"Doc":"AsyncInvoke: always"},"Resources":{}}`, []string{"Metadata"}, false},
		{"Rules", `{"Rules":{"R":{"Assertions":[]}},"Resources":{}}`, []string{"Rules"}, true},
		{"Description", `{"Description":"x","Resources":{}}`, []string{"Description"}, true},
		{"Parameters", `{"Parameters":{"P":{"Type":"String"}},"Resources":{}}`, []string{"Parameters"}, false},
		{"Conditions", `{"Conditions":{"C":{"Fn::Equals":[1,1]}},"Resources":{}}`, []string{"Conditions"}, false},
		{"Transform", `{"Transform":["AsyncInvoke"],"Resources":{}}`, []string{"Transform"}, false},
		{"Globals", `{"Globals":{"Function":{"Timeout":3}},"Resources":{}}`, []string{"Globals"}, false},
		{"another section", `{"Unknown":{"a":1},"Resources":{}}`, []string{"Unknown"}, false},
	}
	for _, typ := range []string{
		"AWS::ApiGateway::Method", "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Api", "AWS::Serverless::Function", "AWS::Serverless::Api",
		"AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version", "AWS::Lambda::Permission", "AWS::Lambda::EventInvokeConfig",
		"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Events::EventBus", "AWS::S3::Bucket",
	} {
		tests = append(tests, struct {
			name     string
			fragment string
			path     []string
			raw      bool
		}{typ, `{"Resources":{"T":` + resource(typ, `{"A":1}`) + `}}`, []string{"Resources", "T", "Properties"}, false})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := []byte(request(tc.fragment))
			req, err := DecodeRequest(payload)
			require.NoError(t, err)
			v := req.Fragment
			for _, key := range tc.path {
				o, ok := v.(*tree.Object)
				require.True(t, ok, "%s is not an object", key)
				v, _ = o.Get(key)
			}
			_, isRaw := v.(tree.Raw)
			assert.Equal(t, tc.raw, isRaw, "%s: %T", strings.Join(tc.path, "."), v)

			lazy, _ := Handle(payload)
			full, _ := handle(payload, false)
			assert.True(t, tree.Equal(mustDecode(t, lazy), mustDecode(t, full)), "lazy: %s\nfull: %s", lazy, full)
		})
	}
}

// TestRefusedWhereverWritten: the shorthand on a resource the macro never
// reads is still found and refused, however it is written.
func TestRefusedWhereverWritten(t *testing.T) {
	for _, fragment := range []string{
		`{"Resources":{"T":{"Type":"AWS::DynamoDB::Table","Properties":{"AsyncInvoke":"always"}}}}`,
		`{"Resources":{"T":{"Properties":{"AsyncInvoke":"always"},"Type":"AWS::DynamoDB::Table"}}}`,
		`{"Resources":{"T":{"Type":"AWS::DynamoDB::Table","Properties":{"\u0041syncInvoke":"always"}}}}`,
	} {
		out, _ := Handle([]byte(request(fragment)))
		r := decodeResponse(t, out)
		assert.Equal(t, StatusFailure, r.Status, fragment)
		assert.Contains(t, r.ErrorMessage, "Resources.T.Properties.AsyncInvoke: AsyncInvoke applies only to AWS::ApiGateway::Method", fragment)
		assert.Contains(t, r.ErrorMessage, "not to AWS::DynamoDB::Table", fragment)
	}
}

// TestRawPartsValidated: what is kept raw is checked as the rest is, and a
// problem in it is named by its path.
func TestRawPartsValidated(t *testing.T) {
	tests := []struct{ name, fragment, want string }{
		{"duplicate key", `{"Resources":{"T":{"Type":"Custom::X","Properties":{"A":{"B":1,"B":2}}}}}`,
			`duplicate key "B" in fragment.Resources.T.Properties.A: a key may appear once in an object`},
		{"duplicate key in a list", `{"Outputs":{"O":[{"V":1,"V":1}]},"Resources":{}}`,
			`duplicate key "V" in fragment.Outputs.O.0`},
		{"not UTF-8", "{\"Resources\":{\"T\":{\"Type\":\"Custom::X\",\"Properties\":{\"A\":\"\xff\"}}}}",
			"(in fragment.Resources.T.Properties.A): a string is not valid UTF-8"},
		{"syntax", `{"Mappings":{"M":[1,]},"Resources":{}}`, "invalid JSON at byte"},
		{"too deep", `{"Metadata":` + strings.Repeat("[", tooDeep) + strings.Repeat("]", tooDeep) + `,"Resources":{}}`,
			"nest more than 10000 levels deep"},
		{"too deep where decoded", `{"Parameters":` + strings.Repeat(`{"a":`, tooDeep) + `1` + strings.Repeat("}", tooDeep) + `,"Resources":{}}`,
			"nest more than 10000 levels deep"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := Handle([]byte(request(tc.fragment)))
			r := decodeResponse(t, out)
			require.Equal(t, StatusFailure, r.Status)
			assert.Equal(t, "r-1", r.RequestID)
			assert.Contains(t, r.ErrorMessage, "AsyncInvoke: not a CloudFormation macro request: ")
			assert.Contains(t, r.ErrorMessage, tc.want)
		})
	}
}

// tooDeep is deeper than any JSON document may nest.
const tooDeep = tree.MaxDepth + 1

// TestDeepNesting: a template as deep as JSON may nest is expanded, in a
// part kept raw and in a decoded one; the process never runs out of stack.
func TestDeepNesting(t *testing.T) {
	const depth = tree.MaxDepth - 10 // the request and the template add levels
	deep := strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	for _, section := range []string{"Metadata", "Parameters"} {
		out, sum := Handle([]byte(request(`{"` + section + `":` + deep + `,` + methodTemplate(`"always"`, `{"Uri":{"Ref":"Fn"}}`)[1:])))
		require.Equal(t, StatusSuccess, sum.Status, "%.300s", out)
		assert.Contains(t, string(out), deep)
	}
}

// TestResponseOwnsItsBytes: the response shares no memory with the
// payload (the Lambda runtime reuses its buffer for the next request).
func TestResponseOwnsItsBytes(t *testing.T) {
	payload := []byte(request(`{"Outputs":{"O":{"Value":"kept"}},` + methodTemplate(`"always"`, `{"Uri":{"Ref":"Fn"}}`)[1:]))
	out, _ := Handle(payload)
	want := string(out)
	for i := range payload {
		payload[i] = ' '
	}
	assert.Equal(t, want, string(out))
	assert.Contains(t, want, `"Outputs":{"O":{"Value":"kept"}}`)
}
