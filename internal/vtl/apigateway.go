package vtl

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// API Gateway's variables: $input and $util ($context and $stageVariables
// are maps the caller gives).

// input is $input.
type input struct {
	body   string
	params *Map // path, querystring, header

	parsed bool
	doc    any  // the body as a JSON document
	docOK  bool // the body is JSON
	paths  map[string]*jsonPathExpr
}

func newInput(body string, p Params) *input {
	params := NewMap()
	params.Put("path", fromGo(nonNil(p.Path)))
	params.Put("querystring", fromGo(nonNil(p.QueryString)))
	params.Put("header", fromGo(nonNil(p.Header)))
	return &input{body: body, params: params, paths: map[string]*jsonPathExpr{}}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// bodyText is $input.body: the body, or {} when it is empty, as API
// Gateway gives it.
func (in *input) bodyText() string {
	if in.body == "" {
		return "{}"
	}
	return in.body
}

// document is the body as JSON; an empty body reads as {}.
func (in *input) document() (any, bool) {
	if !in.parsed {
		in.parsed = true
		text := in.body
		if strings.TrimSpace(text) == "" {
			text = "{}"
		}
		in.doc, in.docOK = nil, false
		if doc, err := decodeJSON(text); err == nil {
			in.doc, in.docOK = doc, true
		}
	}
	return in.doc, in.docOK
}

// lookup evaluates a JSONPath on the body: found is false when the body
// is not JSON or a definite path leads nowhere.
func (e *evaluator) lookup(at pos, in *input, path string) (v any, found bool, err error) {
	x, ok := in.paths[path]
	if !ok {
		if x, err = parseJSONPath(path); err != nil {
			return nil, false, e.errorf(at, "%v", err)
		}
		if len(in.paths) < 100 {
			in.paths[path] = x
		}
	}
	doc, ok := in.document()
	if !ok {
		return nil, false, nil
	}
	if err := e.step(at, len(in.body)/4096); err != nil {
		return nil, false, err
	}
	budget := max(MaxSteps-e.steps, 0)
	start := budget
	if x.definite {
		v = x.eval(doc, &budget)
		found = v != nil || x.found(doc)
	} else {
		v, found = x.eval(doc, &budget), true
	}
	return v, found, e.step(at, start-budget)
}

// found reports whether a definite path leads to a value (null included).
func (e *jsonPathExpr) found(root any) bool {
	cur := []any{root}
	for _, s := range e.steps {
		var next []any
		for _, v := range cur {
			next = s.apply(v, next)
		}
		if cur = next; len(cur) == 0 {
			return false
		}
	}
	return true
}

func (e *evaluator) inputMethod(at pos, in *input, name string, args []any) (any, bool, error) {
	switch {
	case name == "params" && len(args) == 0:
		return in.params, true, nil
	case name == "params" && len(args) == 1:
		key, ok := str(args, 0)
		if !ok {
			return nil, false, nil
		}
		// the path, then the query string, then the headers (by any case)
		for _, where := range []string{"path", "querystring"} {
			if m := in.params.Get(where).(*Map); m.Has(key) {
				return m.Get(key), true, nil
			}
		}
		h := in.params.Get("header").(*Map)
		for _, k := range h.keys {
			if strings.EqualFold(k, key) {
				return h.vals[k], true, nil
			}
		}
		return "", true, nil
	case (name == "path" || name == "json") && len(args) == 1:
		path, ok := str(args, 0)
		if !ok {
			return nil, false, nil
		}
		v, found, err := e.lookup(at, in, path)
		if err != nil || name == "path" {
			return v, true, err
		}
		if !found {
			return `""`, true, nil
		}
		s, err := jsonOf(v, MaxOutput)
		if err != nil {
			return nil, true, e.errorf(at, "%v", err)
		}
		return s, true, e.step(at, len(s)/256)
	}
	return nil, false, nil
}

// util is $util.
type util struct{}

func (e *evaluator) utilMethod(at pos, name string, args []any) (any, bool, error) {
	if len(args) != 1 {
		return nil, false, nil
	}
	if args[0] == nil {
		return nil, true, nil
	}
	s, err := e.text(at, args[0])
	if err != nil {
		return nil, true, err
	}
	if err := e.step(at, len(s)/256); err != nil {
		return nil, true, err
	}
	switch name {
	case "escapeJavaScript":
		r := EscapeJavaScript(s)
		if len(r) > MaxOutput {
			return nil, true, e.errorf(at, "a string grows past %d bytes", MaxOutput)
		}
		return r, true, nil
	case "parseJson":
		v, err := decodeJSON(s)
		if err != nil {
			return nil, true, e.errorf(at, "$util.parseJson: the text is not JSON: %v", err)
		}
		return v, true, nil
	case "urlEncode":
		return URLEncode(s), true, nil
	case "urlDecode":
		r, err := URLDecode(s)
		if err != nil {
			return nil, true, e.errorf(at, "$util.urlDecode: %v", err)
		}
		return r, true, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), true, nil
	case "base64Decode":
		b, err := base64Decode(s)
		if err != nil {
			return nil, true, e.errorf(at, "$util.base64Decode: the text is not base64: %v", err)
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), true, nil
	}
	return nil, false, nil
}

// EscapeJavaScript escapes s with JavaScript string rules, as Java's
// StringEscapeUtils.escapeJavaScript (Apache Commons Lang) does for API
// Gateway's $util.escapeJavaScript: \" \\ \/ and \' (which JSON does not
// allow: templates that build JSON replace \' with '), \b \f \n \r \t,
// other control characters and every character beyond ASCII as \uXXXX
// (UTF-16, upper-case hexadecimal).
func EscapeJavaScript(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, u := range utf16.Encode([]rune(s)) {
		switch {
		case u > 0x7f:
			fmt.Fprintf(&b, `\u%04X`, u)
		case u == '\b':
			b.WriteString(`\b`)
		case u == '\n':
			b.WriteString(`\n`)
		case u == '\t':
			b.WriteString(`\t`)
		case u == '\f':
			b.WriteString(`\f`)
		case u == '\r':
			b.WriteString(`\r`)
		case u < 0x20:
			fmt.Fprintf(&b, `\u%04X`, u)
		case u == '\'' || u == '"' || u == '\\' || u == '/':
			b.WriteByte('\\')
			b.WriteByte(byte(u))
		default:
			b.WriteByte(byte(u))
		}
	}
	return b.String()
}

// URLEncode encodes s as application/x-www-form-urlencoded, as Java's
// URLEncoder.encode(s, "UTF-8") does: letters, digits and . - * _ stay,
// a space is +, every other byte %XX.
func URLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetter(c) || isDigit(c) || c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
	}
	return b.String()
}

// URLDecode decodes application/x-www-form-urlencoded text, as Java's
// URLDecoder.decode(s, "UTF-8") does: + is a space, %XX a byte; a % not
// followed by two hexadecimal digits is an error.
func URLDecode(s string) (string, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", fmt.Errorf("%q: %% at %d is not followed by two hexadecimal digits", s, i)
			}
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func unhex(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// base64Decode reads standard or URL-safe base64, padded or not, with
// white space ignored.
func base64Decode(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		case '-':
			return '+'
		case '_':
			return '/'
		}
		return r
	}, s)
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// sortedKeys are m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare[string])
	return keys
}

// Select evaluates a JSONPath on a JSON document, as API Gateway's
// parameter mappings read integration.response.body.<path>: the value as
// text (a string as it is, anything else as JSON); found is false when the
// document is not JSON or the path leads nowhere.
func Select(document, path string) (value string, found bool, err error) {
	x, err := parseJSONPath(path)
	if err != nil {
		return "", false, err
	}
	doc, err := decodeJSON(document)
	if err != nil {
		return "", false, nil
	}
	if x.definite && !x.found(doc) {
		return "", false, nil
	}
	budget := MaxSteps
	v := x.eval(doc, &budget)
	if s, ok := v.(string); ok {
		return s, true, nil
	}
	s, err := jsonOf(v, MaxOutput)
	return s, err == nil, err
}
