package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

var checkAbout = `
Report what in a template would not deploy, or would deploy and then not
invoke asynchronously, as a linter does: one line per finding,

  FILE:LINE:COL: CODE message

on standard output (-f json: a JSON array of {file, line, column, level,
code, path, message}). The exit code is 1 when there is an error (or, with
--strict, a warning), else 0; a clean template prints nothing.

Fn::Transform AWS::Include in the template's body runs before the macro
(CloudFormation runs the most deeply nested macros first), so the macro sees
what it includes: check includes local files the same way (relative to the
template's directory) and reports their problems where they are written.
Includes from S3 are not checked.

` + codeList()

// finding is one thing check reports.
type finding struct {
	File    string `json:"file"`
	Line    int    `json:"line"`   // 0 when unknown
	Column  int    `json:"column"` // 0 when unknown
	Level   string `json:"level"`  // error or warning
	Code    string `json:"code"`
	Path    string `json:"path,omitempty"` // in the template: Resources.Api.Properties.Body...
	Message string `json:"message"`
}

func (f finding) String() string {
	msg := f.Code + " " + f.Message
	if f.Path != "" {
		msg = f.Code + " " + f.Path + ": " + f.Message
	}
	return located(f.File, parse.Pos{Line: f.Line, Column: f.Column}, msg)
}

func check(args []string, stdio IO) int {
	c := newCommand("check", "[-f text|json] [--strict] [-p Key=Value]... [--macro-name NAME] FILE...", checkAbout, stdio)
	form := newChoice("text", "text", "json")
	c.fs.Var(form, "f", "report `format`: text or json")
	strict := c.fs.Bool("strict", false, "exit 1 on warnings too")
	values := params{}
	c.fs.Var(values, "p", "a template parameter's value, `Key=Value` (repeatable); parameters not given take their Default")
	macroName := c.fs.String("macro-name", macro.Shorthand, "the `name` the macro is deployed under, which Transform must name")
	stack := stackFlags(c.fs)
	pos, code, done := c.parse(args)
	if done {
		return code
	}
	if len(pos) == 0 {
		return c.usageError("want one or more template FILEs (- reads standard input)")
	}
	var all []finding
	for _, file := range pos {
		src, err := readSource(file, stdio.Stdin)
		if err != nil {
			all = append(all, readFinding(file, err))
			continue
		}
		if err := values.undeclared(src.Template); err != nil {
			return c.usageError("%s: %v", displayName(file), err)
		}
		all = append(all, lint(file, src, values, *stack, *macroName)...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	if form.value == "json" {
		if all == nil {
			all = []finding{}
		}
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(all)
	} else {
		for _, f := range all {
			fmt.Fprintln(stdio.Stdout, f)
		}
	}
	for _, f := range all {
		if f.Level == "error" || *strict {
			return exitProblems
		}
	}
	return exitOK
}

func readFinding(file string, err error) finding {
	r := rules[0] // E0000
	f := finding{File: displayName(file), Level: r.Level, Code: r.Code, Message: err.Error()}
	var pe *parse.Error
	if errors.As(err, &pe) {
		f.Line, f.Column, f.Message = pe.Line, pe.Column, pe.Message
	}
	return f
}

// linter checks one template.
type linter struct {
	*includes              // the template and the local files it includes
	t         *tree.Object // the template with local includes in place
	macroName string
	stack     macro.Stack
	values    params
	findings  []finding

	exp        *expansion
	unseenDocs []unseenDocument
	unseenRead bool // unseenDocs is read
}

func lint(file string, src *parse.Source, values params, stack macro.Stack, macroName string) []finding {
	l := &linter{includes: newIncludes(file, src), macroName: macroName, stack: stack, values: values}
	l.t = l.inlined()
	for _, r := range rules {
		if r.check != nil {
			r.check(l, r)
		}
	}
	return l.findings
}

// expansion is the macro's expansion of the template checked.
type expansion struct {
	expanded *tree.Object
	stats    macro.Stats
	problems macro.Problems // when the macro refuses the template
}

// expansion expands the template (a copy), once.
func (l *linter) expansion() *expansion {
	if l.exp == nil {
		x := &expansion{expanded: tree.Clone(l.t).(*tree.Object)}
		stats, err := expandLocally(x.expanded, l.values, l.stack, l.macroName)
		if err != nil {
			x.problems = problems(err)
		}
		x.stats, l.exp = stats, x
	}
	return l.exp
}

// refused reports the problems of rule r the macro refuses the template
// for.
func (l *linter) refused(r rule) {
	for _, p := range l.expansion().problems {
		if string(p.Code) == r.Code {
			l.add(r, p.Path, "%s", p.Message)
		}
	}
}

// noted reports the macro's notes of rule r.
func (l *linter) noted(r rule) {
	for _, n := range l.expansion().stats.Notes {
		if string(n.Code) == r.Code {
			l.add(r, n.Path, "%s", n.Message)
		}
	}
}

// size warns when the expanded template is larger than CloudFormation
// takes in a request. It is measured as compact JSON, the smallest form of
// the processed template CloudFormation keeps (as JSON): its own formatting,
// and a transform that runs after the macro (SAM's), can only add to it.
func (l *linter) size(r rule) {
	x := l.expansion()
	if len(x.problems) > 0 || x.stats.Methods+x.stats.Operations == 0 {
		return
	}
	expanded := &tree.Object{Members: slices.Clone(x.expanded.Members)}
	removeTransform(expanded, l.macroName)
	n := len(tree.Encode(expanded))
	if n <= cfn.TemplateBodyLimit {
		return
	}
	l.add(r, nil, "expanded, the template is %s bytes as compact JSON (%s as written), over the %s bytes CloudFormation takes for a processed template passed in the request (aws cloudformation deploy without --s3-bucket, create-stack or update-stack with --template-body): deploy it through S3, where it takes up to 1 MB (sam deploy uploads the template; aws cloudformation deploy --s3-bucket BUCKET; --template-url); each content type of an Event: proxy method adds a request template of about 4 KB",
		thousands(n), thousands(len(tree.Encode(l.t))), thousands(cfn.TemplateBodyLimit))
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// add reports a finding of rule r at path.
func (l *linter) add(r rule, path []string, format string, args ...any) {
	file, pos := l.locate(path)
	l.findings = append(l.findings, finding{File: file, Line: pos.Line, Column: pos.Column, Level: r.Level, Code: r.Code,
		Path: strings.Join(path, "."), Message: fmt.Sprintf(format, args...)})
}

// macroNotInTransform reports a template that uses the shorthand whose
// Transform does not run the macro.
func (l *linter) macroNotInTransform(r rule) {
	uses := shorthandUses(l.t)
	names := transformNames(l.t)
	if len(uses) == 0 || slices.Contains(names, l.macroName) {
		return
	}
	where := []string{"Transform"}
	if _, ok := l.t.Get("Transform"); !ok {
		where = uses[0]
	}
	first := strings.Join(uses[0], ".")
	if len(uses) > 1 {
		first += fmt.Sprintf(" and %d more", len(uses)-1)
	}
	var fix string
	switch {
	case len(names) == 0:
		fix = fmt.Sprintf("add Transform: %s", l.macroName)
	case slices.Contains(names, macro.Shorthand) && l.macroName != macro.Shorthand:
		fix = fmt.Sprintf("it names %s, but --macro-name says the macro is deployed as %s: write %s in Transform, or check with the name you deployed", macro.Shorthand, l.macroName, l.macroName)
	default:
		fix = fmt.Sprintf("list %s first in Transform", l.macroName)
		var others []string
		for _, n := range names {
			if !strings.HasPrefix(n, "AWS::") {
				others = append(others, n)
			}
		}
		if len(others) > 0 {
			fix += fmt.Sprintf("; if %s is the macro under the name you deployed it with, check with --macro-name %s", strings.Join(others, " or "), others[0])
		}
	}
	l.add(r, where, "the template uses the shorthand (%s) but its Transform does not name %s, so nothing would expand it: %s; %s",
		first, l.macroName, unexpanded(uses), fix)
}

// samBeforeMacro reports a Transform that runs SAM's transform before the
// macro.
func (l *linter) samBeforeMacro(r rule) {
	names := transformNames(l.t)
	macroAt := slices.Index(names, l.macroName)
	samAt := slices.Index(names, "AWS::Serverless-2016-10-31")
	if macroAt >= 0 && samAt >= 0 && samAt < macroAt {
		l.add(r, []string{"Transform"}, "AWS::Serverless-2016-10-31 comes before %s, so SAM's transform runs first; list %s first: Transform: [%s, AWS::Serverless-2016-10-31]",
			l.macroName, l.macroName, l.macroName)
	}
}

// unexpanded says what becomes of the shorthand at these places when the
// macro does not expand it.
func unexpanded(uses [][]string) string {
	var what []string
	for _, u := range uses {
		c := "API Gateway would ignore x-async-invoke and invoke synchronously"
		if u[len(u)-1] == macro.Shorthand {
			c = "CloudFormation would refuse the unknown property AsyncInvoke"
		}
		if !slices.Contains(what, c) {
			what = append(what, c)
		}
	}
	return strings.Join(what, ", and ")
}

// transformNames lists the macros Transform names, in order.
func transformNames(t *tree.Object) []string {
	tv, _ := t.Get("Transform")
	items, ok := tv.([]any)
	if !ok {
		items = []any{tv}
	}
	var names []string
	for _, item := range items {
		switch item := item.(type) {
		case string:
			names = append(names, item)
		case *tree.Object:
			n, _ := item.Get("Name")
			s, _ := n.(string)
			names = append(names, s)
		}
	}
	return names
}

// shorthandUses lists where the template uses the shorthand: AsyncInvoke
// in a resource's Properties, x-async-invoke anywhere.
func shorthandUses(t *tree.Object) [][]string {
	var uses [][]string
	if rv, ok := t.Get("Resources"); ok {
		if rs, ok := rv.(*tree.Object); ok {
			for _, m := range rs.Members {
				res, _ := m.Value.(*tree.Object)
				if res == nil {
					continue
				}
				pv, _ := res.Get("Properties")
				if p, ok := pv.(*tree.Object); ok && p.Has(macro.Shorthand) {
					uses = append(uses, []string{"Resources", m.Key, "Properties", macro.Shorthand})
				}
			}
		}
	}
	return append(uses, keyPaths(t, macro.OpenAPIShorthand)...)
}

// keyPaths lists where key is used in v.
func keyPaths(v any, key string) [][]string {
	var found [][]string
	tree.Walk(v, func(path []string, _ any) tree.Step {
		if len(path) > 0 && path[len(path)-1] == key {
			found = append(found, slices.Clone(path))
		}
		return tree.Continue
	})
	return found
}

// unseenDocument is a document the macro cannot see: an OpenAPI document
// API Gateway reads from S3 at deploy time, or what an AWS::Include listed
// after the macro in Transform includes.
type unseenDocument struct {
	where        []string // what names it in the template
	location     string   // a local file, as given; "" when in S3 (or given by an intrinsic function)
	why, fix     string   // why the macro cannot see it, and how to let it
	anyShorthand bool     // AsyncInvoke counts too, not only x-async-invoke
	// The local file, read: its name in messages, and its template or why
	// it cannot be read.
	name string
	src  *parse.Source
	err  error
}

// unseen lists the documents the macro cannot see, each local one read,
// once.
func (l *linter) unseen() []unseenDocument {
	if l.unseenRead {
		return l.unseenDocs
	}
	l.unseenRead = true
	// AWS::Include in Transform runs in its turn: after the macro, the
	// macro does not see what it includes.
	macroAt := slices.Index(transformNames(l.t), l.macroName)
	tv, _ := l.t.Get("Transform")
	items, isList := tv.([]any)
	if !isList {
		items = []any{tv}
	}
	for i, item := range items {
		location, ok := includeLocation(item)
		if !ok || macroAt < 0 || i < macroAt {
			continue
		}
		where := []string{"Transform"}
		if isList {
			where = append(where, strconv.Itoa(i))
		}
		l.unseenDocs = append(l.unseenDocs, unseenDocument{where: where, location: location,
			why: "AWS::Include is listed after " + l.macroName + " in Transform, so CloudFormation includes it after the macro has run", fix: "list the AWS::Include before " + l.macroName, anyShorthand: true})
	}
	// The OpenAPI documents API Gateway reads from S3 at deploy time.
	rv, _ := l.t.Get("Resources")
	rs, _ := rv.(*tree.Object)
	for _, m := range rs.Members {
		res, _ := m.Value.(*tree.Object)
		if res == nil {
			continue
		}
		typ, _ := res.Get("Type")
		var key, inline string
		switch typ {
		case cfn.TypeRestAPI:
			key, inline = "BodyS3Location", "Body"
		case cfn.TypeSAMAPI:
			key, inline = "DefinitionUri", "DefinitionBody"
		default:
			continue
		}
		pv, _ := res.Get("Properties")
		p, _ := pv.(*tree.Object)
		if p == nil || !p.Has(key) {
			continue
		}
		v, _ := p.Get(key)
		location, _ := v.(string)
		if !isLocal(location) {
			location = ""
		}
		l.unseenDocs = append(l.unseenDocs, unseenDocument{where: []string{"Resources", m.Key, "Properties", key}, location: location,
			why: "API Gateway reads this document from S3 at deploy time, where the macro cannot see it",
			fix: "inline the document as " + inline + ", or include it with Fn::Transform AWS::Include, which CloudFormation runs before the macro"})
	}
	for i := range l.unseenDocs {
		d := &l.unseenDocs[i]
		if d.location != "" {
			d.name, d.src, d.err = l.readLocal(d.location)
		}
	}
	return l.unseenDocs
}

// unseenShorthand reports a local document the macro cannot see that uses
// the shorthand.
func (l *linter) unseenShorthand(r rule) {
	for _, d := range l.unseen() {
		if d.src == nil {
			continue
		}
		uses := keyPaths(d.src.Template, macro.OpenAPIShorthand)
		if d.anyShorthand {
			uses = shorthandUses(d.src.Template)
		}
		if len(uses) == 0 {
			continue
		}
		pos, _ := d.src.Position(uses[0])
		l.add(r, d.where, "%s uses %s (%s), but %s: %s; %s",
			d.name, uses[0][len(uses[0])-1], located(d.name, pos, strings.Join(uses[0], ".")), d.why, unexpanded(uses), d.fix)
	}
}

// unseenUnchecked warns of a document in S3 the macro cannot see, nor
// check, when the template uses the macro.
func (l *linter) unseenUnchecked(r rule) {
	usesMacro := len(shorthandUses(l.t)) > 0 || slices.Contains(transformNames(l.t), l.macroName)
	for _, d := range l.unseen() {
		if d.location == "" && usesMacro {
			l.add(r, d.where, "%s, nor can check: if it uses x-async-invoke, that is ignored and the API invokes synchronously; to use x-async-invoke, %s", d.why, d.fix)
		}
	}
}

// unreadable warns of a local document the template refers to that cannot
// be read: one it includes, or one the macro cannot see.
func (l *linter) unreadable(r rule) {
	for _, u := range l.unreadableIncludes {
		l.add(r, u.where, "%s", u.message("checked"))
	}
	for _, d := range l.unseen() {
		if d.err != nil {
			l.add(r, d.where, "cannot read %s, so it is not checked: %v", d.location, d.err)
		}
	}
}
