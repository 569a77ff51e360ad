package cfn_test

import (
	"fmt"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSAMProperty: a SAM resource's property as SAM's Globals plugin makes
// it (samtranslator/plugins/globals/globals.py): the resource's own value
// wins, objects merge key by key, lists concatenate, an intrinsic function
// is a plain value, null stays null, and IgnoreGlobals leaves Globals out.
func TestSAMProperty(t *testing.T) {
	const globals = `{"Function": {"AutoPublishAlias": "live", "Layers": ["a"],
		"EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Type": "SQS"}}}},
		"Api": {"MergeDefinitions": true}}`
	tests := []struct {
		name, resource, key, want string
	}{
		{"from Globals", `{"Type": "AWS::Serverless::Function"}`, "AutoPublishAlias", `"live"`},
		{"own wins", `{"Type": "AWS::Serverless::Function", "Properties": {"AutoPublishAlias": "prod"}}`, "AutoPublishAlias", `"prod"`},
		{"own null stays null", `{"Type": "AWS::Serverless::Function", "Properties": {"AutoPublishAlias": null}}`, "AutoPublishAlias", `null`},
		{"objects merge", `{"Type": "AWS::Serverless::Function", "Properties": {"EventInvokeConfig": {"MaximumRetryAttempts": 2, "DestinationConfig": {"OnFailure": {"Destination": "q"}}}}}`,
			"EventInvokeConfig", `{"MaximumRetryAttempts": 2, "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": "q"}}}`},
		{"an intrinsic function is a value", `{"Type": "AWS::Serverless::Function", "Properties": {"EventInvokeConfig": {"Fn::If": ["C", {}, {}]}}}`,
			"EventInvokeConfig", `{"Fn::If": ["C", {}, {}]}`},
		{"lists concatenate", `{"Type": "AWS::Serverless::Function", "Properties": {"Layers": ["b"]}}`, "Layers", `["a", "b"]`},
		{"IgnoreGlobals *", `{"Type": "AWS::Serverless::Function", "IgnoreGlobals": "*"}`, "AutoPublishAlias", `null`},
		{"IgnoreGlobals names it", `{"Type": "AWS::Serverless::Function", "IgnoreGlobals": ["AutoPublishAlias"]}`, "AutoPublishAlias", `null`},
		{"IgnoreGlobals names another", `{"Type": "AWS::Serverless::Function", "IgnoreGlobals": ["Layers"]}`, "AutoPublishAlias", `"live"`},
		{"the Api section for an Api", `{"Type": "AWS::Serverless::Api"}`, "MergeDefinitions", `true`},
		{"an Api's own", `{"Type": "AWS::Serverless::Api", "Properties": {"MergeDefinitions": false}}`, "MergeDefinitions", `false`},
		{"not a SAM resource", `{"Type": "AWS::Lambda::Function"}`, "AutoPublishAlias", `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := tree.Decode([]byte(`{"Globals": ` + globals + `, "Resources": {"R": ` + tt.resource + `}}`))
			require.NoError(t, err)
			res, _ := tmpl.(*tree.Object).Get("Resources")
			r := cfn.NewResources(res.(*tree.Object))
			typ := r.Type("R")
			got := r.SAMProperty(cfn.SAMGlobalsFor(tmpl.(*tree.Object), typ), "R", tt.key)
			want, err := tree.Decode([]byte(tt.want))
			require.NoError(t, err)
			assert.True(t, tree.Equal(want, got), "got %s", tree.Encode(got))
		})
	}
}

// ExampleSAMAliasID: SAM writes - as D and _ as U in its alias's logical ID
// (tests/samnames_test.go checks these against the SAM translator).
func ExampleSAMAliasID() {
	fmt.Println(cfn.SAMAliasID("Worker", "live"))
	fmt.Println(cfn.SAMAliasID("Worker", "live-v2"))
	fmt.Println(cfn.SAMAliasID("Worker", "blue_green-3"))
	// Output:
	// WorkerAliaslive
	// WorkerAliasliveDv2
	// WorkerAliasblueUgreenD3
}
