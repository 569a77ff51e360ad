package macro

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"strings"
)

// goldenHeaderPrefix starts a golden input's first line when the case
// needs inputs: what CloudFormation tells the macro of the stack and the
// parameters, written as asyncinvoke expand's flags (as gofmt's tests read
// their flags from a test file's first line), e.g.
//
//	# asyncinvoke-test: -region cn-north-1 -account-id 123456789012 -p Stage=live
const goldenHeaderPrefix = "# asyncinvoke-test:"

// goldenInputs are a golden case's inputs.
type goldenInputs struct {
	Values map[string]any // templateParameterValues; nil when none
	Stack  Stack
}

// readGoldenHeader reads a golden input's header, if it has one.
func readGoldenHeader(src []byte) (goldenInputs, error) {
	line, _, _ := bufio.NewReader(bytes.NewReader(src)).ReadLine()
	args, ok := strings.CutPrefix(string(line), goldenHeaderPrefix)
	if !ok {
		return goldenInputs{}, nil
	}
	var in goldenInputs
	fs := flag.NewFlagSet(goldenHeaderPrefix, flag.ContinueOnError)
	fs.StringVar(&in.Stack.Region, "region", "", "the stack's region")
	fs.StringVar(&in.Stack.AccountID, "account-id", "", "the stack's account")
	fs.Func("p", "a parameter value, Key=Value", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return fmt.Errorf("want Key=Value, not %q", s)
		}
		if in.Values == nil {
			in.Values = map[string]any{}
		}
		in.Values[k] = v
		return nil
	})
	if err := fs.Parse(strings.Fields(args)); err != nil {
		return goldenInputs{}, fmt.Errorf("%s %w", goldenHeaderPrefix, err)
	}
	if fs.NArg() > 0 {
		return goldenInputs{}, fmt.Errorf("%s unexpected %q", goldenHeaderPrefix, fs.Args())
	}
	return in, nil
}
