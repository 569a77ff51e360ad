package macro

import (
	"os"
	"testing"
)

// TestCostProbe runs one side of BenchmarkHandle's 1 MB case a few times,
// for counting instructions under valgrind (make bench-instructions); it is
// skipped otherwise. ASYNCINVOKE_PROBE is macro, floor or none.
func TestCostProbe(t *testing.T) {
	side := os.Getenv("ASYNCINVOKE_PROBE")
	if side == "" {
		t.Skip("set ASYNCINVOKE_PROBE=macro|floor|none to probe")
	}
	payload := benchRequest(200, 2500)
	for range 3 {
		switch side {
		case "macro":
			Handle(payload)
		case "floor":
			req, _ := DecodeRequest(payload)
			_, _ = Response{RequestID: req.RequestID, Status: StatusSuccess, Fragment: req.Fragment}.MarshalJSON()
		}
	}
}
