package macro

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// The names of what the macro adds (logical IDs, condition names, IAM
// policy names) are made here, and only here: each fits its limit and is
// new to the template, whatever the author's names are. A name that is too
// long is cut and ends with a hash of the whole name, so the same name
// always gives the same result (a second expansion finds what the first
// added) and two long names stay two.

const (
	maxLogicalID     = 255 // CloudFormation: a logical ID is alphanumeric, at most 255 characters
	maxConditionName = 255 // CloudFormation: a condition's name, likewise
	maxPolicyName    = 128 // IAM: an inline policy's PolicyName
)

// nameSections are the sections whose names a new name must not take:
// CloudFormation refuses a resource named as a parameter (the two share
// Ref), and a name used twice misleads in any section.
var nameSections = []string{"Parameters", "Conditions", "Mappings", "Resources", "Outputs"}

// shorten is name when it has at most max characters, else its first
// characters and a hash of the whole of it, max characters in all.
func shorten(name string, max int) string {
	if len(name) <= max {
		return name
	}
	h := shortHash(name)
	return name[:max-len(h)] + h
}

// shortHash is 8 hexadecimal digits (upper case, so alphanumeric) of the
// SHA-256 of s.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:4]))
}

// freeName is base fitted to max characters or, when taken says that name
// is used, the first with a number after it (2, 3, ...) that is not.
func freeName(base string, max int, taken func(string) bool) string {
	name := shorten(base, max)
	for n := 2; taken(name); n++ {
		suffix := strconv.Itoa(n)
		name = shorten(base, max-len(suffix)) + suffix
	}
	return name
}

// freeID is a new logical ID made from base.
func (e *expander) freeID(base string) string {
	return freeName(base, maxLogicalID, e.named)
}

// configID is the logical ID the macro's AWS::Lambda::EventInvokeConfig for
// p is made from. For a SAM function it is the one SAM gives the
// configuration it makes from the function's EventInvokeConfig property,
// <Function>EventInvokeConfig, on the same qualifier (samQualifierMatches):
// which of the two writes it depends on the function's role (SAM when SAM
// makes the role, the macro when the role is the template's), and a new
// logical ID for the same function and qualifier would make CloudFormation
// create a second configuration before it deletes the first (README,
// Calls that fail). For any other function, <Function or Alias>AsyncInvokeConfig.
func (e *expander) configID(p *configPlan) string {
	if e.res.Type(p.t.Function) == cfn.TypeSAMFunction {
		return cfn.SAMEventInvokeConfigID(p.t.Function)
	}
	return p.t.ID + "AsyncInvokeConfig"
}

// policyName is the PolicyName of a policy the macro adds with logical ID
// id: the ID, cut to IAM's limit. Logical IDs are unique, and so are their
// shortened forms, so two policies never replace each other on one role.
func policyName(id string) string {
	return shorten(id, maxPolicyName)
}

// named reports whether a section of the template uses name.
func (e *expander) named(name string) bool {
	for _, section := range nameSections {
		v, _ := e.fragment.Get(section)
		switch v := v.(type) {
		case *tree.Object:
			if v.Has(name) {
				return true
			}
		case tree.Raw: // kept as read (lazy.go); the macro adds nothing there
			if e.rawNames == nil {
				e.rawNames = map[string]map[string]bool{}
			}
			names, read := e.rawNames[section]
			if !read {
				names = map[string]bool{}
				if o, ok := decodeRaw(v).(*tree.Object); ok {
					for _, m := range o.Members {
						names[m.Key] = true
					}
				}
				e.rawNames[section] = names
			}
			if names[name] {
				return true
			}
		}
	}
	return false
}

func decodeRaw(r tree.Raw) any {
	v, _ := r.Decode()
	return v
}
