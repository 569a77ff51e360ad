package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Lambda applies to an asynchronous call the configuration of what it
// invokes: the function itself ($LATEST), an alias or a version, each its
// own. A configuration on an alias does not apply to a call of the function
// itself, whose failures Lambda then retries twice and drops. The macro
// refuses the shorthand's settings for what SAM does not configure (E1606);
// when the settings are the template's own (a SAM function's
// EventInvokeConfig with AutoPublishAlias, an AWS::Lambda::EventInvokeConfig
// on an alias), a method that invokes the function itself is noted
// (NoteOtherQualifier).

// latestCall is a method or operation made asynchronous that invokes a
// function of the template itself ($LATEST).
type latestCall struct {
	fn    string
	where *loc // the integration's URI
}

// invokesLatest notes, for noteOtherQualifiers, the targets of an
// integration at where that are a function of the template itself.
func (e *expander) invokesLatest(targets []resolved, where *loc) {
	for _, t := range targets {
		if t.Function == "" || t.external || t.StageVariable || t.Name == nil {
			continue
		}
		if q, _ := e.qualifier(t).(string); q == "$LATEST" {
			e.latest = append(e.latest, latestCall{fn: t.Function, where: where})
		}
	}
}

// otherConfig is an asynchronous invocation configuration of a function
// on another qualifier than $LATEST.
type otherConfig struct {
	where  *loc
	on     string // what it configures, as a message says it
	invoke string // what to invoke for it to apply
}

// noteOtherQualifiers notes each call of a function itself whose function
// has asynchronous invocation configurations in the template (the macro's
// included), none of them on $LATEST.
func (e *expander) noteOtherQualifiers() {
	for _, c := range e.latest {
		others, latest := e.otherConfigs(c.fn)
		if latest || len(others) == 0 {
			continue
		}
		places := make([]string, len(others))
		invoke := make([]string, len(others))
		for i, o := range others {
			places[i] = o.where.path().String() + " (" + o.on + ")"
			invoke[i] = o.invoke
		}
		own := ", or this shorthand's OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds, which the macro writes there"
		if e.res.Type(c.fn) == cfn.TypeSAMFunction && e.samProperty(c.fn, "AutoPublishAlias") != nil {
			own = "" // SAM configures the alias only (E1606)
		}
		e.noteOf(NoteOtherQualifier, c.where, "invokes %s itself ($LATEST) asynchronously, but %s's asynchronous invocation configuration is on another qualifier only: %s; its retries, event age and destinations apply to the calls of that qualifier, not to these, so a call that fails is retried twice and dropped, and no destination gets its record; invoke %s instead (as E1606 asks of the shorthand's settings), or give $LATEST a configuration of its own (an AWS::Lambda::EventInvokeConfig with Qualifier: $LATEST%s)",
			c.fn, c.fn, strings.Join(places, "; "), strings.Join(invoke, " or "), own)
	}
}

// otherConfigs are the asynchronous invocation configurations of function
// fn in the template on qualifiers other than $LATEST; latest reports one
// on $LATEST, or one whose qualifier the macro cannot tell.
func (e *expander) otherConfigs(fn string) (others []otherConfig, latest bool) {
	e.res.Each(func(id string, res *tree.Object) {
		// Read from res: the index does not hold what the macro added.
		props, _ := valueOf(res, "Properties").(*tree.Object)
		if valueOf(res, "Type") != cfn.TypeEventInvokeConfig || props == nil || e.res.InvokedFunction(valueOf(props, "FunctionName")) != fn {
			return
		}
		q := valueOf(props, "Qualifier")
		where := resourcesLoc.at(id)
		flat, _ := cfn.Flatten(q)
		switch v, attr, isVar := cfn.SplitSubVar(flat); {
		case e.literal(q) == "$LATEST":
			latest = true
		case e.literal(q) != "":
			name := e.literal(q)
			others = append(others, otherConfig{where, "on " + name, "${" + fn + ".Arn}:" + name})
		case isVar && attr == "Version" && e.res.Type(v) == cfn.TypeVersion:
			others = append(others, otherConfig{where, "on version " + v, "!Ref " + v})
		default:
			latest = true // it may be $LATEST
		}
	})
	if e.res.Type(fn) != cfn.TypeSAMFunction || e.samProperty(fn, "EventInvokeConfig") == nil {
		return others, latest
	}
	alias := e.samProperty(fn, "AutoPublishAlias")
	if alias == nil {
		return others, true // SAM configures $LATEST
	}
	where := locOf([]string{"Globals", "Function", "EventInvokeConfig"})
	if e.res.Properties(fn).Has("EventInvokeConfig") {
		where = resourcesLoc.at(fn).at("Properties").at("EventInvokeConfig")
	}
	on := "on its alias"
	if name := e.literal(alias); name != "" {
		on += " " + name
	}
	others = append(others, otherConfig{where, on + ", where SAM puts the configuration of a function with AutoPublishAlias", "!Ref " + fn + ".Alias"})
	return others, latest
}
