package macro

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOverridesInvocationType: a request template that assigns
// X-Amz-Invocation-Type through $context.requestOverride decides the
// invocation type itself and is refused; reading it, mentioning it in a VTL
// comment, or setting another header is fine.
func TestOverridesInvocationType(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"set by property", `#set($context.requestOverride.header.X-Amz-Invocation-Type = "RequestResponse")`, true},
		{"set by property, lower case", `#set( $context.requestoverride.header.x-amz-invocation-type="Event" )`, true},
		{"set by index", `#set($context.requestOverride.header["X-Amz-Invocation-Type"] = 'Event')`, true},
		{"set by index, single quotes", `#set($context.requestOverride.header['x-amz-invocation-type'] = $input.params('t'))`, true},
		{"set with put", `$context.requestOverride.header.put("X-Amz-Invocation-Type", "Event")`, true},
		{"set through a variable", "#set($h = $context.requestOverride.header)\n#set($h[\"X-Amz-Invocation-Type\"] = \"Event\")", true},
		{"set after a comment", "## says nothing\n#set($context.requestOverride.header.X-Amz-Invocation-Type = \"Event\")", true},
		{"set with the name in a variable", "#set($n = 'X-Amz-Invocation-Type')\n#set($context.requestOverride.header[$n] = 'RequestResponse')", true},
		{"put with the name in a variable", "#set($n = \"x-amz-invocation-type\")\n$util.qr($context.requestOverride.header.put($n, 'Event'))", true},
		{"another header named by a variable", "#set($n = 'X-Trace')\n#set($context.requestOverride.header[$n] = 'a')", false},
		{"set after a quoted ##", `#set($x = "a ## b") #set($context.requestOverride.header.X-Amz-Invocation-Type = 'Event')`, true},
		{"in a comment after quoted text", `{"a": "b"} ## #set($context.requestOverride.header.X-Amz-Invocation-Type = 'Event')`, false},
		{"set after a quoted #*", "#set($x = \"a #* b\") #set($context.requestOverride.header.X-Amz-Invocation-Type = 'Event') #set($y = \"*#\")", true},
		{"the name read, another header named by a variable", "{\"t\": \"$input.params('X-Amz-Invocation-Type')\"}\n#foreach($n in [\"X-Trace\"])#set($context.requestOverride.header[$n] = \"1\")#end", false},
		{"the name in a list, set by a variable", "#foreach($n in ['X-Trace', 'X-Amz-Invocation-Type'])#set($context.requestOverride.header[$n] = 'Event')#end", true},
		{"only read", `{"was": "$context.requestOverride.header.X-Amz-Invocation-Type"}`, false},
		{"compared", `#if($context.requestOverride.header.X-Amz-Invocation-Type == "Event")x#end`, false},
		{"compared, not equal", `#if($context.requestOverride.header.X-Amz-Invocation-Type != "Event")x#end`, false},
		{"in a line comment", `## never #set($context.requestOverride.header.X-Amz-Invocation-Type = "Event")`, false},
		{"in a block comment", "#* #set($context.requestOverride.header.X-Amz-Invocation-Type = \"Event\") *#\n$input.body", false},
		{"a longer header name", `#set($context.requestOverride.header.X-Amz-Invocation-TypeX = "a")`, false},
		{"a header with the name as prefix", `#set($context.requestOverride.header.x-amz-invocation-type-legacy = "a")`, false},
		{"another header", `#set($context.requestOverride.header.X-Trace = "a")`, false},
		{"no request override", `#set($m = {})#set($m["X-Amz-Invocation-Type"] = "Event")`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, overridesInvocationType(tc.text))
		})
	}
}
