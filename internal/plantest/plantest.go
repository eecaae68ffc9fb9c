// Package plantest gives tests the plan of an OpenAPI document: loaded
// and generated as smoke plan does, where an error fails the test rather
// than returning. Tests of runner, diff and synthetics start from such a
// plan; each wrote the same load-then-generate steps before.
//
// The package promises no API; it exists for smoke's own tests.
package plantest

import (
	"testing"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/spec"
)

// Plan loads the document at path (a file or a URL) and generates its
// plan with opts. Any error fails tb.
func Plan(tb testing.TB, path string, opts generator.Options) *generator.Plan {
	tb.Helper()
	doc, err := spec.Load(tb.Context(), path, spec.Options{})
	if err != nil {
		tb.Fatalf("plantest: %v", err)
	}
	plan, err := generator.Generate(doc, opts)
	if err != nil {
		tb.Fatalf("plantest: %s: %v", path, err)
	}
	return plan
}

// Petstore is the plan of the example service's document
// (examples/petstore), chains included, read from a file in a temporary
// directory of tb.
func Petstore(tb testing.TB, opts generator.Options) *generator.Plan {
	tb.Helper()
	path, err := petstore.WriteSpec(tb.TempDir())
	if err != nil {
		tb.Fatalf("plantest: %v", err)
	}
	return Plan(tb, path, opts)
}
