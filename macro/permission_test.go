package macro

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSourceARNCovers: an existing permission's SourceArn covers a method
// only when it matches every call of it (any stage; any value of a path
// parameter; any method of ANY), as Lambda's ArnLike comparison would.
func TestSourceARNCovers(t *testing.T) {
	const prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
	post := route{method: "POST", path: "/jobs/{id}"}
	stack := Stack{Region: "eu-west-1", AccountID: "123456789012"}
	tests := []struct {
		name  string
		arn   string
		r     route
		stack Stack
		want  bool
	}{
		{"every stage and method", prefix + "${Api}/*/*", post, Stack{}, true},
		{"everything", prefix + "${Api}/*", post, Stack{}, true},
		{"RestApiId attribute", prefix + "${Api.RestApiId}/*/*", post, Stack{}, true},
		{"this method, path parameter as *", prefix + "${Api}/*/POST/jobs/*", post, Stack{}, true},
		{"this method, one stage", prefix + "${Api}/prod/POST/jobs/*", post, Stack{}, false},
		{"another method", prefix + "${Api}/*/GET/jobs/*", post, Stack{}, false},
		{"the literal path template", prefix + "${Api}/*/POST/jobs/{id}", post, Stack{}, false},
		{"one character wildcard", prefix + "${Api}/*/POST/jobs/?", post, Stack{}, false},
		{"ANY needs a method wildcard", prefix + "${Api}/*/GET/*", route{method: "ANY", path: "/x"}, Stack{}, false},
		{"ANY with a wildcard", prefix + "${Api}/*/*/x", route{method: "ANY", path: "/x"}, Stack{}, true},
		{"the root path", prefix + "${Api}/*/GET/", route{method: "GET", path: "/"}, Stack{}, true},
		{"unknown path needs a wildcard", prefix + "${Api}/*/GET/jobs", route{method: "GET"}, Stack{}, false},
		{"another API", prefix + "${Other}/*/*", post, Stack{}, false},
		{"any API", prefix + "*", post, Stack{}, true},
		{"literal region, stack unknown", "arn:aws:execute-api:eu-west-1:123456789012:${Api}/*/*", post, Stack{}, false},
		{"literal region, same stack", "arn:aws:execute-api:eu-west-1:123456789012:${Api}/*/*", post, stack, true},
		{"literal region, other region", "arn:aws:execute-api:us-east-1:123456789012:${Api}/*/*", post, stack, false},
		{"not execute-api", "arn:aws:s3:::bucket", post, stack, false},
		{"unreadable", "${?}", post, stack, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, sourceARNCovers(tc.arn, "Api", tc.stack, tc.r))
		})
	}
}
