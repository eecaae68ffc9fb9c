// Package ddemu is an in-process emulator of the part of Datadog's API
// that smoke publish and smoke trigger use: Synthetics API tests (list,
// search, create, get, update, delete), CI triggers and batch results,
// global variables (v1), and test suites (v2).
//
// # Overview
//
// Every request the emulator receives, and every response it sends, is
// validated against Datadog's own OpenAPI documents (the ones shipped in
// the datadog-api-client-go module) with kin-openapi's openapi3filter. A
// request that does not validate is answered 400 with Datadog's error
// shape and recorded as a violation; a response that does not validate is
// recorded as a violation too, so a test using [New] fails on either.
//
// Strict mode (on unless Options.Lax) also enforces what Datadog's servers
// refuse although the document allows it — variable names, retry,
// timeout and size bounds, tag grammar, closed objects, requests (of a
// test or of any step) that refer to a {{ VARIABLE }} the test does not
// define, and the shape of multistep tests and their extracted values —
// and stores tags normalised and step ids added as Datadog does;
// strict.go and strict_multistep.go cite the source of each rule.
//
// One deliberate exception: while a CI batch runs, Datadog answers its
// status as "in_progress", a value missing from the document's
// SyntheticsBatchStatus enum. The emulator answers like Datadog and
// validates the rest of that response.
//
// Triggered runs get their result from Options.Outcome; by default
// [RunRequest] really sends a test's request (or each step's) when its
// URL is on loopback (the example service in end-to-end scripts) and
// evaluates its status, header, response-time and JSON Schema
// assertions, and passes any other test without sending anything. Like
// a Datadog location, it renders the test's local variables from their
// patterns ({{ alphanumeric(8) }}, {{ date(1h, YYYY-MM-DD) }}, …) once
// per run and substitutes them everywhere (patterns.go).
//
// The emulator keeps its state in memory and makes it introspectable:
// stored tests, suites and variables, the CI trigger bodies, the number of
// calls per operation. It injects the faults a client must survive: 429
// with or without rate-limit headers, 5xx after a create was stored, slow
// responses, arbitrary error statuses ([Fault]); a fresh batch answering
// 404, runs that time out, stay in progress after the batch is final or
// are retried (Options.Outcome); a delete refused because an SLO depends
// on the test ([Server.Depend]); listings that lag a create, page shorter
// than asked, ignore page_number; a site without the search endpoint.
//
// # Usage
//
// In a Go test:
//
//	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
//	// point the client at emu.URL with any non-empty keys
//	emu.Inject(ddemu.Fault{Operation: "CreateSyntheticsAPITest", Status: 500, AfterStore: true})
//	... publish ...
//	if n := emu.Writes(); n != 0 { ... }
//
// Outside a test (a testscript Setup), build a handler with [NewServer]
// and serve it with net/http/httptest.
//
// The package promises no API; it exists for smoke's own tests.
package ddemu
