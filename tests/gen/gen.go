package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Case is one generated template and what was combined in it.
type Case struct {
	Seed  uint64
	Index int
	// Template is the template as an author writes it, shorthand included.
	Template *tree.Object
	// Features are the names of the feature rows combined, sorted.
	Features []string
	// Uses are the features of each shorthand (its API, function, target,
	// mode, options and destinations), for predicates that need two
	// features to meet in one place.
	Uses [][]string
	// Refuse says why the macro must refuse the template, when a feature
	// that the README says is refused is present; empty when the macro
	// must expand it.
	Refuse []string
	// MayRefuse are regular expressions: the macro may refuse the
	// template if every problem's message matches one (a feature it need
	// not support, but must name as the reason).
	MayRefuse []string
	// Says are regular expressions, one for each reason in Refuse that the
	// README says the refusal names ("" for one it does not): where Refuse
	// has one reason, some problem's message must match its pattern.
	Says []string
}

// Has reports whether the case combines feature f.
func (c *Case) Has(f string) bool { _, ok := slices.BinarySearch(c.Features, f); return ok }

// HasPrefix reports whether the case combines a feature whose name starts
// with p.
func (c *Case) HasPrefix(p string) bool {
	for _, f := range c.Features {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

// Use reports whether one shorthand combines all the features fs (a name
// ending in * matches every feature with that prefix).
func (c *Case) Use(fs ...string) bool {
	for _, u := range c.Uses {
		if hasAll(u, fs) {
			return true
		}
	}
	return false
}

func hasAll(set []string, fs []string) bool {
	for _, f := range fs {
		found := false
		for _, s := range set {
			if s == f || strings.HasSuffix(f, "*") && strings.HasPrefix(s, strings.TrimSuffix(f, "*")) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Generate builds case index of the run seeded with seed.
func Generate(seed uint64, index int) *Case {
	b := &builder{
		r:        rand.New(rand.NewPCG(seed, uint64(index))),
		names:    map[string]bool{},
		features: map[string]bool{},
		settings: map[string]*settings{},
		atomName: map[string]string{},

		existingConfig: map[string]bool{},
	}
	b.tmpl = tree.NewObject("AWSTemplateFormatVersion", "2010-09-09")
	b.params, b.conds, b.res = &tree.Object{}, &tree.Object{}, &tree.Object{}
	b.build()
	c := &Case{Seed: seed, Index: index, Template: b.render(), Refuse: b.refuse, MayRefuse: b.mayRefuse, Says: b.says}
	for f := range b.features {
		c.Features = append(c.Features, f)
	}
	slices.Sort(c.Features)
	for _, u := range b.uses {
		fs := slices.Clone(u.features)
		fs = append(fs, u.api.features...)
		if u.t.fn != nil {
			fs = append(fs, u.t.fn.features...)
		}
		slices.Sort(fs)
		c.Uses = append(c.Uses, slices.Compact(fs))
	}
	return c
}

// builder holds the template being generated.
type builder struct {
	r         *rand.Rand
	sam       bool // the SAM transform is listed
	tmpl      *tree.Object
	params    *tree.Object
	conds     *tree.Object
	res       *tree.Object
	globals   *tree.Object // SAM Globals, when any
	outputs   *tree.Object
	names     map[string]bool
	features  map[string]bool
	refuse    []string
	says      []string // for each of refuse, what the refusal must say
	mayRefuse []string
	atomName  map[string]string // condition atom -> its name in this template
	apis      []*api
	fns       []*function
	roles     []*role
	dests     []*dest
	uses      []*use
	settings  map[string]*settings // per invoked function and qualifier
	finish    []func()             // run after every shorthand is placed
	late      []func()             // run after finish

	// Set by name features: the next API, function or role gets a logical
	// ID near the limit; the condition InUsEast1 gets a 255-character name.
	longAPI, longFunction, longRole, longCondition bool
	globalMerge                                    bool // Globals: Api: MergeDefinitions: true
	existingConfig                                 map[string]bool
}

func (b *builder) feature(f string)      { b.features[f] = true }
func (b *builder) chance(p float64) bool { return b.r.Float64() < p }
func (b *builder) intn(n int) int        { return b.r.IntN(n) }

func oneOf[T any](b *builder, xs ...T) T { return xs[b.r.IntN(len(xs))] }

// mayRefuseIf records that the macro may refuse the template with a
// message that matches pattern.
func (b *builder) mayRefuseIf(pattern string) {
	if !slices.Contains(b.mayRefuse, pattern) {
		b.mayRefuse = append(b.mayRefuse, pattern)
	}
}

// mustRefuse records that the README says the macro refuses the template.
func (b *builder) mustRefuse(why string) { b.mustRefuseSaying(why, "") }

// mustRefuseSaying records that the README says the macro refuses the
// template, with a message that matches the regular expression says.
func (b *builder) mustRefuseSaying(why, says string) {
	b.refuse = append(b.refuse, why)
	b.says = append(b.says, says)
}

// id reserves a logical ID (unique across every section) from base.
func (b *builder) id(base string) string {
	name := base
	for i := 2; b.names[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	b.names[name] = true
	return name
}

// longID is a logical ID of exactly n characters starting with prefix.
func (b *builder) longID(prefix string, n int) string {
	s := prefix + strings.Repeat("X", n-len(prefix)-1)
	name := s
	for c := 'A'; ; c++ {
		if !b.names[s+string(c)] {
			name = s + string(c)
			break
		}
	}
	b.names[name] = true
	return name
}

// add appends a resource and returns it.
func (b *builder) add(id, typ string, cond condSet, props *tree.Object) *tree.Object {
	r := tree.NewObject("Type", typ)
	if c := b.condition(cond); c != "" {
		r.Set("Condition", c)
	}
	if props != nil {
		r.Set("Properties", props)
	}
	b.res.Set(id, r)
	return r
}

// param declares a template parameter once and returns a Ref to it.
func (b *builder) param(name string, p *tree.Object) any {
	if !b.params.Has(name) {
		b.names[name] = true
		b.params.Set(name, p)
	}
	return ref(name)
}

func (b *builder) global(section, key string, v any) {
	if b.globals == nil {
		b.globals = &tree.Object{}
	}
	s, _ := b.globals.Get(section)
	so, _ := s.(*tree.Object)
	if so == nil {
		so = &tree.Object{}
		b.globals.Set(section, so)
	}
	so.Set(key, v)
}

func (b *builder) globalValue(section, key string) any {
	s, _ := b.globals.Get(section)
	so, _ := s.(*tree.Object)
	v, _ := so.Get(key)
	return v
}

func (b *builder) output(name string, v any) {
	if b.outputs == nil {
		b.outputs = &tree.Object{}
	}
	b.outputs.Set(name, tree.NewObject("Value", v))
}

// render assembles the template's sections in CloudFormation's usual order.
func (b *builder) render() *tree.Object {
	t := b.tmpl
	if b.sam {
		t.Set("Transform", []any{"AsyncInvoke", "AWS::Serverless-2016-10-31"})
	} else if b.chance(0.5) {
		t.Set("Transform", "AsyncInvoke")
	} else {
		t.Set("Transform", []any{"AsyncInvoke"})
	}
	if b.params.Len() > 0 {
		t.Set("Parameters", b.params)
	}
	if b.conds.Len() > 0 {
		t.Set("Conditions", b.conds)
	}
	if b.globals != nil {
		t.Set("Globals", b.globals)
	}
	for _, m := range b.res.Members {
		r := m.Value.(*tree.Object)
		if p, ok := r.Get("Properties"); ok && p.(*tree.Object).Len() == 0 {
			r.Delete("Properties")
		}
	}
	t.Set("Resources", b.res)
	if b.outputs != nil {
		t.Set("Outputs", b.outputs)
	}
	// Parts are shared while building (a destination named in two places):
	// the copy gives every place its own.
	return tree.Clone(t).(*tree.Object)
}

// Intrinsic functions and values.

func ref(id string) any             { return tree.NewObject("Ref", id) }
func getAtt(id, attr string) any    { return tree.NewObject("Fn::GetAtt", []any{id, attr}) }
func sub(s string) any              { return tree.NewObject("Fn::Sub", s) }
func ifThen(c string, a, b any) any { return tree.NewObject("Fn::If", []any{c, a, b}) }
func num(n int) any                 { return json.Number(fmt.Sprint(n)) }
func obj(kv ...any) *tree.Object    { return tree.NewObject(kv...) }

// assumeLambda is an execution role's trust policy.
func assumeLambda() any {
	return obj("Version", "2012-10-17", "Statement", []any{obj(
		"Effect", "Allow", "Principal", obj("Service", "lambda.amazonaws.com"), "Action", "sts:AssumeRole")})
}

// policyDocument is a policy document of one Allow statement per action.
func policyDocument(statements ...any) any {
	return obj("Version", "2012-10-17", "Statement", statements)
}

func allow(action, resource any) any {
	return obj("Effect", "Allow", "Action", action, "Resource", resource)
}
