package format

import (
	"bytes"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"go.yaml.in/yaml/v3"
)

// YAMLLike writes v as YAML, as YAML does, except that every value that v
// keeps from the template src was read from (the same value at the same
// place) is written as it is written there: with its comments, literal (|)
// and folded (>) block scalars with their lines and chomping, quoting, flow
// collections, and short or long intrinsic forms. Where v differs, values
// are written anew in YAML's style and keep the comments of the value they
// replace; comments of removed keys go with them, but for the file's header
// (removedHeader). A key renamed in place and a list item changed take
// their styles from the one they replace (renamed, similar); strings
// written anew are quoted as the source quotes them (restyle); a changed
// flow collection of one-line scalars stays flow (keepFlow). Indentation is two spaces;
// blank lines are not kept (the YAML library does not record them): as rain
// fmt does, there is one between top-level sections and between resources
// and between outputs. src may be nil, or a template read as JSON: then
// nothing is kept.
func YAMLLike(v any, src *parse.Source) ([]byte, error) {
	var out []byte
	var err error
	var doc *yaml.Node
	var r reads
	if src != nil {
		doc = src.YAML()
	}
	if doc == nil {
		out, err = YAML(v)
	} else {
		var orig *yaml.Node
		if len(doc.Content) > 0 {
			orig = doc.Content[0]
		}
		l := liker{src: src, clean: map[*yaml.Node]bool{}}
		head := doc.HeadComment
		if head == "" {
			head = removedHeader(v, orig)
		}
		out, err = encode(&yaml.Node{
			Kind: yaml.DocumentNode, HeadComment: head, LineComment: doc.LineComment, FootComment: doc.FootComment,
			Content: []*yaml.Node{l.node(v, orig)},
		})
		if err == nil {
			out = r.verified(out, refold(out, src))
			out = r.verified(out, unquoteFlow(out, src))
		}
		if err == nil && !r.readsAs(out, v) {
			// The YAML library writes some kept styles wrongly (a folded block
			// with a more-indented line): write the template anew instead.
			out, err = YAML(v)
		}
	}
	if err != nil {
		return nil, err
	}
	return r.verified(out, spaced(out)), nil
}

// removedHeader returns the comment above the first key of the source, orig,
// when v no longer has that key (Transform: AsyncInvoke, removed): the YAML
// library gives the key the file's header comment when no blank line
// separates them, and the header is the file's, not the key's.
func removedHeader(v any, orig *yaml.Node) string {
	o, ok := v.(*tree.Object)
	if !ok || orig == nil || orig.Kind != yaml.MappingNode || len(orig.Content) == 0 || o.Has(orig.Content[0].Value) {
		return ""
	}
	return orig.Content[0].HeadComment
}

// moreIndentedFold reports a folded block with a more-indented line, which
// the YAML library writes back wrongly: it is written anew, as a literal
// block, which says the same.
func moreIndentedFold(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style&yaml.FoldedStyle != 0 && (strings.Contains(n.Value, "\n ") || strings.Contains(n.Value, "\n\t"))
}

// reads reads YAML texts back, remembering the last few: the passes of
// YAMLLike check the same text more than once, and a large template takes
// long to read.
type reads struct {
	texts  [][]byte
	values []any
	errs   []error
}

// document reads out as parse.Document does.
func (r *reads) document(out []byte) (any, error) {
	for i, t := range r.texts {
		if bytes.Equal(t, out) {
			return r.values[i], r.errs[i]
		}
	}
	v, err := parse.Document(out)
	if len(r.texts) == 3 {
		r.texts, r.values, r.errs = r.texts[1:], r.values[1:], r.errs[1:]
	}
	r.texts, r.values, r.errs = append(r.texts, out), append(r.values, v), append(r.errs, err)
	return v, err
}

// readsAs reports whether out reads back as v.
func (r *reads) readsAs(out []byte, v any) bool {
	back, err := r.document(out)
	return err == nil && tree.Equal(back, v)
}

// verified returns changed if it reads as the same document as out, else
// out: the layout passes below work on text and must never change a value.
func (r *reads) verified(out, changed []byte) []byte {
	if bytes.Equal(out, changed) {
		return out
	}
	a, err1 := r.document(out)
	b, err2 := r.document(changed)
	if err1 != nil || err2 != nil || !tree.Equal(a, b) {
		return out
	}
	return changed
}

// refold writes the folded block scalars of out with the lines they have
// in the source: the YAML library writes a folded block on one line.
func refold(out []byte, src *parse.Source) []byte {
	originals := map[string]*yaml.Node{} // value -> a folded node of the source
	var find func(n *yaml.Node)
	find = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Style&yaml.FoldedStyle != 0 && originals[n.Value] == nil {
			originals[n.Value] = n
		}
		for _, c := range n.Content {
			find(c)
		}
	}
	find(src.YAML())
	if len(originals) == 0 {
		return out
	}
	var written yaml.Node
	if yaml.Unmarshal(out, &written) != nil {
		return out
	}
	type block struct {
		header int // 0-based line of the header in out
		lines  []string
	}
	var blocks []block
	srcLines := strings.Split(string(src.Data()), "\n")
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Style&yaml.FoldedStyle != 0 {
			if o := originals[n.Value]; o != nil {
				if lines, ok := blockLines(srcLines, o.Line-1, o.Column-1); ok {
					blocks = append(blocks, block{n.Line - 1, lines})
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&written)
	outLines := strings.Split(string(out), "\n")
	replace := make(map[int]block, len(blocks)) // by the line after the header
	for _, b := range blocks {
		replace[b.header+1] = b
	}
	var res []string
	for i := 0; i < len(outLines); {
		b, ok := replace[i]
		if !ok {
			res = append(res, outLines[i])
			i++
			continue
		}
		end, indent := blockEnd(outLines, i)
		if end == i {
			res = append(res, outLines[i])
			i++
			continue
		}
		for _, l := range b.lines {
			if l != "" {
				l = strings.Repeat(" ", indent) + l
			}
			res = append(res, l)
		}
		i = end
	}
	return []byte(strings.Join(res, "\n"))
}

// unquoteFlow writes plain again the scalars of flow collections that the
// source writes plain and the YAML library quotes ('sts:AssumeRole' in
// {Action: sts:AssumeRole}: it quotes every scalar with a colon there).
func unquoteFlow(out []byte, src *parse.Source) []byte {
	plain := map[string]bool{} // tag and value -> written plain (and never quoted) in a flow collection of the source
	key := func(n *yaml.Node) string { return n.ShortTag() + "\x00" + n.Value }
	var find func(n *yaml.Node, flow bool)
	find = func(n *yaml.Node, flow bool) {
		flow = flow || n.Style&yaml.FlowStyle != 0
		if n.Kind == yaml.ScalarNode && flow {
			quoted := n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0
			if v, seen := plain[key(n)]; !seen || v {
				plain[key(n)] = !quoted
			}
		}
		for _, c := range n.Content {
			find(c, flow)
		}
	}
	find(src.YAML(), false)
	var written yaml.Node
	if len(plain) == 0 || yaml.Unmarshal(out, &written) != nil {
		return out
	}
	type span struct{ line, column int } // 0-based
	spans := map[span]string{}
	var walk func(n *yaml.Node, flow bool)
	walk = func(n *yaml.Node, flow bool) {
		flow = flow || n.Style&yaml.FlowStyle != 0
		if n.Kind == yaml.ScalarNode && flow && n.Style&yaml.SingleQuotedStyle != 0 && plain[key(n)] && !strings.ContainsAny(n.Value, "'\n") {
			quoted := "'" + n.Value + "'"
			if !strings.HasPrefix(n.Tag, "!!") && strings.HasPrefix(n.Tag, "!") {
				quoted = n.Tag + " " + quoted // the node starts at its tag
			}
			spans[span{n.Line - 1, n.Column - 1}] = quoted
		}
		for _, c := range n.Content {
			walk(c, flow)
		}
	}
	walk(&written, false)
	if len(spans) == 0 {
		return out
	}
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		var b strings.Builder
		for c := 0; c < len(l); {
			if q, ok := spans[span{i, c}]; ok && strings.HasPrefix(l[c:], q) {
				b.WriteString(strings.Replace(q[:len(q)-1], "'", "", 1)) // the text without its quotes
				c += len(q)
				continue
			}
			b.WriteByte(l[c])
			c++
		}
		lines[i] = b.String()
	}
	return []byte(strings.Join(lines, "\n"))
}

// blockLines returns the content lines of the block scalar whose header is
// at line, column (0-based), without their common indentation, or false
// when the header gives the indentation explicitly.
func blockLines(lines []string, line, column int) ([]string, bool) {
	if line < 0 || line >= len(lines) || column >= len(lines[line]) {
		return nil, false
	}
	header := lines[line][column:]
	if i := strings.IndexAny(header, " #"); i >= 0 {
		header = header[:i]
	}
	if strings.ContainsAny(header, "123456789") {
		return nil, false
	}
	end, indent := blockEnd(lines, line+1)
	if end == line+1 {
		return nil, false
	}
	content := lines[line+1 : end]
	if !strings.Contains(header, "+") { // trailing blank lines are not content
		for len(content) > 0 && strings.TrimSpace(content[len(content)-1]) == "" {
			content = content[:len(content)-1]
		}
	}
	out := make([]string, len(content))
	for i, l := range content {
		if len(l) >= indent {
			out[i] = strings.TrimRight(l[indent:], "\r")
		}
	}
	return out, true
}

// blockEnd returns the line after a block scalar's content that starts at
// line start, and the content's indentation.
func blockEnd(lines []string, start int) (end, indent int) {
	indent = -1
	end = start
	for i := start; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if indent < 0 {
			indent = n
		}
		if n < indent {
			break
		}
		end = i + 1
	}
	return end, max(indent, 0)
}

// spaced puts a blank line between top-level sections and between the
// entries of Resources and Outputs, before the comments that precede them.
func spaced(out []byte) []byte {
	var lines []string
	section := ""
	seen := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		trimmed := strings.TrimLeft(l, " ")
		indent := len(l) - len(trimmed)
		isKey := trimmed != "" && !strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, "- ") && trimmed != "---"
		blank := false
		switch {
		case isKey && indent == 0:
			blank = section != ""
			section, _, _ = strings.Cut(l, ":")
		case isKey && indent == 2 && (section == "Resources" || section == "Outputs"):
			blank = seen[section]
			seen[section] = true
		}
		if blank {
			j := len(lines)
			// before the comments above the key, at its indentation
			for j > 0 && strings.HasPrefix(lines[j-1], strings.Repeat(" ", indent)+"#") {
				j--
			}
			if j > 0 && lines[j-1] != "" {
				lines = append(lines[:j], append([]string{""}, lines[j:]...)...)
			}
		}
		lines = append(lines, l)
	}
	return []byte(strings.Join(lines, "\n"))
}

type liker struct {
	src   *parse.Source
	clean map[*yaml.Node]bool // no anchor, alias or more-indented folded block inside: safe to write again as is
	quote *quoting            // how the source quotes strings, read on first use
}

// node writes v, whose place held orig in the source (nil: nothing).
func (l *liker) node(v any, orig *yaml.Node) *yaml.Node {
	if orig == nil {
		return node(v)
	}
	if l.isClean(orig) {
		if was, ok := l.src.Value(orig); ok && tree.Equal(v, was) {
			return orig
		}
	}
	style := orig
	for style.Kind == yaml.AliasNode && style.Alias != nil {
		style = style.Alias
	}
	n := l.fresh(v, style)
	n.HeadComment, n.LineComment, n.FootComment = orig.HeadComment, orig.LineComment, orig.FootComment
	return n
}

// fresh writes v anew, taking the nodes of its unchanged parts from orig.
func (l *liker) fresh(v any, orig *yaml.Node) *yaml.Node {
	switch v := v.(type) {
	case *tree.Object:
		if k, arg, ok := tree.Only(v); ok && orig.Kind != yaml.MappingNode {
			if n := l.short(k, arg, orig); n != nil {
				return n
			}
		}
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if v.Len() == 0 {
			n.Style = yaml.FlowStyle
		}
		keys := map[string]int{}
		if orig.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(orig.Content); j += 2 {
				keys[orig.Content[j].Value] = j
			}
		}
		renamed := l.renamed(v, orig, keys)
		for _, m := range v.Members {
			j, ok := keys[m.Key]
			rj, isRenamed := renamed[m.Key]
			if isRenamed {
				j, ok = rj, true
			}
			if ok && l.isClean(orig.Content[j]) {
				kn, vn := orig.Content[j], l.node(m.Value, orig.Content[j+1])
				if isRenamed { // the new key, with the comments of the one it replaces
					k := l.restyle(str(m.Key))
					k.HeadComment, k.LineComment, k.FootComment = kn.HeadComment, kn.LineComment, kn.FootComment
					kn = k
				}
				if vn != orig.Content[j+1] && isBlock(vn) && vn.LineComment != "" {
					// A block collection has no line of its own: the
					// comment goes after the key, where YAML reads it.
					k, c := *kn, *vn
					if k.LineComment == "" {
						k.LineComment = c.LineComment
					}
					c.LineComment = ""
					kn, vn = &k, &c
				}
				n.Content = append(n.Content, kn, vn)
			} else {
				n.Content = append(n.Content, l.restyle(str(m.Key)), l.restyle(node(m.Value)))
			}
		}
		keepFlow(n, orig)
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		var was []*yaml.Node
		if orig.Kind == yaml.SequenceNode {
			was = orig.Content
		}
		used := make([]bool, len(was))
		for i, e := range v {
			// The item written at its place, else an equal one moved, else
			// a similar one (below), else (when no item was added or
			// removed) the one at its place as a style source.
			from := -1
			if i < len(was) && !used[i] && l.equal(e, was[i]) {
				from = i
			} else if len(was) <= 64 {
				for j, w := range was {
					if !used[j] && l.equal(e, w) {
						from = j
						break
					}
				}
			}
			if from < 0 && len(was) <= 64 { // else one changed by the expansion (a header added to a response)
				for j, w := range was {
					if !used[j] && l.similar(e, w) {
						from = j
						break
					}
				}
			}
			if from < 0 && len(was) == len(v) && !used[i] {
				from = i
			}
			if from < 0 {
				n.Content = append(n.Content, l.restyle(node(e)))
				continue
			}
			used[from] = true
			item := l.node(e, was[from])
			if item != was[from] && isBlock(item) && item.LineComment != "" {
				c := *item // no line of its own: the comment goes above it
				c.HeadComment = strings.TrimSpace(c.HeadComment + "\n" + c.LineComment)
				c.LineComment = ""
				item = &c
			}
			n.Content = append(n.Content, item)
		}
		keepFlow(n, orig)
		return n
	}
	n := l.restyle(node(v))
	if q := orig.Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle); q != 0 && orig.Kind == yaml.ScalarNode && n.Tag == "!!str" && orig.ShortTag() == "!!str" && quotable(n) {
		n.Style = q // a string that replaces a quoted one is quoted alike
	}
	return n
}

// keepFlow writes n, which replaces the flow collection orig, in flow style
// too when it holds only one-line scalars (a mapping, under the same keys):
// {RestApiId: !Ref Api, DeploymentId: !Ref Deployment} whose reference the
// macro renames stays on its line.
func keepFlow(n, orig *yaml.Node) {
	if orig.Kind != n.Kind || orig.Style&yaml.FlowStyle == 0 || len(n.Content) == 0 {
		return
	}
	if n.Kind == yaml.MappingNode && len(n.Content) != len(orig.Content) {
		return
	}
	for i, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.ContainsAny(c.Value, "\n\r") {
			return
		}
		if n.Kind == yaml.MappingNode && i%2 == 0 && c.Value != orig.Content[i].Value {
			return
		}
	}
	n.Style |= yaml.FlowStyle
}

// renamed finds the keys of v that replace a key of the mapping orig (keys:
// orig's keys, by their index in orig.Content): a key that is not in orig,
// where orig has a key v does not (both after the same key, or both first),
// and whose value is similar to that key's (a resource renamed, the macro's
// AWS::ApiGateway::Deployment). It returns the index in orig.Content of the
// key each one replaces.
func (l *liker) renamed(v *tree.Object, orig *yaml.Node, keys map[string]int) map[string]int {
	if orig.Kind != yaml.MappingNode || len(keys) == 0 {
		return nil
	}
	have := make(map[string]bool, v.Len())
	for _, m := range v.Members {
		have[m.Key] = true
	}
	gone := map[string]int{} // the key before it in orig ("" for the first): a key v does not have
	for j := 0; j+1 < len(orig.Content); j += 2 {
		if !have[orig.Content[j].Value] {
			prev := ""
			if j > 0 {
				prev = orig.Content[j-2].Value
			}
			gone[prev] = j
		}
	}
	if len(gone) == 0 {
		return nil
	}
	var out map[string]int
	prev := ""
	for _, m := range v.Members {
		name := m.Key // as orig names it
		if _, kept := keys[m.Key]; !kept {
			if j, ok := gone[prev]; ok && l.similar(m.Value, orig.Content[j+1]) {
				if out == nil {
					out = map[string]int{}
				}
				out[m.Key] = j
				delete(gone, prev)
				name = orig.Content[j].Value
			}
		}
		prev = name
	}
	return out
}

// similar reports whether v is an object that keeps at least half of the
// members of the mapping n with the same values: n changed, not another
// value.
func (l *liker) similar(v any, n *yaml.Node) bool {
	o, ok := v.(*tree.Object)
	if !ok || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return false
	}
	same := 0
	for j := 0; j+1 < len(n.Content); j += 2 {
		now, has := o.Get(n.Content[j].Value)
		if was, known := l.src.Value(n.Content[j+1]); has && known && tree.Equal(now, was) {
			same++
		}
	}
	return same > 0 && 2*same >= len(n.Content)/2
}

// quoting is how a source quotes its strings.
type quoting struct {
	// byValue: the quoting of each string the source quotes, when it
	// always quotes it the same way (0 when it does not).
	byValue map[string]yaml.Style
	// single: the source quotes the strings YAML would read as another
	// type when plain ('200', 'true') in single quotes more often than in
	// double ones.
	single bool
}

// readQuoting reads how the source quotes strings.
func readQuoting(doc *yaml.Node) *quoting {
	q := &quoting{byValue: map[string]yaml.Style{}}
	singles, doubles := 0, 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
			if style := n.Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle); style != 0 {
				if was, seen := q.byValue[n.Value]; seen && was != style {
					style = 0
				}
				q.byValue[n.Value] = style
				if otherType(n.Value) {
					if style == yaml.SingleQuotedStyle {
						singles++
					} else {
						doubles++
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc)
	q.single = singles > doubles
	return q
}

// otherType reports whether YAML reads s, written plain, as another type
// than a string: a number, a boolean, null.
func otherType(s string) bool {
	n := yaml.Node{Kind: yaml.ScalarNode, Value: s}
	return n.ShortTag() != "!!str"
}

// quotable reports whether n is a one-line string written in the usual
// way (plain, or in the double quotes str gives it), whose quoting may
// follow the source's.
func quotable(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!str" && (n.Style == 0 || n.Style == yaml.DoubleQuotedStyle) && !strings.ContainsAny(n.Value, "\n\r\t")
}

// restyle quotes the strings of n, a value written anew, as the source
// quotes them: a string the source quotes always the same way is quoted so
// ('200' written '200' when the macro copies it), and a string that must
// be quoted follows the source's habit (single or double quotes). n is
// changed and returned.
func (l *liker) restyle(n *yaml.Node) *yaml.Node {
	if quotable(n) {
		if l.quote == nil {
			l.quote = readQuoting(l.src.YAML())
		}
		if style := l.quote.byValue[n.Value]; style != 0 {
			n.Style = style
		} else if l.quote.single && !strings.Contains(n.Value, "'") && (n.Style == yaml.DoubleQuotedStyle || otherType(n.Value)) {
			n.Style = yaml.SingleQuotedStyle
		}
	}
	for _, c := range n.Content {
		l.restyle(c)
	}
	return n
}

// isBlock reports whether n is a collection written in block style.
func isBlock(n *yaml.Node) bool {
	return (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0
}

// equal reports whether the source node was read as v.
func (l *liker) equal(v any, n *yaml.Node) bool {
	was, ok := l.src.Value(n)
	return ok && tree.Equal(v, was)
}

// short writes an intrinsic function in its short form, as short does,
// taking its argument's unchanged parts from orig.
func (l *liker) short(key string, arg any, orig *yaml.Node) *yaml.Node {
	tag, ok := cfn.ShortTag(key)
	if !ok || key == "Fn::GetAtt" || orig.Tag != tag {
		return l.restyleShort(short(key, arg))
	}
	inner := *orig
	inner.Tag = ""
	n := l.node(arg, &inner)
	if n.Tag == "!!str" || n.Tag == "!!seq" || n.Tag == "!!map" {
		c := *n
		c.Tag = tag
		if c.Kind == yaml.ScalarNode && c.Style == 0 && (c.Value == "" || needsQuotes(c.Value)) {
			c.Style = yaml.DoubleQuotedStyle
		}
		if c.Kind == yaml.SequenceNode && c.Style == 0 && flat(&c) {
			c.Style = yaml.FlowStyle
		}
		return &c
	}
	return l.restyleShort(short(key, arg))
}

// restyleShort restyles what short wrote: nil, or an intrinsic function.
func (l *liker) restyleShort(n *yaml.Node) *yaml.Node {
	if n != nil {
		for _, c := range n.Content {
			l.restyle(c)
		}
	}
	return n
}

// isClean reports whether n holds no anchor and no alias: such a node can
// be written again where it stands without its anchor or alias going astray.
func (l *liker) isClean(n *yaml.Node) bool {
	if c, ok := l.clean[n]; ok {
		return c
	}
	c := n.Kind != yaml.AliasNode && n.Anchor == "" && !moreIndentedFold(n)
	for _, k := range n.Content {
		if !c {
			break
		}
		c = l.isClean(k)
	}
	l.clean[n] = c
	return c
}
