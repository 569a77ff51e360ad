package cfn

import "strings"

// Call is a call of a REST API method as Lambda sees it in the call's
// source ARN, arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH,
// as far as it is known. A part that is "" is not known, or varies: only
// a wildcard (or, for the partition, region and account, the pseudo
// parameter a template writes) matches it.
type Call struct {
	Partition, Region, Account string // literal values
	// API is the API's logical ID in a template, matched as ${API} or
	// ${API.RestApiId}; APIID its literal ID, for an API already deployed.
	API, APIID string
	Stage      string // "" for every stage
	Method     string // "" or ANY for every method
	Path       string // the resource path, /jobs/{id}; "" when not known
}

// SourceARNCovers reports whether a permission's SourceArn (flattened, see
// Flatten) matches every call c stands for, as Lambda compares them: ArnLike,
// each of the six segments on its own, * matching any text and ? one
// character. Whatever varies in c (a path parameter, the stage when c has
// none, the method of ANY) is matched by * only.
func SourceARNCovers(arn string, c Call) bool {
	segs := SplitARN(arn)
	if len(segs) != 6 || segs[0] != "arn" || segs[2] != "execute-api" {
		return false
	}
	if !segmentCovers(segs[1], "${AWS::Partition}", c.Partition) || !segmentCovers(segs[3], "${AWS::Region}", c.Region) || !segmentCovers(segs[4], "${AWS::AccountId}", c.Account) {
		return false
	}
	res, calls := segs[5], c.path()
	var rest string
	switch {
	case c.API != "" && strings.HasPrefix(res, "${"+c.API+"}/"):
		rest = strings.TrimPrefix(res, "${"+c.API+"}/")
	case c.API != "" && strings.HasPrefix(res, "${"+c.API+".RestApiId}/"):
		rest = strings.TrimPrefix(res, "${"+c.API+".RestApiId}/")
	case strings.Contains(res, "${"):
		return false
	default:
		api := c.APIID
		if api == "" {
			api = unknown
		}
		return glob(res, api+"/"+calls)
	}
	if strings.Contains(rest, "${") {
		return false
	}
	return glob(rest, calls)
}

// SourceARNLike reports whether a permission's SourceArn compared with
// StringLike matches every call c stands for: the whole ARN as one string,
// * matching any text (colons and slashes too) and ? one character, so
// that arn:aws:execute-api:* matches every API. A reference (${...})
// matches nothing: a deployed policy has none.
func SourceARNLike(pattern string, c Call) bool {
	if strings.Contains(pattern, "${") {
		return false
	}
	or := func(v string) string {
		if v == "" {
			return unknown
		}
		return v
	}
	return glob(pattern, "arn:"+or(c.Partition)+":execute-api:"+or(c.Region)+":"+or(c.Account)+":"+or(c.APIID)+"/"+c.path())
}

// unknown stands for a part of a call's source ARN that varies or is not
// known: only a wildcard matches it.
const unknown = "\x00"

// path is STAGE/METHOD/PATH of every call c stands for, with unknown
// standing for what varies.
func (c Call) path() string {
	stage := c.Stage
	if stage == "" {
		stage = unknown
	}
	method := c.Method
	if method == "" || strings.EqualFold(method, "ANY") || strings.EqualFold(method, AnyMethodExtension) {
		method = unknown
	}
	path := unknown
	if c.Path != "" {
		parts := strings.Split(strings.Trim(c.Path, "/"), "/")
		for i, part := range parts {
			if strings.HasPrefix(part, "{") {
				parts[i] = unknown
			}
		}
		path = strings.Join(parts, "/")
	}
	return stage + "/" + strings.ToUpper(method) + "/" + path
}

// segmentCovers reports whether an ARN segment of a SourceArn matches
// value: it is the pseudo parameter, or it matches the literal value as
// ArnLike does (a wildcard alone when the value is not known).
func segmentCovers(seg, pseudo, value string) bool {
	if seg == pseudo {
		return true
	}
	if value == "" {
		return seg == "*"
	}
	return glob(seg, value)
}

// glob matches s against pattern, where * matches any text and ? one
// character, as IAM's ArnLike does. Only * matches unknown.
func glob(pattern, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, sx
			px++
		case px < len(pattern) && s[sx] != unknown[0] && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
