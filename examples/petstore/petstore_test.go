package petstore_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
	"github.com/smoke-dev/smoke/spec"
)

func plan(t *testing.T) []generator.Check {
	t.Helper()
	dir := t.TempDir()
	p, err := petstore.WriteSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := spec.Load(t.Context(), p, spec.Options{})
	if err != nil {
		t.Fatalf("spec.Load(petstore) = %v", err)
	}
	if len(doc.Warnings) > 0 {
		t.Errorf("spec.Load(petstore) warnings = %q, want none", doc.Warnings)
	}
	pl, err := generator.Generate(doc, generator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return pl.Checks
}

// TestRun runs every check of the spec against both versions, chains
// included: version 1 fails exactly on its deliberate bug; version 2 on
// read-after-write, its deliberate regression (a field not echoed) and
// its lagging replica. Either way everything the run created is deleted.
func TestRun(t *testing.T) {
	for _, tt := range []struct {
		version int
		want    []string
	}{
		{1, []string{"GET /stats failed not_server_error"}},
		{2, []string{
			"GET /owners/{ownerId}/pets/{petId} failed read_after_write",
			"GET /pets/{petId} failed read_after_write",
		}},
	} {
		t.Run(fmt.Sprint("v", tt.version), func(t *testing.T) {
			srv := httptest.NewServer(petstore.New(petstore.Options{Version: tt.version}))
			defer srv.Close()
			checks := plan(t)
			if len(checks) != 20 {
				t.Fatalf("plan = %d checks, want 20", len(checks))
			}
			r, err := runner.New(runner.Options{BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			results, res, err := r.RunChains(t.Context(), checks, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, res := range results {
				if res.Outcome == runner.Passed {
					continue
				}
				for _, f := range res.Failures {
					got = append(got, fmt.Sprintf("%s %s %s %s", res.Method, res.Path, res.Outcome, f.Check))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Run(petstore v%d) non-passing (-want +got):\n%s", tt.version, diff)
			}
			// A pet, an owner and their pet, an appointment, a tag.
			if res.Created != 5 || res.Deleted != 5 || len(res.Left) != 0 {
				t.Errorf("resources = %+v, want 5 created and deleted", res)
			}
			// The store is back to its seed.
			if _, _, owners := get(t, srv.Config.Handler, "/owners"); len(owners["items"].([]any)) != 1 {
				t.Errorf("owners after the run = %v, want Grace alone", owners)
			}
			if _, _, pets := get(t, srv.Config.Handler, "/pets?limit=100"); len(pets["items"].([]any)) != 3 {
				t.Errorf("pets after the run = %v, want the three seeded", pets)
			}
		})
	}
}

// TestReplicaLag pins the lag: the first read of an owner's new pet is a
// 404, the next finds it; seeded pets and version 1 never lag.
func TestReplicaLag(t *testing.T) {
	for _, tt := range []struct {
		opts  petstore.Options
		first int
	}{
		{petstore.Options{Version: 1}, 200},
		{petstore.Options{Version: 2}, 404},
		{petstore.Options{Version: 1, ReplicaLag: true}, 404},
	} {
		srv := httptest.NewServer(petstore.New(tt.opts))
		resp, err := http.Post(srv.URL+"/owners/1/pets", "application/json", strings.NewReader(`{"name":"Whiskers","tag":"cat"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != 201 || loc != "/owners/1/pets/2" {
			t.Fatalf("%+v: POST = %d Location %q, want 201 /owners/1/pets/2", tt.opts, resp.StatusCode, loc)
		}
		if s, _, _ := get(t, srv.Config.Handler, "/owners/1/pets/2"); s != tt.first {
			t.Errorf("%+v: first read = %d, want %d", tt.opts, s, tt.first)
		}
		if s, _, _ := get(t, srv.Config.Handler, "/owners/1/pets/2"); s != 200 {
			t.Errorf("%+v: second read = %d, want 200", tt.opts, s)
		}
		if s, _, _ := get(t, srv.Config.Handler, "/owners/1/pets/1"); s != 200 {
			t.Errorf("%+v: seeded pet = %d, want 200", tt.opts, s)
		}
		req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/owners/1", nil)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 409 {
			t.Errorf("%+v: DELETE an owner with pets = %d, want 409", tt.opts, resp.StatusCode)
		}
		srv.Close()
	}
}

func get(t *testing.T, h http.Handler, path string) (int, http.Header, map[string]any) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &v)
	return resp.StatusCode, resp.Header, v
}

// TestVersions pins the documented differences between versions.
func TestVersions(t *testing.T) {
	v1, v2 := petstore.New(petstore.Options{Version: 1}), petstore.New(petstore.Options{Version: 2})

	_, _, p1 := get(t, v1, "/pets/1")
	_, _, p2 := get(t, v2, "/pets/1")
	if diff := cmp.Diff(map[string]any{"id": 1.0, "name": "Rex", "tag": "dog"}, p1); diff != "" {
		t.Errorf("v1 GET /pets/1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"id": 1.0, "name": "Rex"}, p2); diff != "" {
		t.Errorf("v2 GET /pets/1 (-want +got):\n%s", diff)
	}
	if s1, _, _ := get(t, v1, "/stats"); s1 != 500 {
		t.Errorf("v1 GET /stats = %d, want 500", s1)
	}
	if s2, _, _ := get(t, v2, "/stats"); s2 != 200 {
		t.Errorf("v2 GET /stats = %d, want 200", s2)
	}
	_, h1, l1 := get(t, v1, "/pets?limit=2")
	_, h2, _ := get(t, v1, "/pets?limit=2")
	if h1.Get("X-Request-Id") == h2.Get("X-Request-Id") {
		t.Errorf("X-Request-Id = %q twice, want a fresh one per request", h1.Get("X-Request-Id"))
	}
	if _, ok := l1["generated_at"]; !ok {
		t.Errorf("GET /pets = %v, want generated_at", l1)
	}
}

func TestSpecServed(t *testing.T) {
	srv := httptest.NewServer(petstore.New(petstore.Options{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + petstore.SpecPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	file, err := os.ReadFile(filepath.Join(".", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(file) || string(b) != string(petstore.Spec) {
		t.Error("served spec differs from openapi.yaml")
	}
}

// TestRejectsUnrealisticInput: the operations added for success-seeking
// values refuse what a naive generator sends (a past range, an empty
// label set, a fixed name taken by an earlier run, a code padded out of
// its pattern) and accept a careful request.
func TestRejectsUnrealisticInput(t *testing.T) {
	srv := httptest.NewServer(petstore.New(petstore.Options{}))
	defer srv.Close()
	soon := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	later := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	for _, tt := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/appointments", `{"petId":1,"startsAt":"2024-01-01T00:00:00Z","endsAt":"2024-01-01T00:00:00Z"}`, 422},
		{"POST", "/appointments", `{"petId":1,"startsAt":"` + later + `","endsAt":"` + soon + `"}`, 422},
		{"POST", "/appointments", `{"petId":1,"startsAt":"` + soon + `","endsAt":"` + later + `"}`, 201},
		{"PUT", "/pets/1/labels", `{}`, 422},
		{"PUT", "/pets/1/labels", `{"smoke":"smoke"}`, 200},
		{"POST", "/tags", `{"name":"smoke","code":"AB1234"}`, 409},
		{"POST", "/tags", `{"name":"smokeab12cd34","code":"AA0xxx"}`, 422},
		{"POST", "/tags", `{"name":"smokeab12cd34","code":"AA0000"}`, 201},
	} {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s %s = %d, want %d", tt.method, tt.path, tt.body, resp.StatusCode, tt.want)
		}
	}
}
