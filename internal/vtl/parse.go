package vtl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Template is a parsed mapping template.
type Template struct{ root block }

// Parse parses a mapping template. Its error is an *Error that names the
// line and column.
func Parse(src string) (*Template, error) {
	p := newParser(src, pos{})
	b, term, at, err := p.block()
	if err != nil {
		return nil, err
	}
	if term != "" {
		return nil, p.errorf(at, "#%s without an #if or #foreach to close", term)
	}
	return &Template{root: b}, nil
}

// parser reads a template (or the inside of a double-quoted string, at
// base) from src[i:end].
type parser struct {
	src    string
	i, end int
	lines  []int // offsets where lines start
	base   pos   // where src starts in the template; zero for a template
	depth  int
}

func newParser(src string, base pos) *parser {
	p := &parser{src: src, end: len(src), lines: []int{0}, base: base}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			p.lines = append(p.lines, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			p.lines = append(p.lines, i+1)
		}
	}
	return p
}

// pos is the line and column of an offset.
func (p *parser) pos(off int) pos {
	l := sort.Search(len(p.lines), func(k int) bool { return p.lines[k] > off })
	at := pos{line: l, col: utf8.RuneCountInString(p.src[p.lines[l-1]:min(off, len(p.src))]) + 1}
	if p.base.line > 0 {
		if at.line == 1 {
			at.col += p.base.col - 1
		}
		at.line += p.base.line - 1
	}
	return at
}

func (p *parser) errorf(off int, format string, args ...any) error {
	at := p.pos(off)
	return &Error{Line: at.line, Column: at.col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) enter(off int) error {
	p.depth++
	if p.depth > maxParseDepth {
		return p.errorf(off, "nested more than %d levels deep", maxParseDepth)
	}
	return nil
}

func (p *parser) has(s string) bool { return strings.HasPrefix(p.src[p.i:p.end], s) }

// The directives; any other #word is text, as in Velocity.
var unsupported = map[string]string{
	"macro": "#macro", "define": "#define", "parse": "#parse", "include": "#include", "evaluate": "#evaluate",
}

func isDirective(name string) bool {
	switch name {
	case "set", "if", "elseif", "else", "end", "foreach", "break", "stop":
		return true
	}
	return unsupported[name] != ""
}

// word reads the directive name after the # at off: #name or #{name}.
func (p *parser) word(off int) (name string, next int) {
	j := off + 1
	if j < p.end && p.src[j] == '{' {
		k := j + 1
		if k < p.end && isLetter(p.src[k]) || k < p.end && p.src[k] == '_' {
			for k++; k < p.end && isWordChar(p.src[k]); k++ {
			}
			if k < p.end && p.src[k] == '}' {
				return p.src[j+1 : k], k + 1
			}
		}
		return "", off
	}
	if j < p.end && (isLetter(p.src[j]) || p.src[j] == '_' || p.src[j] == '@') {
		k := j + 1
		for k < p.end && isWordChar(p.src[k]) {
			k++
		}
		return p.src[j:k], k
	}
	return "", off
}

func isLetter(c byte) bool      { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool       { return c >= '0' && c <= '9' }
func isWordChar(c byte) bool    { return isLetter(c) || isDigit(c) || c == '_' || c == '@' }
func isIdentStart(c byte) bool  { return isLetter(c) || c == '_' }
func isIdentChar(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' || c == '-' }
func isSpace(c byte) bool       { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isBlank(s string) bool     { return strings.Trim(s, " \t") == "" }
func isSpecialText(c byte) bool { return c == '$' || c == '#' || c == '\\' }

// block parses nodes up to #else, #elseif or #end (term, at its # at
// offset at; p.i is then after its name) or the end of the input.
func (p *parser) block() (b block, term string, at int, err error) {
	if err := p.enter(p.i); err != nil {
		return nil, "", 0, err
	}
	defer func() { p.depth-- }()
	var text strings.Builder
	textAt := p.i
	addText := func(s string, off int) {
		if text.Len() == 0 {
			textAt = off
		}
		text.WriteString(s)
	}
	flush := func() {
		if text.Len() > 0 {
			b = append(b, &textNode{p: p.pos(textAt), s: text.String()})
			text.Reset()
		}
	}
	for p.i < p.end {
		start := p.i
		switch c := p.src[p.i]; c {
		case '#':
			switch {
			case p.has("##"): // a comment to the end of the line, the line end included
				flush()
				if k := strings.IndexAny(p.src[p.i:p.end], "\r\n"); k < 0 {
					p.i = p.end
				} else {
					p.i += k
					p.lineEnd()
				}
				continue
			case p.has("#*"):
				flush()
				k := strings.Index(p.src[p.i+2:p.end], "*#")
				if k < 0 {
					return nil, "", 0, p.errorf(start, "the comment #* has no *# to close it")
				}
				p.i += 2 + k + 2
				continue
			case p.has("#[["): // text that is not parsed
				k := strings.Index(p.src[p.i+3:p.end], "]]#")
				if k < 0 {
					return nil, "", 0, p.errorf(start, "#[[ has no ]]# to close it")
				}
				addText(p.src[p.i+3:p.i+3+k], start)
				p.i += 3 + k + 3
				continue
			}
			name, next := p.word(p.i)
			if d := unsupported[name]; d != "" {
				return nil, "", 0, p.errorf(start, "%s is not supported here (API Gateway templates rarely need it; write the text out)", d)
			}
			switch name {
			case "set":
				// Velocity's #set takes the spaces before it on its line.
				if isBlank(text.String()) {
					text.Reset()
				}
				flush()
				n, err := p.set(start, next)
				if err != nil {
					return nil, "", 0, err
				}
				b = append(b, n)
			case "if":
				flush()
				n, err := p.ifDirective(start, next)
				if err != nil {
					return nil, "", 0, err
				}
				b = append(b, n)
			case "foreach":
				flush()
				n, err := p.foreach(start, next)
				if err != nil {
					return nil, "", 0, err
				}
				b = append(b, n)
			case "else", "elseif", "end":
				flush()
				p.i = next
				return b, name, start, nil
			case "break":
				flush()
				b = append(b, &breakNode{p: p.pos(start)})
				p.i = next
			case "stop":
				flush()
				b = append(b, &stopNode{p: p.pos(start)})
				p.i = next
			default: // a # that starts no directive is text
				addText("#", start)
				p.i++
			}
		case '$':
			ref, next, ok, err := p.reference(p.i, false)
			if err != nil {
				return nil, "", 0, err
			}
			if !ok {
				addText("$", start)
				p.i++
				continue
			}
			flush()
			b = append(b, &refNode{p: ref.p, ref: ref})
			p.i = next
		case '\\':
			n := 0
			for p.i+n < p.end && p.src[p.i+n] == '\\' {
				n++
			}
			j := p.i + n
			if j < p.end && p.src[j] == '$' {
				ref, next, ok, err := p.reference(j, false)
				if err != nil {
					return nil, "", 0, err
				}
				if ok {
					addText(strings.Repeat(`\`, n/2), start)
					flush()
					if n%2 == 0 {
						b = append(b, &refNode{p: ref.p, ref: ref})
					} else {
						b = append(b, &escapedRef{p: p.pos(start), ref: ref, source: p.src[j:next]})
					}
					p.i = next
					continue
				}
			}
			if j < p.end && p.src[j] == '#' {
				if name, next := p.word(j); isDirective(name) {
					addText(strings.Repeat(`\`, n/2), start)
					if n%2 == 1 { // \#if is the text #if
						addText(p.src[j:next], start)
						p.i = next
					} else {
						p.i = j
					}
					continue
				}
			}
			addText(p.src[p.i:j], start)
			p.i = j
		default:
			k := p.i
			for k < p.end && !isSpecialText(p.src[k]) {
				k++
			}
			addText(p.src[p.i:k], start)
			p.i = k
		}
	}
	flush()
	return b, "", 0, nil
}

// lineEnd skips the spaces and the line end after a directive, when the
// line ends there (Velocity 1.7 takes them with #set(...), #if(...),
// #elseif(...), #foreach(...), #else and #end).
func (p *parser) lineEnd() {
	j := p.i
	for j < p.end && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	switch {
	case j < p.end && p.src[j] == '\n':
		p.i = j + 1
	case j < p.end && p.src[j] == '\r':
		p.i = j + 1
		if p.i < p.end && p.src[p.i] == '\n' {
			p.i++
		}
	}
}

func (p *parser) skipSpace() {
	for p.i < p.end && isSpace(p.src[p.i]) {
		p.i++
	}
}

// expect skips spaces and reads c.
func (p *parser) expect(c byte, what string) error {
	p.skipSpace()
	if p.i >= p.end {
		return p.errorf(p.i, "%s: expected %q, found the end of the template", what, c)
	}
	if p.src[p.i] != c {
		return p.errorf(p.i, "%s: expected %q, found %q", what, c, p.src[p.i])
	}
	p.i++
	return nil
}

// open reads the ( after a directive's name.
func (p *parser) open(start, next int, name string) error {
	p.i = next
	for p.i < p.end && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
	if p.i >= p.end || p.src[p.i] != '(' {
		return p.errorf(start, "#%s needs its arguments in parentheses: #%s(...)", name, name)
	}
	p.i++
	return nil
}

// close reads a directive's ) and the line end after it.
func (p *parser) close(name string) error {
	if err := p.expect(')', "#"+name); err != nil {
		return err
	}
	p.lineEnd()
	return nil
}

func (p *parser) set(start, next int) (node, error) {
	if err := p.open(start, next, "set"); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i >= p.end || p.src[p.i] != '$' {
		return nil, p.errorf(p.i, "#set: expected a reference to set, such as $name")
	}
	lhs, after, ok, err := p.reference(p.i, true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errorf(p.i, "#set: expected a reference to set, such as $name")
	}
	if n := len(lhs.parts); n > 0 && lhs.parts[n-1].call {
		return nil, p.errorf(p.i, "#set: cannot set the result of a method call")
	}
	p.i = after
	if err := p.expect('=', "#set"); err != nil {
		return nil, err
	}
	rhs, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.close("set"); err != nil {
		return nil, err
	}
	return &setNode{p: p.pos(start), lhs: lhs, rhs: rhs}, nil
}

// condition reads (expr) after #if or #elseif.
func (p *parser) condition(start, next int, name string) (expr, error) {
	if err := p.open(start, next, name); err != nil {
		return nil, err
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	return e, p.close(name)
}

func (p *parser) ifDirective(start, next int) (node, error) {
	n := &ifNode{p: p.pos(start)}
	cond, err := p.condition(start, next, "if")
	if err != nil {
		return nil, err
	}
	inElse := false
	for {
		body, term, at, err := p.block()
		if err != nil {
			return nil, err
		}
		if inElse {
			n.orElse = append(block{}, body...)
		} else {
			n.conds = append(n.conds, cond)
			n.blocks = append(n.blocks, body)
		}
		switch term {
		case "":
			return nil, p.errorf(start, "#if has no #end")
		case "end":
			p.lineEnd()
			return n, nil
		case "elseif":
			if inElse {
				return nil, p.errorf(at, "#elseif after #else")
			}
			if cond, err = p.condition(at, p.i, "elseif"); err != nil {
				return nil, err
			}
		case "else":
			if inElse {
				return nil, p.errorf(at, "a second #else in one #if")
			}
			p.lineEnd()
			inElse = true
		}
	}
}

func (p *parser) foreach(start, next int) (node, error) {
	if err := p.open(start, next, "foreach"); err != nil {
		return nil, err
	}
	p.skipSpace()
	v, after, ok, err := p.reference(p.i, true)
	if err != nil {
		return nil, err
	}
	if !ok || len(v.parts) > 0 {
		return nil, p.errorf(p.i, "#foreach: expected the loop variable, such as $item")
	}
	p.i = after
	p.skipSpace()
	if !p.has("in") || p.i+2 < p.end && isIdentChar(p.src[p.i+2]) {
		return nil, p.errorf(p.i, "#foreach: expected in, as in #foreach($item in $list)")
	}
	p.i += 2
	list, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.close("foreach"); err != nil {
		return nil, err
	}
	body, term, at, err := p.block()
	if err != nil {
		return nil, err
	}
	switch term {
	case "":
		return nil, p.errorf(start, "#foreach has no #end")
	case "else", "elseif":
		return nil, p.errorf(at, "#%s inside #foreach, outside an #if", term)
	}
	p.lineEnd()
	return &foreachNode{p: p.pos(start), name: v.name, list: list, body: body}, nil
}

// reference reads the reference at off ($): $name, $!name, ${name}, with
// .property, .method(args) and [index] after the name. ok is false when
// there is none, and the $ is text.
func (p *parser) reference(off int, inExpr bool) (r *reference, next int, ok bool, err error) {
	j := off + 1
	if j < p.end && p.src[j] == '!' {
		j++
	}
	formal := j < p.end && p.src[j] == '{'
	if formal {
		j++
	}
	if j >= p.end || !isIdentStart(p.src[j]) {
		return nil, 0, false, nil
	}
	k := j + 1
	for k < p.end && isIdentChar(p.src[k]) {
		k++
	}
	r = &reference{p: p.pos(off), name: p.src[j:k]}
	saved := p.i
	defer func() { p.i = saved }()
	for k < p.end {
		switch {
		case p.src[k] == '.' && k+1 < p.end && isLetter(p.src[k+1]):
			m := k + 2
			for m < p.end && isIdentChar(p.src[m]) {
				m++
			}
			pt := part{p: p.pos(k + 1), name: p.src[k+1 : m]}
			if m < p.end && p.src[m] == '(' {
				pt.call = true
				p.i = m + 1
				if pt.args, err = p.args(); err != nil {
					return nil, 0, false, err
				}
				m = p.i
			}
			pt.source = p.src[k:m]
			r.parts = append(r.parts, pt)
			k = m
		case p.src[k] == '[':
			p.i = k + 1
			idx, err := p.expr()
			if err != nil {
				return nil, 0, false, err
			}
			if err := p.expect(']', "an index"); err != nil {
				return nil, 0, false, err
			}
			r.parts = append(r.parts, part{p: p.pos(k), index: idx, source: p.src[k:p.i]})
			k = p.i
		default:
			goto done
		}
	}
done:
	if formal {
		if k >= p.end || p.src[k] != '}' {
			if inExpr {
				return nil, 0, false, p.errorf(off, "${ has no } to close it")
			}
			return nil, 0, false, nil
		}
		k++
	}
	return r, k, true, nil
}

// args reads a method's arguments up to its ).
func (p *parser) args() ([]expr, error) {
	var args []expr
	p.skipSpace()
	if p.i < p.end && p.src[p.i] == ')' {
		p.i++
		return nil, nil
	}
	for {
		a, err := p.expr()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		p.skipSpace()
		if p.i < p.end && p.src[p.i] == ',' {
			p.i++
			continue
		}
		if err := p.expect(')', "a method's arguments"); err != nil {
			return nil, err
		}
		return args, nil
	}
}

// Expressions, by precedence: || && (== !=) (< <= > >=) (+ -) (* / %) !

func (p *parser) expr() (expr, error) {
	if err := p.enter(p.i); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.binaryLevel(0)
}

var levels = [][][2]string{
	{{"||", "||"}, {"or", "||"}},
	{{"&&", "&&"}, {"and", "&&"}},
	{{"==", "=="}, {"!=", "!="}, {"eq", "=="}, {"ne", "!="}},
	{{"<=", "<="}, {">=", ">="}, {"<", "<"}, {">", ">"}, {"le", "<="}, {"ge", ">="}, {"lt", "<"}, {"gt", ">"}},
	{{"+", "+"}, {"-", "-"}},
	{{"*", "*"}, {"/", "/"}, {"%", "%"}},
}

func (p *parser) binaryLevel(level int) (expr, error) {
	if level == len(levels) {
		return p.unary()
	}
	l, err := p.binaryLevel(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		at := p.i
		op := p.operator(levels[level])
		if op == "" {
			return l, nil
		}
		r, err := p.binaryLevel(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binary{p: p.pos(at), op: op, l: l, r: r}
	}
}

// operator reads one of ops at p.i; a word operator must end there.
func (p *parser) operator(ops [][2]string) string {
	for _, o := range ops {
		if !p.has(o[0]) {
			continue
		}
		n := p.i + len(o[0])
		if isLetter(o[0][0]) && n < p.end && isIdentChar(p.src[n]) {
			continue
		}
		if o[0] == "!" || o[0] == "<" || o[0] == ">" {
			if n < p.end && p.src[n] == '=' {
				continue
			}
		}
		p.i = n
		return o[1]
	}
	return ""
}

func (p *parser) unary() (expr, error) {
	p.skipSpace()
	at := p.i
	if p.has("!") && !p.has("!=") || p.has("not") && (p.i+3 >= p.end || !isIdentChar(p.src[p.i+3])) {
		if p.src[p.i] == '!' {
			p.i++
		} else {
			p.i += 3
		}
		if err := p.enter(at); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &not{p: p.pos(at), x: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	p.skipSpace()
	at := p.i
	if p.i >= p.end {
		return nil, p.errorf(at, "expected a value, found the end of the template")
	}
	c := p.src[p.i]
	switch {
	case c == '(':
		p.i++
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(')', "parentheses")
	case c == '$':
		r, next, ok, err := p.reference(p.i, true)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errorf(at, "expected a reference after $")
		}
		p.i = next
		return r, nil
	case c == '"' || c == '\'':
		return p.stringLiteral()
	case c == '[':
		return p.list()
	case c == '{':
		return p.mapLiteral()
	case isDigit(c) || c == '-' && p.i+1 < p.end && isDigit(p.src[p.i+1]):
		return p.number()
	case isLetter(c):
		k := p.i
		for k < p.end && isIdentChar(p.src[k]) {
			k++
		}
		switch w := p.src[p.i:k]; w {
		case "true", "false":
			p.i = k
			return &literal{p: p.pos(at), v: w == "true"}, nil
		default:
			return nil, p.errorf(at, "unexpected %q: a name needs its $ ($%s)", w, w)
		}
	}
	return nil, p.errorf(at, "unexpected %q", c)
}

func (p *parser) number() (expr, error) {
	at := p.i
	k := p.i
	if p.src[k] == '-' {
		k++
	}
	for k < p.end && isDigit(p.src[k]) {
		k++
	}
	float := false
	if k+1 < p.end && p.src[k] == '.' && isDigit(p.src[k+1]) {
		float = true
		for k++; k < p.end && isDigit(p.src[k]); k++ {
		}
	}
	if k < p.end && (p.src[k] == 'e' || p.src[k] == 'E') {
		m := k + 1
		if m < p.end && (p.src[m] == '+' || p.src[m] == '-') {
			m++
		}
		if m < p.end && isDigit(p.src[m]) {
			float = true
			for k = m; k < p.end && isDigit(p.src[k]); k++ {
			}
		}
	}
	s := p.src[at:k]
	p.i = k
	if float {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, p.errorf(at, "the number %s is out of range", s)
		}
		return &literal{p: p.pos(at), v: f}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, p.errorf(at, "the integer %s is out of range", s)
	}
	return &literal{p: p.pos(at), v: n}, nil
}

// stringLiteral reads '...' (as written, ” for ') or "..." ("" for ",
// \uXXXX for a character, and interpolated when it holds $ or #).
func (p *parser) stringLiteral() (expr, error) {
	at := p.i
	q := p.src[p.i]
	k := p.i + 1
	for {
		if k >= p.end {
			return nil, p.errorf(at, "the string has no closing %c", q)
		}
		if p.src[k] == q {
			if k+1 < p.end && p.src[k+1] == q {
				k += 2
				continue
			}
			break
		}
		k++
	}
	raw := p.src[p.i+1 : k]
	p.i = k + 1
	doubled := string([]byte{q, q})
	if q == '\'' {
		return &literal{p: p.pos(at), v: strings.ReplaceAll(raw, doubled, "'")}, nil
	}
	s := strings.ReplaceAll(unescapeUnicode(raw), doubled, `"`)
	if !strings.ContainsAny(raw, "$#") {
		return &literal{p: p.pos(at), v: s}, nil
	}
	sub := newParser(s, p.pos(at+1))
	sub.depth = p.depth
	body, term, termAt, err := sub.block()
	if err != nil {
		return nil, err
	}
	if term != "" {
		return nil, sub.errorf(termAt, "#%s without an #if or #foreach to close, in a string", term)
	}
	return &interpolated{p: p.pos(at), body: body}, nil
}

// unescapeUnicode replaces \uXXXX with its character, as Velocity 1.7
// does in double-quoted strings (the only escape it reads there).
func unescapeUnicode(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+5 < len(s) && s[i+1] == 'u' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 5
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// list reads [a, b], [] or the range [from..to].
func (p *parser) list() (expr, error) {
	at := p.i
	p.i++
	if err := p.enter(at); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l := &listLit{p: p.pos(at)}
	p.skipSpace()
	if p.i < p.end && p.src[p.i] == ']' {
		p.i++
		return l, nil
	}
	first, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.has("..") {
		p.i += 2
		to, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &rangeLit{p: p.pos(at), from: first, to: to}, p.expect(']', "a range")
	}
	l.items = append(l.items, first)
	for {
		p.skipSpace()
		if p.i < p.end && p.src[p.i] == ',' {
			p.i++
			item, err := p.expr()
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, item)
			continue
		}
		return l, p.expect(']', "a list")
	}
}

// mapLiteral reads {key: value, ...}.
func (p *parser) mapLiteral() (expr, error) {
	at := p.i
	p.i++
	if err := p.enter(at); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	m := &mapLit{p: p.pos(at)}
	p.skipSpace()
	if p.i < p.end && p.src[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		k, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':', "a map"); err != nil {
			return nil, err
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		m.keys, m.vals = append(m.keys, k), append(m.vals, v)
		p.skipSpace()
		if p.i < p.end && p.src[p.i] == ',' {
			p.i++
			continue
		}
		return m, p.expect('}', "a map")
	}
}
