package vtl_test

import (
	"fmt"

	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
)

// A request template, as API Gateway runs it: the body's items, a query
// string parameter, and a value of $context. As in Velocity 1.7, #end
// takes the line end after it, hence the empty line in the loop.
func Example() {
	tmpl, err := vtl.Parse(`#set($root = $input.path('$'))
{
  "user": "$util.escapeJavaScript($input.params('user')).replaceAll("\\'", "'")",
  "request": "$context.requestId",
  "items": [
#foreach($item in $root.items)
    {"sku": "$item.sku", "quantity": $item.quantity}#if($foreach.hasNext),#end

#end
  ]
}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := tmpl.Execute(vtl.Variables{
		Body:    `{"items": [{"sku": "A-1", "quantity": 2}, {"sku": "B-7", "quantity": 1}]}`,
		Params:  vtl.Params{QueryString: map[string]string{"user": `O'Brien "Pat"`}},
		Context: map[string]any{"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Output)
	// Output:
	// {
	//   "user": "O'Brien \"Pat\"",
	//   "request": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
	//   "items": [
	//     {"sku": "A-1", "quantity": 2},
	//     {"sku": "B-7", "quantity": 1}
	//   ]
	// }
}

// Errors name the line and column.
func ExampleParse() {
	_, err := vtl.Parse("{\n  #if($input.params('x') == )\n}")
	fmt.Println(err)
	// Output: line 2, column 29: unexpected ')'
}
