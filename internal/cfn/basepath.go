package cfn

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// API Gateway imports an OpenAPI document's paths under its base path as
// the import's basepath parameter says ("Set the OpenAPI basePath
// property", API Gateway Developer Guide). An AWS::ApiGateway::RestApi
// passes its Parameters to the import ({basepath: prepend}); SAM's
// AWS::Serverless::Api has no such property, so its documents are imported
// with the default, ignore. The base path is Swagger 2's basePath; in
// OpenAPI 3, the default of the first server variable named basePath, else
// the path of the first server's url.

// DocumentBasePath is what API Gateway puts before each path of the inline
// OpenAPI document doc of the REST API of type typ and properties props:
// "" with ignore, the base path with prepend, the base path without its
// first part with split (/a/b/c gives /b/c). text reads a value as text: a
// literal, or a parameter's value. ok is false when the template does not
// tell the mode or the base path.
func DocumentBasePath(typ string, props, doc *tree.Object, text func(any) (string, bool)) (prefix string, ok bool) {
	mode := "ignore"
	if typ == TypeRestAPI {
		if pv, has := props.Get("Parameters"); has {
			ps, isObj := pv.(*tree.Object)
			if !isObj || IsIntrinsicValue(ps) {
				return "", false
			}
			if v, has := ps.Get("basepath"); has {
				if mode, ok = text(v); !ok {
					return "", false
				}
			}
		}
	}
	switch mode {
	case "ignore":
		return "", true
	case "prepend", "split":
	default:
		return "", false // API Gateway refuses the import
	}
	base, ok := documentBasePath(doc, text)
	if !ok {
		return "", false
	}
	var parts []string
	for _, p := range strings.Split(base, "/") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if mode == "split" && len(parts) > 0 {
		parts = parts[1:]
	}
	if len(parts) == 0 {
		return "", true
	}
	return "/" + strings.Join(parts, "/"), true
}

// ImportedPath is the path of the resource API Gateway makes for an
// OpenAPI path under prefix (DocumentBasePath).
func ImportedPath(prefix, path string) string {
	if prefix == "" {
		return path
	}
	return strings.TrimSuffix(prefix+"/"+strings.TrimLeft(path, "/"), "/")
}

// documentBasePath is the base path an OpenAPI document declares.
func documentBasePath(doc *tree.Object, text func(any) (string, bool)) (string, bool) {
	if !doc.Has("openapi") {
		v, has := doc.Get("basePath")
		if !has {
			return "", true
		}
		return text(v)
	}
	sv, _ := doc.Get("servers")
	servers, _ := sv.([]any)
	for _, s := range servers { // the first basePath variable
		vars, _ := objectAt(s, "variables")
		if v, has := vars.Get("basePath"); has {
			vo, _ := v.(*tree.Object)
			d, _ := vo.Get("default")
			return text(d)
		}
	}
	if len(servers) == 0 {
		return "", true
	}
	first, _ := servers[0].(*tree.Object)
	uv, has := first.Get("url")
	if !has {
		return "", true
	}
	url, ok := text(uv)
	if !ok {
		return "", false
	}
	vars, _ := objectAt(first, "variables")
	url, ok = serverURL(url, vars, text)
	if !ok {
		return "", false
	}
	if _, rest, hasScheme := strings.Cut(url, "://"); hasScheme {
		_, path, _ := strings.Cut(rest, "/")
		return "/" + path, true
	}
	return url, true
}

// objectAt is the object under key in v, when v is an object.
func objectAt(v any, key string) (*tree.Object, bool) {
	o, _ := v.(*tree.Object)
	x, has := o.Get(key)
	xo, _ := x.(*tree.Object)
	return xo, has
}

// serverURL is an OpenAPI 3 server url with its {variables} replaced by
// their defaults.
func serverURL(url string, vars *tree.Object, text func(any) (string, bool)) (string, bool) {
	var b strings.Builder
	for {
		open := strings.IndexByte(url, '{')
		if open < 0 {
			b.WriteString(url)
			return b.String(), true
		}
		end := strings.IndexByte(url[open:], '}')
		if end < 0 {
			return "", false
		}
		b.WriteString(url[:open])
		v, _ := vars.Get(url[open+1 : open+end])
		vo, _ := v.(*tree.Object)
		d, has := vo.Get("default")
		s, ok := text(d)
		if !has || !ok {
			return "", false
		}
		b.WriteString(s)
		url = url[open+end+1:]
	}
}
