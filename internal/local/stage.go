package local

import (
	"fmt"
	"sort"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Stage is the stage of a REST API that requests are served on: its name,
// which is $context.stage, and its variables, which are $stageVariables,
// the proxy event's stageVariables, and what a stage variable in an
// integration URI or a parameter mapping names.
type Stage struct {
	Name      string
	Variables map[string]string
	Source    string // where the template declares it; "" for the stand-in
}

// localStage is the name of the stage that stands in for the stage of an
// API whose template declares none.
const localStage = "local"

// defaultStage stands in for the stage of an API whose template declares
// none.
var defaultStage = Stage{Name: localStage}

// variables are the stage's variables as the proxy event holds them.
func (s Stage) variables() map[string]any {
	m := make(map[string]any, len(s.Variables))
	for k, v := range s.Variables {
		m[k] = v
	}
	return m
}

// declaredStages are the stages the template declares for REST API api, in
// the template's order: an AWS::Serverless::Api's StageName and Variables
// (its Globals included); for an AWS::ApiGateway::RestApi, each
// AWS::ApiGateway::Stage on it, and each AWS::ApiGateway::Deployment that
// names a StageName (with StageDescription's Variables). A variable whose
// value the template does not tell is left out, with a warning.
func (t *template) declaredStages(api string, apiGlobals *tree.Object, vals *values) ([]Stage, []string) {
	var stages []Stage
	var warnings []string
	read := func(name, variables any, src, varsAt string) {
		s := Stage{Name: localStage, Variables: map[string]string{}, Source: src}
		if n, ok := vals.text(name); ok && n != "" {
			s.Name = n
		} else if name != nil {
			warnings = append(warnings, fmt.Sprintf("%s: cannot tell its stage name (%s); it is served as stage %q", src, describe(name), localStage))
		}
		if o, ok := variables.(*tree.Object); ok {
			for _, m := range o.Members {
				v, ok := vals.text(m.Value)
				if !ok {
					warnings = append(warnings, fmt.Sprintf("%s.%s: cannot tell the stage variable's value (%s): only text and parameters (-p) are read here; it is left out", varsAt, m.Key, describe(m.Value)))
					continue
				}
				s.Variables[m.Key] = v
			}
		}
		stages = append(stages, s)
	}
	if t.Type(api) == cfn.TypeSAMAPI {
		p := t.Properties(api)
		name, _ := p.Get("StageName")
		src := "Resources." + api
		read(name, t.SAMProperty(apiGlobals, api, "Variables"), src, src+".Properties.Variables")
		return stages, warnings
	}
	self := tree.NewObject("Ref", api)
	t.Each(func(id string, _ *tree.Object) {
		p := t.Properties(id)
		if p == nil {
			return
		}
		if rest, _ := p.Get("RestApiId"); !tree.Equal(rest, self) {
			return
		}
		src := "Resources." + id
		switch t.Type(id) {
		case cfn.TypeStage:
			name, _ := p.Get("StageName")
			vars, _ := p.Get("Variables")
			read(name, vars, src, src+".Properties.Variables")
		case cfn.TypeDeployment:
			name, has := p.Get("StageName")
			if !has {
				return
			}
			var vars any
			if d, ok := valueOf(p, "StageDescription").(*tree.Object); ok {
				vars, _ = d.Get("Variables")
			}
			read(name, vars, src, src+".Properties.StageDescription.Variables")
		}
	})
	return stages, warnings
}

// chooseStage is the stage of api to serve: the one named want, else its
// only stage, else its first, with a warning naming the others. An API
// with no stage, or none named want, is served on the stand-in stage
// (named want, when given).
func chooseStage(api string, stages []Stage, want string) (Stage, string) {
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = s.Name
	}
	switch {
	case want != "":
		for _, s := range stages {
			if s.Name == want {
				return s, ""
			}
		}
		fallback := Stage{Name: want}
		if len(stages) == 0 {
			return fallback, ""
		}
		return fallback, fmt.Sprintf("%s has no stage %s (its stages: %s); it is served on stage %s with no stage variables", api, want, strings.Join(names, ", "), want)
	case len(stages) == 0:
		return defaultStage, ""
	case len(stages) == 1:
		return stages[0], ""
	}
	sorted := append([]string(nil), names[1:]...)
	sort.Strings(sorted)
	return stages[0], fmt.Sprintf("%s has %d stages; it is served on stage %s (%s), not on %s: choose one with --stage", api, len(stages), stages[0].Name, stages[0].Source, strings.Join(sorted, ", "))
}

// stageVariable is the value of stage variable name on the route's stage.
func (r *Route) stageVariable(name string) (string, bool) {
	v, ok := r.Stage.Variables[name]
	return v, ok
}

// withStageVariables is text with each ${stageVariables.name} replaced by
// the variable's value on stage s; ok is false when s does not set one of
// them.
func withStageVariables(text string, s Stage) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(text, "${stageVariables.")
		if i < 0 {
			b.WriteString(text)
			return b.String(), true
		}
		end := strings.IndexByte(text[i:], '}')
		if end < 0 {
			b.WriteString(text)
			return b.String(), true
		}
		name := text[i+len("${stageVariables.") : i+end]
		v, ok := s.Variables[name]
		if !ok {
			return text, false
		}
		b.WriteString(text[:i])
		b.WriteString(v)
		text = text[i+end+1:]
	}
}
