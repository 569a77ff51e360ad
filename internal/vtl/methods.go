package vtl

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The methods and properties of values, as the Java classes behind them
// have them. A method that does not exist gives null, as in Velocity, and
// a notice; one that fails (an index out of range, a regular expression
// that does not compile) is an error, as API Gateway fails the request.

// property is $v.name.
func (e *evaluator) property(at pos, v any, name string) any {
	switch x := v.(type) {
	case *Map: // a map's property is its key (Velocity's get("name"))
		return x.Get(name)
	case *input:
		if name == "body" {
			return x.bodyText()
		}
	case *loop:
		switch name {
		case "hasNext":
			return x.hasNext
		case "index":
			return int64(x.index)
		case "count":
			return int64(x.index + 1)
		case "first":
			return x.index == 0
		case "last":
			return !x.hasNext
		}
	case entry:
		switch name {
		case "key":
			return x.key
		case "value":
			return x.val
		}
	case string:
		if name == "empty" {
			return x == ""
		}
	case *List:
		if name == "empty" {
			return len(x.Items) == 0
		}
	}
	e.notice(at, "%s has no property %s: null", kind(v), name)
	return nil
}

// call is $v.name(args).
func (e *evaluator) call(at pos, v any, name string, args []any) (any, error) {
	var (
		r     any
		err   error
		found = true
	)
	switch x := v.(type) {
	case string:
		r, found, err = e.stringMethod(at, x, name, args)
	case *Map:
		r, found, err = e.mapMethod(at, x, name, args)
	case *List:
		r, found, err = e.listMethod(at, x, name, args)
	case *input:
		r, found, err = e.inputMethod(at, x, name, args)
	case util:
		r, found, err = e.utilMethod(at, name, args)
	case *loop:
		switch {
		case name == "hasNext" && len(args) == 0:
			r = x.hasNext
		case name == "getIndex" && len(args) == 0:
			r = int64(x.index)
		case name == "getCount" && len(args) == 0:
			r = int64(x.index + 1)
		case name == "isFirst" && len(args) == 0:
			r = x.index == 0
		case name == "isLast" && len(args) == 0:
			r = !x.hasNext
		default:
			found = false
		}
	case entry:
		switch {
		case name == "getKey" && len(args) == 0:
			r = x.key
		case name == "getValue" && len(args) == 0:
			r = x.val
		case name == "toString" && len(args) == 0:
			r, err = e.text(at, x)
		default:
			found = false
		}
	case bool:
		switch {
		case name == "toString" && len(args) == 0:
			r = strconv.FormatBool(x)
		case name == "booleanValue" && len(args) == 0:
			r = x
		case name == "equals" && len(args) == 1:
			b, ok := args[0].(bool)
			r = ok && b == x
		default:
			found = false
		}
	default:
		if _, _, _, ok := number(v); ok {
			r, found, err = e.numberMethod(at, v, name, args)
		} else {
			found = false
		}
	}
	if err != nil {
		return nil, err
	}
	if !found {
		e.notice(at, "%s has no method %s with %d argument%s: null", kind(v), name, len(args), plural(len(args)))
	}
	return r, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// str is args[i] as a string parameter: a string, not another type (Java
// would find no method).
func str(args []any, i int) (string, bool) {
	if i >= len(args) {
		return "", false
	}
	s, ok := args[i].(string)
	return s, ok
}

// integer is args[i] as an int parameter.
func integer(args []any, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	n, _, isInt, ok := number(args[i])
	if !ok || !isInt || n != int64(int32(n)) {
		return 0, false
	}
	return int(n), true
}

// units is s as Java sees a string: UTF-16 code units.
func units(s string) []uint16 { return utf16.Encode([]rune(s)) }

func fromUnits(u []uint16) string { return string(utf16.Decode(u)) }

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func (e *evaluator) stringMethod(at pos, s, name string, args []any) (any, bool, error) {
	if err := e.step(at, len(s)/256); err != nil {
		return nil, true, err
	}
	a0, s0 := str(args, 0)
	a1, s1 := str(args, 1)
	n := len(args)
	switch {
	case name == "toString" && n == 0, name == "intern" && n == 0:
		return s, true, nil
	case name == "length" && n == 0:
		if ascii(s) {
			return int64(len(s)), true, nil
		}
		return int64(len(units(s))), true, nil
	case name == "isEmpty" && n == 0:
		return s == "", true, nil
	case name == "isBlank" && n == 0:
		return strings.TrimSpace(s) == "", true, nil
	case name == "equals" && n == 1:
		return s0 && a0 == s, true, nil
	case name == "equalsIgnoreCase" && n == 1:
		return s0 && strings.EqualFold(a0, s), true, nil
	case name == "contains" && n == 1 && s0:
		return strings.Contains(s, a0), true, nil
	case name == "startsWith" && n == 1 && s0:
		return strings.HasPrefix(s, a0), true, nil
	case name == "startsWith" && n == 2 && s0:
		off, ok := integer(args, 1)
		u := units(s)
		if !ok {
			return nil, false, nil
		}
		return off >= 0 && off <= len(u) && strings.HasPrefix(fromUnits(u[off:]), a0), true, nil
	case name == "endsWith" && n == 1 && s0:
		return strings.HasSuffix(s, a0), true, nil
	case (name == "indexOf" || name == "lastIndexOf") && (n == 1 || n == 2) && s0:
		from, ok := 0, true
		if n == 2 {
			from, ok = integer(args, 1)
		}
		if !ok {
			return nil, false, nil
		}
		return int64(indexOf(units(s), units(a0), from, n == 2, name == "lastIndexOf")), true, nil
	case name == "substring" && (n == 1 || n == 2):
		u := units(s)
		b, ok := integer(args, 0)
		end, ok2 := len(u), true
		if n == 2 {
			end, ok2 = integer(args, 1)
		}
		if !ok || !ok2 {
			return nil, false, nil
		}
		if b < 0 || end > len(u) || b > end {
			return nil, true, e.errorf(at, "substring(%d, %d) is out of range for a string of length %d (StringIndexOutOfBoundsException)", b, end, len(u))
		}
		return fromUnits(u[b:end]), true, nil
	case name == "charAt" && n == 1:
		u := units(s)
		i, ok := integer(args, 0)
		if !ok {
			return nil, false, nil
		}
		if i < 0 || i >= len(u) {
			return nil, true, e.errorf(at, "charAt(%d) is out of range for a string of length %d (StringIndexOutOfBoundsException)", i, len(u))
		}
		return fromUnits(u[i : i+1]), true, nil
	case name == "toLowerCase" && n == 0:
		return strings.ToLower(s), true, nil
	case name == "toUpperCase" && n == 0:
		return strings.ToUpper(s), true, nil
	case name == "trim" && n == 0: // Java trims every character up to the space
		return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }), true, nil
	case name == "strip" && n == 0:
		return strings.TrimSpace(s), true, nil
	case name == "concat" && n == 1 && s0:
		return e.bounded(at, s+a0)
	case name == "replace" && n == 2 && s0 && s1:
		if a0 == "" { // Java inserts the replacement between every character
			return e.bounded(at, a1+strings.Join(strings.Split(s, ""), a1)+a1)
		}
		if strings.Count(s, a0)*len(a1) > MaxOutput {
			return nil, true, e.errorf(at, "replace would build a string past %d bytes", MaxOutput)
		}
		return e.bounded(at, strings.ReplaceAll(s, a0, a1))
	case (name == "replaceAll" || name == "replaceFirst") && n == 2 && s0 && s1:
		re, err := e.regexp(at, a0)
		if err != nil {
			return nil, true, err
		}
		repl, err := javaReplacement(a1, re.NumSubexp())
		if err != nil {
			return nil, true, e.errorf(at, "%s: %v", name, err)
		}
		if name == "replaceFirst" {
			loc := re.FindStringSubmatchIndex(s)
			if loc == nil {
				return s, true, nil
			}
			out := re.ExpandString(nil, repl, s, loc)
			return e.bounded(at, s[:loc[0]]+string(out)+s[loc[1]:])
		}
		if matches := re.FindAllStringIndex(s, -1); len(matches)*len(a1) > MaxOutput {
			return nil, true, e.errorf(at, "replaceAll would build a string past %d bytes", MaxOutput)
		}
		return e.bounded(at, re.ReplaceAllString(s, repl))
	case name == "matches" && n == 1 && s0:
		re, err := e.regexp(at, "^(?:"+a0+")$")
		if err != nil {
			return nil, true, err
		}
		return re.MatchString(s), true, nil
	case name == "split" && (n == 1 || n == 2) && s0:
		limit, ok := 0, true
		if n == 2 {
			limit, ok = integer(args, 1)
		}
		if !ok {
			return nil, false, nil
		}
		re, err := e.regexp(at, a0)
		if err != nil {
			return nil, true, err
		}
		l := &List{}
		for _, p := range javaSplit(re, s, limit) {
			l.Items = append(l.Items, p)
		}
		return l, true, nil
	case name == "compareTo" && n == 1 && s0:
		return int64(compareUnits(units(s), units(a0))), true, nil
	case name == "hashCode" && n == 0:
		var h int32
		for _, u := range units(s) {
			h = 31*h + int32(u)
		}
		return int64(h), true, nil
	}
	return nil, false, nil
}

// bounded returns s unless it is too long.
func (e *evaluator) bounded(at pos, s string) (any, bool, error) {
	if len(s) > MaxOutput {
		return nil, true, e.errorf(at, "a string grows past %d bytes", MaxOutput)
	}
	return s, true, e.step(at, len(s)/256)
}

// regexp compiles a Java regular expression with Go's RE2, which reads the
// same syntax for all but lookaround and backreferences.
func (e *evaluator) regexp(at pos, pattern string) (*regexp.Regexp, error) {
	if re, ok := e.regexps[pattern]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, e.errorf(at, "the regular expression %q does not compile here (Go's RE2 syntax, close to Java's but without lookaround or backreferences): %v", pattern, err)
	}
	if len(e.regexps) < 100 {
		e.regexps[pattern] = re
	}
	return re, nil
}

// javaReplacement turns Java's replacement syntax ($1, ${name}, \x for a
// literal x) into Go's Expand template.
func javaReplacement(r string, groups int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\':
			i++
			if i >= len(r) {
				return "", errorString("character to be escaped is missing")
			}
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$':
			i++
			if i >= len(r) {
				return "", errorString("illegal group reference: $ at the end")
			}
			if r[i] == '{' {
				end := strings.IndexByte(r[i:], '}')
				if end < 0 {
					return "", errorString("named capturing group is missing trailing '}'")
				}
				b.WriteString("${" + r[i+1:i+end] + "}")
				i += end
				continue
			}
			if !isDigit(r[i]) {
				return "", errorString("illegal group reference")
			}
			g := int(r[i] - '0')
			for i+1 < len(r) && isDigit(r[i+1]) && g*10+int(r[i+1]-'0') <= groups {
				i++
				g = g*10 + int(r[i]-'0')
			}
			if g > groups {
				return "", errorString("no group " + strconv.Itoa(g))
			}
			b.WriteString("${" + strconv.Itoa(g) + "}")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// javaSplit is Java's String.split: limit 0 drops trailing empty strings.
func javaSplit(re *regexp.Regexp, s string, limit int) []string {
	if re.FindStringIndex(s) == nil {
		return []string{s}
	}
	n := -1
	if limit > 0 {
		n = limit
	}
	parts := re.Split(s, n) // a zero-width match at the start gives no leading empty string, as in Java
	if limit == 0 {
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
	}
	return parts
}

func indexOf(s, sub []uint16, from int, hasFrom, last bool) int {
	if !last {
		from = max(from, 0)
		for i := from; i+len(sub) <= len(s); i++ {
			if equalUnits(s[i:i+len(sub)], sub) {
				return i
			}
		}
		return -1
	}
	start := len(s) - len(sub)
	if hasFrom {
		start = min(start, from)
	}
	for i := start; i >= 0; i-- {
		if equalUnits(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalUnits(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func compareUnits(a, b []uint16) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return len(a) - len(b)
}

func (e *evaluator) mapMethod(at pos, m *Map, name string, args []any) (any, bool, error) {
	n := len(args)
	key := func() (string, error) { return e.text(at, args[0]) }
	switch {
	case name == "get" && n == 1:
		k, err := key()
		return m.Get(k), true, err
	case name == "put" && n == 2:
		k, err := key()
		if err != nil {
			return nil, true, err
		}
		old := m.Get(k)
		return old, true, e.put(at, m, k, args[1])
	case name == "containsKey" && n == 1:
		k, err := key()
		return m.Has(k), true, err
	case name == "containsValue" && n == 1:
		for _, k := range m.keys {
			if e.same(m.vals[k], args[0]) {
				return true, true, nil
			}
		}
		return false, true, nil
	case name == "remove" && n == 1:
		k, err := key()
		return m.Remove(k), true, err
	case name == "size" && n == 0:
		return int64(m.Len()), true, nil
	case name == "isEmpty" && n == 0:
		return m.Len() == 0, true, nil
	case name == "keySet" && n == 0:
		l := &List{Items: make([]any, 0, m.Len())}
		for _, k := range m.keys {
			l.Items = append(l.Items, k)
		}
		return l, true, e.step(at, m.Len()/256)
	case name == "values" && n == 0:
		l := &List{Items: make([]any, 0, m.Len())}
		for _, k := range m.keys {
			l.Items = append(l.Items, m.vals[k])
		}
		return l, true, e.step(at, m.Len()/256)
	case name == "entrySet" && n == 0:
		l := &List{Items: make([]any, 0, m.Len())}
		for _, k := range m.keys {
			l.Items = append(l.Items, entry{key: k, val: m.vals[k]})
		}
		return l, true, e.step(at, m.Len()/256)
	case name == "putAll" && n == 1:
		o, ok := args[0].(*Map)
		if !ok {
			return nil, false, nil
		}
		for _, k := range o.keys {
			if err := e.put(at, m, k, o.vals[k]); err != nil {
				return nil, true, err
			}
		}
		return "", true, e.step(at, o.Len()/256)
	case name == "clear" && n == 0:
		*m = Map{vals: map[string]any{}, fromJSON: m.fromJSON}
		return "", true, nil
	case name == "toString" && n == 0:
		s, err := e.text(at, m)
		return s, true, err
	case name == "equals" && n == 1:
		return e.same(m, args[0]), true, nil
	}
	return nil, false, nil
}

func (e *evaluator) listMethod(at pos, l *List, name string, args []any) (any, bool, error) {
	n := len(args)
	switch {
	case name == "size" && n == 0:
		return int64(len(l.Items)), true, nil
	case name == "isEmpty" && n == 0:
		return len(l.Items) == 0, true, nil
	case name == "get" && n == 1:
		i, err := e.listIndex(at, l, args[0])
		if err != nil || i < 0 {
			return nil, err == nil && i < 0, err
		}
		return l.Items[i], true, nil
	case name == "contains" && n == 1:
		return e.indexOf(l, args[0], false) >= 0, true, nil
	case name == "indexOf" && n == 1:
		return int64(e.indexOf(l, args[0], false)), true, nil
	case name == "lastIndexOf" && n == 1:
		return int64(e.indexOf(l, args[0], true)), true, nil
	case name == "add" && n == 1:
		if len(l.Items) >= MaxElements {
			return nil, true, e.errorf(at, "a list grows past %d elements", MaxElements)
		}
		l.Items = append(l.Items, args[0])
		return true, true, nil
	case name == "add" && n == 2:
		i, ok := integer(args, 0)
		if !ok {
			return nil, false, nil
		}
		if i < 0 || i > len(l.Items) {
			return nil, true, e.errorf(at, "add(%d, ...) is out of range for a list of %d", i, len(l.Items))
		}
		if len(l.Items) >= MaxElements {
			return nil, true, e.errorf(at, "a list grows past %d elements", MaxElements)
		}
		l.Items = append(l.Items[:i], append([]any{args[1]}, l.Items[i:]...)...)
		return "", true, e.step(at, len(l.Items)/256)
	case name == "addAll" && n == 1:
		o, ok := args[0].(*List)
		if !ok {
			return nil, false, nil
		}
		if len(l.Items)+len(o.Items) > MaxElements {
			return nil, true, e.errorf(at, "a list grows past %d elements", MaxElements)
		}
		l.Items = append(l.Items, o.Items...)
		return len(o.Items) > 0, true, e.step(at, len(o.Items)/256)
	case name == "set" && n == 2:
		i, err := e.listIndex(at, l, args[0])
		if err != nil || i < 0 {
			return nil, err == nil && i < 0, err
		}
		old := l.Items[i]
		l.Items[i] = args[1]
		return old, true, nil
	case name == "remove" && n == 1:
		if _, _, isInt, ok := number(args[0]); ok && isInt { // remove(int index)
			i, err := e.listIndex(at, l, args[0])
			if err != nil {
				return nil, true, err
			}
			old := l.Items[i]
			l.Items = append(l.Items[:i], l.Items[i+1:]...)
			return old, true, nil
		}
		if i := e.indexOf(l, args[0], false); i >= 0 { // remove(Object)
			l.Items = append(l.Items[:i], l.Items[i+1:]...)
			return true, true, nil
		}
		return false, true, nil
	case name == "subList" && n == 2:
		a, ok := integer(args, 0)
		b, ok2 := integer(args, 1)
		if !ok || !ok2 {
			return nil, false, nil
		}
		if a < 0 || b > len(l.Items) || a > b {
			return nil, true, e.errorf(at, "subList(%d, %d) is out of range for a list of %d", a, b, len(l.Items))
		}
		return &List{Items: append([]any(nil), l.Items[a:b]...), fromJSON: l.fromJSON}, true, nil
	case name == "clear" && n == 0:
		l.Items = nil
		return "", true, nil
	case name == "toString" && n == 0:
		s, err := e.text(at, l)
		return s, true, err
	case name == "equals" && n == 1:
		return e.same(l, args[0]), true, nil
	}
	return nil, false, nil
}

func (e *evaluator) indexOf(l *List, v any, last bool) int {
	found := -1
	for i, item := range l.Items {
		if e.same(item, v) {
			if !last {
				return i
			}
			found = i
		}
	}
	return found
}

func (e *evaluator) numberMethod(at pos, v any, name string, args []any) (any, bool, error) {
	i, f, isInt, _ := number(v)
	switch {
	case name == "toString" && len(args) == 0:
		s, err := e.text(at, v)
		return s, true, err
	case (name == "intValue" || name == "longValue") && len(args) == 0:
		if isInt {
			return i, true, nil
		}
		return int64(f), true, nil
	case (name == "doubleValue" || name == "floatValue") && len(args) == 0:
		return f, true, nil
	case name == "equals" && len(args) == 1:
		return e.same(v, args[0]), true, nil
	case name == "compareTo" && len(args) == 1:
		_, g, _, ok := number(args[0])
		if !ok {
			return nil, false, nil
		}
		switch {
		case f < g:
			return int64(-1), true, nil
		case f > g:
			return int64(1), true, nil
		}
		return int64(0), true, nil
	}
	return nil, false, nil
}
