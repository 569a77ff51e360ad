// Package cli is the asyncinvoke command: it expands and checks templates
// with package macro exactly as the Lambda function does, and runs their
// functions and APIs locally with package local.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/format"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/asyncinvoke/asyncinvoke/parse"
	"github.com/asyncinvoke/asyncinvoke/tree"
)

const usage = `asyncinvoke expands the AsyncInvoke CloudFormation macro's shorthand locally.

Usage:
  asyncinvoke expand [-o yaml|json] [-p Key=Value]... FILE   print the expanded template (FILE - reads stdin)
  asyncinvoke check [-p Key=Value]... FILE                   print every problem; exit 1 if there is one
  asyncinvoke local invoke [-t template.yaml] [-e event.json] FUNCTION
                                                            build a function as sam build does and invoke it
                                                            under the Lambda Runtime Interface Emulator
  asyncinvoke local start-api [-t template.yaml] [--port 3000] [-p Key=Value]...
                             [--function-endpoint LogicalId=URL]...
                                                            serve the template's REST APIs on localhost

Run 'asyncinvoke COMMAND -h' for a command's flags.
`

// Exit codes.
const (
	exitOK       = 0
	exitProblems = 1 // the template has problems, or the command failed
	exitUsage    = 2
)

// IO is where a command reads and writes.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// fail reports err on standard error and returns the exit code for it.
func (stdio IO) fail(err error) int {
	fmt.Fprintf(stdio.Stderr, "asyncinvoke: %v\n", err)
	return exitProblems
}

// Std is the process's standard input, output and error.
var Std = IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}

// Main runs the command line args (without the program name) and returns
// the exit code.
func Main(args []string, stdio IO) int {
	if len(args) == 0 {
		fmt.Fprint(stdio.Stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "expand":
		return expand(args[1:], stdio, false)
	case "check":
		return expand(args[1:], stdio, true)
	case "local":
		return localCommand(args[1:], stdio)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdio.Stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stdio.Stderr, "asyncinvoke: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// params collects repeated -p Key=Value flags.
type params map[string]any

func (p params) String() string { return "" }

func (p params) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want Key=Value, not %q", s)
	}
	p[k] = v
	return nil
}

// parseFlags parses flags that may stand before or after the positional
// arguments, and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func expand(args []string, stdio IO, checkOnly bool) int {
	name := "expand"
	if checkOnly {
		name = "check"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	output := "yaml"
	if !checkOnly {
		fs.StringVar(&output, "o", "yaml", "output format: yaml or json")
	}
	values := params{}
	fs.Var(values, "p", "a template parameter value, Key=Value (repeatable); parameters not given take their Default")
	macroName := fs.String("macro-name", "AsyncInvoke", "the macro's name in the template's Transform, removed from the output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 || (output != "yaml" && output != "json") {
		fmt.Fprintf(stdio.Stderr, "usage: asyncinvoke %s [-o yaml|json] [-p Key=Value]... FILE\n", name)
		return exitUsage
	}
	t, err := readTemplate(pos[0], stdio.Stdin)
	if err != nil {
		return stdio.fail(err)
	}
	if _, err := macro.Expand(t, values); err != nil {
		fmt.Fprintln(stdio.Stdout, problemLines(err, pos[0]+": "))
		return exitProblems
	}
	if checkOnly {
		return exitOK
	}
	removeTransform(t, *macroName)
	out, err := render(t, output)
	if err != nil {
		return stdio.fail(err)
	}
	stdio.Stdout.Write(out)
	return exitOK
}

func readTemplate(file string, stdin io.Reader) (*tree.Object, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, err
	}
	t, err := parse.Template(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return t, nil
}

// render writes t as YAML or JSON and checks, as rain fmt --verify does,
// that the text reads back as the same template.
func render(t *tree.Object, output string) ([]byte, error) {
	var out []byte
	var err error
	if output == "json" {
		out = format.JSON(t)
	} else if out, err = format.YAML(t); err != nil {
		return nil, err
	}
	back, err := parse.Template(out)
	if err != nil || !tree.Equal(back, t) {
		return nil, fmt.Errorf("internal error: the %s output does not read back as the expanded template (%v); please report this", output, err)
	}
	return out, nil
}

// removeTransform drops the macro from the template's Transform, as
// CloudFormation does once it has run it; other transforms stay.
func removeTransform(t *tree.Object, name string) {
	v, ok := t.Get("Transform")
	if !ok {
		return
	}
	switch v := v.(type) {
	case string:
		if v == name {
			t.Delete("Transform")
		}
	case []any:
		var keep []any
		for _, x := range v {
			if x != name {
				keep = append(keep, x)
			}
		}
		switch len(keep) {
		case 0:
			t.Delete("Transform")
		case 1:
			t.Set("Transform", keep[0])
		default:
			t.Set("Transform", keep)
		}
	}
}

// problemLines writes each problem of an expansion on a line of its own.
func problemLines(err error, prefix ...string) string {
	var ps macro.Problems
	if !errors.As(err, &ps) {
		ps = macro.Problems{{Message: err.Error()}}
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = strings.Join(prefix, "") + p.Error()
	}
	return strings.Join(lines, "\n")
}
