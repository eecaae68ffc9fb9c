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
// # Usage
//
//	doc, err := spec.Load(ctx, "openapi.yaml", spec.Options{})
//	plan, err := generator.Generate(doc, generator.Options{Service: "orders"})
//	f, err := generator.NewFilter([]string{"GET /pets/*"}, nil, true)
//	checks := f.Apply(plan.Checks)
//
// The package is part of smoke and promises no API to other modules.
package generator
