package vtl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// decodeJSON reads a JSON document into values: objects as ordered maps,
// arrays as lists, integers as int64 (json.Number beyond it), other
// numbers as float64.
func decodeJSON(data string) (any, error) {
	d := json.NewDecoder(strings.NewReader(data))
	d.UseNumber()
	v, err := decodeValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

func decodeValue(d *json.Decoder, depth int) (any, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", maxNesting)
	}
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			m := NewMap()
			m.fromJSON = true
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				m.Put(k, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			l := &List{fromJSON: true}
			for d.More() {
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, fmt.Errorf("unexpected %v", x)
	case json.Number:
		return jsonNumber(x), nil
	default: // string, bool, nil
		return x, nil
	}
}

// jsonNumber is a JSON number as the JSON library behind API Gateway reads
// it: an integer stays an integer, a fraction or exponent makes a double.
func jsonNumber(n json.Number) any {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
		return n // a big integer, kept to the digit
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return n
	}
	return f
}

// fromGo converts Go values (maps, slices, strings, numbers, bools) to
// template values; maps' keys are sorted, so that the order is stable.
func fromGo(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := NewMap()
		for _, k := range sortedKeys(x) {
			m.Put(k, fromGo(x[k]))
		}
		return m
	case map[string]string:
		m := NewMap()
		for _, k := range sortedKeys(x) {
			m.Put(k, x[k])
		}
		return m
	case []string:
		l := &List{}
		for _, s := range x {
			l.Items = append(l.Items, s)
		}
		return l
	case []any:
		l := &List{}
		for _, e := range x {
			l.Items = append(l.Items, fromGo(e))
		}
		return l
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

// jsonOf is v as compact JSON text, bounded as output is.
func jsonOf(v any, limit int) (string, error) {
	p := printer{max: limit}
	p.json(v)
	return string(p.b), p.err
}
