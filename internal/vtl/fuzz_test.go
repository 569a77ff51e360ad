package vtl_test

import (
	"errors"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
)

// FuzzTemplate: whatever the template and the body, Parse and Execute
// return (within the bounds: steps, output, nesting), never panic, and
// fail only with an *Error that names a place.
func FuzzTemplate(f *testing.F) {
	f.Add(`#set($r = $input.path('$'))#foreach($e in $r.items)"$e.id"#if($foreach.hasNext),#end#end`, `{"items": [{"id": 1}, {"id": "a"}]}`)
	f.Add(`{"body": "$util.escapeJavaScript($input.body).replaceAll("\\'", "'")", "q": "$input.params('q')"}`, `it's "x"`)
	f.Add(`#if($a == 1 && !$b || $c.size() > 2)x#elseif("$d" != "")y#{else}z#end $m.put("k", [1..3]) ${m.k[-1]}`, ``)
	f.Add(`#set($s = "a,b")#foreach($p in $s.split(","))$p.substring(0, 1).toUpperCase()#end $util.urlEncode($util.base64Decode("YQ=="))`, `[]`)
	f.Add("## c\n#* c *#\\$x \\#if #[[raw]]# $input.json('$..x') $input.path('a[0].b') #stop", `{"a": [{"b": {"x": 1.5e3}}]}`)
	f.Fuzz(func(t *testing.T, src, body string) {
		tmpl, err := vtl.Parse(src)
		if err != nil {
			var e *vtl.Error
			if !errors.As(err, &e) || e.Line < 1 || e.Column < 1 {
				t.Fatalf("Parse: %v is not an *Error with a place", err)
			}
			return
		}
		r, err := tmpl.Execute(vtl.Variables{
			Body:    body,
			Params:  vtl.Params{Path: map[string]string{"id": "1"}, QueryString: map[string]string{"q": body}, Header: map[string]string{"Accept": "*/*"}},
			Context: map[string]any{"requestId": "r", "identity": map[string]any{"sourceIp": "127.0.0.1"}},
		})
		if err != nil {
			var e *vtl.Error
			if !errors.As(err, &e) || e.Line < 1 || e.Column < 1 {
				t.Fatalf("Execute: %v is not an *Error with a place", err)
			}
			return
		}
		if len(r.Output) > vtl.MaxOutput {
			t.Fatalf("the output is %d bytes, past MaxOutput", len(r.Output))
		}
	})
}
