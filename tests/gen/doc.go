// Package gen generates CloudFormation templates that combine the features
// of the AsyncInvoke macro, deterministically from a seed, for the oracle
// test in tests/generator_test.go (`make test`, `make soak`).
//
// A template is built by choosing, element by element, one row of a
// feature table: the form of each REST API (Method resources, a Swagger 2
// or OpenAPI 3 Body, a SAM DefinitionBody, each import basepath mode), the
// kind of each function and how its role is written, how each integration
// names what it invokes, the shorthand's mode and options, each
// destination and its encryption, conditions, what the author already has
// (permissions, configurations, policies), SAM's Globals, MergeDefinitions
// and Events, and names near CloudFormation's limits or equal to those the
// macro generates. Tables are in features.go: a new feature is one row
// (a name and a small function that changes the template being built).
//
// To add a feature: add a row to the table of what it varies. A new
// shorthand option is a group in options (a "-default" row for leaving it
// out, and one row per way of giving it: u.object().Set(...)); a new form
// of integration URI is a row of targets; something the author already has
// is a row of useFeatures or functionFeatures. If the README says the macro
// refuses it, the row calls b.mustRefuse(why), or b.mustRefuseSaying(why,
// pattern) when the README says what the refusal names; if the macro may
// refuse it with a given reason, b.mayRefuseIf(pattern). If it changes what
// an asynchronous method looks like once deployed, teach the oracles
// (oracle/deploy.go; the options' shapes in oracle/options.go) what to
// expect. TestFeatures checks that every row is reached.
//
// Generate(seed, index) is a pure function of its arguments: the same pair
// always gives the same Case, so one failing template of a long run is
// reproduced alone. A Case carries the template (with the shorthand), the
// names of the features it combines, and the reasons, when a feature the
// README says the macro refuses is present, why it must be refused (and
// what the refusal must say).
// Everything else the oracles check they read from the template itself.
package gen
