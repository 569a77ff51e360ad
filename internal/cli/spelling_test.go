package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNearly(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"AsyncInvok", true},       // a letter left out
		{"AsyncInvokes", true},     // one added
		{"AsycnInvoke", true},      // two swapped
		{"AsyncInvoek", true},      // two swapped at the end
		{"asyncinvoke", true},      // another case
		{"ASYNC-INVOKE", true},     // another case, and a letter added
		{"x-async-invok", true},    // the OpenAPI shorthand, a letter left out
		{"x_async_invoke", true},   // two letters changed
		{"X-Async-Invoke", true},   // another case
		{"AsyncInvoke", true},      // the shorthand itself is near it too (keys skips it)
		{"AsyncInvocation", false}, // another word
		{"x-async-invoke-note", false},
		{"AsyncInvokeMode", false},
		{"Integration", false},
		{"x-amazon-apigateway-integration", false},
		{"", false},
	}
	for _, tc := range tests {
		got := nearly(tc.key, "AsyncInvoke") || nearly(tc.key, "x-async-invoke")
		assert.Equal(t, tc.want, got, tc.key)
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"", "ab", 2}, {"abc", "acb", 1}, {"abc", "ab", 1},
		{"abc", "xbc", 1}, {"ca", "abc", 3}, {"kitten", "sitting", 3}, {"a", "abcde", 4},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, distance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, distance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}
