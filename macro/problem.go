package macro

import (
	"fmt"
	"strings"
)

// Problem is one reason the macro refuses a template: where, and what to do.
type Problem struct {
	// Path locates the problem, e.g. Resources.GetJob.Properties.Integration.Type.
	Path string
	// Message says what is wrong and how to fix it.
	Message string
}

func (p Problem) Error() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Problems is every problem found in one template. It is the error Expand
// returns.
type Problems []Problem

func (ps Problems) Error() string {
	if len(ps) == 1 {
		return "AsyncInvoke: " + ps[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "AsyncInvoke found %d problems:", len(ps))
	for i, p := range ps {
		fmt.Fprintf(&b, " (%d) %s", i+1, p.Error())
	}
	return b.String()
}

// loc is where in the template a value is: a path of keys, joined into text
// only when a problem is reported (expanding a large template builds many
// and reports none).
type loc struct {
	parent *loc
	key    string
}

// resourcesLoc is the template's Resources section.
var resourcesLoc = &loc{key: "Resources"}

func (l *loc) at(key string) *loc { return &loc{parent: l, key: key} }

// String joins the keys with dots: Resources.Api.Properties.Body.paths./jobs.post
func (l *loc) String() string {
	if l == nil {
		return ""
	}
	if l.parent == nil {
		return l.key
	}
	return l.parent.String() + "." + l.key
}
