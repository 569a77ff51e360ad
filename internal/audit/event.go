package audit

import (
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// proxyEvent is what --event proxy installs, the macro's Event: proxy
// exactly: the request templates that build API Gateway's Lambda proxy
// event (format 1.0) for the API's binary media types
// (macro.ProxyRequestTemplates, the same text, not a copy), passthrough
// behavior NEVER (a content type without a template is answered 415
// rather than reaching the function as its bare body) and content
// handling CONVERT_TO_TEXT (a binary body reaches the template
// base64-encoded). A function written for a proxy integration keeps its
// event when its method becomes a non-proxy (AWS) integration, the only
// kind that can invoke asynchronously.
func proxyEvent(binaryMediaTypes []string) proxyTemplate {
	t := proxyTemplate{Templates: map[string]string{}, Passthrough: "NEVER", ContentHandling: types.ContentHandlingStrategyConvertToText}
	for _, ct := range macro.ProxyRequestTemplates(binaryMediaTypes) {
		t.Templates[ct.ContentType] = ct.Template
	}
	return t
}

// proxyTemplate is what builds the proxy event.
type proxyTemplate struct {
	Templates       map[string]string // by content type
	Passthrough     string
	ContentHandling types.ContentHandlingStrategy
}
