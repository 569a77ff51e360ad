package macro

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/tree"
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
func (r Response) MarshalJSON() ([]byte, error) {
	o := tree.NewObject("requestId", r.RequestID, "status", r.Status)
	if r.Status == StatusSuccess {
		o.Set("fragment", r.Fragment)
	}
	if r.ErrorMessage != "" {
		o.Set("errorMessage", r.ErrorMessage)
	}
	return tree.Encode(o), nil
}

// DecodeRequest reads a macro request. It keeps the fragment's key order and
// numbers; it fails when the payload is not a JSON object with a fragment.
func DecodeRequest(payload []byte) (Request, error) {
	var r Request
	v, err := tree.Decode(payload)
	if err != nil {
		return r, err
	}
	o, ok := v.(*tree.Object)
	if !ok {
		return r, fmt.Errorf("the request is %s, not an object", tree.TypeName(v))
	}
	str := func(key string) string {
		s, _ := o.Get(key)
		t, _ := s.(string)
		return t
	}
	r.Region, r.AccountID, r.TransformID, r.RequestID = str("region"), str("accountId"), str("transformId"), str("requestId")
	r.Params, _ = o.Get("params")
	if pv, _ := o.Get("templateParameterValues"); pv != nil {
		po, ok := pv.(*tree.Object)
		if !ok {
			return r, fmt.Errorf("templateParameterValues is %s, not an object", tree.TypeName(pv))
		}
		r.TemplateParameterValues = make(map[string]any, po.Len())
		for _, m := range po.Members {
			r.TemplateParameterValues[m.Key] = m.Value
		}
	}
	f, has := o.Get("fragment")
	if !has {
		return r, errors.New("the request has no fragment")
	}
	r.Fragment = f
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
	return fmt.Sprintf("requestId=%q transformId=%q status=%s bytes=%d methods=%d operations=%d permissions=%d configs=%d problems=%d",
		s.RequestID, s.TransformID, s.Status, s.Bytes, s.Methods, s.Operations, s.Permissions, s.Configs, s.Problems)
}

// requestIDField finds the requestId of a request that is not valid JSON
// further on, so that even its failure answers the right request.
var requestIDField = regexp.MustCompile(`"requestId"\s*:\s*"([A-Za-z0-9._:-]{1,128})"`)

func salvageRequestID(payload []byte) string {
	if m := requestIDField.FindSubmatch(payload); m != nil {
		return string(m[1])
	}
	return ""
}

// expand is ExpandFor; tests replace it to check that a panic is recovered.
var expand = ExpandFor

// Handle answers one macro request. It always returns a well-formed macro
// response carrying the request's requestId, whatever the payload: a
// failure says what is wrong, and a panic becomes a failure too.
func Handle(payload []byte) (out []byte, sum Summary) {
	sum.Bytes = len(payload)
	var req Request
	defer func() {
		if p := recover(); p != nil {
			sum.Status, sum.Problems = StatusFailure, 1
			out, _ = Response{RequestID: req.RequestID, Status: StatusFailure,
				ErrorMessage: fmt.Sprintf("AsyncInvoke failed unexpectedly (%v); the template was not changed. Please report this with the template's shape (not its values)", p)}.MarshalJSON()
		}
	}()
	req, err := DecodeRequest(payload)
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
	out, _ = Response{RequestID: req.RequestID, Status: StatusSuccess, Fragment: req.Fragment}.MarshalJSON()
	return out, sum
}
