package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/runner"
)

const thingsDoc = `
openapi: 3.0.3
info: {title: Things, version: "1"}
paths:
  /things:
    get:
      responses:
        "200":
          description: list
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {$ref: "#/components/schemas/Thing"}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
            example: {name: widget, size: 3, when: "2024-01-01T00:00:00Z"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
        "500": {description: broken}
  /things/{thingId}:
    parameters:
      - {name: thingId, in: path, required: true, schema: {type: string}, example: static}
    get:
      responses:
        "200":
          description: one
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
        "404": {description: none}
    delete:
      responses:
        "204": {description: gone}
        "404": {description: none}
        "500": {description: broken}
  /slow:
    post:
      responses:
        "201":
          description: made
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
  /slow/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      responses: {"200": {description: ok}, "404": {description: none}}
  /free:
    get:
      responses: {"200": {description: ok}}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: string, readOnly: true}
        name: {type: string}
        size: {type: integer}
        when: {type: string, format: date-time}
`

// things is a small API with the faults the chain tests need.
type things struct {
	mu       sync.Mutex
	next     int
	items    map[string]map[string]any
	created  []string
	deleted  []string
	requests []string
	// Faults.
	createStatus int  // answer POST /things with this status
	idObject     bool // the id in the create's answer is an object
	lagOnce      bool // the first GET of a new thing answers 404
	dropName     bool // GET does not echo the name
	hangDelete   bool // DELETE never answers
	deleteStatus int  // answer DELETE with this status
	lagged       map[string]bool
	// slowGate holds POST /slow; readSeen is closed when a thing is
	// first read.
	slowGate chan struct{}
	readSeen chan struct{}
}

func newThings() *things {
	return &things{items: map[string]map[string]any{}, lagged: map[string]bool{}}
}

func (s *things) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	write := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	path := strings.TrimPrefix(r.URL.Path, "/api")
	switch {
	case r.Method == "POST" && path == "/things":
		if s.createStatus != 0 {
			write(s.createStatus, map[string]any{"error": "broken"})
			return
		}
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		s.mu.Lock()
		s.next++
		id := "t" + strconv.Itoa(s.next)
		in["id"] = id
		s.items[id] = in
		s.created = append(s.created, id)
		s.mu.Unlock()
		out := map[string]any{"id": id, "name": in["name"], "size": in["size"], "when": "2024-01-01T00:00:00.000Z"}
		if s.idObject {
			out["id"] = map[string]any{"value": id}
		}
		write(201, out)
	case r.Method == "GET" && path == "/things":
		s.mu.Lock()
		list := []any{}
		for _, id := range sortedKeys(s.items) {
			list = append(list, s.items[id])
		}
		s.mu.Unlock()
		write(200, map[string]any{"items": list})
	case strings.HasPrefix(path, "/things/"):
		id := strings.TrimPrefix(path, "/things/")
		s.mu.Lock()
		it, ok := s.items[id]
		lag := s.lagOnce && ok && !s.lagged[id]
		if lag {
			s.lagged[id] = true
		}
		s.mu.Unlock()
		switch r.Method {
		case "GET":
			if !ok || lag {
				write(404, map[string]any{"error": "no thing " + id})
				return
			}
			s.mu.Lock()
			if s.readSeen != nil {
				close(s.readSeen)
				s.readSeen = nil
			}
			s.mu.Unlock()
			out := map[string]any{"id": id, "when": "2024-01-01T00:00:00Z"}
			for _, k := range []string{"name", "size"} {
				if v, ok := it[k]; ok && !(k == "name" && s.dropName) {
					out[k] = v
				}
			}
			write(200, out)
		case "DELETE":
			if s.hangDelete {
				<-r.Context().Done()
				return
			}
			if s.deleteStatus != 0 {
				write(s.deleteStatus, map[string]any{"error": "broken"})
				return
			}
			if !ok {
				write(404, map[string]any{"error": "no thing " + id})
				return
			}
			s.mu.Lock()
			delete(s.items, id)
			s.deleted = append(s.deleted, id)
			s.mu.Unlock()
			w.WriteHeader(204)
		}
	case r.Method == "POST" && path == "/slow":
		if s.slowGate != nil {
			select {
			case <-s.slowGate:
			case <-r.Context().Done():
				return
			}
		}
		write(201, map[string]any{"id": "s1"})
	case r.Method == "GET" && path == "/slow/s1":
		write(200, map[string]any{})
	case r.Method == "GET" && path == "/free":
		write(200, map[string]any{})
	default:
		write(404, map[string]any{"error": "no route"})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// thingsPlan generates the checks of thingsDoc.
func thingsPlan(t *testing.T, ops map[string]generator.Operation) []generator.Check {
	t.Helper()
	p := filepath.Join(t.TempDir(), "things.yaml")
	if err := os.WriteFile(p, []byte(thingsDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	return plantest.Plan(t, p, generator.Options{Operations: ops}).Checks
}

func pick(checks []generator.Check, names ...string) []generator.Check {
	var out []generator.Check
	for _, n := range names {
		for _, c := range checks {
			if c.Method+" "+c.Path == n {
				out = append(out, c)
			}
		}
	}
	return out
}

// thingsServer serves newThings, changed by fault (when not nil) before
// it answers anything, on loopback for the length of the test.
func thingsServer(t *testing.T, fault func(*things)) (*things, *httptest.Server) {
	t.Helper()
	api := newThings()
	if fault != nil {
		fault(api)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv
}

// crud is the chain most tests run: a thing created, read and deleted.
var crud = []string{"POST /things", "GET /things/{thingId}", "DELETE /things/{thingId}"}

func byName(results []runner.Result) map[string]runner.Result {
	m := map[string]runner.Result{}
	for _, r := range results {
		m[r.Method+" "+r.Path] = r
	}
	return m
}

func runChains(t *testing.T, ctx context.Context, opts runner.Options, checks, support []generator.Check) ([]runner.Result, runner.Resources, error) {
	t.Helper()
	r, err := runner.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r.RunChains(ctx, checks, support)
}

func TestChainHappy(t *testing.T) {
	api, srv := thingsServer(t, nil)
	checks := pick(thingsPlan(t, nil), "GET /things", "POST /things", "GET /things/{thingId}", "DELETE /things/{thingId}", "GET /free")
	results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL + "/api", Concurrency: 4}, checks, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(results)
	for name, r := range got {
		if r.Outcome != runner.Passed || !r.Exercised {
			t.Errorf("%s: %s %d exercised=%v failures=%v notes=%v", name, r.Outcome, r.StatusCode, r.Exercised, r.Failures, r.Notes)
		}
	}
	read := got["GET /things/{thingId}"]
	if len(read.Bound) != 1 || read.Bound[0].Value != "t1" || read.Bound[0].From != "POST /things $response.body#/id" {
		t.Errorf("GET bound = %+v, want t1 from the create", read.Bound)
	}
	if !strings.HasSuffix(read.URL, "/api/things/t1") || read.Sent == nil || read.Sent.Request.URL != "/things/t1" {
		t.Errorf("GET URL = %q, sent %+v", read.URL, read.Sent)
	}
	if res.Created != 1 || res.Deleted != 1 || len(res.Left) != 0 {
		t.Errorf("resources = %+v, want 1 created, 1 deleted", res)
	}
	if len(api.items) != 0 || !slices.Equal(api.deleted, []string{"t1"}) {
		t.Errorf("left on the server: %v (deleted %v)", api.items, api.deleted)
	}
	// The read came right after the create, the delete last.
	seq := slices.DeleteFunc(slices.Clone(api.requests), func(s string) bool {
		return !strings.HasPrefix(s, "POST /api/things") && !strings.Contains(s, "/things/")
	})
	want := []string{"POST /api/things", "GET /api/things/t1", "DELETE /api/things/t1"}
	if !slices.Equal(seq, want) {
		t.Errorf("chain requests = %v, want %v", seq, want)
	}
}

// TestChainGraphNotWaves: a consumer waits for its own producer only.
// POST /slow answers only once a thing has been read: GET
// /things/{thingId} waits for POST /things alone, so it is sent while
// POST /slow is pending. A runner that sent in waves (every producer,
// then the consumers) would wait for POST /slow forever.
func TestChainGraphNotWaves(t *testing.T) {
	api := newThings()
	api.slowGate = make(chan struct{})
	api.readSeen = make(chan struct{})
	seen := api.readSeen
	go func() {
		select {
		case <-seen:
			close(api.slowGate)
		case <-t.Context().Done():
		}
	}()
	srv := httptest.NewServer(api)
	defer srv.Close()
	checks := pick(thingsPlan(t, nil), "POST /slow", "GET /slow/{id}", "POST /things", "GET /things/{thingId}", "DELETE /things/{thingId}", "GET /free")
	results, _, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL + "/api", Concurrency: 2, Timeout: 30 * time.Second}, checks, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Outcome != runner.Passed || !r.Exercised {
			t.Errorf("%s %s: %s %d %v", r.Method, r.Path, r.Outcome, r.StatusCode, r.Failures)
		}
	}
	if b := byName(results)["GET /slow/{id}"].Bound; len(b) != 1 || b[0].Value != "s1" {
		t.Errorf("GET /slow/{id} bound %+v, want s1", b)
	}
}

func TestChainNoValue(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(*things)
		note  string
	}{
		{"producer answers 500", func(s *things) { s.createStatus = 500 }, "path.thingId: no value (POST /things answered 500 Internal Server Error); sent the static value"},
		{"id is an object", func(s *things) { s.idObject = true }, "path.thingId: no value (POST /things /id: /id is an object, not a value (inferred binding not confirmed)); sent the static value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api, srv := thingsServer(t, tc.fault)
			checks := pick(thingsPlan(t, nil), crud...)
			results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL}, checks, nil)
			if err != nil {
				t.Fatal(err)
			}
			read := byName(results)["GET /things/{thingId}"]
			if read.Exercised || read.Reason != runner.ReasonNoValue || read.StatusCode != 404 || !strings.HasSuffix(read.URL, "/things/static") {
				t.Errorf("read = %d %s exercised=%v url=%s, want the static value, 404, reason no_value", read.StatusCode, read.Reason, read.Exercised, read.URL)
			}
			if !slices.Contains(read.Notes, tc.note) {
				t.Errorf("notes = %q, want %q", read.Notes, tc.note)
			}
			if len(read.Bound) != 0 {
				t.Errorf("bound = %+v, want none", read.Bound)
			}
			// The delete needs the same id: a write is never sent with
			// a static value in place of one the run created.
			del := byName(results)["DELETE /things/{thingId}"]
			api.mu.Lock()
			requests := slices.Clone(api.requests)
			api.mu.Unlock()
			if del.Outcome != runner.Skipped || del.Reason != runner.ReasonNoValue || slices.Contains(requests, "DELETE /things/static") {
				t.Errorf("delete = %s %s, requests %q: want it not sent", del.Outcome, del.Reason, requests)
			}
			if !slices.ContainsFunc(del.Notes, func(n string) bool {
				return strings.HasSuffix(n, "not sent: a write takes only values of resources this run created")
			}) {
				t.Errorf("delete notes = %q", del.Notes)
			}
			// Whatever the create made is accounted for: deleted, or
			// listed with the request that deletes it.
			if res.Created != res.Deleted+len(res.Left) {
				t.Errorf("resources = %+v: not every created resource accounted for", res)
			}
			if api.idObject && len(api.items) != len(res.Left) {
				t.Errorf("server holds %d things, report lists %d left behind", len(api.items), len(res.Left))
			}
		})
	}
}

func TestChainReadAfterWrite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(*things)
		want  string
	}{
		{"lagging replica", func(s *things) { s.lagOnce = true }, "read_after_write: right after POST /things created it: answered 404, not a success: what was just created is not readable (a lagging read replica?)"},
		{"field not echoed", func(s *things) { s.dropName = true }, `read_after_write: right after POST /things created it: /name is missing (sent "widget")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := thingsServer(t, tc.fault)
			checks := pick(thingsPlan(t, nil), crud...)
			results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL}, checks, nil)
			if err != nil {
				t.Fatal(err)
			}
			read := byName(results)["GET /things/{thingId}"]
			var got []string
			for _, f := range read.Failures {
				got = append(got, f.Check+": "+f.Message)
			}
			if read.Outcome != runner.Failed || !slices.Contains(got, tc.want) {
				t.Errorf("read = %s %v, want failed with %q", read.Outcome, got, tc.want)
			}
			if res.Created != 1 || res.Deleted != 1 {
				t.Errorf("resources = %+v", res)
			}
		})
	}
	t.Run("skipped assertion", func(t *testing.T) {
		_, srv := thingsServer(t, func(s *things) { s.dropName = true })
		results, _, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL, Assertions: runner.Assertions{Skip: []string{"read_after_write"}}}, thingsPlan(t, nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := byName(results)["GET /things/{thingId}"]; r.Outcome != runner.Passed {
			t.Errorf("read = %s %v with read_after_write skipped", r.Outcome, r.Failures)
		}
	})
}

// TestChainSafety: a write never takes a value read from a list, and a
// run without the create uses list values for reads only.
func TestChainSafety(t *testing.T) {
	api, srv := thingsServer(t, func(s *things) {
		s.items["t9"] = map[string]any{"id": "t9", "name": "someone else's"}
	})
	// A user binds the DELETE to the list by hand: the runner still
	// refuses to delete a resource this run did not create.
	ops := map[string]generator.Operation{"DELETE /things/{thingId}": {Bind: []generator.Rebind{
		{In: "path", Name: "thingId", Operation: "GET /things", From: "$response.body#/items/0/id"}}}}
	all := thingsPlan(t, ops)
	f, _ := generator.NewFilter(nil, []string{"POST"}, false)
	checks := f.Apply(all)
	results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL}, checks, generator.Support(all, checks))
	if err != nil {
		t.Fatal(err)
	}
	got := byName(results)
	if r := got["GET /things/{thingId}"]; len(r.Bound) != 1 || r.Bound[0].Value != "t9" {
		t.Errorf("read bound %+v, want the listed t9", r.Bound)
	}
	// Nor is it sent with its static value: that names a resource the
	// run did not create either.
	del := got["DELETE /things/{thingId}"]
	if del.Outcome != runner.Skipped || del.Reason != runner.ReasonNoValue || del.URL != "" || len(del.Bound) != 0 {
		t.Errorf("delete = %s %s sent to %q (bound %+v), want not sent, reason no_value", del.Outcome, del.Reason, del.URL, del.Bound)
	}
	api.mu.Lock()
	requests := slices.Clone(api.requests)
	api.mu.Unlock()
	for _, r := range requests {
		if strings.HasPrefix(r, "DELETE ") {
			t.Errorf("the server received %s", r)
		}
	}
	if !slices.ContainsFunc(del.Notes, func(n string) bool {
		return strings.Contains(n, "a write takes only values of resources this run created")
	}) {
		t.Errorf("delete notes = %q", del.Notes)
	}
	if _, ok := api.items["t9"]; !ok || res.Created != 0 {
		t.Errorf("t9 deleted or resources %+v: a run without creates touched what it did not make", res)
	}
}

// TestChainSupport: checks filtered out are sent when selected ones need
// them: a list for a read, the delete of a create.
func TestChainSupport(t *testing.T) {
	api, srv := thingsServer(t, nil)
	all := thingsPlan(t, nil)
	f, _ := generator.NewFilter([]string{"POST /things"}, nil, false)
	checks := f.Apply(all)
	support := generator.Support(all, checks)
	var names []string
	for _, c := range support {
		names = append(names, c.Method+" "+c.Path)
	}
	if !slices.Equal(names, []string{"DELETE /things/{thingId}"}) {
		t.Fatalf("support = %v, want the delete only", names)
	}
	results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL}, checks, support)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || res.Created != 1 || res.Deleted != 1 || len(api.items) != 0 {
		t.Errorf("results %d, resources %+v, server %v: want the create's thing deleted by the support delete", len(results), res, api.items)
	}
	// Read-only: the list is sent for the read; nothing is created.
	ro, _ := generator.NewFilter([]string{"GET /things/{thingId}"}, nil, true)
	checks = ro.Apply(all)
	api.items["t5"] = map[string]any{"id": "t5", "name": "x"}
	results, res, err = runChains(t, t.Context(), runner.Options{BaseURL: srv.URL}, checks, generator.Support(all, checks))
	if err != nil {
		t.Fatal(err)
	}
	if r := results[0]; r.Outcome != runner.Passed || len(r.Bound) != 1 || r.Bound[0].Value != "t5" || res.Created != 0 {
		t.Errorf("read-only read = %s %+v, resources %+v", r.Outcome, r.Bound, res)
	}
	if slices.ContainsFunc(api.requests, func(s string) bool { return strings.HasPrefix(s, "POST") && len(api.created) > 1 }) {
		t.Errorf("a read-only run created something: %v", api.requests)
	}
}

// TestChainCleanup: a delete that fails or hangs leaves the resource
// listed with the request that deletes it, within the cleanup deadline,
// even when the run was interrupted.
func TestChainCleanup(t *testing.T) {
	t.Run("delete answers 500", func(t *testing.T) {
		_, srv := thingsServer(t, func(s *things) { s.deleteStatus = 500 })
		checks := pick(thingsPlan(t, nil), crud...)
		results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL}, checks, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := byName(results)["DELETE /things/{thingId}"]; r.Outcome != runner.Failed {
			t.Errorf("delete = %s", r.Outcome)
		}
		if res.Created != 1 || res.Deleted != 0 || len(res.Left) != 1 {
			t.Fatalf("resources = %+v", res)
		}
		l := res.Left[0]
		if l.ID != "t1" || l.Method != "POST" || l.Path != "/things" || !strings.Contains(l.Delete, "-X DELETE '"+srv.URL+"/things/t1'") ||
			l.Reason != "DELETE /things/{thingId} answered 500, and again 500 at cleanup" {
			t.Errorf("left = %+v", l)
		}
	})
	t.Run("delete hangs", func(t *testing.T) {
		_, srv := thingsServer(t, func(s *things) { s.hangDelete = true })
		checks := pick(thingsPlan(t, nil), crud...)
		results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL, Timeout: 200 * time.Millisecond, CleanupTimeout: time.Second}, checks, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := byName(results)["DELETE /things/{thingId}"]; r.Outcome != runner.Errored {
			t.Errorf("delete = %s %v", r.Outcome, r.Failures)
		}
		if len(res.Left) != 1 || !strings.Contains(res.Left[0].Reason, "timed out") || res.Left[0].Delete == "" {
			t.Errorf("resources = %+v, want the thing left with the timeout and a delete line", res)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		api, srv := thingsServer(t, nil)
		ctx, cancel := context.WithCancel(t.Context())
		// Cancelled as soon as the create answered: the read and delete
		// are never sent by the run, cleanup still deletes.
		opts := runner.Options{BaseURL: srv.URL, Concurrency: 1, OnResult: func(r runner.Result) {
			if r.Method == "POST" {
				cancel()
			}
		}}
		checks := pick(thingsPlan(t, nil), crud...)
		results, res, err := runChains(t, ctx, opts, checks, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		got := byName(results)
		if got["GET /things/{thingId}"].Outcome != runner.Skipped || got["DELETE /things/{thingId}"].Outcome != runner.Skipped {
			t.Errorf("results after the interrupt: %+v", results)
		}
		if res.Created != 1 || res.Deleted != 1 || len(api.items) != 0 {
			t.Errorf("resources %+v, server %v: cleanup did not run after the interrupt", res, api.items)
		}
	})
}

// TestChainCycle: checks built by hand whose bindings form a cycle still
// all run, each once, with a note.
func TestChainCycle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q}`, strings.TrimPrefix(r.URL.Path, "/"))
	}))
	defer srv.Close()
	mk := func(id, other string) generator.Check {
		return generator.Check{ID: id, Method: "GET", Path: "/" + id + "/{x}", Safe: true,
			Request:  generator.Request{URL: "/" + id + "/static", Path: []generator.Param{{Name: "x", Value: "static"}}},
			Expect:   generator.Expect{Status: []string{"200"}, Responses: []generator.Response{{Status: "200"}}},
			Bindings: []generator.Binding{{In: "path", Name: "x", Producer: other, Operation: "GET /" + other, From: "$response.body#/id", Origin: "config"}}}
	}
	checks := []generator.Check{mk("a", "b"), mk("b", "c"), mk("c", "a")}
	results, _, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL, Concurrency: 2}, checks, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Outcome != runner.Passed {
			t.Errorf("%s: %s", r.Path, r.Outcome)
		}
	}
	if !slices.ContainsFunc(results[0].Notes, func(n string) bool { return strings.Contains(n, "a cycle") }) {
		t.Errorf("a: notes %q, want the cycle named", results[0].Notes)
	}
}
