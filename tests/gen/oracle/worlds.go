package oracle

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// A world is one way the template can be deployed: a value for each
// parameter its conditions read (and the region), so every condition is
// true or false. The checks of deploy.go run in every world, because what
// exists, and what an Fn::If chooses, differ from one to the next.
//
// A world also evaluates intrinsic functions to the strings CloudFormation
// would give them, with names made from logical IDs (a queue Queue is
// arn:aws:sqs:<region>:123456789012:Queue), so that two ways of writing the
// same ARN compare equal, as they do for IAM and Lambda.
type world struct {
	t       *tree.Object
	res     *tree.Object
	params  map[string]string
	region  string
	conds   map[string]bool
	pending map[string]bool
	Label   string
}

const account = "123456789012"

// worlds enumerates the worlds of template t. values are the parameter
// values given with the request; the other parameters take their Default.
func worlds(t *tree.Object, values map[string]any) []*world {
	params := section(t, "Parameters")
	fixed := map[string]string{}
	for _, m := range members(params) {
		p, _ := m.Value.(*tree.Object)
		if v, ok := values[m.Key]; ok {
			fixed[m.Key] = scalar(v)
		} else if d, ok := p.Get("Default"); ok {
			fixed[m.Key] = scalar(d)
		}
	}
	// The parameters the conditions read, and the values they compare to.
	read := map[string][]string{}
	walk(section(t, "Conditions"), func(o *tree.Object) {
		if args, ok := o.Get("Fn::Equals"); ok {
			l, _ := args.([]any)
			for i, a := range l {
				if name := refName(a); name != "" && len(l) == 2 {
					if s, ok := l[1-i].(string); ok {
						read[name] = append(read[name], s)
					}
				}
			}
		}
	})
	var names []string
	for name, vs := range read {
		names = append(names, name)
		if name == "AWS::Region" {
			read[name] = []string{"us-east-1", "eu-west-1"}
			continue
		}
		p, _ := params.Get(name)
		po, _ := p.(*tree.Object)
		if av, ok := po.Get("AllowedValues"); ok {
			vs = nil
			for _, v := range av.([]any) {
				vs = append(vs, scalar(v))
			}
		} else {
			vs = append(vs, fixed[name], "some-other-value")
		}
		slices.Sort(vs)
		read[name] = slices.Compact(vs)
	}
	sort.Strings(names)
	out := []*world{{params: map[string]string{}}}
	for _, name := range names {
		var next []*world
		for _, w := range out {
			for _, v := range read[name] {
				if len(next) >= 256 {
					break
				}
				c := &world{params: map[string]string{}, region: w.region, Label: w.Label}
				for k, x := range w.params {
					c.params[k] = x
				}
				if name == "AWS::Region" {
					c.region = v
				} else {
					c.params[name] = v
				}
				c.Label = strings.TrimPrefix(c.Label+", "+name+"="+v, ", ")
				next = append(next, c)
			}
		}
		out = next
	}
	for _, w := range out {
		w.t, w.res = t, section(t, "Resources")
		if w.region == "" {
			w.region = "us-east-1"
		}
		for k, v := range fixed {
			if _, ok := w.params[k]; !ok {
				w.params[k] = v
			}
		}
		w.conds, w.pending = map[string]bool{}, map[string]bool{}
		if w.Label == "" {
			w.Label = "every deployment"
		}
	}
	return out
}

func section(t *tree.Object, name string) *tree.Object {
	v, _ := t.Get(name)
	o, _ := v.(*tree.Object)
	return o
}

func walk(v any, f func(*tree.Object)) {
	switch v := v.(type) {
	case *tree.Object:
		if v == nil {
			return
		}
		f(v)
		for _, m := range v.Members {
			walk(m.Value, f)
		}
	case []any:
		for _, x := range v {
			walk(x, f)
		}
	}
}

func refName(v any) string {
	k, a, ok := tree.Only(v)
	if s, isStr := a.(string); ok && isStr && k == "Ref" {
		return s
	}
	return ""
}

func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// Cond is whether the named condition holds; false when it cannot be read.
func (w *world) Cond(name string) bool {
	if v, ok := w.conds[name]; ok {
		return v
	}
	if w.pending[name] {
		return false // a cycle: cfn-lint reports it
	}
	w.pending[name] = true
	expr, _ := section(w.t, "Conditions").Get(name)
	v := w.condExpr(expr)
	w.conds[name] = v
	return v
}

func (w *world) condExpr(v any) bool {
	k, a, ok := tree.Only(v)
	if !ok {
		return false
	}
	args, _ := a.([]any)
	switch k {
	case "Condition":
		if inner, ok := a.(*tree.Object); ok {
			return w.condExpr(inner) // SAM writes {"Condition": {"Condition": name}} in an Fn::And
		}
		s, _ := a.(string)
		return w.Cond(s)
	case "Fn::Equals":
		if len(args) != 2 {
			return false
		}
		x, ok1 := w.Str(args[0])
		y, ok2 := w.Str(args[1])
		return ok1 && ok2 && x == y
	case "Fn::Not":
		return len(args) == 1 && !w.condExpr(args[0])
	case "Fn::And":
		for _, x := range args {
			if !w.condExpr(x) {
				return false
			}
		}
		return true
	case "Fn::Or":
		for _, x := range args {
			if w.condExpr(x) {
				return true
			}
		}
		return false
	}
	return false
}

// Exists reports whether resource id is created in this world.
func (w *world) Exists(id string) bool {
	r, ok := w.res.Get(id)
	if !ok {
		return false
	}
	c := conditionOf(r)
	return c == "" || w.Cond(c)
}

func conditionOf(r any) string {
	o, _ := r.(*tree.Object)
	c, _ := o.Get("Condition")
	s, _ := c.(string)
	return s
}

// Resolve is v as deployed in this world: each Fn::If replaced by the
// branch its condition chooses, AWS::NoValue removed. ok is false when v
// itself is removed.
func (w *world) Resolve(v any) (any, bool) {
	switch x := v.(type) {
	case *tree.Object:
		if k, a, only := tree.Only(x); only {
			if k == "Fn::If" {
				args, _ := a.([]any)
				if len(args) != 3 {
					return v, true
				}
				name, _ := args[0].(string)
				if w.Cond(name) {
					return w.Resolve(args[1])
				}
				return w.Resolve(args[2])
			}
			if k == "Ref" && a == "AWS::NoValue" {
				return nil, false
			}
		}
		o := &tree.Object{}
		for _, m := range x.Members {
			if r, ok := w.Resolve(m.Value); ok {
				o.Members = append(o.Members, tree.Member{Key: m.Key, Value: r})
			}
		}
		return o, true
	case []any:
		l := make([]any, 0, len(x))
		for _, e := range x {
			if r, ok := w.Resolve(e); ok {
				l = append(l, r)
			}
		}
		return l, true
	case tree.Raw:
		d, err := x.Decode()
		if err != nil {
			return v, true
		}
		return w.Resolve(d)
	}
	return v, true
}

// Props is resource id's Properties, resolved.
func (w *world) Props(id string) *tree.Object {
	r, _ := w.res.Get(id)
	ro, _ := r.(*tree.Object)
	p, _ := ro.Get("Properties")
	rp, _ := w.Resolve(p)
	o, _ := rp.(*tree.Object)
	if o == nil {
		o = &tree.Object{}
	}
	return o
}

// Type is resource id's type, or "".
func (w *world) Type(id string) string {
	r, _ := w.res.Get(id)
	ro, _ := r.(*tree.Object)
	t, _ := ro.Get("Type")
	s, _ := t.(string)
	return s
}

// Str evaluates v to the string CloudFormation would give it; ok is false
// when it cannot be known here (an import, a Fn::FindInMap, ...).
func (w *world) Str(v any) (string, bool) {
	switch x := v.(type) {
	case string, json.Number, bool:
		return scalar(x), true
	case tree.Raw:
		d, err := x.Decode()
		if err != nil {
			return "", false
		}
		return w.Str(d)
	}
	k, a, ok := tree.Only(v)
	if !ok {
		return "", false
	}
	switch k {
	case "Ref":
		s, _ := a.(string)
		return w.ref(s)
	case "Fn::GetAtt":
		switch a := a.(type) {
		case []any:
			if len(a) == 2 {
				id, _ := a[0].(string)
				attr, _ := a[1].(string)
				return w.att(id, attr)
			}
		case string:
			if id, attr, ok := strings.Cut(a, "."); ok {
				return w.att(id, attr)
			}
		}
	case "Fn::Sub":
		switch a := a.(type) {
		case string:
			return w.sub(a, nil)
		case []any:
			if len(a) == 2 {
				s, _ := a[0].(string)
				vars, _ := a[1].(*tree.Object)
				return w.sub(s, vars)
			}
		}
	case "Fn::Join":
		args, _ := a.([]any)
		if len(args) != 2 {
			return "", false
		}
		delim, _ := args[0].(string)
		r, _ := w.Resolve(args[1])
		list, _ := r.([]any)
		var parts []string
		for _, p := range list {
			s, ok := w.Str(p)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, delim), true
	case "Fn::Select":
		args, _ := a.([]any)
		if len(args) != 2 {
			return "", false
		}
		i, ok := w.Str(args[0])
		n, err := strconv.Atoi(i)
		if !ok || err != nil {
			return "", false
		}
		list, ok := w.list(args[1])
		if !ok || n < 0 || n >= len(list) {
			return "", false
		}
		return list[n], true
	case "Fn::If":
		r, ok := w.Resolve(v)
		if !ok {
			return "", false
		}
		return w.Str(r)
	}
	return "", false
}

func (w *world) list(v any) ([]string, bool) {
	if k, a, ok := tree.Only(v); ok && k == "Fn::Split" {
		args, _ := a.([]any)
		if len(args) != 2 {
			return nil, false
		}
		d, ok1 := args[0].(string)
		s, ok2 := w.Str(args[1])
		return strings.Split(s, d), ok1 && ok2
	}
	return nil, false
}

func (w *world) sub(s string, vars *tree.Object) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i:], "}")
		if j < 0 {
			return "", false
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var v string
		var ok bool
		if x, has := vars.Get(name); has {
			v, ok = w.Str(x)
		} else if id, attr, dotted := strings.Cut(name, "."); dotted && !strings.HasPrefix(name, "AWS::") && w.res.Has(id) {
			v, ok = w.att(id, attr)
		} else {
			v, ok = w.ref(name)
		}
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
}

func (w *world) ref(name string) (string, bool) {
	switch name {
	case "AWS::Partition":
		return "aws", true
	case "AWS::Region":
		return w.region, true
	case "AWS::AccountId":
		return account, true
	case "AWS::StackName":
		return "stack", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	}
	if v, ok := w.params[name]; ok {
		return v, true
	}
	if id, attr, ok := strings.Cut(name, "."); ok && (attr == "Alias" || attr == "Version") {
		// SAM's Function.Alias and Function.Version.
		fn, _ := w.att(id, "Arn")
		if attr == "Version" {
			return fn + ":" + samVersion, true
		}
		a, ok := w.samAlias(id)
		return fn + ":" + a, ok
	}
	if !w.res.Has(name) {
		return "", false
	}
	p := w.Props(name)
	switch w.Type(name) {
	case "AWS::SQS::Queue":
		return "https://sqs." + w.region + ".amazonaws.com/" + account + "/" + w.name(name, p, "QueueName"), true
	case "AWS::SNS::Topic":
		return w.att(name, "TopicArn")
	case "AWS::Lambda::Function", "AWS::Serverless::Function":
		return w.name(name, p, "FunctionName"), true
	case "AWS::Lambda::Alias":
		fn, ok := w.Str(get(p, "FunctionName"))
		alias, ok2 := w.Str(get(p, "Name"))
		return w.functionARN(fn) + ":" + alias, ok && ok2
	case "AWS::Lambda::Version":
		fn, ok := w.Str(get(p, "FunctionName"))
		if m := samVersionID.FindStringSubmatch(name); m != nil && refName(get(w.rawProps(name), "FunctionName")) == m[1] {
			return w.functionARN(fn) + ":" + samVersion, ok // SAM's, for Function.Version
		}
		return w.functionARN(fn) + ":" + name, ok
	case "AWS::KMS::Alias":
		return w.Str(get(p, "AliasName"))
	case "AWS::Events::EventBus":
		return w.name(name, p, "Name"), true
	case "AWS::IAM::Role":
		return w.name(name, p, "RoleName"), true
	case "AWS::S3::Bucket":
		return w.name(name, p, "BucketName"), true
	}
	return name, true
}

// samVersion stands for the number of the version SAM publishes for a
// function with AutoPublishAlias: !Ref Function.Version in the template as
// written, and the AWS::Lambda::Version SAM makes, <Function>Version and ten
// hexadecimal digits, in the template it translates to.
const samVersion = "SAMVersion"

var samVersionID = regexp.MustCompile(`^(.+)Version[0-9a-f]{10}$`)

// rawProps is resource id's Properties as written.
func (w *world) rawProps(id string) *tree.Object {
	r, _ := w.res.Get(id)
	ro, _ := r.(*tree.Object)
	p, _ := ro.Get("Properties")
	o, _ := p.(*tree.Object)
	return o
}

// samAlias is the AutoPublishAlias of SAM function id, its own or Globals'.
func (w *world) samAlias(id string) (string, bool) {
	if a, ok := w.Props(id).Get("AutoPublishAlias"); ok {
		return w.Str(a)
	}
	g := section(section(w.t, "Globals"), "Function")
	if a, ok := g.Get("AutoPublishAlias"); ok {
		return w.Str(a)
	}
	return "", false
}

func (w *world) name(id string, p *tree.Object, prop string) string {
	if s, ok := get(p, prop).(string); ok {
		return s
	}
	return id
}

// functionARN is the ARN of a function given by name or ARN.
func (w *world) functionARN(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return "arn:aws:lambda:" + w.region + ":" + account + ":function:" + nameOrARN
}

func (w *world) att(id, attr string) (string, bool) {
	if !w.res.Has(id) {
		return "", false
	}
	p := w.Props(id)
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":" + w.region + ":" + account + ":" + resource
	}
	switch w.Type(id) + "." + attr {
	case "AWS::SQS::Queue.Arn":
		return arn("sqs", w.name(id, p, "QueueName")), true
	case "AWS::SQS::Queue.QueueName":
		return w.name(id, p, "QueueName"), true
	case "AWS::SQS::Queue.QueueUrl":
		return w.ref(id)
	case "AWS::SNS::Topic.TopicArn":
		return arn("sns", w.name(id, p, "TopicName")), true
	case "AWS::SNS::Topic.TopicName":
		return w.name(id, p, "TopicName"), true
	case "AWS::Lambda::Function.Arn", "AWS::Serverless::Function.Arn":
		return arn("lambda", "function:"+w.name(id, p, "FunctionName")), true
	case "AWS::Lambda::Alias.AliasArn":
		return w.ref(id)
	case "AWS::Lambda::Version.Version":
		return id, true
	case "AWS::Lambda::Version.FunctionArn":
		return w.ref(id)
	case "AWS::IAM::Role.Arn":
		return "arn:aws:iam::" + account + ":role/" + w.name(id, p, "RoleName"), true
	case "AWS::KMS::Key.Arn":
		return arn("kms", "key/"+id), true
	case "AWS::KMS::Key.KeyId":
		return id, true
	case "AWS::Events::EventBus.Arn":
		return arn("events", "event-bus/"+w.name(id, p, "Name")), true
	case "AWS::Events::EventBus.Name":
		return w.name(id, p, "Name"), true
	case "AWS::S3::Bucket.Arn":
		return "arn:aws:s3:::" + w.name(id, p, "BucketName"), true
	case "AWS::ApiGateway::RestApi.RestApiId", "AWS::Serverless::Api.RestApiId":
		return id, true
	case "AWS::ApiGateway::RestApi.RootResourceId":
		return id + "-root", true
	}
	return "", false
}

// get is o's member key, or nil.
func get(o *tree.Object, key string) any {
	v, _ := o.Get(key)
	return v
}

// members are o's members; none for a nil object.
func members(o *tree.Object) []tree.Member {
	if o == nil {
		return nil
	}
	return o.Members
}

// keys are o's keys; none for a nil object.
func keys(o *tree.Object) []string {
	if o == nil {
		return nil
	}
	return o.Keys()
}
