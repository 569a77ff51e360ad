package macro_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/asyncinvoke/asyncinvoke/tests/bench/benchreq"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// document is one input of TestRoundTrip: a macro request (or response,
// which has a fragment too) as JSON text.
type document struct {
	name    string
	payload []byte
}

// roundTripDocuments are every JSON file under events/, tests/testdata/ and
// macro/testdata/, every YAML template the tests expand (as the JSON
// CloudFormation would send), and the benchmark requests.
func roundTripDocuments(t *testing.T) []document {
	var docs []document
	for _, pattern := range []string{"../events/*.json", "../tests/testdata/*.json", "testdata/*.json"} {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			docs = append(docs, document{f, b})
		}
	}
	yamls, err := filepath.Glob("testdata/*.yaml")
	require.NoError(t, err)
	yamls = append(yamls, "../examples/jobs.yaml", "../template.yaml", "../deploy/organization.yaml")
	for _, f := range yamls {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		tmpl, err := parse.Template(src)
		require.NoError(t, err, f)
		docs = append(docs, document{f, []byte(`{"requestId":"rt","templateParameterValues":{"ReportMode":"client"},"fragment":` + string(tree.Encode(tmpl)) + `}`)})
	}
	docs = append(docs,
		document{"benchreq.Template(400, 2000)", benchreq.Template(400, 2000)},
		document{"benchreq.OpenAPI(10, 40)", benchreq.OpenAPI(10, 40)})
	// Each also indented, as a person or another tool may write it: the
	// parts kept raw then keep their white space, and show it.
	for _, d := range slices.Clone(docs) {
		var b bytes.Buffer
		require.NoError(t, json.Indent(&b, d.payload, "", "\t"))
		if !bytes.Equal(b.Bytes(), d.payload) {
			docs = append(docs, document{d.name + " (indented)", b.Bytes()})
		}
	}
	require.Greater(t, len(docs), 80)
	return docs
}

// TestRoundTrip: every document decodes and re-encodes with the same
// members, in the same order, with the same number and string texts, in
// full and as the Lambda function reads it (parts kept as raw bytes come
// back byte for byte); and after expansion, every resource and section the
// macro does not change comes out the same way.
func TestRoundTrip(t *testing.T) {
	for _, doc := range roundTripDocuments(t) {
		t.Run(doc.name, func(t *testing.T) {
			compact := compactJSON(t, doc.payload)

			// Decoded in full, encoded: the compact input exactly.
			v, err := tree.Decode(doc.payload)
			require.NoError(t, err)
			assert.Equal(t, string(compact), string(tree.Encode(v)))

			if !bytes.Contains(doc.payload, []byte(`"fragment"`)) {
				return // the answer to a refused request: no template
			}

			// As the function reads it: the fragment encodes to the compact
			// input's fragment, and each part kept raw is the input's bytes.
			req, err := macro.DecodeRequest(doc.payload)
			require.NoError(t, err)
			inFragment := rawAt(t, doc.payload, "fragment")
			assert.Equal(t, string(compactJSON(t, inFragment)), string(compactJSON(t, tree.Encode(req.Fragment))))
			raws := 0
			in := indexed(t, inFragment)
			walkRaw(req.Fragment, nil, func(path []string, raw tree.Raw) {
				raws++
				assert.Equal(t, string(in.at(path)), string(raw), "raw at %s", strings.Join(path, "."))
			})
			if strings.HasPrefix(doc.name, "benchreq.Template") {
				assert.Greater(t, raws, 1000, "the benchmark template's unread resources are kept raw")
			}

			// Expanded: what the macro does not own is unchanged.
			out, sum := macro.Handle(doc.payload)
			if sum.Status != macro.StatusSuccess {
				return // a refused template: its golden files say why
			}
			assertUnchanged(t, inFragment, rawAt(t, out, "fragment"))
		})
	}
}

// assertUnchanged checks that every section of in other than Resources and
// Conditions is in out, in the same place with the same text, that
// Resources and Conditions keep every member in order (the macro appends
// permissions and conditions), and that every resource without the
// shorthand comes back with the same text: the very bytes when the
// function kept it raw.
//
// A deployment the macro renames (deployment.go: its logical ID and a hash)
// is compared under its old name, and every reference to it with it.
func assertUnchanged(t *testing.T, in, out []byte) {
	t.Helper()
	out, renamed := unrenamed(t, in, out)
	inKeys, inVals := membersAt(t, in)
	outKeys, outVals := membersAt(t, out)
	require.Equal(t, inKeys, outKeys[:min(len(outKeys), len(inKeys))], "top-level keys in order")
	for i, key := range inKeys {
		if key == "Resources" || key == "Conditions" {
			continue
		}
		assert.Equal(t, string(compactJSON(t, inVals[i])), string(compactJSON(t, outVals[i])), key)
		if slices.Contains([]string{"Description", "Metadata", "Mappings", "Rules", "Outputs"}, key) && !markedText(inVals[i]) && !mentions(inVals[i], renamed) {
			assert.Equal(t, string(inVals[i]), string(outVals[i]), "%s: byte for byte", key)
		}
	}
	for _, section := range []string{"Conditions", "Resources"} {
		if !slices.Contains(inKeys, section) {
			continue
		}
		ids, vals := membersAt(t, in, section)
		outIDs, outVals := membersAt(t, out, section)
		require.GreaterOrEqual(t, len(outIDs), len(ids))
		require.Equal(t, ids, outIDs[:len(ids)], "%s: every member, in order", section)
		for i, id := range ids {
			if section == "Resources" && markedText(vals[i]) && bytes.Contains(vals[i], []byte("nvoke")) {
				continue // the macro's to change
			}
			assert.Equal(t, string(compactJSON(t, vals[i])), string(compactJSON(t, withoutAdded(t, vals[i], outVals[i]))), "%s.%s", section, id)
			if section == "Resources" && !macro.ReadsType(typeOf(t, vals[i])) && !markedText(vals[i]) && !mentions(vals[i], renamed) {
				// Kept raw: Type and Condition are decoded, the rest is the input's bytes.
				keys, members := membersAt(t, vals[i])
				outKeys, outMembers := membersAt(t, outVals[i])
				require.Equal(t, keys, outKeys)
				for j, k := range keys {
					if k != "Type" && k != "Condition" {
						assert.Equal(t, string(members[j]), string(outMembers[j]), "Resources.%s.%s: byte for byte", id, k)
					}
				}
			}
		}
	}
}

// withoutAdded removes what the macro adds for OnFailure and its options to
// a SAM function (its EventInvokeConfig property) and to the template's own
// identical AWS::Lambda::EventInvokeConfig (DependsOn on the policy that lets
// the role deliver, Metadata references to a conditional one), when in did
// not have them.
func withoutAdded(t *testing.T, in, out []byte) []byte {
	if typeOf(t, in) == "AWS::ApiGateway::Deployment" {
		// The macro adds the methods it expanded to a renamed deployment's DependsOn.
		before, err := tree.Decode(in)
		require.NoError(t, err)
		after, err := tree.Decode(out)
		require.NoError(t, err)
		b, a := before.(*tree.Object), after.(*tree.Object)
		was, had := b.Get("DependsOn")
		now, _ := a.Get("DependsOn")
		list, _ := now.([]any)
		wasList, isList := was.([]any)
		if had && !isList {
			wasList = []any{was}
		}
		if len(list) > len(wasList) && tree.Equal(list[:len(wasList)], wasList) {
			if had {
				a.Set("DependsOn", was)
			} else {
				a.Delete("DependsOn")
			}
		}
		return tree.Encode(a)
	}
	if typ := typeOf(t, in); typ != "AWS::Serverless::Function" && typ != "AWS::Lambda::EventInvokeConfig" {
		return out
	}
	before, err := tree.Decode(in)
	require.NoError(t, err)
	after, err := tree.Decode(out)
	require.NoError(t, err)
	b, a := before.(*tree.Object), after.(*tree.Object)
	if !b.Has("DependsOn") {
		a.Delete("DependsOn")
	}
	if bm, _ := b.Get("Metadata"); bm == nil {
		a.Delete("Metadata")
	} else if bm, ok := bm.(*tree.Object); ok && !bm.Has("AsyncInvokeWaitsFor") {
		if am, ok := a.Get("Metadata"); ok {
			am.(*tree.Object).Delete("AsyncInvokeWaitsFor")
		}
	}
	bp, _ := b.Get("Properties")
	ap, _ := a.Get("Properties")
	if bp, ok := bp.(*tree.Object); ok && !bp.Has("EventInvokeConfig") {
		if ap, ok := ap.(*tree.Object); ok {
			ap.Delete("EventInvokeConfig")
		}
	}
	// The macro appends grants on its destinations' keys to a SAM
	// function's Policies (one policy becomes a list of it).
	if bp, ok := bp.(*tree.Object); ok {
		ap, _ := ap.(*tree.Object)
		was, had := bp.Get("Policies")
		now, _ := ap.Get("Policies")
		list, isList := now.([]any)
		wasList, _ := was.([]any)
		if _, ok := was.([]any); had && !ok {
			wasList = []any{was}
		}
		if isList && len(list) > len(wasList) && tree.Equal(list[:len(wasList)], wasList) {
			if had {
				ap.Set("Policies", was)
			} else {
				ap.Delete("Policies")
			}
		}
	}
	return tree.Encode(a)
}

// markedText reports whether a resource's text holds something that makes
// the function decode it whatever its type (macro/lazy.go's markers).
func markedText(b []byte) bool {
	for _, m := range []string{macro.Shorthand, macro.OpenAPIShorthand, "Fn::ForEach", "Fn::Transform", `\u`} {
		if bytes.Contains(b, []byte(m)) {
			return true
		}
	}
	return false
}

func typeOf(t *testing.T, resource []byte) string {
	var r struct{ Type any }
	require.NoError(t, json.Unmarshal(resource, &r))
	s, _ := r.Type.(string)
	return s
}

// walkRaw calls f with the path and value of every Raw in v.
func walkRaw(v any, path []string, f func([]string, tree.Raw)) {
	switch v := v.(type) {
	case tree.Raw:
		f(path, v)
	case *tree.Object:
		for _, m := range v.Members {
			walkRaw(m.Value, append(slices.Clip(path), m.Key), f)
		}
	case []any:
		for i, e := range v {
			walkRaw(e, append(slices.Clip(path), fmt.Sprint(i)), f)
		}
	}
}

// index finds the exact texts of a template's sections and resources
// quickly (rawAt reads the document from the start each time).
type index struct {
	t         *testing.T
	fragment  []byte
	sections  map[string][]byte
	resources map[string][]byte
}

func indexed(t *testing.T, fragment []byte) *index {
	x := &index{t: t, fragment: fragment, sections: map[string][]byte{}, resources: map[string][]byte{}}
	if !bytes.HasPrefix(fragment, []byte("{")) {
		return x
	}
	keys, vals := membersAt(t, fragment)
	for i, k := range keys {
		x.sections[k] = vals[i]
	}
	if r, ok := x.sections["Resources"]; ok && bytes.HasPrefix(r, []byte("{")) {
		keys, vals := membersAt(t, r)
		for i, k := range keys {
			x.resources[k] = vals[i]
		}
	}
	return x
}

// at is the text at path.
func (x *index) at(path []string) []byte {
	switch {
	case len(path) == 1:
		return x.sections[path[0]]
	case len(path) >= 2 && path[0] == "Resources" && x.resources[path[1]] != nil:
		return rawAt(x.t, x.resources[path[1]], path[2:]...)
	}
	return rawAt(x.t, x.fragment, path...)
}

// rawAt returns the exact text of the value at path in a JSON document.
func rawAt(t *testing.T, data []byte, path ...string) []byte {
	t.Helper()
	d := tree.NewDecoder(data)
	var found []byte
	var walk func(path []string) error
	walk = func(path []string) error {
		if len(path) == 0 {
			raw, err := d.Raw()
			found = raw
			return err
		}
		if d.Kind() == '[' {
			v, err := d.Raw()
			if err != nil {
				return err
			}
			var list []json.RawMessage
			require.NoError(t, json.Unmarshal(v, &list))
			var i int
			fmt.Sscan(path[0], &i)
			found = rawAt(t, list[i], path[1:]...)
			return nil
		}
		return d.Members(func(key string) error {
			if key == path[0] {
				return walk(path[1:])
			}
			_, err := d.Raw()
			return err
		})
	}
	require.NoError(t, walk(path))
	require.NotNil(t, found, "nothing at %v", path)
	return found
}

// membersAt returns the keys and exact texts of the members of the object
// at path.
func membersAt(t *testing.T, data []byte, path ...string) (keys []string, values [][]byte) {
	t.Helper()
	d := tree.NewDecoder(rawAt(t, data, path...))
	require.NoError(t, d.Members(func(key string) error {
		v, err := d.Raw()
		keys, values = append(keys, key), append(values, v)
		return err
	}))
	return keys, values
}

func compactJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var c bytes.Buffer
	require.NoError(t, json.Compact(&c, b))
	return c.Bytes()
}

// unrenamed is out with every deployment the macro renamed (the same logical
// ID in the same place of Resources, with 8 hexadecimal digits after it)
// named as in in, and the names it had.
func unrenamed(t *testing.T, in, out []byte) ([]byte, []string) {
	t.Helper()
	if !slices.Contains(firstKeys(t, in), "Resources") {
		return out, nil
	}
	ids, vals := membersAt(t, in, "Resources")
	outIDs, _ := membersAt(t, out, "Resources")
	var renamed []string
	for i, id := range ids {
		if i >= len(outIDs) || outIDs[i] == id || typeOf(t, vals[i]) != "AWS::ApiGateway::Deployment" {
			continue
		}
		suffix, ok := strings.CutPrefix(outIDs[i], id)
		require.True(t, ok && len(suffix) == 8 && strings.ToUpper(suffix) == suffix, "Resources: %s became %s", id, outIDs[i])
		out = bytes.ReplaceAll(out, []byte(outIDs[i]), []byte(id))
		renamed = append(renamed, id)
	}
	return out, renamed
}

// mentions reports whether raw text holds one of the names.
func mentions(raw []byte, names []string) bool {
	for _, n := range names {
		if bytes.Contains(raw, []byte(n)) {
			return true
		}
	}
	return false
}

func firstKeys(t *testing.T, doc []byte) []string {
	keys, _ := membersAt(t, doc)
	return keys
}
