package macro

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Reading a template's values, as every concern of the expansion does: a
// value as deployed when the template tells it (a parameter's value, else
// its Default: cfn.Parameters), as text, a whole number or a boolean;
// intrinsic functions the macro cannot see through; and how a value is
// shown in a message.

// resolved is a value as deployed when the template tells it: a Ref to a
// parameter becomes its value (or Default); anything else is itself.
func (e *expander) resolved(v any) any { return e.params.Resolve(v) }

// literal is the string v is at deploy time, as far as the template tells:
// a string, or a Ref to a parameter with a value or a Default; else "".
func (e *expander) literal(v any) string {
	s, _ := e.params.Resolve(v).(string)
	return s
}

// text is v as text when the template tells it: a literal string, or a
// parameter's value (or Default).
func (e *expander) text(v any) (string, bool) {
	s, ok := e.params.Resolve(v).(string)
	return s, ok
}

// samProperty is a property of function fn as deployed: for a SAM
// function, merged with Globals as SAM merges it; nil when not set.
func (e *expander) samProperty(fn, key string) any {
	return e.res.SAMProperty(cfn.SAMGlobals(e.fragment), fn, key)
}

func refNames(s string) []string {
	var names []string
	for _, p := range cfn.SplitSub(s) {
		if p.Ref != "" {
			names = append(names, p.Ref)
		}
	}
	return names
}

func boolean(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// integer reads a whole number from a number or its text.
func integer(v any) (int64, bool) {
	s, ok := scalarString(v)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// scalarString returns a string or number as its text.
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	}
	return "", false
}

var noValue = tree.NewObject("Ref", "AWS::NoValue")

// ifArgs unpacks Fn::If [Condition, a, b].
func ifArgs(v any) (condition string, a, b any, ok bool) {
	k, arg, isFn := tree.Only(v)
	list, isList := arg.([]any)
	if !isFn || k != "Fn::If" || !isList || len(list) != 3 {
		return "", nil, nil, false
	}
	condition, _ = list[0].(string)
	return condition, list[1], list[2], true
}

// describe shows a value briefly in a message.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 60 {
			v = v[:57] + "..."
		}
		return fmt.Sprintf("%q", v)
	case bool:
		return fmt.Sprint(v)
	}
	if s, ok := scalarString(v); ok {
		return s
	}
	return cfn.TypeName(v)
}

func describeType(t string) string {
	if t == "" {
		return "a resource without a Type"
	}
	return t
}

// isIntrinsic reports whether o is an intrinsic function such as
// {"Fn::If": [...]}, whose result the macro cannot see.
func isIntrinsic(o *tree.Object) bool { return cfn.IsIntrinsicValue(o) }

// indexFold is the index of key in o, in any case; -1 when absent.
func indexFold(o *tree.Object, key string) int {
	for i, m := range o.Members {
		if strings.EqualFold(m.Key, key) {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sameAs reports whether an ARN segment is the pseudo parameter, a
// wildcard, or the literal value (when the stack is known).
func sameAs(seg, pseudo, value string) bool {
	return seg == pseudo || seg == "*" || (value != "" && seg == value)
}

// valueOf is the value of key in o, nil when absent.
func valueOf(o *tree.Object, key string) any {
	v, _ := o.Get(key)
	return v
}

func itoa(i int) string { return strconv.Itoa(i) }
