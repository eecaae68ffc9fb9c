package runner_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/runner"
)

const streamDoc = `
openapi: 3.0.3
info: {title: Streams, version: "1"}
paths:
  /watch:
    post:
      responses:
        "200":
          description: A successful response.(streaming responses)
          content:
            application/json:
              schema: {type: object, required: [result], properties: {result: {type: object, required: [n], properties: {n: {type: integer}}}}}
  /lines:
    get:
      responses:
        "200":
          description: lines
          content:
            application/x-ndjson:
              schema: {type: object, required: [n], properties: {n: {type: integer}}}
  /events:
    get:
      responses:
        "200":
          description: events
          content:
            text/event-stream:
              schema: {type: string}
  /plain:
    get:
      responses:
        "200":
          description: one document
          content:
            application/json:
              schema: {type: object}
`

// TestStreams: a response the spec documents as a stream is judged on
// its first record, and the exchange ends there, whether or not the
// server ever ends the stream.
func TestStreams(t *testing.T) {
	p := filepath.Join(t.TempDir(), "streams.yaml")
	if err := os.WriteFile(p, []byte(streamDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	checks := plantest.Plan(t, p, generator.Options{}).Checks
	for _, tc := range []struct {
		name     string
		path     string
		ctype    string
		write    []string // written and flushed in turn; then the stream stays open
		end      bool     // the server ends the stream after writing
		limit    int64
		outcome  runner.Outcome
		body     string
		failures []string
	}{
		{name: "grpc-gateway stream that never ends", path: "/watch", ctype: "application/json",
			write: []string{`{"result":{"n":1}}`, "\n", `{"result":{"n":2}}`}, outcome: runner.Passed, body: `{"result":{"n":1}}`},
		{name: "first record split across writes", path: "/watch", ctype: "application/json",
			write: []string{`{"result":`, `{"n":7}}{"result"`}, outcome: runner.Passed, body: `{"result":{"n":7}}`},
		{name: "first record against the schema", path: "/watch", ctype: "application/json",
			write: []string{`{"error":{"code":5}}`}, outcome: runner.Failed, body: `{"error":{"code":5}}`, failures: []string{runner.CheckResponseSchema}},
		{name: "stream cut inside its first record", path: "/watch", ctype: "application/json",
			write: []string{`{"result":{"n"`}, end: true, outcome: runner.Failed, body: `{"result":{"n"`, failures: []string{runner.CheckResponseSchema}},
		{name: "NDJSON", path: "/lines", ctype: "application/x-ndjson",
			write: []string{"{\"n\":1}\n{\"n\":2}\n"}, outcome: runner.Passed, body: `{"n":1}`},
		{name: "NDJSON record against the schema", path: "/lines", ctype: "application/x-ndjson",
			write: []string{"{\"n\":\"one\"}\n"}, outcome: runner.Failed, body: `{"n":"one"}`, failures: []string{runner.CheckResponseSchema}},
		{name: "server-sent events", path: "/events", ctype: "text/event-stream",
			write: []string{": hello\n", "event: tick\ndata: {\"n\":1}\n\n", "data: 2\n\n"}, outcome: runner.Passed, body: ": hello\nevent: tick\ndata: {\"n\":1}"},
		{name: "first record over the body limit", path: "/lines", ctype: "application/x-ndjson", limit: 16,
			write: []string{`{"n":1,"pad":"` + strings.Repeat("x", 64) + `"}`}, outcome: runner.Errored},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(http.StatusOK)
				for _, s := range tc.write {
					_, _ = w.Write([]byte(s))
					w.(http.Flusher).Flush()
				}
				if !tc.end {
					<-r.Context().Done() // an endless stream: until the client goes
				}
			}))
			defer srv.Close()
			r, err := runner.New(runner.Options{BaseURL: srv.URL, Timeout: time.Minute, MaxBodyBytes: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			var c generator.Check
			for _, x := range checks {
				if x.Path == tc.path {
					c = x
				}
			}
			results, _ := r.Run(t.Context(), []generator.Check{c})
			res := results[0]
			var failed []string
			for _, f := range res.Failures {
				failed = append(failed, f.Check)
			}
			if res.Outcome != tc.outcome || (tc.failures != nil && !slices.Equal(failed, tc.failures)) {
				t.Fatalf("outcome %s %v, want %s %v", res.Outcome, res.Failures, tc.outcome, tc.failures)
			}
			if tc.outcome == runner.Errored {
				return
			}
			if got := string(res.Response.Body); got != tc.body || res.Response.Stream == "" {
				t.Errorf("body %q (stream %q), want %q", got, res.Response.Stream, tc.body)
			}
			if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "first record") }) {
				t.Errorf("notes %q, want one saying only the first record was judged", res.Notes)
			}
		})
	}
	t.Run("an ordinary body is read whole", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"a":1}{"b":2}`))
		}))
		defer srv.Close()
		r, err := runner.New(runner.Options{BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		var c generator.Check
		for _, x := range checks {
			if x.Path == "/plain" {
				c = x
			}
		}
		results, _ := r.Run(t.Context(), []generator.Check{c})
		if res := results[0]; string(res.Response.Body) != `{"a":1}{"b":2}` || res.Response.Stream != "" || res.Outcome != runner.Failed {
			t.Errorf("plain: %s %q stream %q, want the whole body, not JSON", res.Outcome, res.Response.Body, res.Response.Stream)
		}
	})
}
