package cli

import (
	"sort"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/macro"
)

// check's rules, as cfn-lint's: one row per code, with its level, what it
// finds (in Markdown, as the README's table of codes shows it), and the
// check that finds it. The codes are grouped by concern: E0 the file, E1
// the macro's problems (macro.Rules: E11 the template and where the
// shorthand stands, E12 its options, E13 the integration, E14 the function,
// E15 destinations, E16 configurations, E17 Event: proxy, E18 Accepted, E19
// OpenAPI and SAM), 2 the Transform and the shorthand's spelling, 3
// documents the macro cannot see, W4 the macro's notes, W5 the expanded
// template's size. check --help lists them (codeList), and
// TestREADMECodes checks the README's table against them.

// rule is one rule of check.
type rule struct {
	Code    string
	Level   string // error or warning
	Summary string // Markdown
	// check reports the rule's findings in the template l checks; nil for
	// E0000, reported when a file cannot be read.
	check func(l *linter, r rule)
}

// rules are check's rules, in the order of their codes.
var rules = func() []rule {
	rs := []rule{
		{"E0000", "error", "the template cannot be read: YAML or JSON syntax, a duplicate key, an unknown tag, no such file", nil},
		{"E2001", "error", "the template uses `AsyncInvoke` or `x-async-invoke`, but its `Transform` does not name the macro (or names it otherwise than `--macro-name`): nothing would expand it; CloudFormation would refuse `AsyncInvoke` on a method, and API Gateway would ignore `x-async-invoke` and invoke synchronously", (*linter).macroNotInTransform},
		{"W2002", "warning", "`AWS::Serverless-2016-10-31` comes before the macro in `Transform`, so SAM's transform runs first", (*linter).samBeforeMacro},
		{"E2003", "error", "a key that looks like a misspelled shorthand, with \"did you mean\": on a method's `Properties` or `Integration` (`AsyncInvok`, `asyncInvoke`), on an inline OpenAPI document's path item, operation or `x-amazon-apigateway-integration` (`x-async-invok`, `X-Async-Invoke`): another case, or up to two letters added, left out, changed or swapped. The macro does not see it, so CloudFormation refuses the method's unknown property, and API Gateway ignores the operation's unknown extension and imports a synchronous method", (*linter).misspelled},
		{"E3001", "error", "`x-async-invoke` (or `AsyncInvoke`) in a local document the macro cannot see: `BodyS3Location` or `DefinitionUri` given as a file path (as `aws cloudformation package` and `sam package` upload them; API Gateway reads the document from S3 at deploy time), or an `AWS::Include` listed after the macro in `Transform`: it would be ignored", (*linter).unseenShorthand},
		{"W3002", "warning", "such a document in S3 (an `s3://` location, a `{Bucket, Key}` object, an intrinsic function): it cannot be checked, and if it uses `x-async-invoke`, that is ignored; reported when the template uses the macro", (*linter).unseenUnchecked},
		{"W3003", "warning", "a local document the template refers to cannot be read", (*linter).unreadable},
		{"W5001", "warning", "the expanded template is over the 51,200 bytes CloudFormation takes for a processed template passed in the request (`--template-body`, `aws cloudformation deploy` without `--s3-bucket`), measured as compact JSON: deploy it through S3 (`sam deploy`, `aws cloudformation deploy --s3-bucket`), where the limit is 1 MB", (*linter).size},
	}
	for _, m := range macro.Rules {
		r := rule{Code: string(m.Code), Level: "error", Summary: m.Summary, check: (*linter).refused}
		if m.Note {
			r.Level, r.Summary, r.check = "warning", m.Summary, (*linter).noted
		}
		rs = append(rs, r)
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Code[1:] < rs[j].Code[1:] })
	return rs
}()

// codeList lists the rules for check --help: each code and its level,
// then what it finds, as plain text wrapped under it.
func codeList() string {
	var b strings.Builder
	b.WriteString("Codes (E: error, W: warning):\n")
	plain := strings.NewReplacer("`", "", "*", "")
	for _, r := range rules {
		b.WriteString("  " + r.Code)
		line := 7
		for _, word := range strings.Fields(plain.Replace(r.Summary)) {
			if line+1+len(word) > 79 && line > 7 {
				b.WriteString("\n       ")
				line = 7
			}
			b.WriteString(" " + word)
			line += 1 + len(word)
		}
		b.WriteString("\n")
	}
	return b.String()
}
