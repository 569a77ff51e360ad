package cfn

import "strings"

// FunctionARN is a Lambda function ARN as a template writes it, read from
// its flattened text (see Flatten): ${X} or ${X.Attr}, or
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME, either perhaps followed
// by :QUALIFIER (an alias or a version).
type FunctionARN struct {
	Head      string // X or X.Attr of a leading ${...}; "" for the arn: form
	Name      string // the arn: form's NAME segment
	Region    string // the arn: form's REGION segment
	Account   string // the arn: form's ACCOUNT segment
	Qualifier string // the text after the ARN's last colon, or ""
}

// Opaque reports whether the reference is a value the template does not
// tell, which may as well be a whole invocation URI.
func (r FunctionARN) Opaque() bool { return r.Head == "?" && r.Qualifier == "" }

// ParseFunctionARN reads flat as a function ARN.
func ParseFunctionARN(flat string) (FunctionARN, bool) {
	var r FunctionARN
	if inner, ok := strings.CutPrefix(flat, "${"); ok {
		end := strings.IndexByte(inner, '}')
		if end <= 0 || strings.HasPrefix(inner, "!") {
			return r, false
		}
		r.Head = inner[:end]
		rest := inner[end+1:]
		if rest == "" {
			return r, true
		}
		q, ok := strings.CutPrefix(rest, ":")
		r.Qualifier = q
		return r, ok && validQualifier(q)
	}
	segs := SplitARN(flat)
	if len(segs) < 7 || len(segs) > 8 || segs[0] != "arn" || segs[2] != "lambda" || segs[5] != "function" || segs[6] == "" {
		return r, false
	}
	r.Region, r.Account, r.Name = segs[3], segs[4], segs[6]
	if len(segs) == 8 {
		r.Qualifier = segs[7]
		if !validQualifier(r.Qualifier) {
			return r, false
		}
	}
	return r, true
}

// validQualifier accepts what may follow a function ARN: an alias name, a
// version, or text with ${...} references, but no further ARN parts.
func validQualifier(q string) bool {
	return q != "" && !strings.ContainsAny(StripRefs(q), ":/")
}

// StripRefs removes the ${...} references from a Fn::Sub string.
func StripRefs(s string) string {
	var b strings.Builder
	for _, p := range SplitSub(s) {
		if p.Ref == "" {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// SplitARN splits an ARN at its colons, not at those inside ${...}.
func SplitARN(s string) []string {
	var segs []string
	start, depth := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			segs = append(segs, s[start:i])
			start = i + 1
		}
	}
	return append(segs, s[start:])
}

// InvokedFunction is the logical ID of the function resource (an
// AWS::Lambda::Function or AWS::Serverless::Function) that v invokes, or
// names in a permission's FunctionName: an invocation URI, a function ARN
// (perhaps qualified), !Ref or !GetAtt of the function or of its alias or
// version, SAM's Function.Alias; "" when the template does not tell.
func (r *Resources) InvokedFunction(v any) string {
	flat, _ := Flatten(v)
	if _, _, fn, ok := SplitInvocationURI(flat); ok {
		flat = fn
	}
	ref, ok := ParseFunctionARN(flat)
	if !ok {
		return ""
	}
	if ref.Head == "" {
		if id, attr, ok := SplitSubVar(ref.Name); ok && attr == "" && IsFunction(r.Type(id)) {
			return id
		}
		return ""
	}
	id, _ := SplitRef(ref.Head)
	switch typ := r.Type(id); {
	case IsFunction(typ):
		return id
	case typ == TypeAlias || typ == TypeVersion:
		return r.FunctionOf(id)
	}
	return ""
}

// Partition is the AWS partition of a region: aws-cn for cn-north-1,
// aws-us-gov for us-gov-west-1, aws for the others; "" for "".
func Partition(region string) string {
	switch {
	case region == "":
		return ""
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}
