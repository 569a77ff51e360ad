package local

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// mock serves a MOCK integration: the statusCode its request template
// gives selects the integration response, whose body is empty; a template
// that gives none is a configuration error, answered 500. Without a
// template (none, or one that passes the body through) the status is 200.
func (s *Server) mock(w http.ResponseWriter, m *methodRequest) {
	payload, res, ok := s.integrationRequest(w, m)
	if !ok {
		return
	}
	status := http.StatusOK
	if res != nil {
		n, ok := mockStatus(string(payload))
		if !ok {
			s.log.Printf("%s %s: the mock's request template gives no integer statusCode (%.200q); API Gateway answers 500 (\"Execution failed due to configuration error\")", m.route.Method, m.route.Path, payload)
			internalError(w)
			return
		}
		status = n
	}
	s.respond(w, m, integrationResponse{status: status})
}

// mockStatus reads the statusCode of a mock's integration request. API
// Gateway does not read it as strict JSON: `{statusCode: 200}`, what CDK's
// CORS preflight methods write, answers 200 (LocalStack's
// test_integration_mock_with_path_param, recorded against AWS). So the
// object is read leniently: a name may be bare or in single quotes, a
// value in single quotes, and extra commas are skipped. statusCode must be
// an integer.
func mockStatus(text string) (int, bool) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err == nil && !d.More() {
		obj, _ := doc.(map[string]any)
		n, isNumber := obj["statusCode"].(json.Number)
		status, err := strconv.Atoi(string(n))
		return status, isNumber && err == nil
	}
	members, ok := lenientObject(text)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(members["statusCode"])
	return n, err == nil
}

// lenientObject reads a JSON object leniently (above), and returns its
// members' values as written, by name.
func lenientObject(text string) (map[string]string, bool) {
	s := strings.TrimSpace(text)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	r := &lenient{s: s[1 : len(s)-1]}
	members := map[string]string{}
	for {
		r.skip(" \t\r\n,")
		if r.i == len(r.s) {
			return members, true
		}
		name, ok := r.token(":")
		if !ok {
			return nil, false
		}
		r.skip(" \t\r\n")
		if !r.next(':') {
			return nil, false
		}
		r.skip(" \t\r\n")
		value, ok := r.token(",")
		if !ok {
			return nil, false
		}
		members[strings.Trim(name, `"'`)] = value
		r.skip(" \t\r\n")
		if r.i < len(r.s) && !r.next(',') {
			return nil, false
		}
	}
}

// lenient reads the members of an object.
type lenient struct {
	s string
	i int
}

func (r *lenient) skip(chars string) {
	for r.i < len(r.s) && strings.IndexByte(chars, r.s[r.i]) >= 0 {
		r.i++
	}
}

func (r *lenient) next(c byte) bool {
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// token reads a quoted string, an object or an array (brackets balanced),
// or a bare word, which ends at white space or at one of stops, and
// returns it as written.
func (r *lenient) token(stops string) (string, bool) {
	if r.i == len(r.s) {
		return "", false
	}
	start := r.i
	switch c := r.s[r.i]; c {
	case '"', '\'':
		for r.i++; r.i < len(r.s); r.i++ {
			switch r.s[r.i] {
			case '\\':
				r.i++
			case c:
				r.i++
				return r.s[start:r.i], true
			}
		}
		return "", false
	case '{', '[':
		depth := 0
		for ; r.i < len(r.s); r.i++ {
			switch r.s[r.i] {
			case '"', '\'':
				if _, ok := r.token(""); !ok {
					return "", false
				}
				r.i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					r.i++
					return r.s[start:r.i], true
				}
			}
		}
		return "", false
	}
	for r.i < len(r.s) && !strings.ContainsRune(" \t\r\n{}[]\"'"+stops, rune(r.s[r.i])) {
		r.i++
	}
	return r.s[start:r.i], r.i > start
}
