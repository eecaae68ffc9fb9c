package plantest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
)

func TestPetstore(t *testing.T) {
	plan := plantest.Petstore(t, generator.Options{Service: "pets"})
	if plan.Spec.Service != "pets" {
		t.Errorf("service = %q, want the one in the options", plan.Spec.Service)
	}
	if len(plan.Checks) != plan.Spec.Operations || len(plan.Checks) == 0 {
		t.Errorf("%d checks for %d operations, want one each", len(plan.Checks), plan.Spec.Operations)
	}
	bound := 0
	for _, c := range plan.Checks {
		bound += len(c.Bindings)
	}
	if bound == 0 {
		t.Error("no check is bound to another: the chains are missing")
	}
}

func TestPlanFailsTheTest(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("openapi: 3.0.3\npaths: {/x: {get: {responses: {\"200\": {$ref: \"#/nope\"}}}}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.yaml"), bad} {
		rec := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			plantest.Plan(rec, path, generator.Options{})
		}()
		<-done
		if !strings.Contains(rec.msg, "plantest: ") {
			t.Errorf("Plan(%s) failed with %q, want a plantest error", filepath.Base(path), rec.msg)
		}
	}
}

// recorder keeps the message of Fatalf and ends only the goroutine that
// called it, as FailNow does, instead of failing the test.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
