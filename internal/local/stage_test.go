package local

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStages: the stage each API is served on, as its template declares it
// and --stage chooses it, and what is said when the choice is not plain.
func TestStages(t *testing.T) {
	tt := readTemplate(t, "stages.yaml")
	tests := []struct {
		name       string
		stage      string // --stage
		parameters map[string]any
		api        string
		want       Stage // Source is not compared
		warning    string
	}{
		{name: "a Stage's name and variables; a parameter's Default; what the template does not tell is left out", api: "One",
			want:    Stage{Name: "prod", Variables: map[string]string{"greeting": "hello", "alias": "live", "invocation": "Event"}},
			warning: "Resources.OneStage.Properties.Variables.unknown: cannot tell the stage variable's value ({\"Fn::GetAtt\":[\"Fn\",\"Arn\"]}): only text and parameters (-p) are read here; it is left out"},
		{name: "a parameter's value given", api: "One", parameters: map[string]any{"Greeting": "hi"},
			want: Stage{Name: "prod", Variables: map[string]string{"greeting": "hi", "alias": "live", "invocation": "Event"}}},
		{name: "two stages: the first (a Deployment's StageName), said", api: "Two",
			want:    Stage{Name: "dev", Variables: map[string]string{"color": "blue"}},
			warning: "Two has 2 stages; it is served on stage dev (Resources.TwoDeployment), not on prod: choose one with --stage"},
		{name: "two stages, --stage names one", api: "Two", stage: "prod",
			want: Stage{Name: "prod", Variables: map[string]string{"color": "red"}}},
		{name: "--stage names none of the API's", api: "Two", stage: "qa",
			want:    Stage{Name: "qa"},
			warning: "Two has no stage qa (its stages: dev, prod); it is served on stage qa with no stage variables"},
		{name: "SAM's StageName, Variables merged with Globals'", api: "Sam",
			want: Stage{Name: "v1", Variables: map[string]string{"own": "2", "fromGlobals": "3"}}},
		{name: "no stage: the stand-in", api: "None", want: Stage{Name: "local"}},
		{name: "no stage, --stage names it", api: "None", stage: "qa", want: Stage{Name: "qa"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			routes, warnings := Routes(tt, tc.parameters, tc.stage)
			found := false
			for _, r := range routes {
				if r.API != tc.api {
					continue
				}
				found = true
				got := r.Stage
				got.Source = ""
				if len(got.Variables) == 0 {
					got.Variables = nil
				}
				assert.Equal(t, tc.want, got, "%s %s", r.Method, r.Path)
			}
			require.True(t, found, "no route of %s", tc.api)
			all := strings.Join(warnings, "\n")
			if tc.warning != "" {
				assert.Contains(t, all, tc.warning)
			}
		})
	}
}

// TestStageServed: what a request on a stage sees: $context.stage and
// $stageVariables in a request template, a response header mapped from a
// stage variable, the proxy event's stageVariables, an invocation type
// mapped from a stage variable, and an alias a stage variable names.
func TestStageServed(t *testing.T) {
	fake := &fakeLambda{}
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	s, err := NewServer(context.Background(), Config{Template: readTemplate(t, "stages.yaml"), Endpoints: map[string]string{"Fn": ts.URL},
		Log: &syncWriter{w: &strings.Builder{}}, Parameters: map[string]any{"Greeting": "hi"}})
	require.NoError(t, err)
	t.Cleanup(s.Close)

	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("PUT", "/items", strings.NewReader(`{}`)))
	require.Equal(t, 200, w.Code, w.Body.String())
	assert.Equal(t, "hi", w.Header().Get("X-Greeting"))
	require.Len(t, fake.payloads, 1)
	assert.JSONEq(t, `{"stage": "prod", "greeting": "hi"}`, fake.payloads[0])

	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/proxy", strings.NewReader(`{}`)))
	require.Len(t, fake.payloads, 2)
	var ev events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal([]byte(fake.payloads[1]), &ev))
	assert.Equal(t, map[string]string{"greeting": "hi", "alias": "live", "invocation": "Event"}, ev.StageVariables)
	assert.Equal(t, "prod", ev.RequestContext.Stage)

	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/items", strings.NewReader(`{}`)))
	assert.Equal(t, 202, w.Code, "X-Amz-Invocation-Type from stageVariables.invocation (Event): answered at once")
	s.Drain(5 * time.Second)
	assert.EqualValues(t, 3, fake.calls.Load())
	for _, r := range s.Routes() {
		if r.Method == "POST" && r.Path == "/items" {
			assert.Equal(t, "Fn:live", r.target.String(), "the alias stageVariables.alias names")
		}
	}
}
