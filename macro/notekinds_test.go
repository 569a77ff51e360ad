package macro_test

import (
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoteKinds: what a method does that its author may not expect is said
// where it is written, under its kind (check's code): an ANY method whose
// resource has no OPTIONS method takes browsers' CORS preflights; a request
// content type a method of Event: proxy declares but has no template for
// is answered 415. Nothing is said when there is nothing to say.
func TestNoteKinds(t *testing.T) {
	const api = `
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a, BinaryMediaTypes: [image~1png, application/*]}}
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  Items: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}}
`
	method := func(id, httpMethod, shorthand, extra string) string {
		return "  " + id + ":\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !Ref Items\n      HttpMethod: " + httpMethod +
			"\n      AuthorizationType: NONE\n      AsyncInvoke: " + shorthand + "\n      Integration: {Type: AWS_PROXY, Uri: !GetAtt Worker.Arn}\n" + extra
	}
	options := "  Options:\n    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Items, HttpMethod: OPTIONS, AuthorizationType: NONE, Integration: {Type: MOCK}}\n"
	doc := func(typ, ops string) string {
		body := "Body"
		if typ == "AWS::Serverless::Api" {
			body = "DefinitionBody"
		}
		return "  Doc:\n    Type: " + typ + "\n    Properties:\n      StageName: prod\n      " + body + ":\n" + ops
	}
	const uri = "{type: aws_proxy, uri: !Sub 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations'}"
	anyOp := "        swagger: '2.0'\n        info: {title: t, version: '1'}\n        paths:\n          /items:\n            x-amazon-apigateway-any-method:\n              x-async-invoke: {Mode: always, Event: proxy}\n              x-amazon-apigateway-integration: " + uri + "\n"
	type note struct {
		kind macro.NoteKind
		path string
		text string
	}
	tests := []struct {
		name      string
		resources string
		want      []note
	}{
		{"ANY without OPTIONS", method("M", "ANY", "{Mode: always, Event: proxy}", ""),
			[]note{{macro.NotePreflight, "Resources.M.Properties.HttpMethod", "a preflight invokes the function asynchronously, with a proxy event whose httpMethod is OPTIONS, and"}}},
		{"ANY in client mode", method("M", "any", "{Mode: client, Event: proxy}", ""),
			[]note{{macro.NotePreflight, "Resources.M.Properties.HttpMethod", "synchronously (a preflight carries no InvocationType header), with a proxy event whose httpMethod is OPTIONS,"}}},
		// review r16, finding 8: with Event: body the function gets no
		// OPTIONS event, but the preflight's empty body.
		{"ANY with Event: body", strings.Replace(method("M", "ANY", "always", ""), "Type: AWS_PROXY", "Type: AWS", 1),
			[]note{{macro.NotePreflight, "Resources.M.Properties.HttpMethod", "a preflight invokes the function asynchronously, with the preflight's empty body, which Lambda gives the function as {}, so that it cannot tell the preflight from a call whose body is {}, and"}}},
		{"ANY with Event: body in client mode", strings.Replace(method("M", "ANY", "{Mode: client, Header: X-Invoke}", ""), "Type: AWS_PROXY", "Type: AWS", 1),
			[]note{{macro.NotePreflight, "Resources.M.Properties.HttpMethod", "synchronously (a preflight carries no X-Invoke header), with the preflight's empty body"}}},
		{"ANY with an OPTIONS method", method("M", "ANY", "{Mode: always, Event: proxy}", "") + options, nil},
		{"POST", method("M", "POST", "{Mode: always, Event: proxy}", ""), nil},
		{"an any-method operation", doc("AWS::ApiGateway::RestApi", anyOp),
			[]note{{macro.NotePreflight, "Resources.Doc.Properties.Body.paths./items.x-amazon-apigateway-any-method", "add an options operation to this path"}}},
		{"an any-method operation beside options", doc("AWS::ApiGateway::RestApi", anyOp+"            options: {x-amazon-apigateway-integration: {type: mock}}\n"), nil},
		{"an any-method operation of a SAM Api with Cors", doc("AWS::Serverless::Api", anyOp) + "      Cors: \"'*'\"\n", nil},
		{"request models of Event: proxy", method("M", "POST", "{Mode: always, Event: proxy}", "      RequestModels: {application/json: Empty, multipart/form-data: Empty, image/png: Empty, application/xml: Empty, 'text/xml; charset=utf-8': Empty, '*/*': Empty}\n"),
			[]note{{macro.NoteContentType, "Resources.M.Properties.RequestModels.multipart/form-data", "add multipart/form-data to the API's binary media types"},
				{macro.NoteContentType, "Resources.M.Properties.RequestModels.application/xml", "where the proxy integration took any content type); to accept it, list application/xml itself"},
				{macro.NoteContentType, "Resources.M.Properties.RequestModels.text/xml; charset=utf-8", "content type text/xml,"}}},
		{"request models of Event: body", strings.Replace(method("M", "POST", "always", "      RequestModels: {multipart/form-data: Empty}\n"), "Type: AWS_PROXY", "Type: AWS", 1), nil},
		{"Swagger consumes, the document's, said once", doc("AWS::ApiGateway::RestApi",
			"        swagger: '2.0'\n        info: {title: t, version: '1'}\n        consumes: [application/json, text/csv]\n        paths:\n          /a:\n            post:\n              x-async-invoke: {Mode: always, Event: proxy}\n              x-amazon-apigateway-integration: "+uri+"\n          /b:\n            post:\n              x-async-invoke: {Mode: always, Event: proxy}\n              x-amazon-apigateway-integration: "+uri+"\n            put:\n              consumes: [text/plain]\n              x-async-invoke: {Mode: always, Event: proxy}\n              x-amazon-apigateway-integration: "+uri+"\n"),
			[]note{{macro.NoteContentType, "Resources.Doc.Properties.Body.consumes.1", "content type text/csv"}}},
		{"an OpenAPI 3 request body by $ref", doc("AWS::ApiGateway::RestApi",
			"        openapi: 3.0.1\n        info: {title: t, version: '1'}\n        components:\n          requestBodies:\n            Upload: {content: {multipart/form-data: {schema: {type: string}}}}\n        paths:\n          /a:\n            post:\n              requestBody: {$ref: '#/components/requestBodies/Upload'}\n              x-async-invoke: {Mode: always, Event: proxy}\n              x-amazon-apigateway-integration: "+uri+"\n"),
			[]note{{macro.NoteContentType, "Resources.Doc.Properties.Body.components.requestBodies.Upload.content.multipart/form-data", "content type multipart/form-data"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := parse.Template([]byte(api + tc.resources))
			require.NoError(t, err)
			stats, err := macro.Expand(tmpl, nil)
			require.NoError(t, err)
			var got []note
			for _, n := range stats.Notes {
				got = append(got, note{n.Kind, strings.Join(n.Path, "."), n.Message})
			}
			require.Len(t, got, len(tc.want), "%v", got)
			for i, w := range tc.want {
				assert.Equal(t, w.kind, got[i].kind)
				assert.Equal(t, w.path, got[i].path)
				assert.Contains(t, got[i].text, w.text)
			}
		})
	}
}

// TestPassthroughConverted: PassthroughBehavior WHEN_NO_MATCH, which had no
// effect on a proxy integration (API Gateway's exports and SAM's examples
// write it), becomes NEVER when Event: proxy converts the integration; on
// an integration that was not a proxy one it is still refused.
func TestPassthroughConverted(t *testing.T) {
	for _, tc := range []struct {
		name, method, operation string
		refused                 string
	}{
		{"a proxy method", "{Type: AWS_PROXY, PassthroughBehavior: WHEN_NO_MATCH, Uri: !GetAtt Worker.Arn}", "", ""},
		{"a proxy operation", "", "{type: aws_proxy, passthroughBehavior: when_no_match, uri: !Sub 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations'}", ""},
		{"a non-proxy method", "{Type: AWS, PassthroughBehavior: WHEN_NO_MATCH, Uri: !GetAtt Worker.Arn}", "", "Resources.M.Properties.Integration.PassthroughBehavior: is WHEN_NO_MATCH"},
		{"a non-proxy operation", "", "{type: aws, passthroughBehavior: when_no_match, uri: !Sub 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations'}", "x-amazon-apigateway-integration.passthroughBehavior: is when_no_match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "Resources:\n  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}\n  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}\n"
			if tc.method != "" {
				src += "  M:\n    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: {Mode: always, Event: proxy}, Integration: " + tc.method + "}\n"
			} else {
				src += "  Doc:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Body:\n        swagger: '2.0'\n        info: {title: t, version: '1'}\n        paths:\n          /a:\n            post:\n              x-async-invoke: {Mode: always, Event: proxy}\n              x-amazon-apigateway-integration: " + tc.operation + "\n"
			}
			tmpl, err := parse.Template([]byte(src))
			require.NoError(t, err)
			_, err = macro.Expand(tmpl, nil)
			if tc.refused != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.refused)
				return
			}
			require.NoError(t, err)
			out := string(tree.Encode(tmpl))
			assert.NotContains(t, strings.ToLower(out), "when_no_match")
			assert.Regexp(t, `"(P|p)assthroughBehavior":"(NEVER|never)"`, out)
		})
	}
}

// TestNoteOtherQualifier: a method made asynchronous that invokes a function
// itself ($LATEST) while the function's asynchronous invocation
// configurations are all on other qualifiers is noted, naming both places:
// their retries and destinations do not apply to its calls (review r16,
// finding 2). Nothing is said when $LATEST has one too, or the method
// invokes what is configured.
func TestNoteOtherQualifier(t *testing.T) {
	const head = `Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  Failures: {Type: AWS::SQS::Queue}
  Plain: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  Live: {Type: AWS::Lambda::Alias, Properties: {FunctionName: !Ref Plain, FunctionVersion: '1', Name: live}}
  PlainVersion: {Type: AWS::Lambda::Version, Properties: {FunctionName: !Ref Plain}}
`
	method := func(id, uri, shorthand string) string {
		return "  " + id + ":\n    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: " + id +
			", AuthorizationType: NONE, AsyncInvoke: " + shorthand + ", Integration: {Uri: " + uri + "}}\n"
	}
	sam := func(props string) string {
		return "  Worker:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: s3://b/k.zip, Handler: bootstrap, Runtime: provided.al2023" + props + "}\n"
	}
	const property = ", EventInvokeConfig: {DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt Failures.Arn}}}"
	config := func(id, qualifier string) string {
		return "  " + id + ": {Type: AWS::Lambda::EventInvokeConfig, Properties: {FunctionName: !Ref Plain, Qualifier: " + qualifier + ", MaximumRetryAttempts: 0}}\n"
	}
	tests := []struct {
		name, resources string
		path, text      string // the note's path and part of its message; "" for none
	}{
		{"SAM's configuration on the alias, the function invoked",
			sam(", AutoPublishAlias: live"+property) + method("POST", "!GetAtt Worker.Arn", "always"),
			"Resources.POST.Properties.Integration.Uri", "Resources.Worker.Properties.EventInvokeConfig (on its alias live, where SAM puts the configuration of a function with AutoPublishAlias); its retries, event age and destinations apply to the calls of that qualifier, not to these, so a call that fails is retried twice and dropped, and no destination gets its record; invoke !Ref Worker.Alias instead (as E1606 asks of the shorthand's settings), or give $LATEST a configuration of its own (an AWS::Lambda::EventInvokeConfig with Qualifier: $LATEST)"},
		{"SAM's configuration from Globals, $LATEST invoked, in client mode",
			"Globals: {Function: {AutoPublishAlias: live" + property + "}}\n" + sam("") + method("PUT", "!Sub '${Worker.Arn}:$LATEST'", "client"),
			"Resources.PUT.Properties.Integration.Uri", "Globals.Function.EventInvokeConfig (on its alias live"},
		{"SAM's configuration on the alias, the alias invoked",
			sam(", AutoPublishAlias: live"+property) + method("POST", "!Ref Worker.Alias", "always"), "", ""},
		{"SAM's configuration without AutoPublishAlias: on $LATEST",
			sam(property) + method("POST", "!GetAtt Worker.Arn", "always"), "", ""},
		{"a configuration of the template on an alias",
			config("LiveConfig", "live") + method("POST", "!GetAtt Plain.Arn", "always"),
			"Resources.POST.Properties.Integration.Uri", "Resources.LiveConfig (on live); its retries, event age and destinations apply to the calls of that qualifier, not to these, so a call that fails is retried twice and dropped, and no destination gets its record; invoke ${Plain.Arn}:live instead (as E1606 asks of the shorthand's settings), or give $LATEST a configuration of its own (an AWS::Lambda::EventInvokeConfig with Qualifier: $LATEST, or this shorthand's OnFailure"},
		{"configurations on a version and on an alias",
			config("VersionConfig", "!GetAtt PlainVersion.Version") + config("LiveConfig", "!Ref Stage") + method("POST", "!GetAtt Plain.Arn", "always"),
			"Resources.POST.Properties.Integration.Uri", "Resources.VersionConfig (on version PlainVersion); Resources.LiveConfig (on live); its retries, event age and destinations apply to the calls of that qualifier, not to these, so a call that fails is retried twice and dropped, and no destination gets its record; invoke !Ref PlainVersion or ${Plain.Arn}:live instead"},
		{"one on $LATEST too",
			config("LiveConfig", "live") + config("LatestConfig", "$LATEST") + method("POST", "!GetAtt Plain.Arn", "always"), "", ""},
		{"a qualifier the macro cannot tell",
			config("Config", "!ImportValue q") + method("POST", "!GetAtt Plain.Arn", "always"), "", ""},
		{"the macro's configuration of the alias, asked by another method",
			method("POST", "!GetAtt Plain.Arn", "always") + method("PUT", "!Ref Live", "{Mode: always, OnFailure: !GetAtt Failures.Arn}"),
			"Resources.POST.Properties.Integration.Uri", "Resources.LiveAsyncInvokeConfig (on live)"},
		{"the shorthand configures $LATEST",
			config("LiveConfig", "live") + method("POST", "!GetAtt Plain.Arn", "{Mode: always, MaximumRetryAttempts: 1}"), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "Parameters: {Stage: {Type: String, Default: live}}\n" + head + tc.resources
			if strings.HasPrefix(tc.resources, "Globals") {
				src = strings.Replace(head, "Resources:\n", tc.resources[:strings.Index(tc.resources, "\n")+1]+"Resources:\n", 1) + tc.resources[strings.Index(tc.resources, "\n")+1:]
			}
			tmpl, err := parse.Template([]byte(src))
			require.NoError(t, err)
			stats, err := macro.Expand(tmpl, nil)
			require.NoError(t, err)
			var got []macro.Problem
			for _, n := range stats.Notes {
				if n.Kind == macro.NoteOtherQualifier {
					got = append(got, n)
				}
			}
			if tc.path == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1, "%v", got)
			assert.Equal(t, "W4005", string(got[0].Code))
			assert.Equal(t, tc.path, got[0].Path.String())
			assert.Contains(t, got[0].Message, tc.text)
		})
	}
}
