package tests

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// received is what tests/proxyhandler answers: the event as the handler
// decoded it (aws-lambda-go's events.APIGatewayProxyRequest, written out
// again), the event as Lambda delivered it, and the request ID it ran under.
type received struct {
	RequestID string          `json:"requestId"`
	Event     map[string]any  `json:"event"`
	Raw       json.RawMessage `json:"raw"`
}

// record is an invocation record, as --destinations-dir writes it.
type record struct {
	RequestContext struct {
		RequestID string `json:"requestId"`
		Condition string `json:"condition"`
	} `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponsePayload json.RawMessage `json:"responsePayload"`
}

// TestProxyEventEndToEnd runs `asyncinvoke local start-api` on
// testdata/proxyevent.yaml: a Go handler built on aws-lambda-go's
// events.APIGatewayProxyRequest (tests/proxyhandler) behind a proxy route
// (AWS_PROXY, synchronous) and behind the same route made asynchronous
// with Event: proxy and Accepted. The same request sent to both reaches
// the handler as the same event, apart from the fields the README's table
// of Event: proxy says can differ, and exactly those a request of its kind
// makes differ; the asynchronous route answers 202 with Lambda's request
// ID in the body and X-Request-Id, the handler runs under that ID, and the
// records of the function's destinations carry it, with the event.
func TestProxyEventEndToEnd(t *testing.T) {
	// The README's table, and the list this test checks: they must agree.
	mayDiffer := readmeDiffering(t)
	require.ElementsMatch(t, []string{"headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters",
		"requestContext", "requestContext.authorizer", "body"}, mayDiffer, "the README's table of Event: proxy names the fields that differ")

	dir := filepath.Join(t.TempDir(), "records")
	srv := startServer(t, "", nil, 3*time.Minute, "-t", "testdata/proxyevent.yaml", "--destinations-dir", dir)

	const hostile = "quote \" apostrophe ' backslash \\ backslash-apostrophe \\' slash / </script>\n" +
		"newline \n return \r tab \t nul \x00 bell \x07 escape \x1b del \x7f\n" +
		"é 世 😀 \u2028 $context.requestId #set($x = 1) ${x} end"
	tests := []struct {
		name, method, query, body string
		header                    http.Header
		differ                    []string // the fields that differ for this request, a part of the README's
	}{
		{
			name: "headers and query parameters given twice, and a body of every kind of character", method: "POST",
			query: "?tag=a&tag=b&q=it%27s+%22x%22+%5C&u=caf%C3%A9",
			body:  hostile,
			header: http.Header{
				"Content-Type": {"text/plain; charset=utf-8"},
				"X-Tag":        {"a", "b"},
				"X-Quote":      {`it's "quoted" \ back`},
				"X-Unicode":    {"café"},
			},
			differ: []string{"multiValueHeaders", "multiValueQueryStringParameters"},
		},
		{name: "a GET without a body", method: "GET"},
		{
			name: "a POST without a body, with a Content-Type", method: "POST",
			header: http.Header{"Content-Type": {"application/json"}},
			differ: []string{"body"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := send(t, srv.base, tc.method, "/sync/items/42"+tc.query, tc.body, tc.header)
			require.Equal(t, 200, status, body)
			var direct received
			require.NoError(t, json.Unmarshal([]byte(body), &direct), body)

			status, header, body = send(t, srv.base, tc.method, "/async/items/42"+tc.query, tc.body, tc.header)
			require.Equal(t, 202, status, body)
			id := header.Get("X-Request-Id")
			require.Regexp(t, `^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$`, id)
			assert.JSONEq(t, `{"requestId":"`+id+`"}`, body)
			assert.NotEqual(t, header.Get("X-Amzn-RequestId"), id, "Lambda's request ID, not API Gateway's")

			rec := waitRecord(t, filepath.Join(dir, "Succeeded"), id)
			assert.Equal(t, "Success", rec.RequestContext.Condition)
			var answer struct {
				StatusCode int
				Body       string
			}
			require.NoError(t, json.Unmarshal(rec.ResponsePayload, &answer))
			var queued received
			require.NoError(t, json.Unmarshal([]byte(answer.Body), &queued), answer.Body)
			assert.Equal(t, id, queued.RequestID, "the handler runs under the ID the caller got")
			assert.JSONEq(t, string(rec.RequestPayload), string(queued.Raw), "the record carries the event")

			assert.Equal(t, tc.body, direct.Event["body"], "the handler reads the body byte for byte")
			assert.Equal(t, map[string]any{"color": "blue", "every": "aZ09-._~:/?#&=,"}, direct.Event["stageVariables"], "the stage's variables")
			route(t, direct.Event, "/sync/items/{id}", "/sync/items/42")
			route(t, queued.Event, "/async/items/{id}", "/async/items/42")
			differ := differing(direct.Event, queued.Event)
			assert.ElementsMatch(t, tc.differ, differ, "the fields that differ, as the handler decoded them:\n direct %v\n queued %v", direct.Event, queued.Event)
			assert.Subset(t, mayDiffer, differ, "only fields the README names differ")

			// As Lambda delivered them (null and "" apart, as a Node handler
			// sees them): the same, but for the same fields.
			var rawDirect, rawQueued map[string]any
			require.NoError(t, json.Unmarshal(direct.Raw, &rawDirect))
			require.NoError(t, json.Unmarshal(queued.Raw, &rawQueued))
			for _, k := range []string{"resource", "path", "requestContext"} {
				delete(rawDirect, k)
				delete(rawQueued, k)
			}
			assert.ElementsMatch(t, tc.differ, differing(rawDirect, rawQueued), "the fields that differ, as Lambda delivered them")
		})
	}

	t.Run("a failed call's record carries the ID and the event", func(t *testing.T) {
		status, header, body := send(t, srv.base, "GET", "/async/items/7?fail=no+such+item", "", nil)
		require.Equal(t, 202, status, body)
		id := header.Get("X-Request-Id")
		assert.JSONEq(t, `{"requestId":"`+id+`"}`, body)
		rec := waitRecord(t, filepath.Join(dir, "Failed"), id)
		assert.Equal(t, "RetriesExhausted", rec.RequestContext.Condition)
		var ev struct {
			HTTPMethod, Path, Resource string
			QueryStringParameters      map[string]string
			Body                       *string
			RequestContext             struct{ RequestID string }
		}
		require.NoError(t, json.Unmarshal(rec.RequestPayload, &ev))
		assert.Equal(t, "GET", ev.HTTPMethod)
		assert.Equal(t, "/async/items/7", ev.Path)
		assert.Equal(t, "/async/items/{id}", ev.Resource)
		assert.Equal(t, map[string]string{"fail": "no such item"}, ev.QueryStringParameters)
		assert.Nil(t, ev.Body)
		assert.Equal(t, header.Get("X-Amzn-RequestId"), ev.RequestContext.RequestID, "the event's requestContext.requestId is API Gateway's")
		assert.JSONEq(t, `{"errorMessage":"no such item","errorType":"errorString"}`, string(rec.ResponsePayload))
		assert.Regexp(t, regexp.MustCompile(`async \S+ ProxyHandler \(ANY /async/items/\{id\}\): failed after 1 attempt: function error`), srv.logs.String())
	})
	srv.interrupt(t, 30*time.Second)
}

// send sends a request with header (names and all their values) and
// returns the answer.
func send(t *testing.T, base, method, target, body string, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+target, strings.NewReader(body))
	require.NoError(t, err)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// waitRecord waits for the invocation record of request ID id in a
// destination's folder.
func waitRecord(t *testing.T, dir, id string) record {
	t.Helper()
	var found *record
	require.Eventually(t, func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			var r record
			if err == nil && json.Unmarshal(b, &r) == nil && r.RequestContext.RequestID == id {
				found = &r
				return true
			}
		}
		return false
	}, time.Minute, 20*time.Millisecond, "a record of %s in %s", id, dir)
	return *found
}

// route checks the fields that name the route and the request, which
// differ between the two routes by construction, and removes them: the
// resource and path, and requestContext's resourcePath, path, resourceId,
// requestId, extendedRequestId and request time.
func route(t *testing.T, ev map[string]any, resource, path string) {
	t.Helper()
	rc, _ := ev["requestContext"].(map[string]any)
	require.NotNil(t, rc, "requestContext")
	assert.Equal(t, resource, ev["resource"])
	assert.Equal(t, path, ev["path"])
	assert.Equal(t, resource, rc["resourcePath"])
	assert.Equal(t, path, rc["path"])
	for _, k := range []string{"resourceId", "requestId", "extendedRequestId", "requestTime", "requestTimeEpoch"} {
		assert.NotEmpty(t, rc[k], "requestContext.%s", k)
		delete(rc, k)
	}
	delete(rc, "resourcePath")
	delete(rc, "path")
	delete(ev, "resource")
	delete(ev, "path")
}

// differing lists the fields of two events that differ: the top-level
// ones, and within requestContext its authorizer, or else requestContext.
func differing(a, b map[string]any) []string {
	var out []string
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, k := range keys(a, b) {
		ra, okA := a[k].(map[string]any)
		rb, okB := b[k].(map[string]any)
		if k != "requestContext" || !okA || !okB {
			if !reflect.DeepEqual(a[k], b[k]) {
				add(k)
			}
			continue
		}
		for _, s := range keys(ra, rb) {
			if !reflect.DeepEqual(ra[s], rb[s]) {
				if s == "authorizer" {
					add("requestContext.authorizer")
				} else {
					add("requestContext")
				}
			}
		}
	}
	return out
}

func keys(ms ...map[string]any) []string {
	var out []string
	for _, m := range ms {
		for k := range m {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// readmeDiffering reads the README's table of what the template of Event:
// proxy writes: the fields of each row whose last column (how it differs
// from the proxy integration's event) says something.
func readmeDiffering(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	const head = "| field | from | differs from the proxy integration's event |"
	_, table, found := strings.Cut(string(b), head)
	require.True(t, found, "the README has the table %q", head)
	var out []string
	for _, line := range strings.Split(table, "\n")[2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		require.Len(t, cells, 3, line)
		if strings.TrimSpace(cells[2]) == "" {
			continue
		}
		for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cells[0], -1) {
			out = append(out, m[1])
		}
	}
	return out
}
