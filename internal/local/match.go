package local

import "strings"

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the route for a request as API Gateway does: first the most
// specific resource (literal path segments before {param} before {proxy+}),
// then the request's method on it, else its ANY method. nil means API
// Gateway's 403 Missing Authentication Token.
func match(routes []Route, method, path string) (*Route, map[string]string) {
	segs := splitPath(path)
	bestPath, bestScore := "", ""
	var bestParams map[string]string
	for i := range routes {
		score, ps, ok := matchPath(routes[i].segments, segs)
		if ok && (bestParams == nil || score < bestScore) {
			bestPath, bestScore, bestParams = routes[i].Path, score, ps
		}
	}
	var anyRoute *Route
	for i := range routes {
		r := &routes[i]
		if r.Path != bestPath || bestParams == nil {
			continue
		}
		if r.Method == method {
			return r, bestParams
		}
		if r.Method == "ANY" {
			anyRoute = r
		}
	}
	if anyRoute == nil {
		return nil, nil
	}
	return anyRoute, bestParams
}

// matchPath scores a match: one character per segment, lower is more specific.
func matchPath(pattern, segs []string) (string, map[string]string, bool) {
	var score strings.Builder
	params := map[string]string{}
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}") {
			if i != len(pattern)-1 || i >= len(segs) {
				return "", nil, false
			}
			params[p[1:len(p)-2]] = strings.Join(segs[i:], "/")
			score.WriteByte('2')
			return score.String(), params, true
		}
		if i >= len(segs) {
			return "", nil, false
		}
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			params[p[1:len(p)-1]] = segs[i]
			score.WriteByte('1')
			continue
		}
		if p != segs[i] {
			return "", nil, false
		}
		score.WriteByte('0')
	}
	if len(pattern) != len(segs) {
		return "", nil, false
	}
	return score.String(), params, true
}
