package vtl

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// The values a template works with, as Java objects behind Velocity:
//
//   - nil: Java's null;
//   - string, bool;
//   - int64 (Integer, Long), float64 (Double), and json.Number for an
//     integer of a JSON document too large for int64 (kept to the digit);
//   - *Map: a LinkedHashMap (keys in insertion order);
//   - *List: an ArrayList;
//   - the objects of the engine: $input, $util, $foreach, a map entry.

// Map is an ordered map from string keys, as Java's LinkedHashMap.
type Map struct {
	keys []string
	vals map[string]any
	// fromJSON marks a JSON document's object: its lists print as JSON.
	fromJSON bool
}

// NewMap returns an empty map.
func NewMap() *Map { return &Map{vals: map[string]any{}} }

// Get returns the value of key, nil when absent.
func (m *Map) Get(key string) any { return m.vals[key] }

// Has reports whether the map has key.
func (m *Map) Has(key string) bool {
	_, ok := m.vals[key]
	return ok
}

// Put sets key to v and returns the previous value.
func (m *Map) Put(key string, v any) any {
	old, ok := m.vals[key]
	if !ok {
		m.keys = append(m.keys, key)
	}
	m.vals[key] = v
	return old
}

// Remove deletes key and returns its value.
func (m *Map) Remove(key string) any {
	old, ok := m.vals[key]
	if !ok {
		return nil
	}
	delete(m.vals, key)
	for i, k := range m.keys {
		if k == key {
			m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
			break
		}
	}
	return old
}

// Keys are the keys in insertion order.
func (m *Map) Keys() []string { return m.keys }

// Len is the number of keys.
func (m *Map) Len() int { return len(m.keys) }

// List is a list, as Java's ArrayList.
type List struct {
	Items []any
	// fromJSON marks a JSON document's array, which prints as JSON (the
	// JSON library behind API Gateway's $input.path gives arrays a JSON
	// toString, and objects Java's {key=value}).
	fromJSON bool
}

// entry is a map entry of entrySet().
type entry struct {
	key string
	val any
}

// number converts a numeric value to int64 or float64; ok is false for
// anything else.
func number(v any) (i int64, f float64, isInt, ok bool) {
	switch n := v.(type) {
	case int64:
		return n, float64(n), true, true
	case float64:
		return 0, n, false, true
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, float64(i), true, true
		}
		f, _ := strconv.ParseFloat(string(n), 64) // ±Inf when out of range
		return 0, f, false, true
	}
	return 0, 0, false, false
}

// javaDouble formats f as Java's Double.toString does.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1.2345e-05
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-0")
	if exp == "" {
		exp = "0"
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}

// truthy is a value as #if reads it (Velocity 1.7): null and false are
// false, everything else (an empty string included) is true.
func truthy(v any) bool {
	switch b := v.(type) {
	case nil:
		return false
	case bool:
		return b
	}
	return true
}
