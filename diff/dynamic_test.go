package diff_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// TestDynamicValuesMakeNoDifference: a dynamic request is rendered at
// each send, and both sides echo what they received. The run token is
// the Runner's, the same for OLD and NEW; a rendered moment is compared
// by format wherever the response schema says date-time. Neither makes a
// difference by itself.
func TestDynamicValuesMakeNoDifference(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"name": r.URL.Query().Get("name"), "since": r.URL.Query().Get("since")})
	}
	oldSrv, newSrv := httptest.NewServer(http.HandlerFunc(echo)), httptest.NewServer(http.HandlerFunc(echo))
	defer oldSrv.Close()
	defer newSrv.Close()

	schema := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"name":  {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
		"since": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}},
	}}
	c := generator.Check{ID: "e", Method: "GET", Path: "/echo", Safe: true,
		Request: generator.Request{Dynamic: true, URL: "/echo?name=smoke${run}&since=${now+1h}"},
		Expect: generator.Expect{Status: []string{"200"}, Responses: []generator.Response{{Status: "200",
			Content: []generator.Content{{MediaType: "application/json", Schema: schema, SchemaRef: "inline"}}}}},
	}
	r, err := runner.New(runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := diff.Run(t.Context(), []generator.Check{c}, oldSrv.URL, newSrv.URL, diff.Options{Send: r.Send, Evaluate: r.Evaluate, Rounds: 5})
	if err != nil {
		t.Fatal(err)
	}
	if op := rep.Operations[0]; op.Verdict != diff.Parity && op.Verdict != diff.Noise {
		t.Errorf("verdict = %s (%+v), want parity or noise", op.Verdict, op.Differences)
	}
}
