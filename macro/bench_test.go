package macro

import (
	"fmt"
	"strings"
	"testing"
)

// benchRequest builds a macro request with n async methods (all invoking one
// function, the worst case for permission de-duplication) and, when
// operations > 0, an OpenAPI body with that many async operations.
func benchRequest(n, operations int) []byte {
	var b strings.Builder
	b.WriteString(`{"requestId":"bench","transformId":"t","region":"us-east-1","accountId":"123456789012","params":{},"templateParameterValues":{},"fragment":{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"Fn":{"Type":"AWS::Lambda::Function","Properties":{"Runtime":"provided.al2023","Handler":"bootstrap","MemorySize":128,"Timeout":30}}`)
	b.WriteString(`,"Api":{"Type":"AWS::ApiGateway::RestApi","Properties":{"Name":"bench"`)
	if operations > 0 {
		b.WriteString(`,"Body":{"openapi":"3.0.1","info":{"title":"bench","version":"1.0"},"paths":{`)
		for i := range operations {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"/items%d/{id}":{"post":{"summary":"Start job %d and return at once; the worker runs on its own","x-async-invoke":"client","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],"x-amazon-apigateway-integration":{"uri":{"Fn::Sub":"arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}}`, i, i)
		}
		b.WriteString(`}}`)
	}
	b.WriteString(`}}`)
	for i := range n {
		fmt.Fprintf(&b, `,"Method%d":{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"ResourceId":{"Fn::GetAtt":["Api","RootResourceId"]},"HttpMethod":"POST","AuthorizationType":"NONE","AsyncInvoke":"always","Integration":{"Uri":{"Fn::GetAtt":["Fn","Arn"]},"TimeoutInMillis":29000}}}`, i)
	}
	b.WriteString(`}}}`)
	return []byte(b.String())
}

var benchCases = []struct {
	name                string
	methods, operations int
}{
	{"methods=10", 10, 0},
	{"methods=100", 100, 0},
	{"methods=1000", 1000, 0},
	{"template=1MB", 200, 2500},
}

// BenchmarkHandle measures, for each case, the whole request (macro:
// decode, expand, encode) beside its floor (floor: decoding the same request
// and encoding the same response with the same JSON machinery, and no
// transformation). The two run one after the other so that a noisy machine
// affects both alike; `make bench` prints their ratio.
func BenchmarkHandle(b *testing.B) {
	for _, c := range benchCases {
		payload := benchRequest(c.methods, c.operations)
		perMethod := func(b *testing.B) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.methods+c.operations), "ns/method")
		}
		b.Run(c.name+"/macro", func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			for b.Loop() {
				if _, sum := Handle(payload); sum.Status != StatusSuccess {
					b.Fatal(sum)
				}
			}
			perMethod(b)
		})
		b.Run(c.name+"/floor", func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			for b.Loop() {
				req, err := DecodeRequest(payload)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := (Response{RequestID: req.RequestID, Status: StatusSuccess, Fragment: req.Fragment}).MarshalJSON(); err != nil {
					b.Fatal(err)
				}
			}
			perMethod(b)
		})
	}
}

func TestBenchTemplateSize(t *testing.T) {
	if n := len(benchRequest(200, 2500)); n < 900_000 || n > 1_100_000 {
		t.Fatalf("the 1 MB benchmark template is %d bytes", n)
	}
}
