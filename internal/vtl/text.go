package vtl

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// How values print: as Java's toString (a reference in the output, a
// string concatenation), or as JSON ($input.json, and the toString of a
// JSON document's arrays).

var (
	errTooLong = errors.New("the text is longer than the output limit")
	errNesting = errors.New("a value is nested too deeply to print (a map or list that contains itself?)")
)

// printer writes values, bounded in size and nesting.
type printer struct {
	b     []byte
	max   int
	depth int
	err   error
}

func (p *printer) write(s string) {
	if p.err != nil {
		return
	}
	if len(p.b)+len(s) > p.max {
		p.err = errTooLong
		return
	}
	p.b = append(p.b, s...)
}

func (p *printer) enter() bool {
	p.depth++
	if p.depth > maxNesting {
		if p.err == nil {
			p.err = errNesting
		}
		return false
	}
	return true
}

func (p *printer) leave() { p.depth-- }

// text writes v as Java's toString would; null inside a map or list is
// "null", as Java prints it.
func (p *printer) text(v any) {
	switch x := v.(type) {
	case nil:
		p.write("null")
	case string:
		p.write(x)
	case bool:
		p.write(strconv.FormatBool(x))
	case int64:
		p.write(strconv.FormatInt(x, 10))
	case float64:
		p.write(javaDouble(x))
	case json.Number:
		p.write(string(x))
	case *Map:
		if !p.enter() {
			return
		}
		defer p.leave()
		p.write("{")
		for i, k := range x.keys {
			if i > 0 {
				p.write(", ")
			}
			p.write(k)
			p.write("=")
			if val := x.vals[k]; val == any(x) {
				p.write("(this Map)")
			} else {
				p.text(val)
			}
		}
		p.write("}")
	case *List:
		if x.fromJSON {
			p.json(x)
			return
		}
		if !p.enter() {
			return
		}
		defer p.leave()
		p.write("[")
		for i, item := range x.Items {
			if i > 0 {
				p.write(", ")
			}
			if item == any(x) {
				p.write("(this Collection)")
			} else {
				p.text(item)
			}
		}
		p.write("]")
	case entry:
		p.write(x.key)
		p.write("=")
		p.text(x.val)
	case *loop:
		p.write("$foreach")
	default:
		// $input, $util: Java would print a class name and hash.
		p.write("")
	}
}

// json writes v as compact JSON.
func (p *printer) json(v any) {
	switch x := v.(type) {
	case nil:
		p.write("null")
	case bool:
		p.write(strconv.FormatBool(x))
	case int64:
		p.write(strconv.FormatInt(x, 10))
	case float64:
		p.write(javaDouble(x))
	case json.Number:
		p.write(string(x))
	case string:
		p.quote(x)
	case *Map:
		if !p.enter() {
			return
		}
		defer p.leave()
		p.write("{")
		for i, k := range x.keys {
			if i > 0 {
				p.write(",")
			}
			p.quote(k)
			p.write(":")
			p.json(x.vals[k])
		}
		p.write("}")
	case *List:
		if !p.enter() {
			return
		}
		defer p.leave()
		p.write("[")
		for i, item := range x.Items {
			if i > 0 {
				p.write(",")
			}
			p.json(item)
		}
		p.write("]")
	default:
		var t printer
		t.max = p.max
		t.text(v)
		p.quote(string(t.b))
	}
}

// quote writes s as a JSON string.
func (p *printer) quote(s string) { p.write(string(tree.AppendString(nil, s))) }
