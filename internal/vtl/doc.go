// Package vtl evaluates API Gateway mapping templates: the Velocity
// Template Language (Apache Velocity 1.7, which API Gateway runs) with the
// variables API Gateway gives a REST API's request and response templates.
// No maintained Go implementation of Velocity exists; this one is small,
// and covers the dialect the API Gateway developer guide documents.
//
// Parse reads a template; Template.Execute renders it with Variables: the
// body and parameters behind $input, $context and $stageVariables.
// Errors, from either, are *Error and name the line and column.
//
// # The language
//
//   - #set($a = ...), #set($map.key = ...), #set($list[0] = ...); a null
//     value leaves the reference as it was (Velocity 1.7).
//   - #if / #elseif / #else / #end; null and false are false, anything else
//     true, the empty string included (Velocity 1.7).
//   - #foreach($x in ...) over a list, a map's values or a range [1..n],
//     with $foreach.hasNext, .index (from 0), .count (from 1), .first,
//     .last, and $velocityCount; at most MaxIterations (API Gateway's
//     quota of 1000) iterations, then the loop stops, as API Gateway's
//     does, with a notice in Result.Notices.
//   - #break (out of the #foreach, or the template), #stop.
//   - ## and #* *# comments, #[[ unparsed text ]]#, \$a and \#if escapes.
//   - References $a, $!a, ${a}, with .property, .method(args) and [index]
//     (negative from the end); names may hold hyphens, as in Velocity 1.7
//     ($context.requestOverride.header.X-Amz-Invocation-Type).
//   - Literals: 'single' (as written, ” for '), "double" (interpolated
//     when it holds $ or #; "" for ", \uXXXX for a character: no other
//     escape, so "\\'" is the three characters \\'), integers, decimals,
//     true, false, [lists], {"maps": ...}, ranges [a..b].
//   - Operators, by precedence: || or, && and, == != eq ne, < <= > >=
//     lt le gt ge, + -, * / %, ! not. + joins text when either side is a
//     string; integers stay integers; a division by zero is null.
//   - Methods: of strings (length, isEmpty, contains, startsWith,
//     endsWith, indexOf, lastIndexOf, substring, charAt, toLowerCase,
//     toUpperCase, trim, replace, replaceAll, replaceFirst, matches,
//     split, equals, equalsIgnoreCase, concat, compareTo, toString), with
//     Java's indexes (UTF-16) and regular expressions read by Go's RE2;
//     of maps (get, put, containsKey, containsValue, remove, keySet,
//     values, entrySet, size, isEmpty, putAll, clear); of lists (size,
//     get, add, addAll, set, remove, contains, indexOf, subList, isEmpty,
//     clear); of numbers and booleans (toString, intValue, doubleValue,
//     booleanValue, equals).
//
// # As API Gateway runs it
//
//   - A null reference prints as nothing ($x and $!x alike), and == reads
//     null as the empty string, as API Gateway does (Velocity itself would
//     print the reference, and find null unequal to "").
//   - A map prints as Java's {key=value, ...}; a list from a JSON document
//     ($input.path, $util.parseJson) prints as JSON, a list the template
//     builds as Java's [a, b].
//   - $input.body (the body, {} when empty), $input.json(path) (JSON text;
//     "" when the path leads nowhere), $input.path(path) (the value, to
//     use in the template), $input.params() (path, querystring and header
//     maps), $input.params(name) (the path, then the query string, then
//     the headers; "" when none has it).
//   - JSONPath as Jayway's JsonPath reads it: $, $.a.b, $['a'], [n], [-1],
//     [a,b], [*], .*, [1:3], ..name; a path without $ reads as $.path.
//     Filters ([?(...)]) and functions (.length()) are not supported.
//   - $util.escapeJavaScript (Apache Commons Lang's: it escapes ' as \',
//     which JSON does not allow), parseJson, urlEncode and urlDecode
//     (Java's URLEncoder and URLDecoder, UTF-8), base64Encode and
//     base64Decode.
//   - $context and $stageVariables are the caller's maps;
//     $context.requestOverride.{header,path,querystring} and
//     $context.responseOverride.{header,status} are there to set, and
//     Result returns what the template set; Result.Overrides carries them
//     on to the response template (Variables.Overrides), as API Gateway
//     does.
//
// # Bounds
//
// A template cannot run unbounded: MaxIterations per #foreach, MaxSteps
// of work per Execute, MaxOutput bytes of output (and of any string),
// MaxElements in a list or map it grows, 100 levels of nesting in the
// template and 1000 in a value; beyond them Execute fails with an *Error
// at the place, as API Gateway fails a request whose template it cannot
// run.
//
// # Not supported
//
// #macro, #define, #parse, #include and #evaluate (an error says so);
// methods beyond the lists above (null, with a notice); Java's lookaround
// and backreferences in regular expressions (an error); $util functions
// other than API Gateway's six ($util.toJson and the others are AppSync's);
// overriding one parameter twice, which API Gateway answers with a 5XX.
package vtl
