// Package synthetics keeps Datadog Synthetics API tests in sync with
// smoke's checks, and runs them from CI.
//
// # Overview
//
// [Map] turns each [generator.Check] into one Synthetics API test (type
// api, subtype http): the check's request joined to a base URL, no
// redirect following, a request timeout, and assertions from the spec —
// the documented status codes, the content type, an optional response
// time, and the response schema converted to JSON Schema draft-07 where it
// fits. Secrets are never inlined: a secret header, query parameter,
// cookie or basic credential becomes a reference to a Datadog global
// variable ({{ NAME }}), and Map refuses a payload that would contain a
// secret value.
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
// Every test carries three identity tags: managed-by:smoke,
// smoke-service:<service> and smoke-check:<check id>. Only tests carrying
// the first two are ever updated or deleted; everything else in the
// account is left alone.
//
// [Client.Plan] lists the account's tests (every page), matches them to
// checks by the smoke-check tag, and compares only the fields smoke owns,
// so fields Datadog fills in never show as drift. [Client.Apply] writes
// the plan: one call per created or updated test, deletes in batches. A
// second publish of the same checks makes no write. Apply refuses to
// delete more than a share of the owned tests without force.
//
// The client retries on its own terms, not the Datadog client's: a 429
// waits for X-RateLimit-Reset; a 5xx is retried only where repeating
// cannot duplicate — after a failed create it lists the tests again and
// looks for the check's identity tag before retrying. An interrupted
// publish converges when run again.
//
// [Client.Trigger] runs a service's tests through the CI endpoint (at most
// 100 per call), polls the batches, and [WriteJUnit] writes the result.
//
// The datadog-api-client-go types stay inside this package.
//
// # Usage
//
//	tests, err := synthetics.Map(plan.Checks, synthetics.Options{Service: "orders", BaseURL: "https://api.example.com"})
//	c, err := synthetics.NewClient(synthetics.ClientOptions{APIKey: k, AppKey: a, Site: "datadoghq.eu"})
//	p, err := c.Plan(ctx, "orders", tests, synthetics.PlanOptions{Prune: true})
//	stats, err := c.Apply(ctx, p, synthetics.ApplyOptions{})
//	res, err := c.Trigger(ctx, "orders", synthetics.TriggerOptions{Wait: true})
//
// The package promises no API; it exists for smoke's command line.
package synthetics
