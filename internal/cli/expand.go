package cli

import (
	"fmt"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

const expandAbout = `
Expand the AsyncInvoke shorthand as the deployed macro does (package macro,
the same code) and print the template CloudFormation would deploy, or with
--diff what the macro changes. The macro's name is removed from Transform, as
CloudFormation removes it once it has run the macro.

YAML output keeps what the expansion leaves unchanged as it is written: its
comments, literal (|) and folded (>) blocks, quoting, flow collections and
short-form tags; what the macro adds or changes is written in the usual
template style. JSON output is the long form CloudFormation shows as the
processed template. Either is read back and compared with the expanded
template before it is printed.

Fn::Transform AWS::Include in the template's body runs before the macro
(CloudFormation runs the most deeply nested macros first), so the macro sees
what it includes: expand includes local files the same way (relative to the
template's directory), reports their problems where they are written, and
where the macro changes what a file brings, prints it in place of the
Fn::Transform, expanded, as CloudFormation's processed template has it.
What the macro leaves unchanged keeps its Fn::Transform, as do includes
from S3, which are not read.

The template goes to standard output; problems go to standard error as
FILE:LINE:COL: message, and the exit code is 1. What the macro cannot do in
the template and leaves to you (a permission for a function defined
elsewhere, a policy for a role defined elsewhere) goes to standard error as
FILE:LINE:COL: warning: message; the exit code is then 0.`

func expand(args []string, stdio IO) int {
	c := newCommand("expand", "[-o yaml|json] [--diff [--color auto|always|never]] [-p Key=Value]... [--macro-name NAME] FILE", expandAbout, stdio)
	output := newChoice("yaml", "yaml", "json")
	c.fs.Var(output, "o", "output `format`: yaml or json")
	diff := c.fs.Bool("diff", false, "print a unified diff between the template as written and expanded, both written the same way, instead of the expanded template")
	color := newChoice("auto", "auto", "always", "never")
	c.fs.Var(color, "color", "`when` to colour the diff: auto (on a terminal, unless NO_COLOR is set), always or never")
	values := params{}
	c.fs.Var(values, "p", "a template parameter's value, `Key=Value` (repeatable); parameters not given take their Default")
	macroName := c.fs.String("macro-name", macro.Shorthand, "the `name` the macro is deployed under, which is removed from Transform")
	stack := stackFlags(c.fs)
	pos, code, done := c.parse(args)
	if done {
		return code
	}
	if len(pos) != 1 {
		return c.usageError("want one template FILE (- reads standard input), not %d arguments", len(pos))
	}
	file := pos[0]
	src, err := readSource(file, stdio.Stdin)
	if err != nil {
		fmt.Fprintln(stdio.Stderr, readError(file, err))
		return exitProblems
	}
	if err := values.undeclared(src.Template); err != nil {
		return c.usageError("%v", err)
	}
	var before chan rendered
	if *diff {
		// The template as written is rendered while the macro runs: on a
		// large template that is most of the cost of --diff.
		before = make(chan rendered, 1)
		go func() {
			out, err := render(src.Template, output.value, src)
			before <- rendered{out, err}
		}()
	}
	inc := newIncludes(file, src)
	t := inc.inlined()
	for _, l := range inc.unreadableLines("expanded") {
		fmt.Fprintln(stdio.Stderr, l)
	}
	stats, err := expandLocally(t, values, *stack, *macroName)
	if err != nil {
		fmt.Fprintln(stdio.Stderr, problemLines(err, inc.locate))
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %s cannot be expanded: %s\n", displayName(file), count(len(problems(err)), "problem"))
		return exitProblems
	}
	if len(stats.Notes) > 0 {
		fmt.Fprintln(stdio.Stderr, noteLines(stats.Notes, inc.locate))
	}
	removeTransform(t, *macroName)
	inc.restore(t)
	out, err := render(t, output.value, src)
	if err != nil {
		return stdio.fail(err)
	}
	if !*diff {
		stdio.Stdout.Write(out)
		return exitOK
	}
	b := <-before
	if b.err != nil {
		return stdio.fail(b.err)
	}
	name := displayName(file)
	if err := writeDiff(stdio.Stdout, b.out, out, name, name+" (expanded)", useColor(color.value, stdio.Stdout)); err != nil {
		return stdio.fail(err)
	}
	return exitOK
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// rendered is render's answer.
type rendered struct {
	out []byte
	err error
}

// render writes t as YAML (in the style of src where t keeps its values)
// or JSON, and checks, as rain fmt --verify does, that the text reads back
// as the same template.
func render(t *tree.Object, output string, src *parse.Source) ([]byte, error) {
	var out []byte
	var err error
	if output == "json" {
		out = format.JSON(t)
	} else if out, err = format.YAMLLike(t, src); err != nil {
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
