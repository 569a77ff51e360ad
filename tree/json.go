package tree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Decode reads one JSON document. Objects keep their key order, numbers
// their digits; a key given twice in one object is an error, as it is for
// CloudFormation.
func Decode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := decodeValue(d, nil)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: more than one value (at byte %d)", d.InputOffset())
	}
	return v, nil
}

func decodeValue(d *json.Decoder, path []string) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, syntaxError(d, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &Object{}
			var seen map[string]bool
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, syntaxError(d, err)
				}
				key := kt.(string)
				if len(o.Members) >= 16 && seen == nil {
					seen = make(map[string]bool, 2*len(o.Members))
					for _, m := range o.Members {
						seen[m.Key] = true
					}
				}
				if (seen != nil && seen[key]) || (seen == nil && o.Index(key) >= 0) {
					return nil, fmt.Errorf("duplicate key %q in %s: a key may appear once in an object", key, PathString(path))
				}
				if seen != nil {
					seen[key] = true
				}
				v, err := decodeValue(d, append(path, key))
				if err != nil {
					return nil, err
				}
				o.Members = append(o.Members, Member{Key: key, Value: v})
			}
			_, err := d.Token()
			return o, syntaxError(d, err)
		case '[':
			a := []any{}
			for d.More() {
				v, err := decodeValue(d, append(path, strconv.Itoa(len(a))))
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := d.Token()
			return a, syntaxError(d, err)
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %q at byte %d", t, d.InputOffset())
	default:
		return t, nil // string, json.Number, bool or nil
	}
}

func syntaxError(d *json.Decoder, err error) error {
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	if err == io.EOF {
		return errors.New("invalid JSON: unexpected end of input")
	}
	return fmt.Errorf("invalid JSON at byte %d: %v", d.InputOffset(), err)
}

// PathString joins a path the way the macro's messages show it:
// Resources.Api.Properties.Body.paths./jobs.post
func PathString(path []string) string {
	if len(path) == 0 {
		return "the document"
	}
	return strings.Join(path, ".")
}

// Encode writes v as compact JSON, keys in order, numbers as written, and
// no HTML escaping.
func Encode(v any) []byte { return Append(nil, v) }

// Append appends the compact JSON of v to dst.
func Append(dst []byte, v any) []byte {
	switch v := v.(type) {
	case *Object:
		dst = append(dst, '{')
		for i, m := range v.Members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, m.Key)
			dst = append(dst, ':')
			dst = Append(dst, m.Value)
		}
		return append(dst, '}')
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = Append(dst, e)
		}
		return append(dst, ']')
	case string:
		return appendString(dst, v)
	case json.Number:
		if v == "" {
			return append(dst, '0')
		}
		return append(dst, v...)
	case bool:
		return strconv.AppendBool(dst, v)
	case nil:
		return append(dst, "null"...)
	default:
		// Not a tree value: fall back on encoding/json so nothing is lost.
		b, err := json.Marshal(v)
		if err != nil {
			return append(dst, "null"...)
		}
		return append(dst, b...)
	}
}

const hex = "0123456789abcdef"

func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
