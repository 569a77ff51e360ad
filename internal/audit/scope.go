package audit

import (
	"strings"
)

// action is what --fix does with a method.
type action int

const (
	convert action = iota // map X-Amz-Invocation-Type as the mode asks, and repair the rest
	repair                // keep its mapping (it is already as asked); repair only what is broken
	leave                 // change nothing
)

// unnamed decides what --fix does with a Lambda method that --method does
// not name. It changes a method only when it is clearly wrong in the
// direction the mode asks: one that maps no invocation type at all (the
// console's default, synchronous), or 'event' in the wrong case with
// --mode always. One already as asked keeps its mapping and gets only its
// broken parts repaired. A deliberate choice is left alone, with why: an
// asynchronous or client method whose callers would change behaviour, a
// mapping from a stage variable or the request context, 'RequestResponse'
// written out, DryRun, and a proxy integration.
func unnamed(row Row, o FixOptions) (action, string) {
	inv := row.Invocation
	const name = "; name it with --method to change it"
	if v, ok := strings.CutPrefix(inv.Source, "stageVariables."); ok {
		return leave, "maps X-Amz-Invocation-Type from the stage variable " + v + ", which each stage sets as it chooses" + name
	}
	switch inv.Class {
	case Proxy:
		return leave, "is proxy: its callers get the function's result, which an asynchronous call does not give them" + name + " (and --event proxy, which keeps the function's event)"
	case Varies:
		return leave, "is varies (" + inv.Source + "): what decides is not the caller's header" + name
	case Client:
		if o.Mode == Client {
			if o.Header == "" || strings.EqualFold(o.Header, inv.Header) {
				return repair, ""
			}
			return leave, "its callers choose with " + chooser(inv) + ", and --header " + o.Header + " would move them off it" + name
		}
		return leave, "is client: its callers choose with " + chooser(inv) + ", and those that ask for RequestResponse get the function's result, which --mode always would take from them" + name
	case Async:
		if o.Mode == Async {
			return repair, ""
		}
		return leave, "is async: every call is asynchronous, and in client mode the calls of callers that do not send the header would run synchronously" + name
	case Sync:
		if inv.Source != "" {
			return leave, "maps X-Amz-Invocation-Type from " + inv.Source + ", a deliberate choice of synchronous calls" + name
		}
		return convert, ""
	case Invalid:
		value := strings.Trim(inv.Source, "'")
		if o.Mode == Async && strings.EqualFold(value, eventType) {
			return convert, "" // 'event': meant asynchronous, refused by Lambda
		}
		if value == dryRunType {
			return leave, "maps 'DryRun': the function never runs, which looks deliberate" + name
		}
		return leave, "maps " + inv.Source + ", which Lambda refuses" + name + " to what it should be"
	}
	return convert, "" // template: refused by planMethod, said as skipped
}

// chooser says what the caller chooses an invocation type with.
func chooser(inv Invocation) string {
	if inv.Header != "" {
		return "the header " + inv.Header
	}
	return inv.Source
}
