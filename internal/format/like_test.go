package format_test

import (
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func get(t *testing.T, v any, keys ...string) *tree.Object {
	t.Helper()
	for _, k := range keys {
		o, ok := v.(*tree.Object)
		require.True(t, ok, "at %s", k)
		v, _ = o.Get(k)
	}
	o, ok := v.(*tree.Object)
	require.True(t, ok)
	return o
}

// TestYAMLLike: what a change leaves alone is written as the source writes
// it (testdata/<source>-<n>.golden.yaml; go test ./internal/format -update
// rewrites them),
// and every output reads back as the changed template.
func TestYAMLLike(t *testing.T) {
	tests := []struct {
		name   string
		src    string // testdata/<src>.yaml; like when empty
		change func(t *testing.T, v *tree.Object)
	}{
		{"unchanged", "", func(*testing.T, *tree.Object) {}},
		{"a value changed keeps its comment; its flow parent turns block", "", func(t *testing.T, v *tree.Object) {
			in := get(t, v, "Resources", "Method", "Properties", "Integration")
			in.Set("Uri", tree.NewObject("Fn::Sub", "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"))
			in.Set("Type", "AWS")
			get(t, v, "Resources", "Fn", "Properties").Set("Timeout", tree.NewObject("Ref", "Timeout"))
			items, _ := get(t, v, "Resources", "Joined", "Properties").Get("Items")
			items.([]any)[0].(*tree.Object).Set("Value", "b")
		}},
		{"keys removed and added", "", func(t *testing.T, v *tree.Object) {
			v.Set("Transform", "AWS::Serverless-2016-10-31")
			get(t, v, "Resources", "Fn", "Properties").Delete("Handler")
			get(t, v, "Resources").Set("Permission", tree.NewObject("Type", "AWS::Lambda::Permission", "Properties", tree.NewObject("FunctionName", tree.NewObject("Fn::GetAtt", []any{"Fn", "Arn"}))))
		}},
		{"list items removed keep the others' comments", "", func(t *testing.T, v *tree.Object) {
			p := get(t, v, "Resources", "Joined", "Properties")
			list, _ := p.Get("List")
			p.Set("List", list.([]any)[1:])
		}},
		// As the macro changes a template (testdata/kept.yaml).
		{"the first key removed: the file's header comment stays", "kept", func(t *testing.T, v *tree.Object) {
			v.Delete("Transform")
		}},
		{"a key renamed in place keeps its comments and its value's style; a flow mapping of scalars stays flow", "kept", func(t *testing.T, v *tree.Object) {
			rs := get(t, v, "Resources")
			rs.Members[rs.Index("Deployment")].Key = "Deployment7F705C7B"
			get(t, v, "Resources", "Deployment7F705C7B").Set("DependsOn", []any{"Start", "Other"})
			get(t, v, "Resources", "Stage", "Properties").Set("DeploymentId", tree.NewObject("Ref", "Deployment7F705C7B"))
		}},
		{"an item changed in a list that grew keeps its quoting; new strings follow the source's", "kept", func(t *testing.T, v *tree.Object) {
			p := get(t, v, "Resources", "Start", "Properties")
			rs, _ := p.Get("MethodResponses")
			items := rs.([]any)
			get(t, items[0], "ResponseParameters").Set("method.response.header.X-Request-Id", false)
			p.Set("MethodResponses", append(items, tree.NewObject("StatusCode", "202")))
			get(t, p, "Integration").Set("IntegrationHttpMethod", "PUT")
		}},
		{"a key removed and another added after the same key: not a rename", "kept", func(t *testing.T, v *tree.Object) {
			p := get(t, v, "Resources", "Start", "Properties")
			p.Delete("AsyncInvoke")
			p.Set("RequestParameters", tree.NewObject("method.request.header.InvocationType", false))
		}},
	}
	n := map[string]int{}
	for _, tc := range tests {
		if tc.src == "" {
			tc.src = "like"
		}
		golden := "testdata/" + tc.src + "-" + strconv.Itoa(n[tc.src]) + ".golden.yaml"
		n[tc.src]++
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tc.src + ".yaml")
			require.NoError(t, err)
			src, err := parse.Read(data)
			require.NoError(t, err)
			v := tree.Clone(src.Template).(*tree.Object)
			tc.change(t, v)
			out, err := format.YAMLLike(v, src)
			require.NoError(t, err)
			back, err := parse.Template(out)
			require.NoError(t, err, "%s", out)
			assert.True(t, tree.Equal(v, back), "the output reads back as another template:\n%s", out)
			if *update {
				require.NoError(t, os.WriteFile(golden, out, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file: go test ./format -update")
			assert.Equal(t, string(want), string(out))
			// Writing the source again changes nothing it does not have to.
			again, err := parse.Read(out)
			require.NoError(t, err)
			out2, err := format.YAMLLike(again.Template, again)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(out2), "YAMLLike of its own output is not stable")
		})
	}
}

func TestYAMLLikeWithoutSource(t *testing.T) {
	v, err := tree.Decode([]byte(`{"A":1,"Resources":{"X":{"Type":"T"},"Y":{"Type":"T"}}}`))
	require.NoError(t, err)
	out, err := format.YAMLLike(v, nil)
	require.NoError(t, err)
	assert.Equal(t, "A: 1\n\nResources:\n  X:\n    Type: T\n\n  Y:\n    Type: T\n", string(out))
}

func TestYAMLLikeAnchors(t *testing.T) {
	src, err := parse.Read([]byte("Base: &b {Type: T, Properties: {A: 1}}\nResources:\n  X: *b\n  Y: *b\n"))
	require.NoError(t, err)
	v := tree.Clone(src.Template).(*tree.Object)
	get(t, v, "Resources", "Y").Set("Type", "U")
	out, err := format.YAMLLike(v, src)
	require.NoError(t, err)
	back, err := parse.Template(out)
	require.NoError(t, err, "%s", out)
	assert.True(t, tree.Equal(v, back), "%s", out)
}

// TestYAMLLikeMoreIndentedFold: a folded block with a more-indented line
// (as API Gateway mapping templates have) reads back as the same text, and
// the comments around it are kept.
func TestYAMLLikeMoreIndentedFold(t *testing.T) {
	src, err := parse.Read([]byte("# kept\na: >\n  #set($all = $input.params())\n          #end\nb: 1 # kept too\n"))
	require.NoError(t, err)
	out, err := format.YAMLLike(src.Template, src)
	require.NoError(t, err)
	back, err := parse.Document(out)
	require.NoError(t, err)
	assert.True(t, tree.Equal(src.Template, back), "%s", out)
	assert.Contains(t, string(out), "# kept\n")
	assert.Contains(t, string(out), "# kept too")
}

// TestYAMLLikeFlowQuoting: scalars of flow collections keep their quoting,
// though the YAML library quotes every one with a colon there.
func TestYAMLLikeFlowQuoting(t *testing.T) {
	tests := []struct{ name, in string }{
		{"plain with colons stays plain", "a: {Action: sts:AssumeRole, T: [X, AWS::Serverless-2016-10-31]}\n"},
		{"quoted stays quoted", "a: {Action: 'sts:AssumeRole'}\n"},
		{"a tag keeps its plain value", "a: [!Ref A::B, !GetAtt X.Arn]\n"},
		{"a string that looks like a number stays quoted", "a: {B: '1', C: 1}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := parse.Read([]byte(tc.in))
			require.NoError(t, err)
			out, err := format.YAMLLike(src.Template, src)
			require.NoError(t, err)
			assert.Equal(t, tc.in, string(out))
		})
	}
}

// TestLongKeys: a key longer than 128 characters (a long OpenAPI path) is
// written as a key, as the author wrote it, not as a YAML complex key
// (? key / : value), which the YAML library writes beyond 128 characters.
func TestLongKeys(t *testing.T) {
	long := "/" + strings.Repeat("jobs/{id}/", 14) + "status" // 147 characters
	tests := []struct{ name, in string }{
		{"plain, a mapping", "paths:\n  " + long + ":\n    get:\n      operationId: status\n"},
		{"plain, a scalar", "a:\n  " + long + ": v\n"},
		{"plain, a list", "a:\n  " + long + ":\n    - x\n    - y\n"},
		{"single-quoted", "a:\n  '" + long + "': v\n"},
		{"double-quoted", "a:\n  \"" + long + "\": v\n"},
		{"comments kept", "a:\n  # above\n  " + long + ": v # after\n"},
		{"in a flow mapping", "a: {" + strings.Repeat("/jobs/status", 12) + ": v, b: c}\n"},
		{"in a flow mapping, quoted", "a: {'" + long + "': v, b: c}\n"},
		{"at the top level", long + ": 1\n"},
		{"1,024 characters, YAML's limit for a key", strings.Repeat("k", 1024) + ": 1\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := parse.Read([]byte(tc.in))
			require.NoError(t, err)
			out, err := format.YAMLLike(src.Template, src)
			require.NoError(t, err)
			assert.Equal(t, tc.in, string(out), "YAMLLike")
			// Written anew (a changed template, or one read from JSON).
			out, err = format.YAML(src.Template)
			require.NoError(t, err)
			assert.NotContains(t, string(out), "? ", "YAML")
			back, err := parse.Document(out)
			require.NoError(t, err)
			assert.True(t, tree.Equal(src.Template, back), "YAML: %s", out)
		})
	}
	// Beyond 1,024 characters YAML allows no plain key: the complex form
	// is the only one, and it reads back.
	v := tree.NewObject(strings.Repeat("k", 1025), "v")
	out, err := format.YAML(v)
	require.NoError(t, err)
	back, err := parse.Document(out)
	require.NoError(t, err)
	assert.True(t, tree.Equal(v, back), "%s", out)
}
