package macro

import (
	"fmt"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
)

// Problem is one reason the macro refuses a template: where, and what to do.
type Problem struct {
	// Path locates the problem, e.g. Resources.GetJob.Properties.Integration.Type.
	Path Path
	// Message says what is wrong and how to fix it.
	Message string
	// Code is the rule it breaks (Rules), by which a user looks it up; a
	// note's is its Kind's.
	Code Code
	// Kind says what a note (Stats.Notes) is about; it is NoteLeftToYou
	// for a problem.
	Kind NoteKind
}

// NoteKind says what a note is about: asyncinvoke check reports each kind
// under a code of its own.
type NoteKind int

const (
	// NoteLeftToYou is what the macro cannot do in the template and leaves
	// to you: a permission for a function defined elsewhere, a policy for
	// a role defined elsewhere, the use of a key from elsewhere.
	NoteLeftToYou NoteKind = iota
	// NoteDeployment is a change to methods that callers get only once
	// the API is deployed to its stage again, which the template does not
	// do.
	NoteDeployment
	// NotePreflight is an ANY method whose CORS preflights (OPTIONS)
	// invoke the function and are answered without CORS headers.
	NotePreflight
	// NoteContentType is a request content type a method of Event: proxy
	// declares but has no request template for: API Gateway answers 415.
	NoteContentType
	// NoteOtherQualifier is a method that invokes a function itself
	// ($LATEST) asynchronously while the function's asynchronous
	// invocation configurations are all on other qualifiers (an alias, a
	// version): their retries and destinations do not apply to its calls.
	NoteOtherQualifier
)

func (p Problem) Error() string {
	if len(p.Path) == 0 {
		return p.Message
	}
	return p.Path.String() + ": " + p.Message
}

// Path is where in the template a value is: the keys (and list indexes, as
// decimal text) from the template's top level down to it.
type Path = cfn.Path

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

// path lists the keys from the top of the template down to l.
func (l *loc) path() Path {
	n := 0
	for x := l; x != nil; x = x.parent {
		n++
	}
	p := make(Path, n)
	for x := l; x != nil; x = x.parent {
		n--
		p[n] = x.key
	}
	return p
}
