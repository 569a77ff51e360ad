package tests

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostileEvents: the function under the emulator answers every hostile
// event with a macro response and then answers a normal request normally.
func TestHostileEvents(t *testing.T) {
	em, _ := start(t, "functions/macro")
	normal := string(macroRequest(2, 0))
	tests := []struct {
		name, payload, status string
	}{
		{"not a macro request", `{"hello":"world"}`, "failure"},
		{"a JSON list", `[1,2,3]`, "failure"},
		{"null fragment", `{"requestId":"h","fragment":null}`, "failure"},
		{"nested 800 levels", `{"requestId":"h","fragment":{"Metadata":` + strings.Repeat(`[`, 800) + strings.Repeat(`]`, 800) + `,"Resources":{}}}`, "success"},
		{"nested 9,000 levels", `{"requestId":"h","fragment":{"Metadata":` + strings.Repeat(`[`, 9000) + strings.Repeat(`]`, 9000) + `,"Parameters":` + strings.Repeat(`{"a":`, 9000) + "1" + strings.Repeat(`}`, 9000) + `,"Resources":{}}}`, "success"},
		{"nested 100,000 levels", `{"requestId":"h","fragment":{"Metadata":` + strings.Repeat(`[`, 100000) + strings.Repeat(`]`, 100000) + `,"Resources":{}}}`, "failure"},
		{"not UTF-8", "{\"requestId\":\"h\",\"fragment\":{\"Outputs\":{\"O\":\"\xff\"},\"Resources\":{}}}", "failure"},
		{"duplicate keys", `{"requestId":"h","fragment":{"Resources":{},"Resources":{}}}`, "failure"},
		{"duplicate keys where kept raw", `{"requestId":"h","fragment":{"Resources":{"T":{"Type":"Custom::X","Properties":{"A":1,"A":1}}}}}`, "failure"},
		{"5 MB template, 1000 methods", string(macroRequest(1000, 5<<20)), "success"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := em.Invoke(ctx, []byte(tc.payload))
			require.NoError(t, err)
			var resp struct {
				RequestID, Status, ErrorMessage string
			}
			require.NoError(t, json.Unmarshal(out, &resp), "%.300s", out)
			assert.Equal(t, tc.status, resp.Status, resp.ErrorMessage)

			out, err = em.Invoke(ctx, []byte(normal))
			require.NoError(t, err)
			assert.Contains(t, string(out[:100]), `"status":"success"`)
		})
	}
}
