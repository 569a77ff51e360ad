package local

import (
	"fmt"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
)

// MappingTemplate is a request or response mapping template, for one
// content type.
type MappingTemplate struct {
	ContentType string
	Text        string
	template    *vtl.Template // nil for an empty template, which passes the body through
}

// Parameter maps a method response header from a source: a 'literal',
// integration.response.header.Name, integration.response.multivalueheader.Name,
// integration.response.body, integration.response.body.JSONPath,
// context.name or stageVariables.name.
type Parameter struct {
	Header, Source string
}

// mappingTemplates reads RequestTemplates or ResponseTemplates: content
// type -> template text. Each template is parsed now, so that one that
// does not parse is said at start-up, with its line and column.
func mappingTemplates(v any, what string) ([]MappingTemplate, error) {
	if v == nil {
		return nil, nil
	}
	o, ok := v.(*tree.Object)
	if !ok {
		return nil, fmt.Errorf("%s is %s, not a map of content types to templates", what, describe(v))
	}
	var out []MappingTemplate
	for _, m := range o.Members {
		mt := MappingTemplate{ContentType: m.Key}
		switch text := m.Value.(type) {
		case nil:
		case string:
			mt.Text = text
		default:
			return nil, fmt.Errorf("%s for %s is %s: this server reads a template written out as a string, not one an intrinsic function builds", what, m.Key, describe(m.Value))
		}
		if mt.Text != "" {
			t, err := vtl.Parse(mt.Text)
			if err != nil {
				return nil, fmt.Errorf("%s for %s does not parse: %v", what, m.Key, err)
			}
			mt.template = t
		}
		out = append(out, mt)
	}
	return out, nil
}

// readTemplates reads an integration's request templates, its
// PassthroughBehavior and its ContentHandling.
func (ig *Integration) readTemplates(in *tree.Object, k cfn.IntegrationKeys) error {
	var err error
	if ig.RequestTemplates, err = mappingTemplates(valueOf(in, k.RequestTemplates), "its request template"); err != nil {
		return err
	}
	ig.Passthrough = cfn.WhenNoMatch
	if v := valueOf(in, k.PassthroughBehavior); v != nil {
		s, _ := v.(string)
		switch b := strings.ToUpper(s); b {
		case cfn.WhenNoMatch, cfn.WhenNoTemplates, cfn.Never:
			ig.Passthrough = b
		default:
			return fmt.Errorf("its %s %s is not %s, %s or %s", k.PassthroughBehavior, describe(v), cfn.WhenNoMatch, cfn.WhenNoTemplates, cfn.Never)
		}
	}
	key := "ContentHandling"
	if k == cfn.OpenAPIIntegration {
		key = "contentHandling"
	}
	if v := valueOf(in, key); v != nil {
		s, _ := v.(string)
		switch h := strings.ToUpper(s); h {
		case convertToText, convertToBinary:
			ig.ContentHandling = h
		default:
			return fmt.Errorf("its %s %s is not %s or %s", key, describe(v), convertToText, convertToBinary)
		}
	}
	return nil
}

// responseParameters reads an integration response's ResponseParameters.
// A mapping API Gateway would not take is an error, as it fails the
// deployment.
func responseParameters(v any, status string) ([]Parameter, error) {
	o, ok := v.(*tree.Object)
	if !ok {
		return nil, nil
	}
	var out []Parameter
	for _, m := range o.Members {
		header, found := strings.CutPrefix(m.Key, "method.response.header.")
		source, isString := m.Value.(string)
		switch {
		case !found || header == "":
			return nil, fmt.Errorf("its integration response %s maps %s, which is not method.response.header.<name>", status, m.Key)
		case !isString || !validSource(source):
			return nil, fmt.Errorf("its integration response %s maps %s from %s, which is not a mapping expression API Gateway takes ('a literal', integration.response.header.<name>, integration.response.multivalueheader.<name>, integration.response.body, integration.response.body.<JSONPath>, context.<variable> or stageVariables.<name>)", status, m.Key, describe(m.Value))
		}
		out = append(out, Parameter{Header: header, Source: source})
	}
	return out, nil
}

func validSource(s string) bool {
	if len(s) >= 2 && strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'") {
		return true
	}
	if s == "integration.response.body" {
		return true
	}
	for _, p := range []string{"integration.response.header.", "integration.response.multivalueheader.", "integration.response.body.", "context.", "stageVariables."} {
		if rest, ok := strings.CutPrefix(s, p); ok && rest != "" {
			return true
		}
	}
	return false
}

// mimeType is a Content-Type or Accept value's media type, in lower case,
// without parameters: API Gateway selects templates by it alone.
func mimeType(v string) string {
	v, _, _ = strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(v))
}

// requestTemplate selects the request template for a Content-Type as API
// Gateway does: by its media type, application/json when there is none.
// Without a template for it, reject says whether PassthroughBehavior
// refuses the request (415) rather than pass the body through.
func (ig *Integration) requestTemplate(contentType string) (t *MappingTemplate, reject bool) {
	key := mimeType(contentType)
	if key == "" {
		key = "application/json"
	}
	for i := range ig.RequestTemplates {
		if strings.EqualFold(ig.RequestTemplates[i].ContentType, key) {
			return &ig.RequestTemplates[i], false
		}
	}
	switch ig.Passthrough {
	case cfn.Never:
		return nil, true
	case cfn.WhenNoTemplates:
		return nil, len(ig.RequestTemplates) > 0
	}
	return nil, false
}

// responseTemplate selects the response template for the request's
// Accept header as API Gateway does: the template for its media type
// (application/json when there is none); else the application/json one;
// else the first. nil when there is none: the body passes through.
func (r *Response) responseTemplate(accept string) *MappingTemplate {
	if len(r.Templates) == 0 {
		return nil
	}
	first, _, _ := strings.Cut(accept, ",")
	key := mimeType(first)
	if key == "" {
		key = "application/json"
	}
	for _, k := range []string{key, "application/json"} {
		for i := range r.Templates {
			if strings.EqualFold(r.Templates[i].ContentType, k) {
				return &r.Templates[i]
			}
		}
	}
	return &r.Templates[0]
}
