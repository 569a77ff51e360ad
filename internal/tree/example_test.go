package tree_test

import (
	"fmt"

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
