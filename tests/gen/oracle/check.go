package oracle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

// Oracles are the Python servers the checks use, and the Velocity
// renderer of mapping templates.
type Oracles struct {
	Lint, SAM *Server
	VTL       *Velocity
}

// Result is what the checks found for one template.
type Result struct {
	Expanded bool
	Failures []Failure
}

// Signatures are the distinct failures, without the worlds they were seen
// in: what must still fail while a template is made smaller.
func (r Result) Signatures() []string {
	var out []string
	for _, f := range r.Failures {
		out = append(out, f.Signature())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var worldLabel = regexp.MustCompile(` \([^()]*=[^()]*\)| \(every deployment\)`)

// Signature is the failure without the world it was seen in.
//
// Only the first line of the detail counts (for a crash, and the function
// that panicked): the rest shows where, which a smaller template changes.
func (f Failure) Signature() string {
	lines := strings.SplitN(f.Detail, "\n", 3)
	sig := f.Oracle + ": " + worldLabel.ReplaceAllString(lines[0], "")
	if f.Oracle == "crash" && len(lines) > 1 {
		sig += " in " + frameArgs.ReplaceAllString(lines[1], "")
	}
	return sig
}

// frameArgs are the arguments of a stack frame: addresses that differ
// from one run to the next.
var frameArgs = regexp.MustCompile(`\([^()]*\)$`)

// The stack the macro is told it runs in.
var stack = macro.Stack{Region: "us-east-1", AccountID: account}

// Expect is what the README says the macro does with a template.
type Expect struct {
	// Refuse lists why the macro must refuse it (empty: it must expand
	// it, unless every problem matches one of the regular expressions
	// MayRefuse).
	Refuse, MayRefuse []string
	// Says are regular expressions, one for each of Refuse ("" for none):
	// when the template has one reason to be refused, some problem's
	// message must match its pattern (the refusal says why).
	Says []string
}

// Check expands template in (which holds the shorthand) with the macro,
// through Expand, ExpandFor and Handle, and checks the outcome against
// what the README says of it (want).
func (o *Oracles) Check(in *tree.Object, want Expect) Result {
	refuse, mayRefuse := want.Refuse, want.MayRefuse
	var r Result
	fail := func(oracle, format string, args ...any) {
		r.Failures = append(r.Failures, Failure{oracle, fmt.Sprintf(format, args...)})
	}
	values := defaults(in)

	expanded := tree.Clone(in).(*tree.Object)
	_, err, crash := expand(func() (macro.Stats, error) { return macro.ExpandFor(expanded, values, stack) })
	if crash != "" {
		fail("crash", "ExpandFor: %s", crash)
		return r
	}
	plain := tree.Clone(in)
	_, plainErr, crash := expand(func() (macro.Stats, error) { return macro.Expand(plain, nil) })
	if crash != "" {
		fail("crash", "Expand: %s", crash)
		return r
	}
	if (err == nil) != (plainErr == nil) || err == nil && !tree.Equal(expanded, plain) {
		fail("consistency", "Expand and ExpandFor disagree: %v / %v", plainErr, err)
	}
	handled, handleErr := handle(in, values)
	switch {
	case handleErr != nil && strings.Contains(handleErr.Error(), "failed unexpectedly"):
		fail("crash", "Handle: %v", handleErr)
		return r
	case (handleErr == nil) != (err == nil):
		fail("consistency", "Handle and ExpandFor disagree: %v / %v", handleErr, err)
	case err == nil && !tree.Equal(handled, expanded):
		fail("consistency", "Handle's fragment differs from ExpandFor's")
	}

	if err != nil {
		var ps macro.Problems
		if !errors.As(err, &ps) {
			fail("refusal-location", "the error is %T, not Problems: %v", err, err)
			return r
		}
		for _, p := range ps {
			if msg := located(in, p.Path); msg != "" {
				fail("refusal-location", "%q: %s", p.Error(), msg)
			}
		}
		if len(refuse) == 0 && !excused(ps, mayRefuse) {
			fail("refused", "%s", err)
		}
		if len(refuse) == 1 && len(want.Says) == 1 && want.Says[0] != "" && !says(ps, want.Says[0]) {
			fail("refusal-reason", "refused, as it must be (%s), but no problem says %s\n%s", refuse[0], want.Says[0], err)
		}
		return r
	}
	r.Expanded = true
	if left := shorthands(expanded, nil); len(left) > 0 {
		fail("leftover", "a shorthand is left at %s", strings.Join(left, ", "))
	}
	o.idempotent(in, expanded, fail)
	roundTrip(expanded, fail)

	deployed := withoutMacro(expanded)
	author := withoutMacro(withoutShorthand(tree.Clone(in).(*tree.Object)))
	if sam(deployed) {
		translated, err := o.SAM.Translate(deployed)
		if err != nil {
			if _, authorErr := o.SAM.Translate(author); authorErr == nil {
				fail("sam", "%v", err)
			} else if !errors.As(err, new(*TranslateError)) {
				fail("sam", "%v", err)
			}
		} else {
			o.deployed(in, translated, author, values, &r)
		}
	} else {
		o.deployed(in, deployed, author, values, &r)
	}
	o.lint(deployed, author, fail)
	if len(refuse) > 0 {
		// Last: what the expansion then breaks says more, and is what a
		// smaller template can show.
		fail("expanded", "the macro expanded a template the README says it refuses: %s", strings.Join(refuse, "; "))
	}
	return r
}

// says reports whether some problem's message matches pattern.
func says(ps macro.Problems, pattern string) bool {
	for _, p := range ps {
		if regexp.MustCompile(pattern).MatchString(p.Message) {
			return true
		}
	}
	return false
}

// excused reports whether every problem matches one of the patterns.
func excused(ps macro.Problems, patterns []string) bool {
	for _, p := range ps {
		ok := false
		for _, pat := range patterns {
			ok = ok || regexp.MustCompile(pat).MatchString(p.Message)
		}
		if !ok {
			return false
		}
	}
	return true
}

// deployed runs the checks on the template CloudFormation deploys.
// author is the template without the macro: a configuration no shorthand
// configures that fails there too is the author's, not the macro's.
func (o *Oracles) deployed(in, d, author *tree.Object, values map[string]any, r *Result) {
	uses := Uses(in, values)
	r.Failures = append(r.Failures, Async(d, in, uses, values)...)
	r.Failures = append(r.Failures, Options(d, in, uses, values, o.VTL)...)
	r.Failures = append(r.Failures, Permissions(d, uses, values)...)
	r.Failures = append(r.Failures, Settings(d, in, uses, values)...)
	owned, others := Grants(d, in, uses, values)
	r.Failures = append(r.Failures, owned...)
	if len(others) == 0 {
		return
	}
	if sam(author) {
		var err error
		if author, err = o.SAM.Translate(author); err != nil {
			return
		}
	}
	_, before := Grants(author, in, nil, values)
	had := map[string]bool{}
	for _, f := range before {
		had[f.Signature()] = true
	}
	for _, f := range others {
		if !had[f.Signature()] {
			r.Failures = append(r.Failures, f)
		}
	}
}

// lint fails on every cfn-lint error, and every W1001 (a reference to a
// resource that may not exist), that the expanded template has and the
// author's template (the shorthand taken out) does not.
func (o *Oracles) lint(expanded, author *tree.Object, fail func(string, string, ...any)) {
	matters := func(f Finding) bool { return f.Level == "error" || f.Rule == "W1001" }
	after, err := o.Lint.Lint(expanded)
	if err != nil {
		fail("lint", "%v", err)
		return
	}
	var added []Finding
	for _, f := range after {
		if matters(f) {
			added = append(added, f)
		}
	}
	if len(added) == 0 {
		return
	}
	before, err := o.Lint.Lint(author)
	if err != nil {
		fail("lint", "%v", err)
		return
	}
	had := map[string]int{}
	for _, f := range before {
		had[f.String()]++
	}
	for _, f := range added {
		if had[f.String()] > 0 {
			had[f.String()]--
			continue
		}
		fail("lint", "%s (at %s)", f, strings.Join(f.Path, "."))
	}
}

// idempotent: expanding the expanded template changes nothing, nor does
// expanding it with the shorthand put back where it was.
func (o *Oracles) idempotent(in, expanded *tree.Object, fail func(string, string, ...any)) {
	again := tree.Clone(expanded)
	if _, err, crash := expand(func() (macro.Stats, error) { return macro.Expand(again, nil) }); crash != "" || err != nil {
		fail("idempotence", "expanding the expanded template: %v%s", err, crash)
	} else if !tree.Equal(again, expanded) {
		fail("idempotence", "expanding the expanded template changes it:\n%s", diff(expanded, again))
	}
	again = tree.Clone(expanded)
	restore(in, again)
	if _, err, crash := expand(func() (macro.Stats, error) { return macro.Expand(again, nil) }); crash != "" || err != nil {
		fail("idempotence", "expanding the expanded template with the shorthand put back: %v%s", err, crash)
	} else if !tree.Equal(again, expanded) {
		fail("idempotence", "expanding the expanded template with the shorthand put back changes it:\n%s", diff(expanded, again))
	}
}

// roundTrip: the expanded template written as YAML (as asyncinvoke expand
// writes a JSON template) reads back the same, and has no complex keys.
func roundTrip(expanded any, fail func(string, string, ...any)) {
	y, err := format.YAML(expanded)
	if err != nil {
		fail("yaml", "%v", err)
		return
	}
	for _, line := range strings.Split(string(y), "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "? ") {
			fail("yaml", "a key is written as a YAML complex key: %.60s...", strings.TrimSpace(line))
			break
		}
	}
	back, err := parse.Template(y)
	if err != nil {
		fail("yaml", "the YAML does not read back: %v", err)
	} else if !tree.Equal(back, expanded) {
		fail("yaml", "the YAML reads back differently")
	}
}

func diff(a, b any) string {
	x, _ := format.YAML(a)
	y, _ := format.YAML(b)
	xl, yl := strings.Split(string(x), "\n"), strings.Split(string(y), "\n")
	var out []string
	for i := 0; i < max(len(xl), len(yl)); i++ {
		var l, r string
		if i < len(xl) {
			l = xl[i]
		}
		if i < len(yl) {
			r = yl[i]
		}
		if l != r {
			out = append(out, fmt.Sprintf("line %d: %q became %q", i+1, l, r))
		}
		if len(out) == 3 {
			break
		}
	}
	return strings.Join(out, "\n")
}

// expand runs an expansion, turning a panic into its message and stack.
func expand(f func() (macro.Stats, error)) (s macro.Stats, err error, crash string) {
	defer func() {
		if p := recover(); p != nil {
			crash = fmt.Sprintf("panic: %v\n%s", p, firstFrames(debug.Stack()))
		}
	}()
	s, err = f()
	return s, err, ""
}

// firstFrames keeps the part of a stack that locates a panic.
func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "asyncinvoke/macro") || strings.Contains(l, "asyncinvoke/internal") {
			out = append(out, strings.TrimSpace(l))
		}
		if len(out) == 8 {
			break
		}
	}
	return strings.Join(out, "\n")
}

// handle sends the template to macro.Handle as CloudFormation would.
func handle(in *tree.Object, values map[string]any) (*tree.Object, error) {
	pv := &tree.Object{}
	for _, k := range sortedKeys(values) {
		pv.Set(k, values[k])
	}
	req := tree.NewObject("region", stack.Region, "accountId", stack.AccountID, "fragment", in,
		"transformId", account+"::AsyncInvoke", "params", &tree.Object{}, "requestId", "generated",
		"templateParameterValues", pv)
	out, _ := macro.Handle(tree.Encode(req))
	var resp struct {
		Status       string
		Fragment     json.RawMessage
		ErrorMessage string
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("the response is not JSON: %v", err)
	}
	if resp.Status != macro.StatusSuccess {
		return nil, errors.New(resp.ErrorMessage)
	}
	f, err := tree.Decode(resp.Fragment)
	if err != nil {
		return nil, err
	}
	o, _ := f.(*tree.Object)
	return o, nil
}

// defaults are the template's parameter values as CloudFormation sends
// them to a macro: every parameter with a Default.
func defaults(t *tree.Object) map[string]any {
	values := map[string]any{}
	for _, m := range members(section(t, "Parameters")) {
		p, _ := m.Value.(*tree.Object)
		if d, ok := p.Get("Default"); ok {
			values[m.Key] = scalar(d)
		}
	}
	return values
}

// located checks that a problem's path names a place in the template: a
// section, and in Resources an existing resource, and that everything but
// its last key or two exists (a problem may be about a key that is missing).
func located(t *tree.Object, p macro.Path) string {
	if len(p) < 2 {
		return "names no resource and property path"
	}
	var v any = t
	for i, k := range p {
		var next any
		var ok bool
		switch x := v.(type) {
		case *tree.Object:
			next, ok = x.Get(k)
		case []any:
			var n int
			if _, err := fmt.Sscan(k, &n); err == nil && n >= 0 && n < len(x) {
				next, ok = x[n], true
			}
		}
		if !ok {
			if i < 2 || i < len(p)-2 {
				return fmt.Sprintf("%s is not in the template", strings.Join(p[:i+1], "."))
			}
			return ""
		}
		v = next
	}
	return ""
}

// shorthands lists where a shorthand key is left, but for the names of a
// section's entries (a parameter may be called AsyncInvoke).
func shorthands(v any, path []string) []string {
	var found []string
	switch v := v.(type) {
	case *tree.Object:
		for _, m := range members(v) {
			p := append(path[:len(path):len(path)], m.Key)
			if (m.Key == macro.Shorthand || m.Key == macro.OpenAPIShorthand) && len(path) != 1 && (len(path) == 0 || path[0] != "Mappings") {
				found = append(found, strings.Join(p, "."))
			}
			found = append(found, shorthands(m.Value, p)...)
		}
	case []any:
		for i, x := range v {
			found = append(found, shorthands(x, append(path[:len(path):len(path)], fmt.Sprint(i)))...)
		}
	}
	return found
}

// restore puts every shorthand of original back into expanded.
func restore(original, expanded any) {
	switch o := original.(type) {
	case *tree.Object:
		e, ok := expanded.(*tree.Object)
		if !ok {
			return
		}
		for _, m := range members(o) {
			if m.Key == macro.Shorthand || m.Key == macro.OpenAPIShorthand {
				e.Set(m.Key, tree.Clone(m.Value))
				continue
			}
			if v, ok := e.Get(m.Key); ok {
				restore(m.Value, v)
			}
		}
	case []any:
		e, ok := expanded.([]any)
		for i := range o {
			if ok && i < len(e) {
				restore(o[i], e[i])
			}
		}
	}
}

// withoutShorthand takes the shorthand out of a template as written: the
// author's template without the macro.
func withoutShorthand(t *tree.Object) *tree.Object {
	for _, m := range members(section(t, "Resources")) {
		r, _ := m.Value.(*tree.Object)
		props, _ := get(r, "Properties").(*tree.Object)
		props.Delete(macro.Shorthand)
		for _, body := range []string{"Body", "DefinitionBody"} {
			walk(get(props, body), func(o *tree.Object) { o.Delete(macro.OpenAPIShorthand) })
		}
	}
	return t
}

// withoutMacro is the template with the macro taken out of Transform, as
// CloudFormation passes it on once the macro has run.
func withoutMacro(t any) *tree.Object {
	c := tree.Clone(t).(*tree.Object)
	switch tr := get(c, "Transform").(type) {
	case string:
		if tr == macro.Shorthand {
			c.Delete("Transform")
		}
	case []any:
		var keep []any
		for _, x := range tr {
			if x != macro.Shorthand {
				keep = append(keep, x)
			}
		}
		switch len(keep) {
		case 0:
			c.Delete("Transform")
		case 1:
			c.Set("Transform", keep[0])
		default:
			c.Set("Transform", keep)
		}
	}
	return c
}

func sam(t *tree.Object) bool {
	return bytes.Contains(tree.Encode(get(t, "Transform")), []byte("AWS::Serverless-2016-10-31"))
}

func sortedKeys(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
