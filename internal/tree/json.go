package tree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Raw is a JSON value kept as the exact bytes it was read from, for the
// parts of a document that a program neither reads nor changes: the
// Decoder validated them (syntax, UTF-8, duplicate keys, depth) and Encode
// copies them unchanged, so they cannot be altered and cost only a scan.
// A Raw read by a Decoder shares the decoded data's memory: that data must
// not change while the tree is in use (Clone copies it).
type Raw []byte

// Decode reads the value into the tree (objects, lists, strings, numbers).
func (r Raw) Decode() (any, error) { return Decode(r) }

// MaxDepth is how deeply objects and lists may nest in a JSON document, as
// for encoding/json: deeper documents are refused, never a crash.
const MaxDepth = 10000

// Decode reads one JSON document. Objects keep their key order, numbers
// their digits; a key given twice in one object is an error, as it is for
// CloudFormation, and so are text that is not UTF-8 and nesting deeper than
// MaxDepth. Errors are *SyntaxError and say where.
func Decode(data []byte) (any, error) {
	d := NewDecoder(data)
	v, err := d.Value()
	if err != nil {
		return nil, err
	}
	if err := d.End(); err != nil {
		return nil, err
	}
	return v, nil
}

// SyntaxError is JSON that cannot be read: why, and where.
type SyntaxError struct {
	Offset int64    // byte offset in the input (-1 when it does not help)
	Path   []string // the keys and list indexes down to the value; empty at the top
	Msg    string   // what is wrong
	// Duplicate is the key given twice in the object at Path, if that is the problem.
	Duplicate string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Duplicate != "":
		return fmt.Sprintf("duplicate key %q in %s: a key may appear once in an object", e.Duplicate, pathString(e.Path))
	case e.Offset < 0:
		return "invalid JSON: " + e.Msg
	case len(e.Path) == 0:
		return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("invalid JSON at byte %d (in %s): %s", e.Offset, pathString(e.Path), e.Msg)
}

// Decoder reads a JSON document value by value, so that its caller can
// choose, member by member, what to decode into the tree and what to keep
// as Raw. It is built on jsontext (github.com/go-json-experiment/json, from
// which encoding/json/v2 comes), which reads without allocating per token,
// keeps number text and rejects duplicate keys, invalid UTF-8 and nesting
// beyond MaxDepth.
type Decoder struct {
	buf bytes.Buffer
	dec jsontext.Decoder
	// Scratch stacks: an object's members and a list's elements gather here
	// and are copied once, at their exact size, when complete.
	members []Member
	values  []any
	strs    stringCache
}

// NewDecoder returns a decoder of data. Raw values it returns share data's
// memory.
func NewDecoder(data []byte) *Decoder {
	d := &Decoder{buf: *bytes.NewBuffer(data)} // jsontext then reads data in place, without copying it
	d.dec.Reset(&d.buf)
	return d
}

// Kind is the kind of the next value: '{', '[', '"', '0' (a number), 't',
// 'f', 'n', or 0 at the end of the input or on an error, which the next
// read returns.
func (d *Decoder) Kind() byte { return byte(d.dec.PeekKind()) }

// Value reads the next value into the tree.
func (d *Decoder) Value() (any, error) {
	switch d.dec.PeekKind() {
	case '{':
		base := len(d.members)
		err := d.Members(func(key string) error {
			v, err := d.Value()
			d.members = append(d.members, Member{Key: key, Value: v})
			return err
		})
		o := &Object{Members: slices.Clone(d.members[base:])}
		clear(d.members[base:]) // let go of the values
		d.members = d.members[:base]
		if err != nil {
			return nil, err
		}
		return o, nil
	case '[':
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, d.fail(err)
		}
		base := len(d.values)
		var err error
		for err == nil && d.dec.PeekKind() != ']' {
			var v any
			v, err = d.Value()
			d.values = append(d.values, v)
		}
		a := append([]any{}, d.values[base:]...)
		clear(d.values[base:])
		d.values = d.values[:base]
		if err != nil {
			return nil, err
		}
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, d.fail(err)
		}
		return a, nil
	}
	v, err := d.dec.ReadValue()
	if err != nil {
		return nil, d.fail(err)
	}
	switch v[0] {
	case '"':
		_, s, err := d.str(v)
		return s, err
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case 'n':
		return nil, nil
	}
	return json.Number(v), nil
}

// str returns the text of a JSON string token, which jsontext has
// validated, as a string and as a tree value. Short strings come from a
// cache: templates repeat keys and values (Type, Properties, Ref, Arn,
// the logical IDs) thousands of times.
func (d *Decoder) str(v []byte) (string, any, error) {
	if len(v) <= maxCached+2 && bytes.IndexByte(v, '\\') < 0 {
		e := d.strs.entry(v[1 : len(v)-1])
		return e.s, e.v, nil
	}
	s, err := unquote(v)
	return s, s, err
}

// maxCached is the length of the longest string the cache keeps.
const maxCached = 48

// stringCache is a direct-mapped cache of short strings, each with its
// tree value (a string in an interface), so that a repeated string costs
// no allocation.
type stringCache struct {
	seed    maphash.Seed
	entries *[1024]cached
}

type cached struct {
	s string
	v any
}

func (c *stringCache) entry(b []byte) *cached {
	if c.entries == nil {
		c.seed = maphash.MakeSeed()
		c.entries = new([1024]cached)
	}
	e := &c.entries[maphash.Bytes(c.seed, b)%uint64(len(c.entries))]
	if e.v == nil || e.s != string(b) {
		e.s = string(b)
		e.v = e.s
	}
	return e
}

// Raw reads the next value as its exact bytes, validated.
func (d *Decoder) Raw() (Raw, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return nil, d.fail(err)
	}
	return Raw(v), nil
}

// Members reads an object, calling member for each key in order; member
// must read the key's value (with Value, Raw or Members). The next value
// must be an object.
func (d *Decoder) Members(member func(key string) error) error {
	if k := d.dec.PeekKind(); k != '{' {
		if _, err := d.dec.ReadValue(); err != nil {
			return d.fail(err)
		}
		return &SyntaxError{Offset: d.dec.InputOffset(), Path: d.path(), Msg: "expected an object, not " + k.String()}
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.fail(err)
	}
	for d.dec.PeekKind() != '}' {
		k, err := d.dec.ReadValue() // the key; jsontext refuses one given twice
		if err != nil {
			return d.fail(err)
		}
		key, _, err := d.str(k)
		if err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.fail(err)
	}
	return nil
}

// End checks that nothing but white space follows the document.
func (d *Decoder) End() error {
	_, err := d.dec.ReadToken()
	switch {
	case err == io.EOF:
		return nil
	case err == nil:
		return &SyntaxError{Offset: -1, Msg: fmt.Sprintf("more than one value (at byte %d)", d.dec.InputOffset())}
	}
	return d.fail(err)
}

// path is where the decoder stands, as keys and list indexes.
func (d *Decoder) path() []string { return pointerPath(d.dec.StackPointer()) }

// fail turns a jsontext error into a SyntaxError that names the path.
func (d *Decoder) fail(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &SyntaxError{Offset: -1, Msg: "unexpected end of input"}
	}
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return &SyntaxError{Offset: d.dec.InputOffset(), Path: d.path(), Msg: err.Error()}
	}
	path := pointerPath(se.JSONPointer)
	if se.Err == jsontext.ErrDuplicateName && len(path) > 0 {
		return &SyntaxError{Offset: se.ByteOffset, Path: path[:len(path)-1], Duplicate: path[len(path)-1]}
	}
	msg := "syntax error"
	if se.Err != nil {
		msg = se.Err.Error()
	}
	switch {
	case strings.Contains(msg, "exceeded max depth"):
		msg = fmt.Sprintf("objects and lists nest more than %d levels deep", MaxDepth)
	case strings.Contains(msg, "invalid UTF-8"):
		msg = "a string is not valid UTF-8; JSON text (RFC 8259) and CloudFormation templates are UTF-8"
	case strings.Contains(msg, "escape sequence") || strings.Contains(msg, "surrogate"):
		msg += " (a \\u escape must be a character, or a surrogate pair that forms one)"
	}
	return &SyntaxError{Offset: se.ByteOffset, Path: path, Msg: msg}
}

// pointerPath splits a JSON Pointer (RFC 6901) into its keys.
func pointerPath(p jsontext.Pointer) []string {
	var path []string
	for tok := range p.Tokens() {
		path = append(path, tok)
	}
	return path
}

// unquote returns the text of a JSON string token, which jsontext has
// validated.
func unquote(v []byte) (string, error) {
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), nil
	}
	b, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return "", &SyntaxError{Offset: -1, Msg: err.Error()}
	}
	return string(b), nil
}

// pathString joins the path of a JSON error's place with dots.
func pathString(path []string) string {
	if len(path) == 0 {
		return "the document"
	}
	return strings.Join(path, ".")
}

// Encode writes v as compact JSON, keys in order, numbers as written, and
// no HTML escaping. Raw values are copied byte for byte.
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
	case Raw:
		if len(v) == 0 {
			return append(dst, "null"...)
		}
		return append(dst, v...)
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

// plain marks the bytes a JSON string holds as they are: ASCII but for
// control characters, the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString writes s as a JSON string, as Encode writes strings.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

// appendString writes s as a JSON string. Strings a Decoder read are valid
// UTF-8; in a string built otherwise, each byte that is not UTF-8 is
// written as \ufffd (JSON text must be UTF-8).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
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
