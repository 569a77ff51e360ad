package vtl

// The syntax tree of a template.

// pos is a place in a template: 1-based line and column (in characters).
type pos struct{ line, col int }

// block is a sequence of nodes.
type block []node

// node is something a template renders: text, a reference, a directive.
type node interface{ at() pos }

type (
	textNode struct {
		p pos
		s string
	}
	// refNode renders a reference; null renders as nothing, as API Gateway
	// renders it (Velocity itself would print the reference).
	refNode struct {
		p   pos
		ref *reference
	}
	// escapedRef is \$ref: the reference as written, when it is defined;
	// with its backslash when it is not (Velocity 1.7).
	escapedRef struct {
		p      pos
		ref    *reference
		source string // $ref as written
	}
	setNode struct {
		p   pos
		lhs *reference
		rhs expr
	}
	ifNode struct {
		p      pos
		conds  []expr
		blocks []block
		orElse block // nil when there is no #else
	}
	foreachNode struct {
		p    pos
		name string // the loop variable, without $
		list expr
		body block
	}
	breakNode struct{ p pos }
	stopNode  struct{ p pos }
)

func (n *textNode) at() pos    { return n.p }
func (n *refNode) at() pos     { return n.p }
func (n *escapedRef) at() pos  { return n.p }
func (n *setNode) at() pos     { return n.p }
func (n *ifNode) at() pos      { return n.p }
func (n *foreachNode) at() pos { return n.p }
func (n *breakNode) at() pos   { return n.p }
func (n *stopNode) at() pos    { return n.p }

// expr is an expression of a directive or a method argument.
type expr interface{ at() pos }

type (
	// reference is $name followed by properties, method calls and indexes.
	reference struct {
		p     pos
		name  string
		parts []part
	}
	part struct {
		p      pos
		name   string // a property or method
		call   bool   // a method call, with args
		args   []expr
		index  expr // [index], when name is ""
		source string
	}
	literal struct {
		p pos
		v any
	}
	// interpolated is a double-quoted string with references or directives.
	interpolated struct {
		p    pos
		body block
	}
	listLit struct {
		p     pos
		items []expr
	}
	mapLit struct {
		p          pos
		keys, vals []expr
	}
	rangeLit struct {
		p        pos
		from, to expr
	}
	binary struct {
		p    pos
		op   string // || && == != < <= > >= + - * / %
		l, r expr
	}
	not struct {
		p pos
		x expr
	}
)

func (e *reference) at() pos    { return e.p }
func (e *literal) at() pos      { return e.p }
func (e *interpolated) at() pos { return e.p }
func (e *listLit) at() pos      { return e.p }
func (e *mapLit) at() pos       { return e.p }
func (e *rangeLit) at() pos     { return e.p }
func (e *binary) at() pos       { return e.p }
func (e *not) at() pos          { return e.p }
