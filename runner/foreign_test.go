package runner_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/runner"
)

const foreignDoc = `
openapi: 3.0.3
info: {title: Foreign, version: "1"}
paths:
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}, example: abc}]
    get: {responses: {"200": {description: one}}}
    delete: {responses: {"204": {description: gone}}}
  /things/prune:
    post:
      parameters: [{name: filters, in: query, schema: {type: string}}]
      responses: {"204": {description: pruned}}
`

// TestWritesOnResourcesNotCreated: a DELETE whose id is the spec's
// example is neither run nor sampled (it would delete whatever thing
// "abc" is), nor is a prune (it would delete every unused thing); with
// the id, and a filter for the prune, from smoke.yaml, both are sent.
func TestWritesOnResourcesNotCreated(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	p := filepath.Join(t.TempDir(), "api.yaml")
	if err := os.WriteFile(p, []byte(foreignDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := runner.New(runner.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	checks := plantest.Plan(t, p, generator.Options{}).Checks
	results, err := r.Run(t.Context(), checks)
	if err != nil {
		t.Fatal(err)
	}
	del := byName(results)["DELETE /things/{id}"]
	if del.Outcome != runner.Skipped || del.Reason != runner.ReasonNoValue || len(del.Notes) != 1 || !strings.Contains(del.Notes[0], `path.id "abc" (example) names a resource this run did not create`) {
		t.Errorf("delete = %s %s %q, want skipped, no_value, with the reason", del.Outcome, del.Reason, del.Notes)
	}
	var c generator.Check
	for _, x := range checks {
		if x.Method == "DELETE" {
			c = x
		}
	}
	if _, err := r.Send(t.Context(), srv.URL, c); err == nil || !strings.Contains(err.Error(), "did not create") {
		t.Errorf("Send = %v, want the write refused", err)
	}
	mu.Lock()
	if strings.Contains(strings.Join(got, ","), "DELETE") {
		t.Errorf("requests %v: the DELETE was sent", got)
	}
	mu.Unlock()

	prune := byName(results)["POST /things/prune"]
	if prune.Outcome != runner.Skipped || len(prune.Notes) != 1 || !strings.Contains(prune.Notes[0], "acts on every resource of its collection") {
		t.Errorf("prune = %s %q, want skipped with the reason", prune.Outcome, prune.Notes)
	}
	mu.Lock()
	if strings.Contains(strings.Join(got, ","), "prune") {
		t.Errorf("requests %v: the prune was sent", got)
	}
	mu.Unlock()

	fixed := plantest.Plan(t, p, generator.Options{
		Parameters: []generator.ParamFixture{{In: "path", Name: "id", Value: "mine"}, {In: "query", Name: "filters", Value: "label=smoke"}},
	}).Checks
	results, err = r.Run(t.Context(), fixed)
	if err != nil {
		t.Fatal(err)
	}
	if del := byName(results)["DELETE /things/{id}"]; del.Outcome != runner.Passed || del.StatusCode != 204 {
		t.Errorf("delete with the user's id = %s %d, want sent", del.Outcome, del.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(got, "DELETE /things/mine") || !slices.Contains(got, "POST /things/prune") {
		t.Errorf("requests %v, want DELETE /things/mine and the prune the user filtered", got)
	}
}
