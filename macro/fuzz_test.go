package macro

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// FuzzHandle: any payload gets a well-formed macro response, never a panic;
// keeping parts of the template as raw bytes changes nothing (the answer is
// the one for the template decoded in full); an expanded template comes
// back from a second request byte for byte.
// Seeds: testdata/fuzz/FuzzHandle (the events/ fixtures).
func FuzzHandle(f *testing.F) {
	f.Add([]byte(request(methodTemplate(`"always"`, `{"Uri":{"Ref":"Fn"}}`))))
	f.Add([]byte(request(`{"Resources":{"C":{"Properties":{"b":[1.50,"\u00e9"]},"Type":"Custom::X"},"F":{"Type":"AWS::Lambda::Function"},"Api":{"Type":"AWS::ApiGateway::RestApi"},"M":` + fmt.Sprintf(method, `"client"`, `{"Uri":{"Ref":"F"}}`) + `},"Outputs":{"O":{"Value":1e3}}}`)))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, sum := Handle(payload)
		var r response
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("not JSON: %v: %.300s", err, out)
		}
		if r.Status != StatusSuccess && r.Status != StatusFailure || r.Status != sum.Status {
			t.Fatalf("status %q (summary %q)", r.Status, sum.Status)
		}
		if r.Status == StatusFailure && r.ErrorMessage == "" {
			t.Fatal("a failure without an errorMessage")
		}

		full, _ := handle(payload, false)
		if _, err := tree.Decode(payload); err != nil {
			if r.Status != StatusFailure {
				t.Fatalf("a payload that is not JSON (%v) was expanded", err)
			}
			return
		}
		if !tree.Equal(mustDecode(t, out), mustDecode(t, full)) {
			t.Fatalf("raw parts changed the answer:\nlazy: %.2000s\nfull: %.2000s", out, full)
		}

		if r.Status == StatusSuccess {
			again, _ := Handle([]byte(`{"requestId":"r","fragment":` + string(r.Fragment) + `}`))
			var r2 response
			if err := json.Unmarshal(again, &r2); err != nil || r2.Status != StatusSuccess || !bytes.Equal(r2.Fragment, r.Fragment) {
				t.Fatalf("not idempotent:\n%.2000s\n%.2000s", r.Fragment, again)
			}
		}
	})
}

func mustDecode(t *testing.T, b []byte) any {
	t.Helper()
	v, err := tree.Decode(b)
	if err != nil {
		t.Fatalf("%v: %.300s", err, b)
	}
	return v
}

// FuzzExpand: any template expands or is refused with Problems; an expanded
// template expands again to itself.
func FuzzExpand(f *testing.F) {
	f.Add([]byte(methodTemplate(`"client"`, `{"Uri":{"Fn::GetAtt":"Fn.Arn"}}`)))
	f.Add([]byte(`{"Resources":{"Api":{"Type":"AWS::ApiGateway::RestApi","Properties":{"Body":{"swagger":"2.0","paths":{"/":{"get":{"x-async-invoke":"client","x-amazon-apigateway-integration":{"uri":"arn:aws:lambda:us-east-1:1:function:f"}}}}}}}}}`))
	// MergeDefinitions (also from Globals) beside SAM functions whose Events
	// have every shape; Fn::If around a path item and an operation.
	f.Add([]byte(`{"Globals":{"Api":{"MergeDefinitions":true}},"Resources":{"Api":{"Type":"AWS::Serverless::Api","Properties":{"DefinitionBody":{"paths":{"/j":{"post":{"x-async-invoke":"always","x-amazon-apigateway-integration":{"uri":{"Fn::GetAtt":"W.Arn"}}}},"/k":{"Fn::If":["C",{"x-amazon-apigateway-any-method":{"Fn::If":["C",{"x-async-invoke":"always","x-amazon-apigateway-integration":{"uri":{"Fn::GetAtt":"W.Arn"}}},{"Ref":"AWS::NoValue"}]}},{}]}}}}},"W":{"Type":"AWS::Serverless::Function","Properties":{"Events":{"A":{"Type":"Api","Properties":{"RestApiId":{"Ref":"Api"},"Path":"/x","Method":"get"}},"B":null,"C":{"Type":"Api"}}}},"V":{"Type":"AWS::Serverless::Function","Properties":{"Events":[]}},"U":{"Type":"AWS::Serverless::Function"}}}`))
	// A destination under a condition, settings written with Fn::If, a
	// SAM function with a role of the template and its own configuration.
	f.Add([]byte(`{"Conditions":{"C":{"Fn::Equals":["a","b"]}},"Resources":{"Api":{"Type":"AWS::ApiGateway::RestApi"},"M":{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"HttpMethod":"POST","AsyncInvoke":{"Mode":"always","OnFailure":{"Fn::If":["C",{"Fn::GetAtt":"Q.Arn"},{"Ref":"AWS::NoValue"}]},"MaximumRetryAttempts":{"Fn::If":["C",0,{"Ref":"AWS::NoValue"}]}},"Integration":{"Uri":{"Ref":"W.Alias"}}}},"W":{"Type":"AWS::Serverless::Function","Properties":{"AutoPublishAlias":"live-v2","Role":{"Fn::GetAtt":"R.Arn"},"EventInvokeConfig":{"MaximumRetryAttempts":1}}},"R":{"Type":"AWS::IAM::Role"},"Q":{"Type":"AWS::SQS::Queue","Condition":"C"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := tree.Decode(data)
		if err != nil {
			return
		}
		if _, err := Expand(v, map[string]any{"P": "client"}); err != nil {
			if _, ok := err.(Problems); !ok {
				t.Fatalf("Expand returned %T, not Problems", err)
			}
			return
		}
		if strings.Contains(string(tree.Encode(v)), `"`+Shorthand+`":`) || strings.Contains(string(tree.Encode(v)), `"`+OpenAPIShorthand+`":`) {
			if _, isObj := v.(*tree.Object); isObj && !onlyAsNames(v.(*tree.Object)) {
				t.Fatalf("success with a shorthand left: %s", tree.Encode(v))
			}
		}
		once := tree.Clone(v)
		if _, err := Expand(v, map[string]any{"P": "client"}); err != nil {
			t.Fatalf("the expanded template is refused: %v", err)
		}
		if !tree.Equal(once, v) {
			t.Fatalf("not idempotent:\n%s\n%s", tree.Encode(once), tree.Encode(v))
		}
	})
}

// onlyAsNames reports whether every shorthand key in a template is the name
// of a section's entry (a parameter called AsyncInvoke), or Mappings data.
func onlyAsNames(t *tree.Object) bool {
	ok := true
	shorthandKeys(t, func(full []string) {
		path := full[:len(full)-1]
		if !(len(path) == 1 && isSection(path[0])) && !(len(path) > 0 && path[0] == "Mappings") {
			ok = false
		}
	})
	return ok
}
