// Package runner sends smoke's checks to a deployment and judges the
// answers against what the spec documents.
//
// # Overview
//
// A [Runner] holds one HTTP client (resty over a keep-alive transport;
// two resty clients share it, one for requests that carry no body),
// the assertions to evaluate and the limits that protect the user and the
// target: bounded concurrency, an optional rate limit, a per-request
// timeout, a bounded (and bounded-when-decompressed) response body, and
// no redirect following — a 3xx is the answer and is judged as such.
// Retries are off by default; when enabled they repeat only connection
// errors, 429 and 503, with backoff that honours Retry-After.
//
// Each check becomes a [Result] with an [Outcome]: passed, failed (the
// service answered and an assertion failed), errored (no usable answer)
// or skipped (not sent). The assertions, each selectable by name, are
// not_server_error, status_documented, content_type, response_schema
// (kin-openapi's validator; JSON Schema 2020-12 for OpenAPI 3.1, each
// schema compiled once per Runner with the same result as kin-openapi),
// required_headers, latency and, for chains, read_after_write. A failure message says what was expected,
// what came, and where, with a JSON pointer for schema errors. Secret
// parameters, credential headers, the user information of a base URL
// (sent as an HTTP Basic Authorization header) and configured secrets are
// masked in every message, URL, curl line and log record, in every
// encoding they take there (generator.Masker), before any excerpt is cut.
//
// Checks with bindings run as a chain ([Runner.RunChains]; Run does it
// for them): a dependency graph, not waves — a consumer waits for its own
// producers, a group's delete for the rest of its group — with bound
// values taken from a store of the producers' exchanges and confirmed
// against what each returned; a wrong guess or a missing value leaves the
// static value, with a note, and reason no_value if the check fails. A
// write only takes values of resources this run created. The read bound
// to a create runs at once and must echo what was sent (read_after_write).
// Everything the run created is deleted before it returns, by the spec's
// own delete, within a cleanup deadline of its own (an interrupted run
// still cleans up); [Resources] lists what is left, with a command that
// deletes it.
//
// # Usage
//
//	r, err := runner.New(runner.Options{BaseURL: "https://staging.example.com"})
//	if err != nil { ... }
//	results, err := r.Run(ctx, plan.Checks) // one Result per check, same order
//	sum := runner.Summarize(results)
//
// [Runner.Send] and [Runner.Evaluate] split one exchange from its
// judgement, for callers that sample two deployments.
//
// The package is importable but promises no API: it exists for the smoke
// command.
package runner
