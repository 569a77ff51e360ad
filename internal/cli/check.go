package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

const checkAbout = `
Report what in a template would not deploy, or would deploy and then not
invoke asynchronously, as a linter does: one line per finding,

  FILE:LINE:COL: CODE message

on standard output (-f json: a JSON array of {file, line, column, level,
code, path, message}). The exit code is 1 when there is an error (or, with
--strict, a warning), else 0; a clean template prints nothing.

Codes (E: error, W: warning):
  E0000  the template cannot be read (YAML or JSON syntax, a duplicate key, an unknown tag)
  E1001  the macro refuses the template (each of its problems, where it is written)
  E2001  the template uses AsyncInvoke or x-async-invoke, but its Transform does
         not name the macro (or names it otherwise than --macro-name): nothing would
         expand it
  W2002  AWS::Serverless-2016-10-31 comes before the macro in Transform, so SAM's
         transform runs first
  E2003  a key that looks like a misspelled shorthand (AsyncInvok on a method,
         x-async-invok on an operation), with the name meant: the macro does not
         see it, so CloudFormation refuses the property, or API Gateway ignores
         the extension and invokes synchronously
  E3001  x-async-invoke in a local document the macro cannot see: BodyS3Location or
         DefinitionUri given as a file (API Gateway reads it from S3 at deploy time),
         or an AWS::Include listed after the macro in Transform; it would be ignored
         and the API would invoke synchronously
  W3002  such a document in S3 (or given by an intrinsic function): it cannot be
         checked; reported when the template uses the macro
  W3003  a local document the template refers to cannot be read
  W4001  what the macro leaves to you because it cannot be done in the template:
         the permission for API Gateway to invoke a function defined elsewhere
         (calls answer 500 until it is granted; Permission: false says it is), or
         the policy for an execution role defined elsewhere to deliver to a
         destination (the stack fails until the role has it), or the use of a
         KMS key from elsewhere that encrypts a destination
  W4002  a stage deployed before would keep running the methods the macro expands
         as they were: the macro cannot rename the API's deployment so that
         CloudFormation deploys them (StageDescription, a method of another
         Condition), or no deployment here deploys the method's API
  W4003  an ANY method (x-amazon-apigateway-any-method) made asynchronous whose
         resource has no OPTIONS method (path, no options operation): browsers'
         CORS preflights invoke the function and get no CORS headers
  W4004  a request content type a method of Event: proxy declares (RequestModels,
         consumes, requestBody.content) that has no request template: API Gateway
         answers it 415 without invoking the function
  W5001  the expanded template is larger than the 51,200 bytes CloudFormation
         takes for a (processed) template passed in the request: deploy it
         through S3 (sam deploy; aws cloudformation deploy --s3-bucket)

Fn::Transform AWS::Include in the template's body runs before the macro
(CloudFormation runs the most deeply nested macros first), so the macro sees
what it includes: check includes local files the same way (relative to the
template's directory) and reports their problems where they are written.
Includes from S3 are not checked.`

// noteCodes are the codes of the macro's notes, by kind.
var noteCodes = map[macro.NoteKind]string{
	macro.NoteLeftToYou:   "W4001",
	macro.NoteDeployment:  "W4002",
	macro.NotePreflight:   "W4003",
	macro.NoteContentType: "W4004",
}

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
	f := finding{File: displayName(file), Level: "error", Code: "E0000", Message: err.Error()}
	var pe *parse.Error
	if errors.As(err, &pe) {
		f.Line, f.Column, f.Message = pe.Line, pe.Column, pe.Message
	}
	return f
}

// linter checks one template.
type linter struct {
	name      string // the template file as messages name it
	dir       string // where its relative paths start
	src       *parse.Source
	t         *tree.Object // the template with local includes in place
	macroName string
	stack     macro.Stack
	includes  []include
	findings  []finding
}

// include is a local file that Fn::Transform AWS::Include puts into the
// template.
type include struct {
	at   []string        // where its content goes
	keys map[string]bool // the keys it brings there; nil: all that is there
	name string
	src  *parse.Source
}

func lint(file string, src *parse.Source, values params, stack macro.Stack, macroName string) []finding {
	l := &linter{name: displayName(file), dir: templateDir(file), src: src, macroName: macroName, stack: stack}
	t := l.inline(tree.Clone(src.Template), nil).(*tree.Object)
	l.t = t
	l.transform(t)
	l.invisible(t)
	l.misspelled(t)
	expanded := tree.Clone(t).(*tree.Object)
	stats, err := expandLocally(expanded, values, l.stack, l.macroName)
	if err != nil {
		for _, p := range problems(err) {
			l.add("error", "E1001", p.Path, "%s", p.Message)
		}
	} else if stats.Methods+stats.Operations > 0 {
		l.size(t, expanded)
	}
	for _, n := range stats.Notes {
		code, ok := noteCodes[n.Kind]
		if !ok {
			code = noteCodes[macro.NoteLeftToYou]
		}
		l.add("warning", code, n.Path, "%s", n.Message)
	}
	return l.findings
}

// size warns when the expanded template is larger than CloudFormation
// takes in a request. It is measured as compact JSON, the smallest form of
// the processed template CloudFormation keeps (as JSON): its own formatting,
// and a transform that runs after the macro (SAM's), can only add to it.
func (l *linter) size(written, expanded *tree.Object) {
	removeTransform(expanded, l.macroName)
	n := len(tree.Encode(expanded))
	if n <= cfn.TemplateBodyLimit {
		return
	}
	l.add("warning", "W5001", nil, "expanded, the template is %s bytes as compact JSON (%s as written), over the %s bytes CloudFormation takes for a processed template passed in the request (aws cloudformation deploy without --s3-bucket, create-stack or update-stack with --template-body): deploy it through S3, where it takes up to 1 MB (sam deploy uploads the template; aws cloudformation deploy --s3-bucket BUCKET; --template-url); each content type of an Event: proxy method adds a request template of about 4 KB",
		thousands(n), thousands(len(tree.Encode(written))), thousands(cfn.TemplateBodyLimit))
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func (l *linter) add(level, code string, path []string, format string, args ...any) {
	file, pos := l.locate(path)
	l.findings = append(l.findings, finding{File: file, Line: pos.Line, Column: pos.Column, Level: level, Code: code,
		Path: strings.Join(path, "."), Message: fmt.Sprintf(format, args...)})
}

// locate finds where path is written: in an included file when it is
// within what the file brought, else in the template.
func (l *linter) locate(path []string) (string, parse.Pos) {
	for i := len(l.includes) - 1; i >= 0; i-- { // nested includes come later
		inc := l.includes[i]
		if len(path) > len(inc.at) && slices.Equal(path[:len(inc.at)], inc.at) && (inc.keys == nil || inc.keys[path[len(inc.at)]]) {
			pos, _ := inc.src.Position(path[len(inc.at):])
			return inc.name, pos
		}
	}
	pos, _ := l.src.Position(path)
	return l.name, pos
}

func with(path []string, keys ...string) []string {
	return append(path[:len(path):len(path)], keys...)
}

// inline puts local files included with Fn::Transform AWS::Include where
// CloudFormation would, before the macro runs.
func (l *linter) inline(v any, path []string) any {
	switch v := v.(type) {
	case *tree.Object:
		var out any = v
		if spec, ok := v.Get("Fn::Transform"); ok {
			out = l.include(v, spec, path)
		}
		o, ok := out.(*tree.Object)
		if !ok || o != v {
			return out // included content is checked as it is, not included further
		}
		for i := range o.Members {
			o.Members[i].Value = l.inline(o.Members[i].Value, with(path, o.Members[i].Key))
		}
		return o
	case []any:
		for i := range v {
			v[i] = l.inline(v[i], with(path, strconv.Itoa(i)))
		}
	}
	return v
}

// include returns o with the local file its AWS::Include names put in
// place of the Fn::Transform, or o when there is none to read here.
func (l *linter) include(o *tree.Object, spec any, path []string) any {
	location, ok := includeLocation(spec)
	if !ok || !isLocal(location) {
		return o
	}
	name, src, err := l.readLocal(location)
	where := with(path, "Fn::Transform", "Parameters", "Location")
	if err != nil {
		l.add("warning", "W3003", where, "cannot read %s, which AWS::Include includes, so it is not checked: %v", location, err)
		return o
	}
	inc := include{at: slices.Clone(path), name: name, src: src}
	content := tree.Clone(src.Template).(*tree.Object)
	if o.Len() == 1 {
		l.includes = append(l.includes, inc)
		return content
	}
	merged := &tree.Object{}
	inc.keys = map[string]bool{}
	for _, m := range o.Members {
		if m.Key != "Fn::Transform" {
			merged.Members = append(merged.Members, m)
			continue
		}
		for _, cm := range content.Members {
			if !o.Has(cm.Key) {
				merged.Members = append(merged.Members, cm)
				inc.keys[cm.Key] = true
			}
		}
	}
	l.includes = append(l.includes, inc)
	return merged
}

// includeLocation returns the Location of an AWS::Include transform.
func includeLocation(spec any) (string, bool) {
	s, ok := spec.(*tree.Object)
	if !ok {
		return "", false
	}
	if name, _ := s.Get("Name"); name != "AWS::Include" {
		return "", false
	}
	ps, _ := s.Get("Parameters")
	p, _ := ps.(*tree.Object)
	if p == nil {
		return "", false
	}
	loc, _ := p.Get("Location")
	str, ok := loc.(string)
	return str, ok
}

// isLocal reports whether a document location is a file here (as
// aws cloudformation package and sam package accept them), not S3.
func isLocal(location string) bool {
	return location != "" && !strings.HasPrefix(location, "s3://") && !strings.HasPrefix(location, "https://") && !strings.HasPrefix(location, "http://")
}

// readLocal reads a document a template names by a path relative to the
// template's directory.
func (l *linter) readLocal(location string) (string, *parse.Source, error) {
	file := location
	if !filepath.IsAbs(file) {
		file = filepath.Join(l.dir, file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return file, nil, err
	}
	src, err := parse.Read(data)
	if err != nil {
		var pe *parse.Error
		if errors.As(err, &pe) && pe.Line > 0 {
			return file, nil, fmt.Errorf("%s:%d:%d: %s", file, pe.Line, pe.Column, pe.Message)
		}
		return file, nil, err
	}
	return file, src, nil
}

// transform checks that Transform runs the macro, and runs it before SAM.
func (l *linter) transform(t *tree.Object) {
	uses := shorthandUses(t)
	names := transformNames(t)
	macroAt := slices.Index(names, l.macroName)
	samAt := slices.Index(names, "AWS::Serverless-2016-10-31")
	if len(uses) > 0 && macroAt < 0 {
		where := []string{"Transform"}
		if _, ok := t.Get("Transform"); !ok {
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
		l.add("error", "E2001", where, "the template uses the shorthand (%s) but its Transform does not name %s, so nothing would expand it: %s; %s",
			first, l.macroName, unexpanded(uses), fix)
	}
	if macroAt >= 0 && samAt >= 0 && samAt < macroAt {
		l.add("warning", "W2002", []string{"Transform"}, "AWS::Serverless-2016-10-31 comes before %s, so SAM's transform runs first; list %s first: Transform: [%s, AWS::Serverless-2016-10-31]",
			l.macroName, l.macroName, l.macroName)
	}
	// AWS::Include in Transform runs in its turn: after the macro, the
	// macro does not see what it includes.
	tv, _ := t.Get("Transform")
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
		l.document(where, location, "AWS::Include is listed after "+l.macroName+" in Transform, so CloudFormation includes it after the macro has run", "list the AWS::Include before "+l.macroName, true)
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

// invisible checks the OpenAPI documents API Gateway reads from S3 at
// deploy time, which the macro never sees.
func (l *linter) invisible(t *tree.Object) {
	rv, _ := t.Get("Resources")
	rs, _ := rv.(*tree.Object)
	if rs == nil {
		return
	}
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
		l.document([]string{"Resources", m.Key, "Properties", key}, location,
			"API Gateway reads this document from S3 at deploy time, where the macro cannot see it",
			"inline the document as "+inline+", or include it with Fn::Transform AWS::Include, which CloudFormation runs before the macro", false)
	}
}

// document reports a document the macro cannot see: an error when the
// local file at location uses the shorthand, a warning when it is in S3
// (location "") and the template uses the macro.
func (l *linter) document(where []string, location, why, fix string, anyShorthand bool) {
	if location == "" {
		if len(shorthandUses(l.t)) > 0 || slices.Contains(transformNames(l.t), l.macroName) {
			l.add("warning", "W3002", where, "%s, nor can check: if it uses x-async-invoke, that is ignored and the API invokes synchronously; to use x-async-invoke, %s", why, fix)
		}
		return
	}
	name, src, err := l.readLocal(location)
	if err != nil {
		l.add("warning", "W3003", where, "cannot read %s, so it is not checked: %v", location, err)
		return
	}
	uses := keyPaths(src.Template, macro.OpenAPIShorthand)
	if anyShorthand {
		uses = shorthandUses(src.Template)
	}
	if len(uses) == 0 {
		return
	}
	pos, _ := src.Position(uses[0])
	l.add("error", "E3001", where, "%s uses %s (%s), but %s: %s; %s",
		name, uses[0][len(uses[0])-1], located(name, pos, strings.Join(uses[0], ".")), why, unexpanded(uses), fix)
}

// templateDir is where a template's relative paths start.
func templateDir(file string) string {
	if file == "-" {
		return "."
	}
	return filepath.Dir(file)
}
