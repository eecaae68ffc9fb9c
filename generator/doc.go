// Package generator turns a loaded OpenAPI document into checks: one
// Check per path × HTTP method, with a concrete request and the
// expectations the document states.
//
// # Overview
//
// Check is the one model smoke's backends share: the runner sends it, the
// diff engine samples it against two targets, and the synthetics package
// maps it to a Datadog API test. Its ID is stable across runs and machines
// (a hash of service, method and path template).
//
// Each request value is resolved in this order: a fixture from smoke.yaml,
// the parameter's example(s), the schema's example(s), its default, its
// first enum value, and last a deterministic value made from type and
// format. Every value records its Source. Generation is deterministic: the
// same document and options give byte-identical plans.
//
// Generated values seek the service's success path (patterns, bounds,
// merged allOf, a validating oneOf branch, a run token in names). Values
// that depend on when or by which run a request is sent are placeholders
// (${now+1h}, ${run}: see Vars) in a request marked Dynamic; a backend
// renders them with Check.Rendered when it sends the request. Every number
// a schema gives is capped where it becomes a size or a loop (see the
// generation caps in values.go).
//
// Chains (DESIGN.md, "Depth"): a Check's Bindings say which of its
// request values come from an earlier check's exchange (a JSON pointer
// into the answer, a header such as Location, or an OpenAPI links
// expression); its static value stays as the fallback. Generate infers
// them — links first, then the Location a create documents, then names
// along the path hierarchy (a create's answer, a list's items for safe
// checks only), RPC-style resources by their verbs — applies smoke.yaml's
// bind and chain settings, breaks cycles by dropping the weakest binding
// (with a warning), and gives every check of a created resource its Role
// (create, read, update, use, delete). Plan.Graph holds the order and the
// groups; Dependencies and Order are the one schedule every backend
// follows, and Chains the one grouping of checks into sequences that a
// backend without a scheduler runs in one go (a Datadog multistep test,
// a k6 group). Check.WithValue puts a bound value into a copy of a check.
//
// # Usage
//
//	doc, err := spec.Load(ctx, "openapi.yaml", spec.Options{})
//	plan, err := generator.Generate(doc, generator.Options{Service: "orders"})
//	f, err := generator.NewFilter([]string{"GET /pets/*"}, nil, true)
//	checks := f.Apply(plan.Checks)
//
// The package is part of smoke and promises no API to other modules.
package generator
