// Command instructions is the harness of `make bench-instructions`: it
// runs one side of the 1 MB benchmark three times, for valgrind to count
// the instructions (a count repeats exactly on a busy machine, a time does
// not). The make target subtracts the count of side none (start-up and
// building the request) from the others:
//
//	instructions macro   # macro.Handle, as the Lambda function runs it
//	instructions json    # floor (a): encoding/json into map[string]any and back
//	instructions none    # nothing
//
// A second argument, openapi, takes the 1 MB request that the macro must
// decode entirely (2,500 operations in one OpenAPI document) instead of the
// README's (400 methods among 2,000 other resources).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/asyncinvoke/asyncinvoke/tests/bench/benchreq"
)

// Requests is how many requests each side handles.
const Requests = 3

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: instructions macro|json|none [openapi]")
		os.Exit(2)
	}
	payload := benchreq.Template(400, 2000)
	if len(os.Args) == 3 && os.Args[2] == "openapi" {
		payload = benchreq.OpenAPI(200, 2500)
	}
	for range Requests {
		switch os.Args[1] {
		case "macro":
			if _, sum := macro.Handle(payload); sum.Status != macro.StatusSuccess {
				fmt.Fprintln(os.Stderr, sum)
				os.Exit(1)
			}
		case "json":
			var m map[string]any
			if err := json.Unmarshal(payload, &m); err != nil {
				panic(err)
			}
			if _, err := json.Marshal(m); err != nil {
				panic(err)
			}
		case "none":
		default:
			fmt.Fprintln(os.Stderr, "usage: instructions macro|json|none [openapi]")
			os.Exit(2)
		}
	}
}
