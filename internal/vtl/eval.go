package vtl

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
)

// Variables are what a template reads, beside what it sets.
type Variables struct {
	// Body is $input.body, and the JSON document of $input.path and
	// $input.json.
	Body string
	// Params are $input.params(): the method request's path, query
	// string and header parameters.
	Params Params
	// Context is $context: nested map[string]any of strings, numbers and
	// booleans. $context.requestOverride and responseOverride are added.
	Context map[string]any
	// StageVariables is $stageVariables.
	StageVariables map[string]string
	// Overrides, when set, are $context.requestOverride and
	// responseOverride as an earlier template left them (Result.Overrides),
	// in place of the Context's.
	Overrides *Overrides
}

// Overrides are $context.requestOverride and $context.responseOverride as
// a template left them, whatever it set in them. API Gateway carries them
// from the request template to the response template, which reads them
// and may set more; and what the request template set in responseOverride
// applies to the response even when no response template runs
// (LocalStack's tests recorded against AWS,
// test_integration_mock_with_request_overrides_in_response_template,
// test_integration_mock_with_response_override_in_request_template and
// test_integration_mock_with_vtl_map_assignation). Executing a template
// with them continues them: they are not to be used twice.
type Overrides struct{ request, response *Map }

// Params are a method request's parameters.
type Params struct {
	Path, QueryString, Header map[string]string
}

// Result is what Execute renders, and what the template set in the
// overrides of $context.
type Result struct {
	Output string
	// $context.requestOverride.header, .path, .querystring
	RequestHeader, RequestPath, RequestQueryString map[string]string
	// $context.responseOverride.header
	ResponseHeader map[string]string
	// Status is $context.responseOverride.status, 0 unless set to a
	// status code from 100 to 599 (API Gateway ignores other values).
	Status int
	// Overrides are the overrides as the template left them, for the
	// response template (Variables.Overrides).
	Overrides *Overrides
	// Notices say what the template did that API Gateway does without a
	// word but a reader may want to know: a #foreach stopped at
	// MaxIterations, a method or property that does not exist (null), a
	// division by zero (null).
	Notices []string
}

// Execute renders the template with vars.
func (t *Template) Execute(vars Variables) (*Result, error) {
	ctx, _ := fromGo(vars.Context).(*Map)
	if ctx == nil {
		ctx = NewMap()
	}
	if o := vars.Overrides; o != nil {
		ctx.Put("requestOverride", o.request)
		ctx.Put("responseOverride", o.response)
	}
	req := overrideMap(ctx, "requestOverride", "path", "header", "querystring")
	resp := overrideMap(ctx, "responseOverride", "header")
	stage, _ := fromGo(vars.StageVariables).(*Map)
	if stage == nil {
		stage = NewMap()
	}
	e := &evaluator{
		vars: map[string]any{
			"input":          newInput(vars.Body, vars.Params),
			"context":        ctx,
			"util":           util{},
			"stageVariables": stage,
		},
		out:     printer{max: MaxOutput},
		regexps: map[string]*regexp.Regexp{},
		noticed: map[string]bool{},
	}
	err := e.render(t.root)
	if err != nil && err != errStop && err != errBreak {
		return nil, err
	}
	if e.steps > MaxSteps { // work that ended the template uncounted (a deep comparison)
		return nil, e.errorf(pos{line: 1, col: 1}, "the template takes more than %d steps; it would run too long", MaxSteps)
	}
	r := &Result{
		Output:             string(e.out.b),
		RequestHeader:      e.stringMap(req.Get("header")),
		RequestPath:        e.stringMap(req.Get("path")),
		RequestQueryString: e.stringMap(req.Get("querystring")),
		ResponseHeader:     e.stringMap(resp.Get("header")),
		Overrides:          &Overrides{request: req, response: resp},
		Notices:            e.notices,
	}
	if i, _, isInt, ok := number(resp.Get("status")); ok && isInt && i >= 100 && i <= 599 {
		r.Status = int(i)
	} else if s, ok := resp.Get("status").(string); ok {
		var n int
		if _, err := fmt.Sscanf(s, "%d", &n); err == nil && fmt.Sprint(n) == s && n >= 100 && n <= 599 {
			r.Status = n
		}
	}
	return r, nil
}

// overrideMap puts $context.<name> with empty maps for each key, unless
// the caller gave it.
func overrideMap(ctx *Map, name string, keys ...string) *Map {
	m, ok := ctx.Get(name).(*Map)
	if !ok {
		m = NewMap()
		ctx.Put(name, m)
	}
	for _, k := range keys {
		if _, ok := m.Get(k).(*Map); !ok {
			m.Put(k, NewMap())
		}
	}
	return m
}

// stringMap is a map of overrides as strings; a list is its items joined
// with commas, as the values of a multi-value header.
func (e *evaluator) stringMap(v any) map[string]string {
	m, ok := v.(*Map)
	if !ok || m.Len() == 0 {
		return nil
	}
	out := map[string]string{}
	for _, k := range m.keys {
		val := m.vals[k]
		if val == nil {
			continue
		}
		if l, ok := val.(*List); ok {
			parts := make([]string, 0, len(l.Items))
			for _, item := range l.Items {
				s, _ := e.textOf(item)
				parts = append(parts, s)
			}
			out[k] = strings.Join(parts, ",")
			continue
		}
		out[k], _ = e.textOf(val)
	}
	return out
}

// Control flow out of a block.
var (
	errBreak = errors.New("#break")
	errStop  = errors.New("#stop")
)

type evaluator struct {
	vars    map[string]any
	out     printer
	steps   int
	regexps map[string]*regexp.Regexp
	notices []string
	noticed map[string]bool
	// inString counts the interpolated strings being built.
	inString int
}

func (e *evaluator) errorf(at pos, format string, args ...any) error {
	return &Error{Line: at.line, Column: at.col, Msg: fmt.Sprintf(format, args...)}
}

// notice records what the template did silently, once per place.
func (e *evaluator) notice(at pos, format string, args ...any) {
	s := fmt.Sprintf("line %d, column %d: ", at.line, at.col) + fmt.Sprintf(format, args...)
	if e.noticed[s] || len(e.notices) >= maxNotices {
		return
	}
	e.noticed[s] = true
	e.notices = append(e.notices, s)
}

// step counts n steps of work, and fails past MaxSteps.
func (e *evaluator) step(at pos, n int) error {
	e.steps += n
	if e.steps > MaxSteps {
		return e.errorf(at, "the template takes more than %d steps; it would run too long", MaxSteps)
	}
	return nil
}

// textOf is v as Java's toString, bounded; null is the empty string.
func (e *evaluator) textOf(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	p := printer{max: MaxOutput}
	p.text(v)
	return string(p.b), p.err
}

// text is textOf, with the error at a place.
func (e *evaluator) text(at pos, v any) (string, error) {
	s, err := e.textOf(v)
	if err != nil {
		return "", e.errorf(at, "%v", err)
	}
	return s, e.step(at, len(s)/256)
}

func (e *evaluator) render(b block) error {
	for _, n := range b {
		if err := e.step(n.at(), 1); err != nil {
			return err
		}
		var err error
		switch n := n.(type) {
		case *textNode:
			e.out.write(n.s)
		case *refNode:
			var v any
			if v, err = e.ref(n.ref); err == nil && v != nil {
				e.out.text(v)
			}
		case *escapedRef:
			var v any
			if v, err = e.ref(n.ref); err == nil {
				if v == nil {
					e.out.write(`\`)
				}
				e.out.write(n.source)
			}
		case *setNode:
			err = e.set(n)
		case *ifNode:
			err = e.ifNode(n)
		case *foreachNode:
			err = e.foreach(n)
		case *breakNode:
			return errBreak
		case *stopNode:
			return errStop
		}
		if err != nil {
			return err
		}
		if e.out.err != nil {
			if e.out.err == errNesting {
				return e.errorf(n.at(), "%v", errNesting)
			}
			if e.inString > 0 {
				return e.errorf(n.at(), "a string grows past %d bytes", MaxOutput)
			}
			return e.errorf(n.at(), "the output is longer than %d bytes", MaxOutput)
		}
	}
	return nil
}

// set assigns; a null value leaves the reference as it was (Velocity 1.7's
// default).
func (e *evaluator) set(n *setNode) error {
	v, err := e.eval(n.rhs)
	if err != nil || v == nil {
		return err
	}
	r := n.lhs
	if len(r.parts) == 0 {
		e.vars[r.name] = v
		return nil
	}
	target, err := e.ref(&reference{p: r.p, name: r.name, parts: r.parts[:len(r.parts)-1]})
	if err != nil {
		return err
	}
	last := r.parts[len(r.parts)-1]
	switch t := target.(type) {
	case *Map:
		key := last.name
		if last.index != nil {
			idx, err := e.eval(last.index)
			if err != nil {
				return err
			}
			if key, err = e.text(last.p, idx); err != nil {
				return err
			}
		}
		return e.put(last.p, t, key, v)
	case *List:
		if last.index != nil {
			idx, err := e.eval(last.index)
			if err != nil {
				return err
			}
			i, err := e.listIndex(last.p, t, idx)
			if err != nil || i < 0 {
				return err
			}
			t.Items[i] = v
			return nil
		}
	case nil:
		e.notice(last.p, "#set: %s is null, so %s is not set", r.name, last.source)
		return nil
	}
	e.notice(last.p, "#set: cannot set %s on %s", last.source, kind(target))
	return nil
}

func (e *evaluator) put(at pos, m *Map, key string, v any) error {
	if !m.Has(key) && m.Len() >= MaxElements {
		return e.errorf(at, "a map grows past %d entries", MaxElements)
	}
	m.Put(key, v)
	return nil
}

func (e *evaluator) ifNode(n *ifNode) error {
	for i, c := range n.conds {
		v, err := e.eval(c)
		if err != nil {
			return err
		}
		if truthy(v) {
			return e.render(n.blocks[i])
		}
	}
	return e.render(n.orElse)
}

// loop is $foreach.
type loop struct {
	index   int
	hasNext bool
}

func (e *evaluator) foreach(n *foreachNode) error {
	v, err := e.eval(n.list)
	if err != nil {
		return err
	}
	var items []any
	switch x := v.(type) {
	case nil:
	case *List:
		items = append([]any(nil), x.Items...)
	case *Map:
		for _, k := range x.keys { // a map's values, as Velocity iterates a map
			items = append(items, x.vals[k])
		}
	default:
		e.notice(n.list.at(), "#foreach: cannot iterate over %s", kind(v))
	}
	names := []string{n.name, "foreach", "velocityCount", "velocityHasNext"}
	saved := map[string]any{}
	for _, k := range names {
		if old, ok := e.vars[k]; ok {
			saved[k] = old
		}
	}
	defer func() {
		for _, k := range names {
			if old, ok := saved[k]; ok {
				e.vars[k] = old
			} else {
				delete(e.vars, k)
			}
		}
	}()
	for i, item := range items {
		if i == MaxIterations {
			e.notice(n.p, "#foreach stopped after %d iterations of %d, as API Gateway stops it", MaxIterations, len(items))
			break
		}
		hasNext := i+1 < len(items)
		e.vars[n.name] = item
		e.vars["foreach"] = &loop{index: i, hasNext: hasNext}
		e.vars["velocityCount"] = int64(i + 1)
		e.vars["velocityHasNext"] = hasNext
		if err := e.render(n.body); err == errBreak {
			break
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (e *evaluator) eval(x expr) (any, error) {
	if err := e.step(x.at(), 1); err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case *literal:
		return x.v, nil
	case *interpolated:
		outer := e.out
		e.out = printer{max: MaxOutput}
		e.inString++
		err := e.render(x.body)
		e.inString--
		s := string(e.out.b)
		e.out = outer
		if err != nil && err != errStop && err != errBreak {
			return nil, err
		}
		return s, nil
	case *reference:
		return e.ref(x)
	case *listLit:
		l := &List{}
		for _, item := range x.items {
			v, err := e.eval(item)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, v)
		}
		return l, nil
	case *mapLit:
		m := NewMap()
		for i := range x.keys {
			k, err := e.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			key, err := e.text(x.keys[i].at(), k)
			if err != nil {
				return nil, err
			}
			v, err := e.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			m.Put(key, v)
		}
		return m, nil
	case *rangeLit:
		return e.rangeList(x)
	case *not:
		v, err := e.eval(x.x)
		return !truthy(v), err
	case *binary:
		return e.binary(x)
	}
	return nil, e.errorf(x.at(), "cannot evaluate %T", x)
}

func (e *evaluator) rangeList(x *rangeLit) (any, error) {
	var ends [2]int64
	for i, side := range []expr{x.from, x.to} {
		v, err := e.eval(side)
		if err != nil {
			return nil, err
		}
		n, _, isInt, ok := number(v)
		if s, isStr := v.(string); isStr {
			_, err := fmt.Sscanf(strings.TrimSpace(s), "%d", &n)
			ok, isInt = err == nil, true
		}
		if !ok || !isInt {
			e.notice(side.at(), "a range needs integers, not %s", kind(v))
			return nil, nil
		}
		ends[i] = n
	}
	size := ends[1] - ends[0]
	if size < 0 {
		size = -size
	}
	if size >= MaxElements {
		return nil, e.errorf(x.p, "the range [%d..%d] has more than %d elements", ends[0], ends[1], MaxElements)
	}
	if err := e.step(x.p, int(size)/256); err != nil {
		return nil, err
	}
	l := &List{Items: make([]any, 0, size+1)}
	for i, d := ends[0], int64(1); ; i += d {
		if ends[1] < ends[0] {
			d = -1
		}
		l.Items = append(l.Items, i)
		if i == ends[1] {
			break
		}
	}
	return l, nil
}

func (e *evaluator) binary(x *binary) (any, error) {
	l, err := e.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := e.eval(x.r)
		return truthy(r), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := e.eval(x.r)
		return truthy(r), err
	}
	r, err := e.eval(x.r)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "==", "!=":
		eq, err := e.equal(x.p, l, r)
		return eq == (x.op == "=="), err
	case "<", "<=", ">", ">=":
		return e.compare(x, l, r), nil
	}
	return e.arith(x, l, r)
}

// equal is Velocity's ==: numbers by value, objects of one class by
// equals, others by their text; null equals null and, as API Gateway
// reads it, the empty string.
func (e *evaluator) equal(at pos, l, r any) (bool, error) {
	li, lf, lInt, lNum := number(l)
	ri, rf, rInt, rNum := number(r)
	if lNum && rNum {
		if lInt && rInt {
			return li == ri, nil
		}
		return lf == rf, nil
	}
	if l == nil {
		l = ""
	}
	if r == nil {
		r = ""
	}
	switch a := l.(type) {
	case string:
		if b, ok := r.(string); ok {
			return a == b, nil
		}
	case bool:
		if b, ok := r.(bool); ok {
			return a == b, nil
		}
	case *Map:
		if b, ok := r.(*Map); ok {
			return e.same(a, b), nil
		}
	case *List:
		if b, ok := r.(*List); ok {
			return e.same(a, b), nil
		}
	}
	ls, err := e.text(at, l)
	if err != nil {
		return false, err
	}
	rs, err := e.text(at, r)
	return ls == rs, err
}

// same is Java's equals, deep for maps and lists. Each value it visits is
// a step; past MaxSteps it gives up (false), and the next step fails.
func (e *evaluator) same(a, b any) bool { return e.deepEqual(a, b, 0) }

func (e *evaluator) deepEqual(a, b any, depth int) bool {
	e.steps++
	if depth > maxNesting || e.steps > MaxSteps {
		return false
	}
	ai, af, aInt, aNum := number(a)
	bi, bf, bInt, bNum := number(b)
	if aNum && bNum {
		if aInt != bInt { // Integer.equals(Double) is false
			return false
		}
		return ai == bi && af == bf
	}
	switch x := a.(type) {
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.keys {
			if !y.Has(k) || !e.deepEqual(x.vals[k], y.vals[k], depth+1) {
				return false
			}
		}
		return true
	case *List:
		y, ok := b.(*List)
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !e.deepEqual(x.Items[i], y.Items[i], depth+1) {
				return false
			}
		}
		return true
	}
	return a == b
}

// compare is < <= > >=, for numbers only (Velocity 1.7 compares nothing
// else: the result is false).
func (e *evaluator) compare(x *binary, l, r any) bool {
	_, lf, _, lNum := number(l)
	_, rf, _, rNum := number(r)
	if !lNum || !rNum {
		e.notice(x.p, "%s compares numbers only, not %s and %s: false", x.op, kind(l), kind(r))
		return false
	}
	li, _, lInt, _ := number(l)
	ri, _, rInt, _ := number(r)
	c := 0
	if lInt && rInt {
		c = cmp.Compare(li, ri)
	} else {
		c = cmp.Compare(lf, rf)
	}
	switch x.op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// arith is + - * / %: + of a string joins text; numbers keep integers
// integers; a division by zero or an operand that is not a number gives
// null, as in Velocity.
func (e *evaluator) arith(x *binary, l, r any) (any, error) {
	if x.op == "+" {
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			a, err := e.text(x.p, l)
			if err != nil {
				return nil, err
			}
			b, err := e.text(x.p, r)
			if err != nil {
				return nil, err
			}
			if len(a)+len(b) > MaxOutput {
				return nil, e.errorf(x.p, "a string grows past %d bytes", MaxOutput)
			}
			return a + b, nil
		}
	}
	li, lf, lInt, lNum := number(l)
	ri, rf, rInt, rNum := number(r)
	if !lNum || !rNum {
		e.notice(x.p, "%s needs numbers, not %s and %s: null", x.op, kind(l), kind(r))
		return nil, nil
	}
	if (x.op == "/" || x.op == "%") && (rInt && ri == 0 || !rInt && rf == 0) {
		e.notice(x.p, "division by zero: null")
		return nil, nil
	}
	if lInt && rInt {
		switch x.op {
		case "+":
			if s := li + ri; (s > li) == (ri > 0) {
				return s, nil
			}
		case "-":
			if s := li - ri; (s < li) == (ri > 0) {
				return s, nil
			}
		case "*":
			if li == 0 || ri == 0 {
				return int64(0), nil
			}
			if p := li * ri; p/ri == li && !(li == -1 && ri == math.MinInt64) && !(ri == -1 && li == math.MinInt64) {
				return p, nil
			}
		case "/":
			if !(li == math.MinInt64 && ri == -1) {
				return li / ri, nil
			}
		case "%":
			if ri == -1 {
				return int64(0), nil
			}
			return li % ri, nil
		}
		// an overflow: on in floating point
	}
	switch x.op {
	case "+":
		return lf + rf, nil
	case "-":
		return lf - rf, nil
	case "*":
		return lf * rf, nil
	case "/":
		return lf / rf, nil
	}
	return math.Mod(lf, rf), nil
}

// ref evaluates a reference; null anywhere along it makes it null.
func (e *evaluator) ref(r *reference) (any, error) {
	v := e.vars[r.name]
	for i := range r.parts {
		pt := &r.parts[i]
		if err := e.step(pt.p, 1); err != nil {
			return nil, err
		}
		if v == nil {
			return nil, nil
		}
		var err error
		switch {
		case pt.index != nil:
			var idx any
			if idx, err = e.eval(pt.index); err == nil {
				v, err = e.index(pt.p, v, idx)
			}
		case pt.call:
			args := make([]any, len(pt.args))
			for j, a := range pt.args {
				if args[j], err = e.eval(a); err != nil {
					return nil, err
				}
			}
			v, err = e.call(pt.p, v, pt.name, args)
		default:
			v = e.property(pt.p, v, pt.name)
		}
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (e *evaluator) index(at pos, v, idx any) (any, error) {
	switch x := v.(type) {
	case *List:
		i, err := e.listIndex(at, x, idx)
		if err != nil || i < 0 {
			return nil, err
		}
		return x.Items[i], nil
	case *Map:
		k, err := e.text(at, idx)
		if err != nil {
			return nil, err
		}
		return x.Get(k), nil
	}
	e.notice(at, "cannot index %s", kind(v))
	return nil, nil
}

// listIndex is the index idx names in l, counting from the end when
// negative; -1 (with a notice) when idx is not an integer.
func (e *evaluator) listIndex(at pos, l *List, idx any) (int, error) {
	i, _, isInt, ok := number(idx)
	if !ok || !isInt {
		e.notice(at, "a list index must be an integer, not %s", kind(idx))
		return -1, nil
	}
	if i < 0 {
		i += int64(len(l.Items))
	}
	if i < 0 || i >= int64(len(l.Items)) {
		return -1, e.errorf(at, "index %d is out of range for a list of %d", i, len(l.Items))
	}
	return int(i), nil
}

// kind names a value's type for a message.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case *Map:
		return "a map"
	case *List:
		return "a list"
	case *input:
		return "$input"
	case util:
		return "$util"
	case *loop:
		return "$foreach"
	case entry:
		return "a map entry"
	}
	if _, _, _, ok := number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
