package tree

import "strconv"

// Step says how Walk goes on after a value.
type Step int

const (
	Continue     Step = iota // into the value's members or elements, then on
	SkipChildren             // on, but not into the value
	Stop                     // no further
)

// Walk calls f for v and for every value inside it, depth first in
// document order: an object before its members' values, a list before its
// elements. path holds the keys and list indexes (as decimal text) from v
// down to the value; Walk reuses its array, so f must copy it to keep it.
// A Raw value is not looked into. Walk reports whether it went through the
// whole of v, false when f stopped it.
func Walk(v any, f func(path []string, v any) Step) bool {
	return walk(make([]string, 0, 16), v, f)
}

func walk(path []string, v any, f func(path []string, v any) Step) bool {
	switch f(path, v) {
	case Stop:
		return false
	case SkipChildren:
		return true
	}
	switch v := v.(type) {
	case *Object:
		for _, m := range v.Members {
			if !walk(append(path, m.Key), m.Value, f) {
				return false
			}
		}
	case []any:
		for i, x := range v {
			if !walk(append(path, strconv.Itoa(i)), x, f) {
				return false
			}
		}
	}
	return true
}
