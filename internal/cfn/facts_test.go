package cfn_test

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConditions(t *testing.T) {
	tmpl, err := parse.Template([]byte(`
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsEU: !Equals [!Ref AWS::Region, eu-west-1]
  NotProd: !Not [!Condition IsProd]
  ProdEU: !And [!Condition IsProd, !Condition IsEU]
  ProdOrEU: !Or [!Condition IsProd, !Condition IsEU]
  NeitherProdNorEU: !Not [!Condition ProdOrEU]
`))
	require.NoError(t, err)
	c, _ := tmpl.Get("Conditions")
	conditions := c.(*tree.Object)
	implied := []struct {
		c    string
		cs   []string
		want bool
	}{
		{"IsProd", []string{"IsProd"}, true},
		{"IsProd", []string{"ProdEU"}, true},
		{"ProdEU", []string{"IsEU", "IsProd"}, true},
		{"ProdEU", []string{"IsProd"}, false},
		{"IsProd", nil, false},
		{"ProdOrEU", []string{"IsProd"}, false}, // Fn::Or is not followed upward
	}
	for _, tc := range implied {
		assert.Equal(t, tc.want, cfn.Implied(conditions, tc.c, tc.cs), "%s implied by %v", tc.c, tc.cs)
	}
	excluded := []struct {
		cs   []string
		want bool
	}{
		{[]string{"IsProd", "NotProd"}, true},
		{[]string{"ProdEU", "NotProd"}, true},
		{[]string{"IsEU", "NeitherProdNorEU"}, true},
		{[]string{"IsProd", "IsEU"}, false},
		{[]string{"NotProd"}, false},
	}
	for _, tc := range excluded {
		assert.Equal(t, tc.want, cfn.Excluded(conditions, tc.cs), "%v", tc.cs)
	}
}

func TestParameters(t *testing.T) {
	tmpl, err := parse.Template([]byte(`
Parameters:
  Mode: {Type: String, Default: always}
  Queue: {Type: String}
`))
	require.NoError(t, err)
	p := cfn.NewParameters(tmpl, map[string]any{"Queue": "arn:aws:sqs:us-east-1:123456789012:q"})
	tests := []struct {
		name string
		v    any
		want any
	}{
		{"the Default", tree.NewObject("Ref", "Mode"), "always"},
		{"the value given", tree.NewObject("Ref", "Queue"), "arn:aws:sqs:us-east-1:123456789012:q"},
		{"no such parameter", tree.NewObject("Ref", "Other"), tree.NewObject("Ref", "Other")},
		{"not a Ref", "text", "text"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, p.Resolve(tc.v), tc.name)
	}
	given := cfn.NewParameters(tmpl, map[string]any{"Mode": "client"})
	v, ok := given.Value("Mode")
	assert.True(t, ok)
	assert.Equal(t, "client", v, "a value given wins over the Default")
	_, ok = given.Value("Queue")
	assert.False(t, ok, "no value, no Default")
}

func TestAsyncSettings(t *testing.T) {
	assert.True(t, cfn.MaximumRetryAttempts.Allows(0))
	assert.False(t, cfn.MaximumRetryAttempts.Allows(3))
	assert.False(t, cfn.MaximumEventAgeInSeconds.Allows(59))
	assert.True(t, cfn.MaximumEventAgeInSeconds.Allows(21600))
}

func TestInvocationURI(t *testing.T) {
	uri := cfn.InvocationURI("aws-cn", "cn-north-1", "${Fn.Arn}:live")
	assert.Equal(t, "arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/${Fn.Arn}:live/invocations", uri)
	partition, region, fn, ok := cfn.SplitInvocationURI(uri)
	assert.True(t, ok)
	assert.Equal(t, []string{"aws-cn", "cn-north-1", "${Fn.Arn}:live"}, []string{partition, region, fn})
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{"": "", "us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov", "us-isob-east-1": "aws-iso-b", "us-iso-east-1": "aws-iso", "eusc-de-east-1": "aws-eusc"} {
		assert.Equal(t, want, cfn.Partition(region), region)
	}
}

func TestIsBinary(t *testing.T) {
	types := []string{"image~1png", "Application/Octet-Stream", "audio/*"}
	tests := []struct {
		contentType string
		want        bool
	}{
		{"image/png", true},
		{"IMAGE/PNG; charset=x", true},
		{"application/octet-stream", true},
		{"audio/mpeg", true},
		{"image/jpeg", false},
		{"", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, cfn.IsBinary(tc.contentType, types), tc.contentType)
	}
	assert.True(t, cfn.IsBinary("text/plain", []string{"*/*"}))
	assert.False(t, cfn.IsBinary("", []string{"*/*"}), "no media type is never binary")
}
