// Package tree is the generic document tree that templates are read into.
//
// A value is one of: *Object (keys in their written order), []any, string,
// json.Number (the number's digits exactly as written), bool, nil, or Raw
// (a JSON value kept as the exact bytes it was read from, for parts of a
// document that are neither read nor changed). Nothing here knows about
// CloudFormation; packages parse and format read and write the YAML form,
// this package reads and writes JSON.
package tree

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Object is a JSON object that keeps its keys in order.
type Object struct {
	Members []Member
}

// Member is one key and its value.
type Member struct {
	Key   string
	Value any
}

// NewObject returns an object of the given key, value pairs.
func NewObject(kv ...any) *Object {
	o := &Object{Members: make([]Member, 0, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Members = append(o.Members, Member{Key: kv[i].(string), Value: kv[i+1]})
	}
	return o
}

// Len is the number of members; a nil object has none.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.Members)
}

// Index is the position of key, or -1. A nil object has no keys.
func (o *Object) Index(key string) int {
	if o == nil {
		return -1
	}
	for i := range o.Members {
		if o.Members[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns the value of key.
func (o *Object) Get(key string) (any, bool) {
	if i := o.Index(key); i >= 0 {
		return o.Members[i].Value, true
	}
	return nil, false
}

// Has reports whether key is present.
func (o *Object) Has(key string) bool { return o.Index(key) >= 0 }

// Set replaces the value of key where it stands, or appends key at the end.
func (o *Object) Set(key string, v any) {
	if i := o.Index(key); i >= 0 {
		o.Members[i].Value = v
		return
	}
	o.Members = append(o.Members, Member{Key: key, Value: v})
}

// Delete removes key and reports whether it was there.
func (o *Object) Delete(key string) bool {
	i := o.Index(key)
	if i < 0 {
		return false
	}
	o.Members = slices.Delete(o.Members, i, i+1)
	return true
}

// Keys returns the keys in order.
func (o *Object) Keys() []string {
	keys := make([]string, len(o.Members))
	for i, m := range o.Members {
		keys[i] = m.Key
	}
	return keys
}

// Only returns the key and value of an object with exactly one member, the
// shape of an intrinsic function such as {"Ref": "X"}. A nil *Object has
// none.
func Only(v any) (key string, value any, ok bool) {
	o, isObj := v.(*Object)
	if !isObj || o.Len() != 1 {
		return "", nil, false
	}
	return o.Members[0].Key, o.Members[0].Value, true
}

// MarshalJSON writes the object as compact JSON in key order.
func (o *Object) MarshalJSON() ([]byte, error) { return Encode(o), nil }

// Equal reports whether a and b are the same document as written: objects
// with the same members in the same order, lists element by element,
// numbers with the same text (1.0 is not 1), strings byte for byte. A Raw
// value equals the tree it decodes to; a Raw that does not decode equals
// nothing.
func Equal(a, b any) bool {
	if ra, ok := a.(Raw); ok {
		if rb, ok := b.(Raw); ok && bytes.Equal(ra, rb) {
			return true
		}
		if a, ok = decodeRaw(ra); !ok {
			return false
		}
	}
	if rb, ok := b.(Raw); ok {
		if b, ok = decodeRaw(rb); !ok {
			return false
		}
	}
	switch a := a.(type) {
	case *Object:
		b, ok := b.(*Object)
		if !ok || a.Len() != b.Len() {
			return false
		}
		for i, m := range a.Members {
			if m.Key != b.Members[i].Key || !Equal(m.Value, b.Members[i].Value) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !Equal(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := b.(json.Number)
		return ok && a == b
	case string, bool, nil:
		return a == b
	default:
		return false // not a tree value
	}
}

func decodeRaw(r Raw) (any, bool) {
	v, err := r.Decode()
	return v, err == nil
}

// Clone returns a deep copy of v. A Raw value is copied too, so that the
// copy no longer shares the memory of the data it was read from.
func Clone(v any) any {
	switch v := v.(type) {
	case *Object:
		c := &Object{Members: make([]Member, len(v.Members))}
		for i, m := range v.Members {
			c.Members[i] = Member{Key: m.Key, Value: Clone(m.Value)}
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i := range v {
			c[i] = Clone(v[i])
		}
		return c
	case Raw:
		return Raw(bytes.Clone(v))
	default:
		return v
	}
}
