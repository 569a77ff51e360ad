package macro

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Request is the event CloudFormation sends to a macro's Lambda function.
type Request struct {
	Region                  string         `json:"region"`
	AccountID               string         `json:"accountId"`
	Fragment                any            `json:"fragment"`
	TransformID             string         `json:"transformId"`
	Params                  any            `json:"params"`
	RequestID               string         `json:"requestId"`
	TemplateParameterValues map[string]any `json:"templateParameterValues"`
}

// Response is the macro function's answer.
type Response struct {
	RequestID    string `json:"requestId"`
	Status       string `json:"status"` // StatusSuccess or StatusFailure
	Fragment     any    `json:"fragment,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// The statuses of a Response.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
)

// MarshalJSON writes the response with the fragment's keys in order and its
// numbers as they came.
func (r Response) MarshalJSON() ([]byte, error) { return r.appendJSON(nil), nil }

func (r Response) appendJSON(dst []byte) []byte {
	o := tree.NewObject("requestId", r.RequestID, "status", r.Status)
	if r.Status == StatusSuccess {
		o.Set("fragment", r.Fragment)
	}
	if r.ErrorMessage != "" {
		o.Set("errorMessage", r.ErrorMessage)
	}
	return tree.Append(dst, o)
}

// DecodeRequest reads a macro request. It keeps the fragment's key order and
// numbers; it fails when the payload is not a JSON object with a fragment.
// The parts of the fragment that the expansion neither reads nor changes
// (see ReadsType) are tree.Raw values sharing payload's memory: payload must
// not change while the request is in use.
func DecodeRequest(payload []byte) (Request, error) { return decodeRequest(payload, true) }

// decodeRequest is DecodeRequest; with lazy false it decodes the whole
// fragment, for tests that check that keeping parts Raw changes nothing.
func decodeRequest(payload []byte, lazy bool) (Request, error) {
	var r Request
	d := tree.NewDecoder(payload)
	if d.Kind() != '{' {
		v, err := tree.Decode(payload)
		if err != nil {
			return r, err
		}
		return r, fmt.Errorf("the request is %s, not an object", cfn.TypeName(v))
	}
	var hasFragment bool
	var paramsErr error
	err := d.Members(func(key string) error {
		var err error
		switch key {
		case "region", "accountId", "transformId", "requestId":
			var v any
			v, err = d.Value()
			s, _ := v.(string)
			switch key {
			case "region":
				r.Region = s
			case "accountId":
				r.AccountID = s
			case "transformId":
				r.TransformID = s
			case "requestId":
				r.RequestID = s
			}
		case "params":
			r.Params, err = d.Value()
		case "templateParameterValues":
			var pv any
			if pv, err = d.Value(); err != nil || pv == nil {
				break
			}
			po, ok := pv.(*tree.Object)
			if !ok {
				paramsErr = fmt.Errorf("templateParameterValues is %s, not an object", cfn.TypeName(pv))
				break
			}
			r.TemplateParameterValues = make(map[string]any, po.Len())
			for _, m := range po.Members {
				r.TemplateParameterValues[m.Key] = m.Value
			}
		case "fragment":
			hasFragment = true
			if lazy {
				r.Fragment, err = decodeFragment(d)
			} else {
				r.Fragment, err = d.Value()
			}
		default:
			_, err = d.Raw() // not ours to read
		}
		return err
	})
	if err == nil {
		err = d.End()
	}
	switch {
	case err != nil:
		return r, err
	case paramsErr != nil:
		return r, paramsErr
	case !hasFragment:
		return r, errors.New("the request has no fragment")
	}
	return r, nil
}

// Summary is the one line the function logs per request. It holds no
// template content and no parameter values: those can be NoEcho secrets.
type Summary struct {
	RequestID, TransformID, Status string
	Stats
	Problems int
	Bytes    int
}

func (s Summary) String() string {
	return fmt.Sprintf("requestId=%q transformId=%q status=%s bytes=%d methods=%d operations=%d permissions=%d configs=%d deployments=%d notes=%d problems=%d",
		s.RequestID, s.TransformID, s.Status, s.Bytes, s.Methods, s.Operations, s.Permissions, s.Configs, s.Deployments, len(s.Notes), s.Problems)
}

// requestIDField finds the requestId of a request that is not valid JSON
// further on, so that even its failure answers the right request. It is
// compiled when first needed: compiling it takes longer than the rest of
// the function's start-up.
var requestIDField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`"requestId"\s*:\s*"([A-Za-z0-9._:-]{1,128})"`)
})

func salvageRequestID(payload []byte) string {
	if m := requestIDField().FindSubmatch(payload); m != nil {
		return string(m[1])
	}
	return ""
}

// expand is ExpandFor; tests replace it to check that a panic is recovered.
var expand = ExpandFor

// Handle answers one macro request. It always returns a well-formed macro
// response carrying the request's requestId, whatever the payload: a
// failure says what is wrong, and a panic becomes a failure too.
func Handle(payload []byte) (out []byte, sum Summary) { return handle(payload, true) }

func handle(payload []byte, lazy bool) (out []byte, sum Summary) {
	sum.Bytes = len(payload)
	var req Request
	defer func() {
		if p := recover(); p != nil {
			sum.Status, sum.Problems = StatusFailure, 1
			out, _ = Response{RequestID: req.RequestID, Status: StatusFailure,
				ErrorMessage: fmt.Sprintf("AsyncInvoke failed unexpectedly (%v); the template was not changed. Please report this with the template's shape (not its values)", p)}.MarshalJSON()
		}
	}()
	req, err := decodeRequest(payload, lazy)
	sum.RequestID, sum.TransformID = req.RequestID, req.TransformID
	if err != nil {
		if req.RequestID == "" {
			req.RequestID = salvageRequestID(payload)
			sum.RequestID = req.RequestID
		}
		sum.Status, sum.Problems = StatusFailure, 1
		out, _ = Response{RequestID: req.RequestID, Status: StatusFailure,
			ErrorMessage: "AsyncInvoke: not a CloudFormation macro request: " + err.Error()}.MarshalJSON()
		return out, sum
	}
	stats, err := expand(req.Fragment, req.TemplateParameterValues, Stack{Region: req.Region, AccountID: req.AccountID})
	sum.Stats = stats
	if err != nil {
		var ps Problems
		if errors.As(err, &ps) {
			sum.Problems = len(ps)
		}
		sum.Status = StatusFailure
		out, _ = Response{RequestID: req.RequestID, Status: StatusFailure, ErrorMessage: strings.TrimSpace(err.Error())}.MarshalJSON()
		return out, sum
	}
	sum.Status = StatusSuccess
	// The response is about the request's size (twice it when every method
	// of a small template gains its integration): allocate it once.
	out = Response{RequestID: req.RequestID, Status: StatusSuccess, Fragment: req.Fragment}.appendJSON(make([]byte, 0, len(payload)+len(payload)/2+512))
	return out, sum
}
