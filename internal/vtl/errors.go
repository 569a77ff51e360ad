package vtl

import "fmt"

// Error is a template's error at a place in it: a syntax error from Parse,
// or one from Execute (a method that fails, such as substring out of
// range, or a limit reached).
type Error struct {
	Line, Column int // 1-based; the column counts characters
	Msg          string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg) }

// The limits that keep a template from running unbounded.
const (
	// MaxIterations is API Gateway's quota on the iterations of one
	// #foreach: the loop stops there, and Execute says so in a notice.
	MaxIterations = 1000
	// MaxOutput bounds the output, and any string a template builds, in
	// bytes: API Gateway's 10 MB payload limit.
	MaxOutput = 10 << 20
	// MaxSteps bounds the work of one Execute: each directive, reference,
	// operator and method call is a step, and string work costs a step
	// per 256 bytes.
	MaxSteps = 5_000_000
	// MaxElements bounds a list or map a template grows (add, put, a
	// range).
	MaxElements = 1_000_000
)

const (
	maxParseDepth = 100  // nested directives and expressions
	maxNesting    = 1000 // nested maps and lists, in JSON and when printed
	maxNotices    = 50
)
