package tree_test

import (
	"fmt"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// A Decoder lets its caller decode what it reads and keep the rest as the
// bytes it came in, which Encode copies unchanged.
func ExampleDecoder() {
	d := tree.NewDecoder([]byte(`{"read": {"n": 1.50}, "keep": {"b": 2,  "a": [1e400]}}`))
	doc := &tree.Object{}
	err := d.Members(func(key string) error {
		var v any
		var err error
		if key == "keep" {
			v, err = d.Raw()
		} else {
			v, err = d.Value()
		}
		doc.Members = append(doc.Members, tree.Member{Key: key, Value: v})
		return err
	})
	if err == nil {
		err = d.End()
	}
	fmt.Println(string(tree.Encode(doc)), err)
	// Output: {"read":{"n":1.50},"keep":{"b": 2,  "a": [1e400]}} <nil>
}

func ExampleDecode() {
	_, err := tree.Decode([]byte(`{"Resources": {"Api": {"Type": "A", "Type": "B"}}}`))
	fmt.Println(err)
	// Output: duplicate key "Type" in Resources.Api: a key may appear once in an object
}

// Walk visits every value of a document with its path; a step says
// whether to go into a value, skip it, or stop.
func ExampleWalk() {
	doc, _ := tree.Decode([]byte(`{"Resources":{"Q":{"Type":"AWS::SQS::Queue"},"Fn":{"Properties":{"Role":{"Ref":"R"},"Tags":[{"Ref":"T"}]}}}}`))
	tree.Walk(doc, func(path []string, v any) tree.Step {
		if len(path) == 2 && path[1] == "Q" {
			return tree.SkipChildren
		}
		if k, arg, ok := tree.Only(v); ok && k == "Ref" {
			fmt.Println(strings.Join(path, "."), "refers to", arg)
		}
		return tree.Continue
	})
	// Output:
	// Resources.Fn.Properties.Role refers to R
	// Resources.Fn.Properties.Tags.0 refers to T
}
