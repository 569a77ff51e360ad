package audit

// proxyEvent is the one place where --event proxy plugs in the request
// template of the macro's Event: proxy (issue 18, being built on branch
// event18): the template that builds API Gateway's Lambda proxy event
// (format 1.0) from the request, so that a function written for a proxy
// integration keeps its event when its method becomes a non-proxy (AWS)
// integration, the only kind that can invoke asynchronously.
//
// Until Event: proxy is merged it has no template, and --fix refuses
// AWS_PROXY methods with the reason. Once it is merged, return the
// macro's template here (the same text, from package macro, not a copy)
// with the passthrough behaviour the macro gives it; convertProxy then
// plans the conversion and nothing else needs to change.
var proxyEvent = func() (t proxyTemplate, ok bool) { return proxyTemplate{}, false }

// proxyTemplate is the request template that builds the proxy event.
type proxyTemplate struct {
	Templates   map[string]string // by content type
	Passthrough string            // WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER
}
