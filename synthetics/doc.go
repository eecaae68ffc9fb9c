// Package synthetics keeps Datadog Synthetics API tests in sync with
// smoke's checks, and runs them from CI.
//
// # Overview
//
// [Map] turns each [generator.Check] into one Synthetics API test (type
// api, subtype http): the check's request joined to a base URL, no
// redirect following (in options, as Terraform sends it), a request
// timeout, a body type for JSON, XML, form, multipart (as Datadog's form
// fields and files), GraphQL and other text, and assertions from the spec
// — the documented status codes, the content type, an optional response
// time, and the response schema converted to JSON Schema draft-07 (OpenAPI
// formats mapped or left out; left out with a note past Datadog's 51,200
// characters). Secrets are never inlined: a secret header, query
// parameter, cookie or basic credential becomes a reference to a Datadog
// global variable ({{ NAME }}, [VariableName]), and Map refuses a payload
// that would contain a secret value.
//
// Map refuses, before any call, every value real Datadog would refuse
// although its public document allows it: retries, intervals, timeouts,
// tick_every, tags, variable names, body size ([Options.Validate] and the
// Check functions; docs/datadog.md lists each rule with its source).
//
// Checks that chains link (generator.Binding) map to one multistep API
// test (subtype multi) instead: the checks are its steps, in the order
// the runner sends them; a step that produces a value extracts it
// (extractedValues: a JSONPath on the body, a regular expression on a
// Location header) and later steps refer to it as {{ VAR }}. The read
// bound to a create asserts a success only (read-after-write). Values
// read from a list are not chained: a monitor must not fail because a
// list is empty. The test's identity is its first step's check ID,
// prefixed with "chain-".
//
// Every test carries three identity tags, normalised as Datadog stores
// tags ([NormalizeTag]): managed-by:smoke, smoke-service:<service> and
// smoke-check:<check id>. Only tests carrying the first two are ever
// updated or deleted; everything else in the account is left alone.
// [SkipWrites] leaves out checks of unsafe methods unless writes are
// allowed: a test runs every few minutes, forever.
//
// [Client.Plan] searches the service's tests by its tag (paging to the
// total Datadog reports; a listing of the account where search is
// missing), matches them to checks by the smoke-check tag, and compares
// only the fields smoke owns, so fields Datadog fills in never show as
// drift. It states the scheduled runs per month before and after.
// [Client.Apply] writes the plan: one call per created or updated test,
// deletes in batches, then the service's suite (v2 API). A second publish
// of the same checks makes no write. Apply refuses to delete more than a
// share of the owned tests without force; a test an SLO or a composite
// monitor depends on is reported and the other deletes go through. Two
// publishes racing each other converge: after its creates each one lists
// again and deletes its own test wherever an older one of the same check
// exists.
//
// The client retries on its own terms, not the Datadog client's: a 429
// waits for X-RateLimit-Reset, else X-RateLimit-Period, else backs off; a
// 5xx is retried only where repeating cannot duplicate — after a failed
// create it looks for the check's identity tag before retrying. An
// interrupted publish converges when run again.
//
// [Client.Trigger] runs a service's tests, or a suite's, through the CI
// endpoint (at most 100 per call) with the CI and git metadata of
// [CIMetadata], polls the batches — through the 404 of a batch not yet
// readable — and settles the runs still in progress once a batch is
// final, as datadog-ci does. The report package renders plans and
// results.
//
// The datadog-api-client-go types stay inside this package.
//
// # Usage
//
//	checks, skipped := synthetics.SkipWrites(plan.Checks, "orders", false)
//	tests, err := synthetics.Map(checks, synthetics.Options{Service: "orders", BaseURL: "https://api.example.com"})
//	c, err := synthetics.NewClient(synthetics.ClientOptions{APIKey: k, AppKey: a, Site: "datadoghq.eu"})
//	p, err := c.Plan(ctx, "orders", tests, synthetics.PlanOptions{Prune: true, Skipped: skipped})
//	stats, err := c.Apply(ctx, p, synthetics.ApplyOptions{})
//	res, err := c.Trigger(ctx, "orders", synthetics.TriggerOptions{Wait: true, Metadata: synthetics.CIMetadata(getenv)})
//
// The package promises no API; it exists for smoke's command line.
package synthetics
