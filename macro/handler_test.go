package macro

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// response is the shape every answer must have.
type response struct {
	RequestID    string          `json:"requestId"`
	Status       string          `json:"status"`
	Fragment     json.RawMessage `json:"fragment"`
	ErrorMessage string          `json:"errorMessage"`
}

func decodeResponse(t testing.TB, out []byte) response {
	t.Helper()
	var r response
	require.NoError(t, json.Unmarshal(out, &r), "not a macro response: %.200s", out)
	require.Contains(t, []string{StatusSuccess, StatusFailure}, r.Status)
	if r.Status == StatusFailure {
		require.NotEmpty(t, r.ErrorMessage)
	} else {
		require.NotEmpty(t, r.Fragment)
	}
	return r
}

const method = `{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"HttpMethod":"POST","AsyncInvoke":%s,"Integration":%s}}`

func request(fragment string) string {
	return `{"requestId":"r-1","transformId":"t","region":"us-east-1","accountId":"123456789012","params":{},"templateParameterValues":{"P":"client"},"fragment":` + fragment + `}`
}

func methodTemplate(shorthand, integration string) string {
	return `{"Resources":{"Api":{"Type":"AWS::ApiGateway::RestApi"},"Fn":{"Type":"AWS::Lambda::Function"},"M":` + fmt.Sprintf(method, shorthand, integration) + `}}`
}

// TestHostileInput: whatever arrives, the answer is a well-formed macro
// response with the request's ID, and the next request is answered normally.
func TestHostileInput(t *testing.T) {
	okIntegration := `{"Uri":{"Fn::GetAtt":["Fn","Arn"]}}`
	deep := strings.Repeat(`{"a":`, 500) + "1" + strings.Repeat("}", 500)
	var many strings.Builder
	many.WriteString(`{"Resources":{"Api":{"Type":"AWS::ApiGateway::RestApi"},"Fn":{"Type":"AWS::Lambda::Function"}`)
	for i := range 3000 {
		fmt.Fprintf(&many, `,"M%d":`+method, i, `"always"`, okIntegration)
	}
	many.WriteString("}}")
	big := `{"Metadata":{"Blob":"` + strings.Repeat("x", 5<<20) + `"},` + methodTemplate(`"always"`, okIntegration)[1:]

	tests := []struct {
		name    string
		payload string
		status  string
		want    string // in errorMessage, or in the fragment on success
	}{
		{"not JSON", `this is not json`, StatusFailure, "not a CloudFormation macro request"},
		{"empty", ``, StatusFailure, "not a CloudFormation macro request"},
		{"JSON but not an object", `[1,2]`, StatusFailure, "not an object"},
		{"no fragment", `{"requestId":"r-1"}`, StatusFailure, "has no fragment"},
		{"null fragment", request(`null`), StatusFailure, "the template is null"},
		{"string fragment", request(`"x"`), StatusFailure, "the template is a string"},
		{"null Resources", request(`{"Resources":null}`), StatusFailure, "Resources: is null"},
		{"list Resources", request(`{"Resources":[]}`), StatusFailure, "Resources: is a list"},
		{"parameter values not an object", `{"requestId":"r-1","fragment":{},"templateParameterValues":[]}`, StatusFailure, "templateParameterValues"},
		{"truncated", request(`{"Resources":{`), StatusFailure, "invalid JSON"},
		{"duplicate option keys", request(methodTemplate(`{"Mode":"always","Mode":"client"}`, okIntegration)), StatusFailure, `duplicate key "Mode"`},
		{"shorthand number", request(methodTemplate(`42`, okIntegration)), StatusFailure, "AsyncInvoke: is a number"},
		{"shorthand null", request(methodTemplate(`null`, okIntegration)), StatusFailure, "AsyncInvoke: is null"},
		{"shorthand list", request(methodTemplate(`["always"]`, okIntegration)), StatusFailure, "AsyncInvoke: is a list"},
		{"Mode number", request(methodTemplate(`{"Mode":1}`, okIntegration)), StatusFailure, "Mode: is a number"},
		{"Mode object", request(methodTemplate(`{"Mode":{"a":1}}`, okIntegration)), StatusFailure, "Mode: is an object"},
		{"Header list", request(methodTemplate(`{"Mode":"client","Header":[]}`, okIntegration)), StatusFailure, "Header: must be an HTTP header name"},
		{"Required string", request(methodTemplate(`{"Mode":"client","Required":"yes"}`, okIntegration)), StatusFailure, "Required: must be true or false"},
		{"StatusCode bool", request(methodTemplate(`{"Mode":"always","StatusCode":true}`, okIntegration)), StatusFailure, "StatusCode: must be an HTTP status code"},
		{"Permission null", request(methodTemplate(`{"Mode":"always","Permission":null}`, okIntegration)), StatusFailure, "Permission: must be true or false"},
		{"Ref not a string", request(methodTemplate(`{"Ref":3}`, okIntegration)), StatusFailure, "Ref must name a template parameter"},
		{"Ref pseudo parameter", request(methodTemplate(`{"Ref":"AWS::Region"}`, okIntegration)), StatusFailure, "pseudo parameter"},
		{"Integration string", request(methodTemplate(`"always"`, `"x"`)), StatusFailure, "Integration: is a string"},
		{"Integration null", request(methodTemplate(`"always"`, `null`)), StatusFailure, "Integration: is null"},
		{"Type number", request(methodTemplate(`"always"`, `{"Type":1,"Uri":"arn:aws:lambda:us-east-1:1:function:f"}`)), StatusFailure, "Type: is a number"},
		{"Uri number", request(methodTemplate(`"always"`, `{"Uri":12}`)), StatusFailure, "Uri: is 12"},
		{"Uri list", request(methodTemplate(`"always"`, `{"Uri":[]}`)), StatusFailure, "Uri: is a list"},
		{"Uri Sub number", request(methodTemplate(`"always"`, `{"Uri":{"Fn::Sub":1}}`)), StatusFailure, "Fn::Sub that is neither"},
		{"GetAtt malformed", request(methodTemplate(`"always"`, `{"Uri":{"Fn::GetAtt":7}}`)), StatusFailure, "Uri: is Fn::GetAtt"},
		{"RequestParameters list", request(methodTemplate(`"always"`, `{"Uri":{"Ref":"Fn"},"RequestParameters":[]}`)), StatusFailure, "RequestParameters: is a list"},
		{"IntegrationResponses string", request(methodTemplate(`"always"`, `{"Uri":{"Ref":"Fn"},"IntegrationResponses":"x"}`)), StatusFailure, "IntegrationResponses: is a string"},
		{"resource not an object", request(`{"Resources":{"A":1,"B":null,"C":[]}}`), StatusSuccess, `"A":1`},
		{"resource type not a string", request(`{"Resources":{"A":{"Type":["AWS::ApiGateway::Method"],"Properties":{"AsyncInvoke":"always"}}}}`), StatusFailure, "not to a resource without a Type"},
		{"nested 500 deep", request(`{"Metadata":` + deep + `,"Resources":{}}`), StatusSuccess, strings.Repeat(`{"a":`, 500)},
		{"huge and unusual numbers", request(`{"N":[1e400,-0,0.1000000000000000055511151231257827,123456789012345678901234567890,-1E-400],"Resources":{}}`), StatusSuccess, `[1e400,-0,0.1000000000000000055511151231257827,123456789012345678901234567890,-1E-400]`},
		{"unicode keys and values", request(`{"Resources":{"Ünï":{"Type":"Custom::X","Properties":{"日本":"✓ \u2028 \ud83d\ude00"}}}}`), StatusSuccess, `"日本":"✓ \u2028 😀"`},
		{"3000 methods, one function", many.String()[:0] + request(many.String()), StatusSuccess, `"FnApiAsyncInvokePermission"`},
		{"5 MB template", request(big), StatusSuccess, `"FnApiAsyncInvokePermission"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, sum := Handle([]byte(tc.payload))
			r := decodeResponse(t, out)
			assert.Equal(t, tc.status, r.Status, r.ErrorMessage)
			assert.Equal(t, tc.status, sum.Status)
			if strings.HasPrefix(tc.payload, `{"requestId":"r-1"`) {
				assert.Equal(t, "r-1", r.RequestID)
			}
			if tc.status == StatusFailure {
				assert.Contains(t, r.ErrorMessage, tc.want)
			} else {
				assert.Contains(t, string(r.Fragment), tc.want)
			}
			// The next request is answered normally.
			next, _ := Handle([]byte(request(methodTemplate(`"client"`, okIntegration))))
			assert.Equal(t, StatusSuccess, decodeResponse(t, next).Status)
		})
	}
}

// TestPanicIsRecovered: a bug that panics answers a failure, not a crash.
func TestPanicIsRecovered(t *testing.T) {
	defer func(e func(any, map[string]any, Stack) (Stats, error)) { expand = e }(expand)
	expand = func(any, map[string]any, Stack) (Stats, error) { panic("boom") }
	out, sum := Handle([]byte(request(`{"Resources":{}}`)))
	r := decodeResponse(t, out)
	assert.Equal(t, StatusFailure, r.Status)
	assert.Equal(t, "r-1", r.RequestID)
	assert.Contains(t, r.ErrorMessage, "boom")
	assert.Equal(t, StatusFailure, sum.Status)
}

// TestSummaryHoldsNoValues: the logged line carries no parameter values and
// no template content.
func TestSummaryHoldsNoValues(t *testing.T) {
	payload := `{"requestId":"r-9","transformId":"t","templateParameterValues":{"Secret":"hunter2"},"fragment":` + methodTemplate(`"always"`, `{"Uri":{"Ref":"Fn"}}`) + `}`
	_, sum := Handle([]byte(payload))
	line := sum.String()
	assert.NotContains(t, line, "hunter2")
	assert.NotContains(t, line, "AWS::")
	assert.Contains(t, line, `requestId="r-9"`)
	assert.Contains(t, line, "methods=1")
	assert.Contains(t, line, "permissions=1")
}

// TestKeyOrderKept: what the macro does not own keeps its order.
func TestKeyOrderKept(t *testing.T) {
	frag := `{"Z":1,"Resources":{"Zed":{"Type":"Custom::A","Properties":{"b":1,"a":2}},"Api":{"Type":"AWS::ApiGateway::RestApi"},"Fn":{"Type":"AWS::Lambda::Function"},"M":` +
		fmt.Sprintf(method, `"always"`, `{"Uri":{"Ref":"Fn"}}`) + `},"A":0.10}`
	out, _ := Handle([]byte(request(frag)))
	r := decodeResponse(t, out)
	s := string(r.Fragment)
	assert.True(t, strings.HasPrefix(s, `{"Z":1,"Resources":{"Zed":{"Type":"Custom::A","Properties":{"b":1,"a":2}},"Api":`), s)
	assert.True(t, strings.HasSuffix(s, `"A":0.10}`), s)
}
