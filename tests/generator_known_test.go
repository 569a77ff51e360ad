package tests

// knownFailures are the failures the generator finds that are not fixed
// yet. The table is empty: every failure issue 16's generator found is
// fixed, each with a golden in macro/testdata and, where the generator
// minimized it, a reproducer in testdata/gen (TestGeneratedReproducers).
//
// The mechanism stays, strict, for the next capability: when the generator
// finds a failure that cannot be fixed in the same change, add an entry
// keyed by its issue and case number,
//
//	{Case: 13, What: "a SAM function whose logical ID is near 255 ...",
//		Match: func(c *gen.Case) bool { return c.Use("name-long-function", "function-sam-own-role") },
//		Fails: regexp.MustCompile(`^lint: E3001 .*EventInvokeConfig`)},
//
// whose Match is a predicate over the generated features (Case.Has, .Use)
// and Fails a regular expression over the failure ("oracle: detail"). A
// template Match selects may fail as Fails says without failing the test;
// any other failure fails it. Strict both ways: on a run of make test's
// size (300 templates or more), an entry whose predicate matched templates
// the macro expanded, none of which failed so, fails the test with "case N
// passes now: remove it from the table". Only templates the macro expanded
// (or that failed as Fails says) count as matched: a template it refuses
// for another reason shows nothing. Remove each entry as its fix merges.
var knownFailures = []known{}
