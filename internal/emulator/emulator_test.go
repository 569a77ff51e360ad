package emulator

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCutShortFilter: once the emulator's runner is stopping, the
// emulator's line for an invocation cut short is left out of its log (the
// runner says so in its own line), and nothing else is; before, every
// line passes.
func TestCutShortFilter(t *testing.T) {
	const reset = "02 Dec 2026 06:57:09,554 [ERROR] (rapid) Invoke failed error=errResetReceived InvokeID=ad45e06f-6e9c-4442-bd30-0fd00433cfde\n"
	tests := []struct {
		name     string
		stopping bool
		chunk    string
		want     string
	}{
		{"running: the line passes", false, reset, reset},
		{"stopping: the line alone", true, reset, ""},
		{"stopping: between the function's lines", true, "worker: one\n" + reset + "END RequestId: x\n", "worker: one\nEND RequestId: x\n"},
		{"stopping: other lines pass", true, "worker: stopping\n", "worker: stopping\n"},
		{"stopping: a line without its newline", true, "a\n" + reset[:len(reset)-1], "a\n"},
		{"stopping: the fields in another order", true, "02 Dec 2026 07:14:56,476 [ERROR] (rapid) Invoke failed InvokeID=f772aa06-79c1-4b18-9445-793fd7c3b7c1 error=errResetReceived\nStopped\n", "Stopped\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.stopping {
				cancel()
			}
			var out bytes.Buffer
			n, err := (&cutShortFilter{w: &out, stopping: ctx}).Write([]byte(tc.chunk))
			assert.NoError(t, err)
			assert.Equal(t, len(tc.chunk), n, "the whole chunk is taken")
			assert.Equal(t, tc.want, out.String())
		})
	}
}
