package local

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Binary media types and content handling (API Gateway Developer Guide,
// "Binary media types for REST APIs" and "Content type conversions in API
// Gateway").

// An integration's ContentHandling.
const (
	convertToText   = "CONVERT_TO_TEXT"   // a binary body reaches the integration base64-encoded
	convertToBinary = "CONVERT_TO_BINARY" // a text body reaches it base64-decoded
)

// binaryMediaTypes are the binary media types of REST API api (a logical
// ID), as API Gateway reads them: the RestApi's or SAM Api's
// BinaryMediaTypes (with SAM's Globals), and its document's
// x-amazon-apigateway-binary-media-types, which SAM replaces with a SAM
// Api's own (cfn.SAMReplacesDocumentTypes); SAM and the API Gateway API
// write / as ~1. A warning says when the template writes them so that they
// cannot be read here. globals are the Api section of SAM's Globals.
func (t *template) binaryMediaTypes(api string, globals *tree.Object, text func(any) (string, bool)) ([]string, string) {
	p := t.Properties(api)
	if p == nil {
		return nil, ""
	}
	var values []any
	var where []string
	add := func(v any, at string) {
		if v != nil {
			values, where = append(values, v), append(where, at)
		}
	}
	docKey, samReplaces := "Body", false
	if t.Type(api) == cfn.TypeSAMAPI {
		docKey = "DefinitionBody"
		var g any
		if globals != nil {
			g = valueOf(globals, "BinaryMediaTypes")
			add(g, "Globals.Api.BinaryMediaTypes")
		}
		samReplaces = cfn.SAMReplacesDocumentTypes(valueOf(p, "BinaryMediaTypes"), g)
	}
	add(valueOf(p, "BinaryMediaTypes"), "Resources."+api+".Properties.BinaryMediaTypes")
	if doc, ok := valueOf(p, docKey).(*tree.Object); ok && !samReplaces {
		add(valueOf(doc, cfn.BinaryMediaTypesExtension), "Resources."+api+".Properties."+docKey+"."+cfn.BinaryMediaTypesExtension)
	}
	var types, unread []string
	for i, v := range values {
		items, isList := v.([]any)
		if !isList {
			items = []any{v} // a CommaDelimitedList parameter
		}
		for _, item := range items {
			s, ok := text(item)
			if !ok {
				unread = append(unread, where[i]+": "+describe(item))
				continue
			}
			for _, typ := range strings.Split(s, ",") {
				if typ = cfn.MediaType(typ); typ != "" {
					types = append(types, typ)
				}
			}
		}
	}
	if len(unread) > 0 {
		return types, fmt.Sprintf("%s: not a binary media type this server can read; it takes the API's others only (%s)", strings.Join(unread, "; "), strings.Join(types, ", "))
	}
	return types, ""
}

// binaryRequest reports whether the request's body is binary to API
// Gateway: its Content-Type is one of the API's binary media types.
func (m *methodRequest) binaryRequest() bool {
	return cfn.IsBinary(m.req.Header.Get("Content-Type"), m.route.binaryTypes)
}

// asText is a body API Gateway reads as text: UTF-8, each byte that is not
// part of a UTF-8 character replaced by U+FFFD, as a decoder replaces it
// (a binary upload whose type is not a binary media type arrives so,
// corrupted).
func asText(body []byte) string {
	if utf8.Valid(body) {
		return string(body)
	}
	return string([]rune(string(body)))
}

// integrationBody is the body as the integration request gets it, before
// any template (the developer guide's table of content type conversions):
// a binary body as it is, or base64-encoded with CONVERT_TO_TEXT; a text
// body as text, or base64-decoded with CONVERT_TO_BINARY (ok is false when
// it is not base64: API Gateway cannot convert it).
func (m *methodRequest) integrationBody() (body []byte, ok bool) {
	binary := m.binaryRequest()
	switch {
	case binary && m.route.ContentHandling == convertToText:
		return []byte(base64.StdEncoding.EncodeToString(m.body)), true
	case binary:
		return m.body, true
	case m.route.ContentHandling == convertToBinary:
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(m.body)))
		return b, err == nil
	}
	return []byte(asText(m.body)), true
}
