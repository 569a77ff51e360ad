package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// JSONPath as API Gateway reads it ($input.path, $input.json), with the
// rules of Jayway's JsonPath, which it documents: a path that does not
// start with $ is read as $.path; a definite path ($.a.b, $['a'][0]) gives
// its value, or null when it leads nowhere; an indefinite one (with [*],
// .*, .., [1:3] or [0,1]) gives the list of what it finds.

type stepKind int

const (
	stepNames stepKind = iota
	stepIndexes
	stepWildcard
	stepSlice
)

type pathStep struct {
	kind  stepKind
	deep  bool // ..: this step applies at every depth
	names []string
	idx   []int
	// a slice [from:to], each optional
	from, to       int
	hasFrom, hasTo bool
}

type jsonPathExpr struct {
	steps    []pathStep
	definite bool
}

func parseJSONPath(path string) (*jsonPathExpr, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		path = "$"
	}
	if path[0] != '$' {
		path = "$." + path
	}
	e := &jsonPathExpr{definite: true}
	i := 1
	for i < len(path) {
		var s pathStep
		switch {
		case strings.HasPrefix(path[i:], ".."):
			s.deep = true
			i += 2
		case path[i] == '.':
			i++
		case path[i] == '[':
		default:
			return nil, fmt.Errorf("JSONPath %q: unexpected %q at %d", path, path[i], i)
		}
		if i >= len(path) {
			return nil, fmt.Errorf("JSONPath %q ends with a dot", path)
		}
		switch {
		case path[i] == '[':
			end, err := closingBracket(path, i)
			if err != nil {
				return nil, err
			}
			if err := s.bracket(path, path[i+1:end]); err != nil {
				return nil, err
			}
			i = end + 1
		case path[i] == '*':
			s.kind = stepWildcard
			i++
		default:
			j := i
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
			name := path[i:j]
			if strings.ContainsAny(name, "()") {
				return nil, fmt.Errorf("JSONPath %q: functions such as %s are not supported here", path, name)
			}
			s.kind, s.names = stepNames, []string{name}
			i = j
		}
		if s.deep || s.kind == stepWildcard || s.kind == stepSlice || len(s.names) > 1 || len(s.idx) > 1 {
			e.definite = false
		}
		e.steps = append(e.steps, s)
	}
	return e, nil
}

// closingBracket finds the ] that closes the [ at i, past quoted names.
func closingBracket(path string, i int) (int, error) {
	var quote byte
	for j := i + 1; j < len(path); j++ {
		c := path[j]
		switch {
		case quote != 0 && c == '\\':
			j++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ']':
			return j, nil
		}
	}
	return 0, fmt.Errorf("JSONPath %q: [ at %d is not closed", path, i)
}

func (s *pathStep) bracket(path, in string) error {
	in = strings.TrimSpace(in)
	switch {
	case in == "*":
		s.kind = stepWildcard
		return nil
	case strings.HasPrefix(in, "?"):
		return fmt.Errorf("JSONPath %q: filters ([?(...)]) are not supported here", path)
	case strings.HasPrefix(in, "'") || strings.HasPrefix(in, `"`):
		s.kind = stepNames
		for in != "" {
			q := in[0]
			var b strings.Builder
			j := 1
			for ; j < len(in) && in[j] != q; j++ {
				if in[j] == '\\' && j+1 < len(in) {
					j++
				}
				b.WriteByte(in[j])
			}
			if j >= len(in) {
				return fmt.Errorf("JSONPath %q: a quoted name is not closed", path)
			}
			s.names = append(s.names, b.String())
			in = strings.TrimSpace(in[j+1:])
			if in == "" {
				break
			}
			if in[0] != ',' {
				return fmt.Errorf("JSONPath %q: names in brackets are separated by commas", path)
			}
			in = strings.TrimSpace(in[1:])
			if in == "" || (in[0] != '\'' && in[0] != '"') {
				return fmt.Errorf("JSONPath %q: expected a quoted name", path)
			}
		}
		return nil
	case strings.Contains(in, ":"):
		s.kind = stepSlice
		from, to, _ := strings.Cut(in, ":")
		to, _, _ = strings.Cut(to, ":") // a step is not supported; Jayway has none either
		var err error
		if from = strings.TrimSpace(from); from != "" {
			s.hasFrom = true
			if s.from, err = strconv.Atoi(from); err != nil {
				return fmt.Errorf("JSONPath %q: %q is not an index", path, from)
			}
		}
		if to = strings.TrimSpace(to); to != "" {
			s.hasTo = true
			if s.to, err = strconv.Atoi(to); err != nil {
				return fmt.Errorf("JSONPath %q: %q is not an index", path, to)
			}
		}
		return nil
	}
	s.kind = stepIndexes
	for _, part := range strings.Split(in, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return fmt.Errorf("JSONPath %q: %q is not an index, a quoted name or *", path, part)
		}
		s.idx = append(s.idx, n)
	}
	return nil
}

// eval applies the path to a document: the value of a definite path (nil
// when it leads nowhere), else a list of the values found. A deep scan
// (..) visits at most budget values, and no deeper than maxNesting (a
// template can make a document hold itself).
func (e *jsonPathExpr) eval(root any, budget *int) any {
	cur := []any{root}
	for _, s := range e.steps {
		var next []any
		for _, v := range cur {
			if s.deep {
				walk(v, 0, budget, func(n any) { next = s.apply(n, next) })
			} else {
				next = s.apply(v, next)
			}
		}
		cur = next
		if e.definite && len(cur) == 0 {
			return nil
		}
	}
	if e.definite {
		return cur[0]
	}
	return &List{Items: cur, fromJSON: true}
}

// apply adds to out what the step selects in v.
func (s *pathStep) apply(v any, out []any) []any {
	switch x := v.(type) {
	case *Map:
		switch s.kind {
		case stepNames:
			for _, n := range s.names {
				if x.Has(n) {
					out = append(out, x.Get(n))
				}
			}
		case stepWildcard:
			for _, k := range x.keys {
				out = append(out, x.vals[k])
			}
		}
	case *List:
		n := len(x.Items)
		switch s.kind {
		case stepIndexes:
			for _, i := range s.idx {
				if i < 0 {
					i += n
				}
				if i >= 0 && i < n {
					out = append(out, x.Items[i])
				}
			}
		case stepWildcard:
			out = append(out, x.Items...)
		case stepSlice:
			from, to := 0, n
			if s.hasFrom {
				from = s.from
			}
			if s.hasTo {
				to = s.to
			}
			if from < 0 {
				from += n
			}
			if to < 0 {
				to += n
			}
			from, to = max(from, 0), min(to, n)
			for i := from; i < to; i++ {
				out = append(out, x.Items[i])
			}
		}
	}
	return out
}

// walk calls f on v and everything in it, in document order, while the
// budget lasts.
func walk(v any, depth int, budget *int, f func(any)) {
	if *budget--; *budget < 0 || depth > maxNesting {
		return
	}
	f(v)
	switch x := v.(type) {
	case *Map:
		for _, k := range x.keys {
			walk(x.vals[k], depth+1, budget, f)
		}
	case *List:
		for _, item := range x.Items {
			walk(item, depth+1, budget, f)
		}
	}
}
