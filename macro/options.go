package macro

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Mode says who decides that a call is asynchronous.
type Mode string

const (
	// Always makes every call asynchronous.
	Always Mode = "always"
	// Client lets the caller choose with a request header.
	Client Mode = "client"
)

// Options is the shorthand, resolved.
type Options struct {
	Mode       Mode
	Header     string // method request header that carries the invocation type (client mode)
	Required   bool   // whether that header is required
	StatusCode string // status of the default integration response
	Permission bool   // add the lambda:InvokeFunction permission for API Gateway
	Event      Event  // what the function receives: the body, or the proxy event
	Accepted   bool   // answer 202 with the invocation's request ID

	// How Lambda handles the asynchronous calls, and where it sends their
	// records (AWS::Lambda::EventInvokeConfig); zero when not given.
	Config InvokeConfig

	headerSet   bool // Header was given, not defaulted
	requiredSet bool // Required was given, not defaulted
	statusSet   bool // StatusCode was given, not defaulted
}

// InvokeConfig is what the options OnFailure, OnSuccess,
// MaximumRetryAttempts and MaximumEventAgeInSeconds ask for.
type InvokeConfig struct {
	OnFailure, OnSuccess any // the destinations' ARNs as written, or nil
	// MaximumRetryAttempts and MaximumEventAgeInSeconds as written (a
	// number, a Ref to a parameter, or an Fn::If of these), or nil.
	Retries, Age any
	where        *loc // the shorthand, for messages
	// refused is set when a number is out of range: the problem is
	// reported, the integration is still checked, and no configuration is
	// planned.
	refused bool
}

// empty reports whether none of the options was given.
func (c InvokeConfig) empty() bool {
	return c.OnFailure == nil && c.OnSuccess == nil && c.Retries == nil && c.Age == nil
}

// source is what the integration maps X-Amz-Invocation-Type from: the
// static 'Event', or in client mode header, the method request header as
// the method declares it.
func (o Options) source(header string) string {
	if o.Mode == Always {
		return "'Event'"
	}
	if header == DefaultHeader {
		return defaultSource // the common case, without building a string
	}
	return headerSource + header
}

const defaultSource = headerSource + DefaultHeader

// DefaultHeader is the method request header clients set in client mode.
const DefaultHeader = "InvocationType"

const modeHelp = "write always (every call is asynchronous) or client (the caller chooses with a header)"

// options reads the shorthand at path: a mode string, an object of options,
// or a Ref to a template parameter holding either mode.
func (e *expander) options(v any, where *loc) (Options, bool) {
	o := Options{Header: DefaultHeader, StatusCode: "200", Permission: true, Event: EventBody}
	v, ok := e.resolve(v, where)
	if !ok {
		return o, false
	}
	switch v := v.(type) {
	case string:
		o.Mode, ok = e.mode(v, where)
		return o, ok
	case *tree.Object:
		if isIntrinsic(v) {
			e.fail(codeMode, where, "is written with %s, which the macro cannot evaluate at deploy time; %s, or Ref a template parameter", cfn.TypeName(v), modeHelp)
			return o, false
		}
		return e.optionObject(v, where, o)
	default:
		e.fail(codeMode, where, "is %s; %s, or give an object with Mode and the options %s", cfn.TypeName(v), modeHelp, strings.Join(optionKeys[1:], ", "))
		return o, false
	}
}

func (e *expander) mode(s string, where *loc) (Mode, bool) {
	switch Mode(strings.ToLower(strings.TrimSpace(s))) {
	case Always:
		return Always, true
	case Client:
		return Client, true
	}
	e.fail(codeMode, where, "unknown mode %q; %s", s, modeHelp)
	return "", false
}

// shorthandOption is an option of the shorthand's object form, and how it
// is read into Options: from its value resolved (a Ref to a parameter
// becomes the parameter's value), or as written (asWritten: a destination
// is read later with the resources it names; a number goes to Lambda as
// written). read reports a problem and returns false when the value is not
// one the option takes.
type shorthandOption struct {
	key       string
	asWritten bool
	read      func(e *expander, o *Options, v any, where *loc) bool
}

// shorthandOptions are the options, in the order messages list them.
var shorthandOptions = []shorthandOption{
	{key: "Mode", read: func(e *expander, o *Options, v any, where *loc) bool {
		s, isStr := v.(string)
		if !isStr {
			e.fail(codeMode, where, "is %s; %s", cfn.TypeName(v), modeHelp)
			return false
		}
		mode, ok := e.mode(s, where)
		o.Mode = mode
		return ok
	}},
	{key: "Header", read: func(e *expander, o *Options, v any, where *loc) bool {
		s, isStr := v.(string)
		if !isStr || !isToken(s) {
			e.fail(codeHeaderName, where, "must be an HTTP header name such as %s, not %s", DefaultHeader, describe(v))
			return false
		}
		o.Header, o.headerSet = s, true
		return true
	}},
	flagOption("Required", func(o *Options, b bool) { o.Required, o.requiredSet = b, true }),
	{key: "StatusCode", read: func(e *expander, o *Options, v any, where *loc) bool {
		s, isStr := scalarString(v)
		if !isStr || !isStatusCode(s) {
			e.fail(codeStatusCode, where, "must be an HTTP status code such as '200' or '202', not %s", describe(v))
			return false
		}
		o.StatusCode, o.statusSet = s, true
		return true
	}},
	flagOption("Permission", func(o *Options, b bool) { o.Permission = b }),
	{key: "OnFailure", asWritten: true, read: func(_ *expander, o *Options, v any, _ *loc) bool {
		o.Config.OnFailure = v
		return true
	}},
	{key: "OnSuccess", asWritten: true, read: func(_ *expander, o *Options, v any, _ *loc) bool {
		o.Config.OnSuccess = v
		return true
	}},
	asyncOption(cfn.MaximumRetryAttempts, func(c *InvokeConfig) *any { return &c.Retries }),
	asyncOption(cfn.MaximumEventAgeInSeconds, func(c *InvokeConfig) *any { return &c.Age }),
	{key: "Event", read: func(e *expander, o *Options, v any, where *loc) bool {
		s, isStr := v.(string)
		if ev := Event(strings.ToLower(strings.TrimSpace(s))); isStr && (ev == EventBody || ev == EventProxy) {
			o.Event = ev
			return true
		}
		e.fail(codeEvent, where, "must be body (the function gets the request body) or proxy (it gets API Gateway's Lambda proxy event), not %s", describe(v))
		return false
	}},
	flagOption("Accepted", func(o *Options, b bool) { o.Accepted = b }),
}

// asyncOption is the option that gives setting s, kept as written (a
// number goes to Lambda as written) in the field of InvokeConfig that
// field returns.
func asyncOption(s cfn.AsyncSetting, field func(*InvokeConfig) *any) shorthandOption {
	return shorthandOption{key: s.Property, asWritten: true, read: func(e *expander, o *Options, v any, where *loc) bool {
		if e.number(v, s, where, false) {
			*field(&o.Config) = v
		} else {
			o.Config.refused = true // the integration is still checked, for its own problems
		}
		return true
	}}
}

// optionKeys are the options' names, in order.
var optionKeys = func() []string {
	keys := make([]string, len(shorthandOptions))
	for i, opt := range shorthandOptions {
		keys[i] = opt.key
	}
	return keys
}()

// flagOption is a boolean option, set into Options by set.
func flagOption(key string, set func(o *Options, b bool)) shorthandOption {
	return shorthandOption{key: key, read: func(e *expander, o *Options, v any, where *loc) bool {
		b, isBool := boolean(v)
		if !isBool {
			e.fail(codeBoolean, where, "must be true or false, not %s", describe(v))
			return false
		}
		set(o, b)
		return true
	}}
}

// optionObject reads the object form of the shorthand: every option (a
// problem with one does not stop the others being checked), then how they
// go together.
func (e *expander) optionObject(obj *tree.Object, where *loc, o Options) (Options, bool) {
	ok := true
	for _, m := range obj.Members {
		p := where.at(m.Key)
		i := slices.IndexFunc(shorthandOptions, func(opt shorthandOption) bool { return opt.key == m.Key })
		if i < 0 {
			e.fail(codeUnknownOption, p, "unknown option %q; the options are %s", m.Key, strings.Join(optionKeys, ", "))
			continue // reported; the rest is still checked
		}
		opt, v := shorthandOptions[i], m.Value
		if !opt.asWritten {
			var resolved bool
			if v, resolved = e.resolve(v, p); !resolved {
				ok = false
				continue
			}
		}
		ok = opt.read(e, &o, v, p) && ok
	}
	o.Config.where = where // the destinations are checked even when the rest is refused
	if !obj.Has("Mode") {
		e.fail(codeNoMode, where, "has no Mode; add Mode: always or Mode: client")
		return o, false
	}
	if ok && o.Mode == Always && (o.headerSet || o.requiredSet) {
		e.fail(codeOptionsConflict, where, "Header and Required apply only to Mode client (in always mode the client sends no header); remove them or use Mode: client")
		return o, false
	}
	if ok && o.Accepted && o.Mode == Client && strings.Contains(o.Header, "'") {
		e.fail(codeOptionsConflict, where.at("Header"), "is %q: with Accepted, the response template finds this header by its name, which it writes in single quotes; choose a name without '", o.Header)
		return o, false
	}
	if ok && o.Accepted && o.Mode == Always {
		if o.statusSet && o.StatusCode != AcceptedStatus {
			e.fail(codeOptionsConflict, where.at("StatusCode"), "is %s, but Accepted answers every call with %s; remove StatusCode (or Accepted)", o.StatusCode, AcceptedStatus)
			return o, false
		}
		o.StatusCode = AcceptedStatus
	}
	return o, ok
}

// number checks a MaximumRetryAttempts or MaximumEventAgeInSeconds: a whole
// number in the range Lambda takes for s, a Ref to a parameter holding one,
// or an Fn::If on a condition of the template between two of these (either
// may be !Ref AWS::NoValue, Lambda's default), which Lambda then gets as
// written.
func (e *expander) number(v any, s cfn.AsyncSetting, where *loc, branch bool) bool {
	if c, a, b, isIf := ifArgs(v); isIf {
		w := where.at("Fn::If")
		okC := e.isCondition(c, w.at("0"))
		okA := e.number(a, s, w.at("1"), true)
		okB := e.number(b, s, w.at("2"), true)
		return okC && okA && okB
	}
	if branch && tree.Equal(v, noValue) {
		return true
	}
	r, ok := e.resolve(v, where)
	if !ok {
		return false
	}
	if n, isInt := integer(r); !isInt || !s.Allows(n) {
		help := ""
		if _, isObj := r.(*tree.Object); isObj {
			help = "; to vary it, Ref a parameter or choose with !If [Condition, number, number]"
		}
		e.fail(codeAsyncSetting, where, "must be a whole number from %d to %d (Lambda's limits), not %s%s", s.Min, s.Max, describe(r), help)
		return false
	}
	return true
}

// resolve replaces a {"Ref": Parameter} with the parameter's value.
func (e *expander) resolve(v any, where *loc) (any, bool) {
	k, name, ok := tree.Only(v)
	if !ok || k != "Ref" {
		return v, true
	}
	s, isStr := name.(string)
	switch {
	case !isStr:
		e.fail(codeRef, where, "Ref must name a template parameter, not %s", describe(name))
		return nil, false
	case strings.HasPrefix(s, "AWS::"):
		e.fail(codeRef, where, "refers to the pseudo parameter %s; Ref a template parameter whose value is a mode", s)
		return nil, false
	}
	if val, found := e.params.Value(s); found {
		return val, true
	}
	if _, found := e.params.Declared(s); found {
		e.fail(codeRef, where, "refers to parameter %s, which has no value and no Default; pass a value for it or give it a Default", s)
		return nil, false
	}
	if _, isRes := e.res.Get(s); isRes {
		e.fail(codeRef, where, "refers to resource %s; Ref a template parameter whose value is a mode", s)
		return nil, false
	}
	e.fail(codeRef, where, "refers to %s, which is not a parameter of this template; add it under Parameters", s)
	return nil, false
}

// IsHeaderName reports whether s is an HTTP header name (an RFC 9110
// token), as the Header option must be: what asyncinvoke audit --header
// takes too.
func IsHeaderName(s string) bool { return isToken(s) }

// isToken reports whether s is an HTTP header name (RFC 9110 token).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+.^_`|~-", c) >= 0) {
			return false
		}
	}
	return s != ""
}

// isStatusCode reports whether s is an HTTP status code from 100 to 599.
func isStatusCode(s string) bool {
	return len(s) == 3 && '1' <= s[0] && s[0] <= '5' && '0' <= s[1] && s[1] <= '9' && '0' <= s[2] && s[2] <= '9'
}
