// Package cli is the asyncinvoke command: it expands and checks templates
// with package macro exactly as the Lambda function does, runs their
// functions and APIs locally with package local, and audits (and fixes)
// REST APIs already deployed with package audit.
//
// Standard output carries only what a command produces (a template, a
// diff, check's report, a function's result); problems, warnings and
// progress go to standard error. Exit codes: 0 done, 1 problems found or
// the command failed, 2 the command line is wrong. Help (-h, --help, help)
// goes to standard output and exits 0 at every level.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

const usage = `asyncinvoke expands and checks templates that use the AsyncInvoke
CloudFormation macro, and serves their REST APIs locally.

Usage:
  asyncinvoke expand [-o yaml|json] [--diff] [-p Key=Value]... FILE
                        print the expanded template, or its diff (FILE - reads stdin)
  asyncinvoke check [-f text|json] [--strict] [-p Key=Value]... FILE...
                        report what would not deploy or work as written; exit 1 on errors
  asyncinvoke local invoke [-t template.yaml] [-e event.json] FUNCTION
                        build a function as sam build does and invoke it once
  asyncinvoke local start-api [-t template.yaml] [--port 3000] [-p Key=Value]...
                        serve the template's REST APIs on localhost
  asyncinvoke audit --rest-api-id ID [--stage NAME] [--fix --mode always|client [--apply]]
                        tell how each method of a deployed REST API invokes Lambda; fix it
  asyncinvoke version   print the version

Run 'asyncinvoke COMMAND -h' (or 'asyncinvoke help COMMAND') for a command's flags.
`

// Exit codes.
const (
	exitOK       = 0
	exitProblems = 1 // the template has problems, or the command failed
	exitUsage    = 2 // the command line is wrong
	exitFailed   = 3 // audit: it could not run, or --apply stopped (1 is for problems found)
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
	if stdio.Stdin == nil {
		stdio.Stdin = strings.NewReader("")
	}
	if len(args) == 0 {
		fmt.Fprint(stdio.Stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "expand":
		return expand(args[1:], stdio)
	case "check":
		return check(args[1:], stdio)
	case "local":
		return localCommand(args[1:], stdio)
	case "audit":
		return auditCommand(args[1:], stdio)
	case "version", "-version", "--version":
		return version(args[1:], stdio)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			return Main(append(slices.Clone(args[1:]), "-h"), stdio)
		}
		fmt.Fprint(stdio.Stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stdio.Stderr, "asyncinvoke: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// command is one command's flags and help.
type command struct {
	name     string // as typed: "local start-api"
	synopsis string // what follows the name in a usage line
	about    string // what it does, for -h
	fs       *flag.FlagSet
	stdio    IO
}

func newCommand(name, synopsis, about string, stdio IO) *command {
	fs := flag.NewFlagSet("asyncinvoke "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors and help itself
	return &command{name: name, synopsis: synopsis, about: about, fs: fs, stdio: stdio}
}

func (c *command) help() {
	w := c.stdio.Stdout
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", c.usage(), strings.TrimSpace(c.about))
	n := 0
	c.fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		c.fs.SetOutput(w)
		c.fs.PrintDefaults()
		c.fs.SetOutput(io.Discard)
	}
}

// usage is the command's usage line, without "Usage: ".
func (c *command) usage() string {
	return strings.TrimSpace("asyncinvoke " + c.name + " " + c.synopsis)
}

// usageError says what is wrong with the command line and returns exitUsage.
func (c *command) usageError(format string, args ...any) int {
	fmt.Fprintf(c.stdio.Stderr, "asyncinvoke %s: %s\nUsage: %s\nRun 'asyncinvoke %s -h' for help.\n",
		c.name, fmt.Sprintf(format, args...), c.usage(), c.name)
	return exitUsage
}

// parse parses flags that may stand before or after the positional
// arguments and returns the positional ones. When done is true the command
// is over (help was asked for, or the flags are wrong) with exit code code.
func (c *command) parse(args []string) (pos []string, code int, done bool) {
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.help()
				return nil, exitOK, true
			}
			return nil, c.usageError("%s", c.flagError(err, args)), true
		}
		args = c.fs.Args()
		if len(args) == 0 {
			return pos, exitOK, false
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagError rewrites an error of package flag in the user's words: the
// flag as typed (--port, not -port), and what a flag wants when package
// flag says only "parse error".
func (c *command) flagError(err error, args []string) string {
	msg := err.Error()
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "--") || name == "" {
			continue
		}
		if before, ok := strings.CutSuffix(msg, " -"+name); ok {
			msg = before + " --" + name
		}
		msg = strings.Replace(msg, " -"+name+":", " --"+name+":", 1)
	}
	if before, ok := strings.CutSuffix(msg, ": parse error"); ok {
		msg = before + ": want true or false"
		if !strings.HasPrefix(msg, "invalid boolean value") {
			msg = before + ": want a whole number"
		}
	}
	return strings.Replace(msg, "flag provided but not defined:", "unknown flag", 1)
}

// choice is a flag that takes one of a few values.
type choice struct {
	value   string
	allowed []string
}

func newChoice(value string, allowed ...string) *choice { return &choice{value, allowed} }

func (c *choice) String() string {
	if c == nil {
		return ""
	}
	return c.value
}

func (c *choice) Set(s string) error {
	if !slices.Contains(c.allowed, s) {
		return fmt.Errorf("want %s", strings.Join(c.allowed, " or "))
	}
	c.value = s
	return nil
}

// params collects repeated -p Key=Value flags.
type params map[string]any

// stackFlags adds --region and --account-id: the stack the template is for,
// as CloudFormation tells the macro (it then recognizes permissions that
// spell them out).
func stackFlags(fs *flag.FlagSet) *macro.Stack {
	s := &macro.Stack{}
	fs.StringVar(&s.Region, "region", "", "the `region` of the stack, as CloudFormation tells the macro (optional)")
	fs.StringVar(&s.AccountID, "account-id", "", "the `account` of the stack, as CloudFormation tells the macro (optional)")
	return s
}

// expandLocally runs the macro on t as CloudFormation would. Loops of
// AWS::LanguageExtensions, listed before the macro, are expanded by
// CloudFormation before the macro runs, which cannot happen here: their
// problems say so instead of asking for that order.
func expandLocally(t *tree.Object, values params, stack macro.Stack, macroName string) (macro.Stats, error) {
	stats, err := macro.ExpandFor(t, values, stack)
	if err == nil || !extensionsFirst(t, macroName) {
		return stats, err
	}
	ps := problems(err)
	for i, p := range ps {
		if len(p.Path) > 1 && p.Path[0] == "Resources" && strings.HasPrefix(p.Path[1], "Fn::ForEach::") {
			ps[i].Message = "is inside " + p.Path[1] + ", which AWS::LanguageExtensions expands in CloudFormation before AsyncInvoke runs (listed first, as it must be); asyncinvoke cannot expand loops itself, so it cannot show or check what the loop makes"
		}
	}
	return stats, ps
}

// extensionsFirst reports whether t's Transform lists
// AWS::LanguageExtensions before the macro.
func extensionsFirst(t *tree.Object, macroName string) bool {
	v, _ := t.Get("Transform")
	list, _ := v.([]any)
	for _, x := range list {
		switch x {
		case "AWS::LanguageExtensions":
			return true
		case macroName:
			return false
		}
	}
	return false
}

func (p params) String() string { return "" }

func (p params) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want Key=Value, not %q", s)
	}
	p[k] = v
	return nil
}

// undeclared checks that the template declares every parameter given a
// value, and says which it declares when it does not.
func (p params) undeclared(t *tree.Object) error {
	declared, _ := t.Get("Parameters")
	ps, _ := declared.(*tree.Object)
	var names []string
	if ps != nil {
		names = ps.Keys()
	}
	for _, k := range sortedKeys(p) {
		if !slices.Contains(names, k) {
			if len(names) == 0 {
				return fmt.Errorf("-p %s: the template declares no parameters", k)
			}
			return fmt.Errorf("-p %s: the template declares no parameter %s; its parameters are %s", k, k, strings.Join(names, ", "))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func version(args []string, stdio IO) int {
	c := newCommand("version", "", "Print the version of asyncinvoke: its module version, the VCS revision it was built from, and the Go version.", stdio)
	pos, code, done := c.parse(args)
	if done {
		return code
	}
	if len(pos) != 0 {
		return c.usageError("takes no arguments")
	}
	fmt.Fprintln(stdio.Stdout, versionText())
	return exitOK
}

// versionText describes this build from debug.ReadBuildInfo.
func versionText() string {
	v, revision, modified, when := "unknown", "", false, ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			case "vcs.time":
				when = s.Value
			}
		}
	}
	s := "asyncinvoke " + v
	if revision != "" {
		s += " (revision " + revision
		if when != "" {
			s += " of " + when
		}
		if modified {
			s += ", with uncommitted changes"
		}
		s += ")"
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// readSource reads a template file (- for stdin) with what is needed to
// locate its values.
func readSource(file string, stdin io.Reader) (*parse.Source, error) {
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
	return parse.Read(data)
}

// displayName is how messages name a template file.
func displayName(file string) string {
	if file == "-" {
		return "<stdin>"
	}
	return file
}

// located writes file:line:col: message, or file: message where the place
// is not known.
func located(file string, p parse.Pos, message string) string {
	if p.Line == 0 {
		return file + ": " + message
	}
	return fmt.Sprintf("%s:%d:%d: %s", file, p.Line, p.Column, message)
}

// readError is a template that cannot be read, as one located line.
func readError(file string, err error) string {
	var pe *parse.Error
	if errors.As(err, &pe) {
		return located(displayName(file), pe.Pos, pe.Message)
	}
	return displayName(file) + ": " + err.Error()
}

// problems returns each problem of an expansion with its place in src.
func problems(err error) macro.Problems {
	var ps macro.Problems
	if !errors.As(err, &ps) {
		// The macro returns Problems; anything else is taken as the
		// macro's first rule: it cannot read the template.
		ps = macro.Problems{{Message: err.Error(), Code: macro.Rules[0].Code}}
	}
	return ps
}

// noteLines writes each note of an expansion on a line of its own, as a
// warning located where locate says (includes.locate), with its code as
// check reports it (W4003 ...).
func noteLines(notes []macro.Problem, locate func([]string) (string, parse.Pos)) string {
	lines := make([]string, len(notes))
	for i, n := range notes {
		file, pos := locate(n.Path)
		lines[i] = located(file, pos, "warning: "+string(n.Code)+" "+n.Error())
	}
	return strings.Join(lines, "\n")
}

// problemLines writes each problem of an expansion on a line of its own,
// located where locate says (includes.locate).
func problemLines(err error, locate func([]string) (string, parse.Pos)) string {
	ps := problems(err)
	lines := make([]string, len(ps))
	for i, p := range ps {
		file, pos := locate(p.Path)
		lines[i] = located(file, pos, p.Error())
	}
	return strings.Join(lines, "\n")
}
