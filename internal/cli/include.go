package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// includes puts the local files that Fn::Transform AWS::Include names in a
// template's body where CloudFormation puts them, before the macro runs
// (it runs the most deeply nested macros first), so that expand and check
// see what the deployed macro sees. It remembers where each file's content
// went, to say where a problem in it is written, and what was written
// there, so that expand can write the Fn::Transform again where the macro
// left the content as it was.
type includes struct {
	name  string // the template as messages name it
	dir   string // where its relative paths start
	src   *parse.Source
	files []include

	unreadableIncludes []unreadableInclude // local includes that cannot be read (W3003)
}

// include is a local file that Fn::Transform AWS::Include puts into the
// template.
type include struct {
	at   []string        // where its content goes
	keys map[string]bool // the keys it brings there; nil: all that is there
	name string
	src  *parse.Source

	written *tree.Object // the object with the Fn::Transform, as written
	content *tree.Object // what was put in its place: the file's content, or the object merged with it
	placed  *tree.Object // content as it was before the macro ran
}

// unreadableInclude is a local file an Fn::Transform AWS::Include names that
// cannot be read.
type unreadableInclude struct {
	where    []string
	location string
	err      error
}

func newIncludes(file string, src *parse.Source) *includes {
	return &includes{name: displayName(file), dir: templateDir(file), src: src}
}

// inlined returns a copy of the template with its local includes in place.
func (in *includes) inlined() *tree.Object {
	return in.inline(tree.Clone(in.src.Template), nil).(*tree.Object)
}

// inline puts local files included with Fn::Transform AWS::Include where
// CloudFormation would, before the macro runs.
func (in *includes) inline(v any, path []string) any {
	switch v := v.(type) {
	case *tree.Object:
		o, keys := v, map[string]bool(nil)
		if spec, ok := v.Get("Fn::Transform"); ok {
			if inc := in.include(v, spec, path); inc != nil {
				if inc.keys == nil {
					return inc.content // taken as it is, not included further
				}
				o, keys = inc.content, inc.keys
			}
		}
		for i, m := range o.Members {
			if !keys[m.Key] { // the object's own members, not the file's
				o.Members[i].Value = in.inline(m.Value, with(path, m.Key))
			}
		}
		return o
	case []any:
		for i := range v {
			v[i] = in.inline(v[i], with(path, strconv.Itoa(i)))
		}
	}
	return v
}

// include puts the local file o's AWS::Include names in place of the
// Fn::Transform, and returns what it put in o's place; nil when there is no
// file to read here.
func (in *includes) include(o *tree.Object, spec any, path []string) *include {
	location, ok := includeLocation(spec)
	if !ok || !isLocal(location) {
		return nil
	}
	name, src, err := in.readLocal(location)
	if err != nil {
		in.unreadableIncludes = append(in.unreadableIncludes, unreadableInclude{with(path, "Fn::Transform", "Parameters", "Location"), location, err})
		return nil
	}
	inc := include{at: slices.Clone(path), name: name, src: src, written: tree.Clone(o).(*tree.Object)}
	content := tree.Clone(src.Template).(*tree.Object)
	if o.Len() == 1 {
		inc.content = content
	} else {
		inc.content = &tree.Object{}
		inc.keys = map[string]bool{}
		for _, m := range o.Members {
			if m.Key != "Fn::Transform" {
				inc.content.Members = append(inc.content.Members, m)
				continue
			}
			for _, cm := range content.Members {
				if !o.Has(cm.Key) {
					inc.content.Members = append(inc.content.Members, cm)
					inc.keys[cm.Key] = true
				}
			}
		}
	}
	inc.placed = tree.Clone(inc.content).(*tree.Object)
	in.files = append(in.files, inc)
	return &in.files[len(in.files)-1]
}

// locate finds where path is written: in an included file when it is
// within what the file brought, else in the template.
func (in *includes) locate(path []string) (string, parse.Pos) {
	for i := len(in.files) - 1; i >= 0; i-- {
		inc := in.files[i]
		if len(path) > len(inc.at) && slices.Equal(path[:len(inc.at)], inc.at) && (inc.keys == nil || inc.keys[path[len(inc.at)]]) {
			pos, _ := inc.src.Position(path[len(inc.at):])
			return inc.name, pos
		}
	}
	pos, _ := in.src.Position(path)
	return in.name, pos
}

// restore writes the Fn::Transform again, in the expanded template t, where
// the macro left what a file brought as it was: CloudFormation would include
// the same. Where the macro changed it, the expanded content stays, as
// CloudFormation's processed template shows it.
func (in *includes) restore(t *tree.Object) {
	for _, inc := range in.files {
		v, ok := valueAt(t, inc.at)
		if !ok {
			continue // renamed by the macro: its place is not where it was
		}
		if inc.keys == nil {
			if tree.Equal(v, inc.placed) {
				setAt(t, inc.at, inc.written)
			}
			continue
		}
		o, _ := v.(*tree.Object)
		placed := inc.placed
		if o == nil {
			continue
		}
		unchanged := true
		for k := range inc.keys {
			now, has := o.Get(k)
			was, _ := placed.Get(k)
			unchanged = unchanged && has && tree.Equal(now, was)
		}
		if !unchanged {
			continue
		}
		spec, _ := inc.written.Get("Fn::Transform")
		kept := &tree.Object{}
		for _, m := range o.Members {
			switch {
			case !inc.keys[m.Key]:
				kept.Members = append(kept.Members, m)
			case !kept.Has("Fn::Transform"):
				kept.Set("Fn::Transform", spec)
			}
		}
		setAt(t, inc.at, kept)
	}
}

// unreadableLines writes a warning for each local include that cannot be
// read, as expand prints its warnings.
func (in *includes) unreadableLines(what string) []string {
	var lines []string
	for _, u := range in.unreadableIncludes {
		file, pos := in.locate(u.where)
		lines = append(lines, located(file, pos, "warning: "+strings.Join(u.where, ".")+": "+u.message(what)))
	}
	return lines
}

// message says that the file cannot be read, and so is not what.
func (u unreadableInclude) message(what string) string {
	return fmt.Sprintf("cannot read %s, which AWS::Include includes, so it is not %s: %v", u.location, what, u.err)
}

// valueAt returns the value at path in v.
func valueAt(v any, path []string) (any, bool) {
	for _, k := range path {
		switch x := v.(type) {
		case *tree.Object:
			var ok bool
			if v, ok = x.Get(k); !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// setAt replaces the value at path, which valueAt found, in t.
func setAt(t *tree.Object, path []string, v any) {
	if len(path) == 0 {
		*t = *v.(*tree.Object)
		return
	}
	parent, _ := valueAt(t, path[:len(path)-1])
	k := path[len(path)-1]
	switch p := parent.(type) {
	case *tree.Object:
		p.Set(k, v)
	case []any:
		i, _ := strconv.Atoi(k)
		p[i] = v
	}
}

func with(path []string, keys ...string) []string {
	return append(path[:len(path):len(path)], keys...)
}

// includeLocation returns the Location of an AWS::Include transform.
func includeLocation(spec any) (string, bool) {
	s, ok := spec.(*tree.Object)
	if !ok {
		return "", false
	}
	if name, _ := s.Get("Name"); name != "AWS::Include" {
		return "", false
	}
	ps, _ := s.Get("Parameters")
	p, _ := ps.(*tree.Object)
	if p == nil {
		return "", false
	}
	loc, _ := p.Get("Location")
	str, ok := loc.(string)
	return str, ok
}

// isLocal reports whether a document location is a file here (as
// aws cloudformation package and sam package accept them), not S3.
func isLocal(location string) bool {
	return location != "" && !strings.HasPrefix(location, "s3://") && !strings.HasPrefix(location, "https://") && !strings.HasPrefix(location, "http://")
}

// readLocal reads a document a template names by a path relative to the
// template's directory.
func (in *includes) readLocal(location string) (string, *parse.Source, error) {
	file := location
	if !filepath.IsAbs(file) {
		file = filepath.Join(in.dir, file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return file, nil, err
	}
	src, err := parse.Read(data)
	if err != nil {
		var pe *parse.Error
		if errors.As(err, &pe) && pe.Line > 0 {
			return file, nil, fmt.Errorf("%s:%d:%d: %s", file, pe.Line, pe.Column, pe.Message)
		}
		return file, nil, err
	}
	return file, src, nil
}

// templateDir is where a template's relative paths start.
func templateDir(file string) string {
	if file == "-" {
		return "."
	}
	return filepath.Dir(file)
}
