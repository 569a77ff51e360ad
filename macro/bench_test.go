package macro

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/tests/bench/benchreq"
)

var benchCases = []struct {
	name    string
	methods int // async methods and operations, for the cost per method
	payload []byte
}{
	// The README's case: 400 async methods among 2,000 other resources.
	{"template=1MB", 400, benchreq.Template(400, 2000)},
	// Everything decoded: 2,500 async operations in one RestApi Body.
	{"openapi=1MB", 200 + 2500, benchreq.OpenAPI(200, 2500)},
	// Cost per method as templates grow.
	{"methods=100", 100, benchreq.Template(100, 0)},
	{"methods=1000", 1000, benchreq.Template(1000, 0)},
	{"methods=10000", 10000, benchreq.Template(10000, 0)},
}

// BenchmarkHandle measures, for each case, the whole request (macro:
// decode, expand, encode, as the Lambda function runs it) beside two floors
// that do not depend on this project's code:
//
//   - json: what any Go macro written with aws-lambda-go starts from,
//     encoding/json's Unmarshal of the request into map[string]any and
//     Marshal of it (no transformation, and lossy: key order and number
//     text are lost);
//   - copy: copying the payload, the physical floor.
//
// The three run one after the other in one process so that a noisy machine
// affects them alike; `make bench` prints their ratios (tests/benchtable).
func BenchmarkHandle(b *testing.B) {
	for _, c := range benchCases {
		perMethod := func(b *testing.B) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.methods), "ns/method")
		}
		b.Run(c.name+"/macro", func(b *testing.B) {
			b.SetBytes(int64(len(c.payload)))
			b.ReportAllocs()
			for b.Loop() {
				if _, sum := Handle(c.payload); sum.Status != StatusSuccess {
					b.Fatal(sum)
				}
			}
			perMethod(b)
		})
		b.Run(c.name+"/json", func(b *testing.B) {
			b.SetBytes(int64(len(c.payload)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jsonEcho(c.payload); err != nil {
					b.Fatal(err)
				}
			}
			perMethod(b)
		})
		b.Run(c.name+"/copy", func(b *testing.B) {
			b.SetBytes(int64(len(c.payload)))
			b.ReportAllocs()
			for b.Loop() {
				if out := bytes.Clone(c.payload); len(out) != len(c.payload) {
					b.Fatal("short copy")
				}
			}
			perMethod(b)
		})
	}
}

// jsonEcho is floor (a): the request through encoding/json and back.
func jsonEcho(payload []byte) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

func TestBenchTemplateSize(t *testing.T) {
	for _, c := range benchCases[:2] {
		if n := len(c.payload); n < 900_000 || n > 1_100_000 {
			t.Errorf("the 1 MB benchmark request %s is %d bytes", c.name, n)
		}
		if _, sum := Handle(c.payload); sum.Status != StatusSuccess || sum.Methods+sum.Operations != c.methods {
			t.Errorf("%s: %v", c.name, sum)
		}
	}
}
