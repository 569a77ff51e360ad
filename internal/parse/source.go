package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"go.yaml.in/yaml/v3"
)

// Error is a template that cannot be read: what is wrong, and where.
type Error struct {
	Pos            // where; zero when unknown
	Message string // what is wrong
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// Pos is a place in a template's text: a line and a column, both counted
// from 1, the column in characters.
type Pos struct{ Line, Column int }

func at(n *yaml.Node, format string, args ...any) *Error {
	return &Error{Pos: Pos{n.Line, n.Column}, Message: fmt.Sprintf(format, args...)}
}

// Source is a template together with the text it was read from, to tell
// where each of its values is written and, for YAML, how.
type Source struct {
	// Template is the template read. Change a tree.Clone of it, not it:
	// Value answers from it.
	Template *tree.Object

	data   []byte
	doc    *yaml.Node         // the YAML document; nil for JSON
	values map[*yaml.Node]any // what each YAML node was read as
	index  map[string]Pos     // JSON: where each path is, built on first use
}

// Read reads a template in JSON or YAML, as Template does, and keeps what
// is needed to locate its values in the text.
func Read(data []byte) (*Source, error) { return read(data, true) }

func read(data []byte, keep bool) (*Source, error) {
	var values map[*yaml.Node]any
	if keep {
		values = map[*yaml.Node]any{}
	}
	v, doc, err := document(data, values)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*tree.Object)
	if !ok {
		return nil, &Error{Message: fmt.Sprintf("the template is %s, not an object", cfn.TypeName(v))}
	}
	s := &Source{Template: o}
	if keep {
		s.data, s.doc, s.values = data, doc, values
	}
	return s, nil
}

// YAML returns the YAML document node the template was read from, with its
// styles and comments, or nil when it was read as JSON.
func (s *Source) YAML() *yaml.Node { return s.doc }

// Value returns the value a node of YAML() was read as.
func (s *Source) Value(n *yaml.Node) (any, bool) {
	v, ok := s.values[n]
	return v, ok
}

// Position returns where the value at path is written: for an object
// member, where its key is. When the path goes where the text has nothing,
// it returns the place of the deepest part that is written, and false.
func (s *Source) Position(path []string) (Pos, bool) {
	if s == nil || s.data == nil {
		return Pos{}, false
	}
	if s.doc != nil {
		return yamlPosition(s.doc, path)
	}
	if s.index == nil {
		s.index, _ = jsonIndex(s.data)
		if s.index == nil {
			s.index = map[string]Pos{}
		}
	}
	for n := len(path); n >= 0; n-- {
		if p, ok := s.index[strings.Join(path[:n], "\x00")]; ok {
			return p, n == len(path)
		}
	}
	return Pos{}, false
}

// yamlPosition walks the nodes along path.
func yamlPosition(doc *yaml.Node, path []string) (Pos, bool) {
	if len(doc.Content) == 0 {
		return Pos{}, false
	}
	n := doc.Content[0]
	pos := Pos{n.Line, n.Column}
	for i := 0; i < len(path); i++ {
		key := path[i]
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if long, ok := cfn.LongForm(n.Tag); ok && long == key {
			// !Sub x holds its argument itself; !GetAtt A.B both list items.
			if n.Kind == yaml.ScalarNode && long == "Fn::GetAtt" {
				return pos, i+1 == len(path) || (i+2 == len(path) && (path[i+1] == "0" || path[i+1] == "1"))
			}
			inner := *n
			inner.Tag = ""
			n = &inner
			continue
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for j := 0; j+1 < len(n.Content); j += 2 {
				if k := n.Content[j]; k.Value == key {
					pos, next = Pos{k.Line, k.Column}, n.Content[j+1]
					break
				}
			}
		case yaml.SequenceNode:
			if j, err := strconv.Atoi(key); err == nil && j >= 0 && j < len(n.Content) {
				next = n.Content[j]
				pos = Pos{next.Line, next.Column}
			}
		}
		if next == nil {
			return pos, false
		}
		n = next
	}
	return pos, true
}

// jsonIndex records where each key and list item of a JSON document is,
// and refuses a key given twice with its place.
func jsonIndex(data []byte) (map[string]Pos, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	lines := newLines(data)
	idx := map[string]Pos{}
	// start is where the next token begins: after the last one, its
	// separators and white space.
	start := func() int {
		off := int(d.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return off
	}
	var walk func(path []string) error
	walk = func(path []string) error {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		delim, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch delim {
		case '{':
			seen := map[string]bool{}
			for d.More() {
				at := start()
				kt, err := d.Token()
				if err != nil {
					return err
				}
				key, _ := kt.(string)
				p := lines.pos(at)
				if seen[key] {
					return &Error{Pos: p, Message: fmt.Sprintf("duplicate key %q in %s: a key may appear once in an object", key, cfn.Path(path).String())}
				}
				seen[key] = true
				kp := append(path[:len(path):len(path)], key)
				idx[strings.Join(kp, "\x00")] = p
				if err := walk(kp); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; d.More(); i++ {
				ip := append(path[:len(path):len(path)], strconv.Itoa(i))
				idx[strings.Join(ip, "\x00")] = lines.pos(start())
				if err := walk(ip); err != nil {
					return err
				}
			}
		}
		_, err = d.Token() // the closing delimiter
		return err
	}
	idx[""] = lines.pos(start())
	if err := walk(nil); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, err
	}
	return idx, nil
}

// lines converts byte offsets into lines and columns.
type lines struct {
	data   []byte
	starts []int
}

func newLines(data []byte) lines {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lines{data, starts}
}

func (l lines) pos(off int) Pos {
	off = min(max(off, 0), len(l.data))
	i := sort.SearchInts(l.starts, off+1) - 1
	return Pos{Line: i + 1, Column: utf8.RuneCount(l.data[l.starts[i]:off]) + 1}
}

// jsonish reports whether text that starts with '{' is meant as JSON: its
// first key is quoted, or the object is empty.
func jsonish(t []byte) bool {
	rest := bytes.TrimLeft(t[1:], " \t\r\n")
	return len(rest) == 0 || rest[0] == '"' || rest[0] == '}'
}

// jsonSyntaxError locates the first JSON syntax error in data.
func jsonSyntaxError(data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &Error{Pos: newLines(data).pos(int(se.Offset) - 1), Message: "invalid JSON: " + se.Error()}
	case errors.Is(err, io.ErrUnexpectedEOF) || (err != nil && strings.Contains(err.Error(), "unexpected end")):
		return &Error{Pos: newLines(data).pos(len(bytes.TrimRight(data, " \t\r\n"))), Message: "invalid JSON: unexpected end of input"}
	case err != nil:
		return &Error{Message: "invalid JSON: " + err.Error()}
	}
	return &Error{Message: "invalid JSON"}
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlError turns the YAML library's error into an Error at the place of
// the problem. The library names the line where the enclosing block
// starts, not where the problem is: the place is found again as the
// shortest prefix of the text that fails with the same error.
func yamlError(data []byte, err error) error {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{Message: "invalid YAML: " + err.Error()}
	}
	msg := m[2]
	ls := newLines(data)
	switch msg {
	case "control characters are not allowed":
		for i, r := range string(data) {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
				return &Error{Pos: ls.pos(i), Message: "invalid YAML: " + msg}
			}
		}
	case "invalid leading UTF-8 octet", "invalid trailing UTF-8 octet", "incomplete UTF-8 octet sequence", "invalid Unicode character":
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				return &Error{Pos: ls.pos(i), Message: "invalid YAML: " + msg}
			}
			i += size
		}
	}
	reported, _ := strconv.Atoi(m[1])
	want := err.Error()
	fails := func(prefix []byte) bool {
		var n yaml.Node
		e := yaml.Unmarshal(prefix, &n)
		return e != nil && e.Error() == want
	}
	// The first line whose inclusion makes the text fail as a whole does.
	nlines := len(ls.starts)
	lineEnd := func(i int) int { // offset after line i (1-based), newline included
		if i >= nlines {
			return len(data)
		}
		return ls.starts[i]
	}
	lo, hi := 1, nlines
	if !fails(data[:lineEnd(hi)]) {
		return &Error{Pos: Pos{Line: max(reported, 1), Column: 1}, Message: "invalid YAML: " + msg}
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(data[:lineEnd(mid)]) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	// Then the first character of that line whose inclusion does.
	first, end := ls.starts[lo-1], lineEnd(lo)
	clo, chi := first, end
	for clo < chi {
		mid := (clo + chi) / 2
		if fails(data[:mid+1]) {
			chi = mid
		} else {
			clo = mid + 1
		}
	}
	return &Error{Pos: ls.pos(min(clo, end-1)), Message: "invalid YAML: " + msg}
}

// Data is the text the template was read from.
func (s *Source) Data() []byte { return s.data }
