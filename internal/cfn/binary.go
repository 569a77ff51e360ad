package cfn

import "strings"

// Binary media types (API Gateway Developer Guide, "Binary media types for
// REST APIs"): the content types an API treats as binary, which it passes
// to an integration as bytes or, with CONVERT_TO_TEXT, base64-encoded.

// BinaryMediaTypesExtension is the OpenAPI extension that lists an API's
// binary media types.
const BinaryMediaTypesExtension = "x-amazon-apigateway-binary-media-types"

// MediaType is a binary media type as API Gateway reads it: in lower case,
// with / for the ~1 that SAM and the API Gateway API write (a JSON Pointer
// escape): image~1png is image/png.
func MediaType(t string) string {
	return strings.ToLower(strings.TrimSpace(strings.ReplaceAll(t, "~1", "/")))
}

// IsBinary reports whether API Gateway treats a content type (a
// Content-Type or Accept value, whose parameters do not count) as binary:
// one of the binary media types names its media type, or a wildcard
// (image/*, */*) covers it. No media type is never binary.
func IsBinary(contentType string, binaryMediaTypes []string) bool {
	t, _, _ := strings.Cut(contentType, ";")
	if t = strings.ToLower(strings.TrimSpace(t)); t == "" {
		return false
	}
	main, _, _ := strings.Cut(t, "/")
	for _, b := range binaryMediaTypes {
		if b = MediaType(b); b == t || b == "*/*" || b == main+"/*" {
			return true
		}
	}
	return false
}

// SAMReplacesDocumentTypes reports whether SAM, translating an
// AWS::Serverless::Api whose BinaryMediaTypes are own and whose Globals'
// are globals (nil when not given), writes them into its DefinitionBody in
// place of the document's own x-amazon-apigateway-binary-media-types
// (SwaggerEditor.add_binary_media_types, whenever the Api's list, Globals'
// included, is not empty): API Gateway then never sees the document's list.
func SAMReplacesDocumentTypes(own, globals any) bool {
	return givenList(own) || givenList(globals)
}

func givenList(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string: // a CommaDelimitedList parameter's value
		return strings.TrimSpace(v) != ""
	case []any:
		return len(v) > 0
	}
	return true // an intrinsic function, which SAM passes on
}
