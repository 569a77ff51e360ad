package vtl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// render parses and executes a template.
func render(t *testing.T, tmpl string, vars vtl.Variables) (*vtl.Result, error) {
	t.Helper()
	p, err := vtl.Parse(tmpl)
	if err != nil {
		return nil, err
	}
	return p.Execute(vars)
}

// vars for the conformance cases: a JSON body, parameters, context and
// stage variables.
var vars = vtl.Variables{
	Body: `{"name": "Jane", "age": 41, "price": 249.99, "ok": true, "none": null, "tags": ["a", "b", "c"],
		"pets": [{"id": 1, "type": "dog"}, {"id": 2, "type": "cat"}], "nested": {"k": {"v": "deep"}}, "big": 12345678901234567890123,
		"text": "it's \"quoted\" \\ and / é 😀\n", "empty": "", "list": [{"foo": "bar"}], "csv": "a,b,,c,,"}`,
	Params: vtl.Params{
		Path:        map[string]string{"id": "42"},
		QueryString: map[string]string{"q": "search", "id": "from-query"},
		Header:      map[string]string{"Content-Type": "application/json", "X-Trace": "t-1"},
	},
	Context: map[string]any{
		"requestId": "req-1", "stage": "local", "httpMethod": "POST",
		"identity": map[string]any{"sourceIp": "192.0.2.1"},
	},
	StageVariables: map[string]string{"alias": "live"},
}

// TestConformance: each construct of the language, and of API Gateway's
// variables, renders as API Gateway renders it.
func TestConformance(t *testing.T) {
	tests := []struct {
		name, tmpl, want string
	}{
		// text, comments, escapes
		{"plain text", `{"a": 1}`, `{"a": 1}`},
		{"a line comment takes its line end", "a## note\nb", "ab"},
		{"a block comment", "a#* x\ny *#b", "ab"},
		{"unparsed text", `#[[$a #if]]#`, `$a #if`},
		{"a # or $ that starts nothing is text", `# $ $1 #1 a#b c$`, `# $ $1 #1 a#b c$`},
		{"an unknown directive is text", `#unknown #foo()`, `#unknown #foo()`},
		{"an escaped defined reference prints as written", `#set($a = 1)\$a \\$a`, `$a \1`},
		{"an escaped undefined reference keeps its backslash", `\$nope`, `\$nope`},
		{"an escaped directive is text", `\#if(`, `#if(`},
		// references
		{"a variable", `#set($a = "x")$a ${a} $!a $!{a}`, `x x x x`},
		{"null prints as nothing, quiet or not", `[$nope][$!nope][${nope.x}]`, `[][][]`},
		{"a property of a map", `#set($m = {"k": "v"})$m.k $m.missing.deeper.`, `v .`},
		{"a dot that starts no property is text", `#set($a = "x")$a. $a.1`, `x. x.1`},
		{"names hold hyphens, as in Velocity 1.7", `#set($a-b = 1)$a-b`, `1`},
		{"an index", `#set($l = ["a", "b", "c"])$l[0]$l[-1]$l[1]`, `acb`},
		{"an index into a map", `#set($m = {"k": "v"})$m["k"]`, `v`},
		{"a method call", `#set($s = "abc")$s.toUpperCase().substring(1)`, `BC`},
		{"a list that holds itself prints as Java's", `#set($l = [1])$l.add($l)$l`, `true[1, (this Collection)]`},
		{"a method that does not exist is null", `#set($s = "abc")[$s.nope()]`, `[]`},
		// #set
		{"set takes its line end, and the spaces before it after a directive", "#set($a = 1)\n  #set($b = 2)\n$a$b", "12"},
		{"set keeps the spaces that follow text on its line", "a\n  #set($a = 1)\nb$a", "a\n  b1"},
		{"set takes the spaces after a reference", `#set($a = 1)$a #set($b = 2)$b`, "12"},
		{"set to null leaves the variable", `#set($a = 1)#set($a = $nope)$a`, `1`},
		{"set a map's key", `#set($m = {})#set($m.k = "v")#set($m["j"] = 2)$m`, `{k=v, j=2}`},
		{"set a list's item", `#set($l = [1, 2])#set($l[1] = 3)$l`, `[1, 3]`},
		{"set through a path of maps", `#set($context.requestOverride.header.X-Id = "a")$context.requestOverride.header`, `{X-Id=a}`},
		// literals
		{"single quotes are as written", `#set($s = 'a $b ''c'' \n')$s`, `a $b 'c' \n`},
		{"double quotes interpolate", `#set($b = "B")#set($s = "a $b ""c"" #if(true)d#end \u0041 \n")$s`, `a B "c" d A \n`},
		{"no escape but \\u in double quotes", `#set($s = "\\'")$s`, `\\'`},
		{"integers, decimals, booleans", `#set($a = [1, -2, 3.5, 1.0, true, false])$a`, `[1, -2, 3.5, 1.0, true, false]`},
		{"a map literal prints as Java's", `#set($m = {"a": 1, "b": [1, "x"], "c": {"d": $nope}})$m`, `{a=1, b=[1, x], c={d=null}}`},
		{"a range", `#set($r = [1..3])$r|#set($r = [2..-1])$r`, `[1, 2, 3]|[2, 1, 0, -1]`},
		// operators
		{"arithmetic on integers", `#set($a = 7)#set($b = 2)$a + $b = #set($c = $a + $b)$c, #set($c = $a - $b)$c, #set($c = $a * $b)$c, #set($c = $a / $b)$c, #set($c = $a % $b)$c`, `7 + 2 = 9, 5, 14, 3, 1`},
		{"arithmetic on decimals", `#set($c = 1.5 * 2)$c|#set($c = 7 / 2.0)$c|#set($c = 0.1 + 0.2)$c`, `3.0|3.5|0.30000000000000004`},
		{"division by zero is null", `#set($c = 1)#set($c = 1 / 0)$c`, `1`},
		{"+ joins text", `#set($s = "a" + 1 + 2)$s|#set($s = 1 + 2 + "a")$s|#set($s = "x" + $nope)$s`, `a12|3a|x`},
		{"precedence", `#set($c = 1 + 2 * 3 - 4 / 2)$c|#set($c = (1 + 2) * 3)$c`, `5|9`},
		{"comparisons", `#if(1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 2 lt 3 && 3 ge 3)yes#end`, `yes`},
		{"comparisons of numbers only", `#if("a" < "b")yes#{else}no#end`, `no`},
		{"equality of numbers across types", `#if(1 == 1.0 && 2 != 3 && 1 eq 1)yes#end`, `yes`},
		{"equality of other types by text", `#if(1 == "1" && "a" == "a" && true == "true")yes#end`, `yes`},
		{"null equals null and the empty string", `#if($nope == $null && $nope == "" && !($nope == "x"))yes#end`, `yes`},
		{"logic short-circuits", `#if(true || $nope.fail(1/0))yes#end#if(false && $x)#else no#end`, `yes no`},
		{"not", `#if(!false && not false && !$nope)yes#end`, `yes`},
		{"word operators", `#if(true and not false or false)yes#end`, `yes`},
		// #if
		{"if, elseif, else", `#foreach($n in [1, 2, 3])#if($n == 1)one#elseif($n == 2)two#{else}other#end #end`, `one two other `},
		{"truth: null and false are false, the rest true", `#foreach($v in ["", 0, [], false])#if($v)T#{else}F#end#end#if($nope)T#{else}F#end`, `TTTFF`},
		{"directives take their line ends", "#if(true)\nyes\n#else\nno\n#end\nafter", "yes\nafter"},
		{"braced directives", `#{if}(true)a#{else}b#{end}c`, `ac`},
		// #foreach
		{"foreach over a list, with $foreach", `#foreach($x in ["a", "b", "c"])$foreach.index$foreach.count$x#if($foreach.hasNext),#end#end`, `01a,12b,23c`},
		{"foreach first and last, velocityCount", `#foreach($x in [1, 2])$foreach.first $foreach.last $velocityCount;#end`, `true false 1;false true 2;`},
		{"foreach over a map's values", `#foreach($v in {"a": 1, "b": 2})$v#end`, `12`},
		{"foreach over keySet and get", `#set($m = {"a": 1, "b": 2})#foreach($k in $m.keySet())$k=$m.get($k);#end`, `a=1;b=2;`},
		{"foreach over null runs nothing", `#foreach($x in $nope)x#end.`, `.`},
		{"nested foreach keeps the outer $foreach", `#foreach($a in [1, 2])#foreach($b in [1])#end$foreach.index#end`, `01`},
		{"the loop variable is restored", `#set($x = "out")#foreach($x in [1])$x#end$x`, `1out`},
		{"break", `#foreach($x in [1, 2, 3])$x#if($x == 2)#break#end#end`, `12`},
		{"stop", `a#stop b`, `a`},
		// string methods (Java's)
		{"length and isEmpty", `#set($s = "héllo")$s.length() $s.isEmpty() $s.empty`, `5 false false`},
		{"UTF-16 lengths", `#set($s = "a😀")$s.length() $s.substring(1)`, `3 😀`},
		{"contains startsWith endsWith", `#set($s = "hello")$s.contains("ell") $s.startsWith("he") $s.endsWith("lo") $s.startsWith("l", 2)`, `true true true true`},
		{"indexOf lastIndexOf", `#set($s = "abcabc")$s.indexOf("c") $s.lastIndexOf("c") $s.indexOf("c", 3) $s.indexOf("x")`, `2 5 5 -1`},
		{"substring charAt", `#set($s = "hello")$s.substring(1, 3) $s.substring(3) $s.charAt(0)`, `el lo h`},
		{"case and trim", "#set($s = \"\t Hi \n\")[$s.trim().toLowerCase()][$s.trim().toUpperCase()]", `[hi][HI]`},
		{"replace is literal", `#set($s = "a.b.c")$s.replace(".", "-")`, `a-b-c`},
		{"replaceAll is a regular expression", `#set($s = "a1b22c")$s.replaceAll("[0-9]+", "#") $s.replaceFirst("\d", "_")`, `a#b#c a_b22c`},
		{"replaceAll with Java's groups", `#set($s = "john smith")$s.replaceAll("(\w+) (\w+)", "$2, $1") $s.replaceAll("o", "\$")`, `smith, john j$hn smith`},
		{"matches the whole string", `#set($s = "abc")$s.matches("a.c") $s.matches("b")`, `true false`},
		{"split drops trailing empty strings", `#set($s = "a,b,,c,,")$s.split(",") $s.split(",").size() $s.split(",", -1).size()`, `[a, b, , c] 4 6`},
		{"split without a match", `#set($s = "")$s.split(",").size()`, `1`},
		{"equals and compareTo", `#set($s = "b")$s.equals("b") $s.equalsIgnoreCase("B") $s.compareTo("a") $s.concat("c")`, `true true 1 bc`},
		// map and list methods
		{"map methods", `#set($m = {"a": 1})$m.put("b", 2)$m.put("a", 3) $m.size() $m.containsKey("a") $m.containsValue(2) $m.get("b") $m.isEmpty() $m.keySet() $m.values() $m.remove("a") $m`, `1 2 true true 2 false [a, b] [3, 2] 3 {b=2}`},
		{"entrySet", `#set($m = {"a": 1, "b": 2})#foreach($e in $m.entrySet())$e.key:$e.value $e.getKey()=$e.getValue();#end`, `a:1 a=1;b:2 b=2;`},
		{"list methods", `#set($l = [])$l.add("a") $l.add(0, "z")$l.addAll(["b", "c"]) $l $l.size() $l.get(1) $l.contains("b") $l.indexOf("c") $l.set(0, "y") $l.remove(0) $l.remove("c") $l $l.subList(0, 1) $l.isEmpty()`, `true true [z, a, b, c] 4 a true 3 z y true [a, b] [a] false`},
		{"number and boolean methods", `#set($n = 3)$n.toString() $n.doubleValue()|#set($d = 2.7)$d.intValue()|#set($b = true)$b.toString()`, `3 3.0|2|true`},
		// $input
		{"$input.body", `$input.body`, vars.Body},
		{"$input.json", `$input.json('$.pets[0]') $input.json('$.name') $input.json('$.tags') $input.json('$.none') $input.json('$.missing')`, `{"id":1,"type":"dog"} "Jane" ["a","b","c"] null ""`},
		{"$input.json of the whole body is compact JSON", `$input.json('$.nested')`, `{"k":{"v":"deep"}}`},
		{"$input.json escapes strings as JSON", `$input.json('$.text')`, `"it's \"quoted\" \\ and / é 😀\n"`},
		{"$input.path: maps print as Java's, lists as JSON", `$input.path('$.nested') $input.path('$.tags') $input.path('$.list') $input.path('$.list')[0] $input.path('$.pets').size()`, `{k={v=deep}} ["a","b","c"] [{"foo":"bar"}] {foo=bar} 2`},
		{"$input.path keeps numbers", `$input.path('$.age') $input.path('$.price') $input.path('$.big') $input.path('$.ok')`, `41 249.99 12345678901234567890123 true`},
		{"$input.path of what is missing or null is null", `[$input.path('$.missing')][$input.path('$.none')][$input.path('$.name.x')]`, `[][][]`},
		{"a path without $", `$input.path('name') $input.path('nested.k.v')`, `Jane deep`},
		{"bracket paths", `$input.path("$['name']") $input.path('$["nested"]["k"]') $input.path('$.tags[-1]')`, `Jane {v=deep} c`},
		{"indefinite paths give lists", `$input.path('$.pets[*].type') $input.path('$..v') $input.path('$.tags[0,2]') $input.path('$.tags[1:]') $input.path('$.pets[*].missing')`, `["dog","cat"] ["deep"] ["a","c"] ["b","c"] []`},
		{"$input.path values in a loop", `#foreach($p in $input.path('$.pets'))$p.id:$p.type #end`, `1:dog 2:cat `},
		{"a JSON list's toString is JSON", `$input.path('$').list.toString()`, `[{"foo":"bar"}]`},
		{"$input.params(name): path, query string, then header", `$input.params('id') $input.params('q') $input.params('x-trace') [$input.params('nope')]`, `42 search t-1 []`},
		{"$input.params()", `$input.params()`, `{path={id=42}, querystring={id=from-query, q=search}, header={Content-Type=application/json, X-Trace=t-1}}`},
		{"$input.params() by type", `#foreach($type in $input.params().keySet())$type:$input.params().get($type).size() #end`, `path:1 querystring:2 header:2 `},
		// $context and $stageVariables
		{"$context", `$context.requestId $context.identity.sourceIp $context.stage [$context.identity.apiKey]`, `req-1 192.0.2.1 local []`},
		{"$stageVariables, three ways", `$stageVariables.alias $stageVariables['alias'] ${stageVariables['alias']}`, `live live live`},
		// $util
		{"escapeJavaScript escapes ' as \\'", `$util.escapeJavaScript($input.path('$.text'))`, `it\'s \"quoted\" \\ and \/ \u00E9 \uD83D\uDE00\n`},
		{"escapeJavaScript, then \\' back to ', as the guide advises", `$util.escapeJavaScript("it's").replaceAll("\\'", "'")`, `it's`},
		{"escapeJavaScript of control characters", `$util.escapeJavaScript($util.urlDecode("%01%08%09%0C%0D%1F%7F"))`, `\u0001\b\t\f\r\u001F` + "\x7f"},
		{"parseJson", `#set($o = $util.parseJson('{"a": {"b": [10, 20]}}'))$o.a.b[1] $o.a`, `20 {b=[10,20]}`},
		{"urlEncode as Java's URLEncoder", `$util.urlEncode("a b&c=d/é*-_.~")`, `a+b%26c%3Dd%2F%C3%A9*-_.%7E`},
		{"urlDecode", `$util.urlDecode("a+b%26c%3D%C3%A9")`, `a b&c=é`},
		{"base64", `$util.base64Encode("héllo") $util.base64Decode("aMOpbGxv") $util.base64Decode("aMOpbGxv==")`, `aMOpbGxv héllo héllo`},
		{"$util of null is null", `[$util.escapeJavaScript($nope)]`, `[]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := render(t, tc.tmpl, vars)
			require.NoError(t, err)
			assert.Equal(t, tc.want, r.Output)
		})
	}
}

// TestGuideThings: the guide's $input example ("Example request and
// response using $input") prints things as plain JSON, but its own
// template passes them through $util.escapeJavaScript, which escapes the
// quotes, as the guide's $util reference says it does; the id and count
// are as documented.
func TestGuideThings(t *testing.T) {
	r, err := render(t, `{
    "id" : "$input.params('id')",
    "count" : "$input.path('$.things').size()",
    "things" : $util.escapeJavaScript($input.json('$.things'))
}`, vtl.Variables{Body: `{"things": {"1": {}, "2": {}, "3": {}}}`, Params: vtl.Params{Path: map[string]string{"id": "abc"}}})
	require.NoError(t, err)
	assert.Equal(t, `{
    "id" : "abc",
    "count" : "3",
    "things" : {\"1\":{},\"2\":{},\"3\":{}}
}`, r.Output)
}

// TestEmptyBody: API Gateway reads an empty body as {}.
func TestEmptyBody(t *testing.T) {
	r, err := render(t, `$input.body $input.json('$') $input.path('$') [$input.path('$.a')] $input.json('$.a')`, vtl.Variables{})
	require.NoError(t, err)
	assert.Equal(t, `{} {} {} [] ""`, r.Output)
}

// TestBodyNotJSON: a body that is not JSON is there as text; its paths
// lead nowhere.
func TestBodyNotJSON(t *testing.T) {
	r, err := render(t, `$input.body [$input.path('$')] $input.json('$')`, vtl.Variables{Body: "a=1&b=2"})
	require.NoError(t, err)
	assert.Equal(t, `a=1&b=2 [] ""`, r.Output)
}

// TestOverrides: what a template sets in $context.requestOverride and
// responseOverride comes back in the Result, as API Gateway applies it;
// the developer guide's two override tutorials, with their documented
// outcomes.
func TestOverrides(t *testing.T) {
	t.Run("the response status (status 400 when the body holds an error)", func(t *testing.T) {
		body := `{"errors": [{"key": "GetPetRequest.petId", "message": "The value is out of range."}]}`
		r, err := render(t, "#set($inputRoot = $input.path('$'))\n$input.json(\"$\")\n#if($inputRoot.toString().contains(\"error\"))\n#set($context.responseOverride.status = 400)\n#end\n", vtl.Variables{Body: body})
		require.NoError(t, err)
		assert.Equal(t, 400, r.Status)
		assert.JSONEq(t, body, r.Output)
	})
	t.Run("request headers, one from two others and one with two values", func(t *testing.T) {
		tmpl := `#set($header1Override = "foo")
#set($header3Value = "$input.params('header1')$input.params('header2')")
$input.json("$")
#set($context.requestOverride.header.header3 = $header3Value)
#set($context.requestOverride.header.header1 = $header1Override)
#set($context.requestOverride.header.multivalueheader=[$header1Override, $header3Value])
`
		r, err := render(t, tmpl, vtl.Variables{Body: `{}`, Params: vtl.Params{Header: map[string]string{"header1": "header1Val", "header2": "header2Val"}}})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"header3": "header1Valheader2Val", "header1": "foo", "multivalueheader": "foo,header1Valheader2Val"}, r.RequestHeader)
		assert.Equal(t, "{}\n", r.Output)
	})
	t.Run("path, query string and response header; a status API Gateway ignores", func(t *testing.T) {
		r, err := render(t, `#set($context.requestOverride.path.p = "v")#set($context.requestOverride.querystring.q = 1)#set($context.responseOverride.header.X-A = "b")#set($context.responseOverride.status = 700)`, vtl.Variables{})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"p": "v"}, r.RequestPath)
		assert.Equal(t, map[string]string{"q": "1"}, r.RequestQueryString)
		assert.Equal(t, map[string]string{"X-A": "b"}, r.ResponseHeader)
		assert.Zero(t, r.Status)
	})
	t.Run("there to set, as AWS lists them", func(t *testing.T) {
		// LocalStack's test_sqs_amz_json_protocol, recorded against AWS,
		// lists the keys of each in this order.
		r, err := render(t, `$context.requestOverride.keySet() $context.responseOverride.keySet()`, vtl.Variables{})
		require.NoError(t, err)
		assert.Equal(t, "[path, header, querystring] [header]", r.Output)
	})
	t.Run("carried from the request template to the response template, which reads and adds to them", func(t *testing.T) {
		req, err := render(t, `#set($context.requestOverride.path.body = "b")#set($context.responseOverride.status = 444)#set($context.responseOverride.header.foo = "bar")#set($context.responseOverride.custom = "c")`, vtl.Variables{})
		require.NoError(t, err)
		resp, err := render(t, `$context.requestOverride.path.body $context.responseOverride.status $context.responseOverride.header.foo $context.responseOverride.custom#set($context.responseOverride.header.X-B = "2")`,
			vtl.Variables{Context: map[string]any{"requestId": "r"}, Overrides: req.Overrides})
		require.NoError(t, err)
		assert.Equal(t, "b 444 bar c", resp.Output)
		assert.Equal(t, 444, resp.Status)
		assert.Equal(t, map[string]string{"foo": "bar", "X-B": "2"}, resp.ResponseHeader)
		assert.Equal(t, map[string]string{"body": "b"}, resp.RequestPath)
	})
}

// TestErrors: every error names the line and column of its cause.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, tmpl   string
		line, column int
		msg          string
	}{
		{"an #if without #end", "a\n  #if(true)\nb", 2, 3, "#if has no #end"},
		{"a #foreach without #end", "#foreach($x in [1])", 1, 1, "#foreach has no #end"},
		{"an #end alone", "a\nb #end", 2, 3, "#end without an #if or #foreach to close"},
		{"an #else after #else", "#if(true)#else#else#end", 1, 15, "a second #else in one #if"},
		{"an #elseif after #else", "#if(true)#else#elseif(true)#end", 1, 15, "#elseif after #else"},
		{"#set without parentheses", "\n#set $a = 1", 2, 1, "#set needs its arguments in parentheses"},
		{"#set of a method", "#set($a.b() = 1)", 1, 6, "cannot set the result of a method call"},
		{"#set without =", "#set($a 1)", 1, 9, `expected '='`},
		{"an unclosed string", `#set($a = "abc)`, 1, 11, "the string has no closing"},
		{"an unclosed parenthesis", "#if(($a)", 1, 9, `expected ')'`},
		{"a name without $", "#if(a)#end", 1, 5, `a name needs its $`},
		{"an unclosed comment", "ok\n #* never", 2, 2, "the comment #* has no *# to close it"},
		{"an unclosed method call", "$a.b(1", 1, 7, `expected ')'`},
		{"an unclosed ${", "#set($a = ${b)", 1, 11, "${ has no } to close it"},
		{"an unsupported directive", "\n\n  #macro(x)#end", 3, 3, "#macro is not supported here"},
		{"an integer out of range", "#set($a = 99999999999999999999)", 1, 11, "out of range"},
		{"a #foreach without in", "#foreach($x [1])#end", 1, 13, "expected in"},
		{"an error in an interpolated string", "#set($a = \"x #if(\")", 1, 18, "expected a value"},
		{"substring out of range", "#set($s = \"ab\")\n$s.substring(3)", 2, 4, "substring(3, 2) is out of range"},
		{"an index out of range", "#set($l = [1])\n  $l[1]", 2, 5, "index 1 is out of range for a list of 1"},
		{"a regular expression that does not compile", `$input.body.replaceAll("(?<=a)b", "")`, 1, 13, "does not compile"},
		{"parseJson of what is not JSON", "\n$util.parseJson('{x')", 2, 7, "$util.parseJson: the text is not JSON"},
		{"urlDecode of a bad escape", `$util.urlDecode("%zz")`, 1, 7, "is not followed by two hexadecimal digits"},
		{"a JSONPath filter", `$input.path('$.a[?(@.b)]')`, 1, 8, "filters ([?(...)]) are not supported here"},
		{"a replacement with a group that does not exist", `#set($s = "a")$s.replaceAll("a", "$2")`, 1, 18, "no group 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, tc.tmpl, vtl.Variables{Body: "{}"})
			var e *vtl.Error
			require.True(t, errors.As(err, &e), "want a *vtl.Error, got %v", err)
			assert.Equal(t, tc.line, e.Line, err.Error())
			assert.Equal(t, tc.column, e.Column, err.Error())
			assert.Contains(t, e.Msg, tc.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "line "), err.Error())
		})
	}
}

// TestBounds: a template cannot run unbounded; API Gateway's #foreach
// quota stops a loop and says so.
func TestBounds(t *testing.T) {
	t.Run("#foreach stops after 1000 iterations", func(t *testing.T) {
		r, err := render(t, `#foreach($i in [1..5000])x#end`, vtl.Variables{})
		require.NoError(t, err)
		assert.Equal(t, strings.Repeat("x", vtl.MaxIterations), r.Output)
		assert.Equal(t, []string{"line 1, column 1: #foreach stopped after 1000 iterations of 5000, as API Gateway stops it"}, r.Notices)
	})
	tests := []struct {
		name, tmpl, msg string
	}{
		{"nested loops past the steps", `#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end`, "the template takes more than"},
		{"an output past the limit", `#set($s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")#foreach($a in [1..1000])#foreach($b in [1..1000])$s#end#end`, "the output is longer than"},
		{"a string that doubles", `#set($s = "xx")#foreach($a in [1..100])#set($s = "$s$s")#end`, "past 10485760 bytes"},
		{"a range too long", `#set($r = [1..100000000])`, "has more than 1000000 elements"},
		{"deep nesting", strings.Repeat("#if(true)", 200), "nested more than 100 levels deep"},
		{"deep parentheses", "#set($a = " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200) + ")", "nested more than 100 levels deep"},
		{"lists that hold each other, printed", `#set($a = [])#set($b = [$a])$a.add($b)$a`, "nested too deeply to print"},
		{"a list of a million compared in a loop", `#set($l = [1..999999])#foreach($i in [1..100])#if($l.contains(-1))#end#end`, "the template takes more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, tc.tmpl, vtl.Variables{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// TestDocumentThatHoldsItself: a template can make the body's document
// hold itself; a deep scan of it still ends.
func TestDocumentThatHoldsItself(t *testing.T) {
	r, err := render(t, `#set($r = $input.path('$'))$r.put("self", $r)$input.path('$..x').size()`, vtl.Variables{Body: `{"x": 1}`})
	require.NoError(t, err)
	assert.Equal(t, "1001", r.Output)
}

// TestNotices: what API Gateway does without a word is said.
func TestNotices(t *testing.T) {
	r, err := render(t, "#set($s = \"a\")\n$s.nope() #set($x = 1 / 0)\n#foreach($c in \"abc\")#end", vtl.Variables{})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"line 2, column 4: a string has no method nope with 0 arguments: null",
		"line 2, column 23: division by zero: null",
		"line 3, column 16: #foreach: cannot iterate over a string",
	}, r.Notices)
}

// TestEscapeJavaScript: Apache Commons Lang's rules, which API Gateway's
// $util.escapeJavaScript follows.
func TestEscapeJavaScript(t *testing.T) {
	tests := map[string]string{
		"":                   "",
		`it's`:               `it\'s`,
		`"q"`:                `\"q\"`,
		`a\b`:                `a\\b`,
		`</script>`:          `<\/script>`,
		"\b\f\n\r\t":         `\b\f\n\r\t`,
		"\x00\x1f\x7f":       `\u0000\u001F` + "\x7f",
		"\u00e9\u0100\u4e2d": `\u00E9\u0100\u4E2D`,
		"😀":                  `\uD83D\uDE00`,
	}
	for in, want := range tests {
		assert.Equal(t, want, vtl.EscapeJavaScript(in), "%q", in)
	}
}

// TestParseOnce: a template parses once and renders many times, each
// with its own variables.
func TestParseOnce(t *testing.T) {
	p, err := vtl.Parse(`#set($n = $input.path('$.n'))#set($n = $n + 1)$n`)
	require.NoError(t, err)
	for _, body := range []string{`{"n": 1}`, `{"n": 41}`} {
		r, err := p.Execute(vtl.Variables{Body: body})
		require.NoError(t, err)
		assert.Contains(t, []string{"2", "42"}, r.Output)
	}
}
