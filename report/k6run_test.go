package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
)

// The tests of this file run exported scripts for real: node runs the
// script with k6's modules replaced by small stand-ins
// (testdata/k6run/k6: a synchronous http.request over fetch, check() and
// group() that record), against the example service on loopback.

// k6Event is one thing the script did, as testdata/k6run/run.js prints it.
type k6Event struct {
	Kind      string            `json:"kind"`
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Name      string            `json:"name"` // the request's check: "GET /pets/{petId}"
	Body      *string           `json:"body"`
	Group     string            `json:"group"`
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers"`
	OK        bool              `json:"ok"`
	VU        int               `json:"vu"`
	Iteration int               `json:"iteration"`
	Message   string            `json:"message"`
}

// runK6 runs script with node, vus virtual users of iterations
// iterations each, against baseURL. throwOn makes requests whose "METHOD
// /path" starts with it throw.
func runK6(t *testing.T, script []byte, baseURL string, vus, iterations int, throwOn string) []k6Event {
	t.Helper()
	node := testenv.Need(t, "node")
	dir := t.TempDir()
	src := filepath.Join("testdata", "k6run")
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(src, "run.js"), filepath.Join(dir, "run.js"))
	copyFile(filepath.Join(src, "package.json"), filepath.Join(dir, "package.json"))
	files, err := filepath.Glob(filepath.Join(src, "k6", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("harness files: %v", err)
	}
	for _, f := range files {
		copyFile(f, filepath.Join(dir, "node_modules", "k6", filepath.Base(f)))
	}
	if err := os.WriteFile(filepath.Join(dir, "script.js"), script, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, "run.js", "script.js", strconv.Itoa(vus), strconv.Itoa(iterations), throwOn)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BASE_URL="+baseURL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node run.js: %v\n%s", err, stderr.String())
	}
	var events []k6Event
	if err := json.Unmarshal(out, &events); err != nil {
		t.Fatalf("node run.js printed %q: %v\n%s", out, err, stderr.String())
	}
	return events
}

// petstoreServer serves the example service on loopback and records
// every exchange; fail, when set, answers a request itself (an injected
// failure) when it returns a status.
type petstoreServer struct {
	store http.Handler
	srv   *httptest.Server
	mu    sync.Mutex
	log   []exchange
}

type exchange struct {
	method, path string
	status       int
	location     string
	body         string
}

func newPetstoreServer(t *testing.T, opts petstore.Options, fail func(*http.Request) int) *petstoreServer {
	ps := &petstoreServer{store: petstore.New(opts)}
	ps.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail != nil {
			if code := fail(r); code != 0 {
				ps.add(exchange{method: r.Method, path: r.URL.Path, status: code})
				http.Error(w, `{"code":500,"message":"injected"}`, code)
				return
			}
		}
		rec := httptest.NewRecorder()
		ps.store.ServeHTTP(rec, r)
		ps.add(exchange{method: r.Method, path: r.URL.Path, status: rec.Code, location: rec.Header().Get("Location"), body: rec.Body.String()})
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(ps.srv.Close)
	return ps
}

func (ps *petstoreServer) add(e exchange) {
	ps.mu.Lock()
	ps.log = append(ps.log, e)
	ps.mu.Unlock()
}

// state is what the store holds, read through the service: pets, owners
// and their pets (generated_at left out).
func (ps *petstoreServer) state(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/pets?limit=100", "/owners", "/owners/1/pets"} {
		w := httptest.NewRecorder()
		ps.store.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		var doc map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
			t.Fatalf("GET %s: %v: %s", p, err, w.Body.String())
		}
		delete(doc, "generated_at")
		raw, _ := json.Marshal(doc)
		b.WriteString(p + " " + string(raw) + "\n")
	}
	return b.String()
}

// created lists the resources the run created (the path that names each)
// and checks that each was deleted, that the tags it made are gone, and
// that no write addressed a resource the run did not create.
func (ps *petstoreServer) checkCleanedUp(t *testing.T) (created []string) {
	t.Helper()
	ps.mu.Lock()
	log := slices.Clone(ps.log)
	ps.mu.Unlock()
	made := map[string]bool{}
	for _, e := range log {
		if e.method != "POST" || e.status != http.StatusCreated {
			continue
		}
		var r string
		switch {
		case e.location != "":
			r = e.location
		case e.path == "/tags":
			var tag struct{ Name string }
			json.Unmarshal([]byte(e.body), &tag)
			r = "/tags/" + tag.Name
		default:
			var x struct{ ID json.Number }
			json.Unmarshal([]byte(e.body), &x)
			r = e.path + "/" + x.ID.String()
		}
		made[r] = true
		created = append(created, r)
	}
	deleted := map[string]bool{}
	for _, e := range log {
		if e.method == "GET" {
			continue
		}
		collection := e.method == "POST" && slices.Contains([]string{"/pets", "/owners", "/appointments", "/tags"}, e.path)
		ours := collection
		for r := range made {
			ours = ours || e.path == r || strings.HasPrefix(e.path, r+"/")
		}
		if !ours {
			t.Errorf("%s %s: a write to a resource the run did not create", e.method, e.path)
		}
		if e.method == "DELETE" && e.status == http.StatusNoContent {
			deleted[e.path] = true
		}
	}
	for _, r := range created {
		if !deleted[unescapePath(r)] && !deleted[r] {
			t.Errorf("%s was created and never deleted", r)
		}
		if strings.HasPrefix(r, "/tags/") {
			// The store lists no tags: a delete that finds none proves
			// this one is gone.
			w := httptest.NewRecorder()
			ps.store.ServeHTTP(w, httptest.NewRequest("DELETE", r, nil))
			if w.Code != http.StatusNotFound {
				t.Errorf("DELETE %s after the run = %d, want 404: the tag is still there", r, w.Code)
			}
		}
	}
	return created
}

func unescapePath(p string) string {
	u, err := http.NewRequest("GET", "http://x"+p, nil)
	if err != nil {
		return p
	}
	return u.URL.Path
}

// chainScript writes the example service's script with writes, for a
// server at baseURL.
func chainScript(t *testing.T, baseURL string) []byte {
	t.Helper()
	checks := k6Checks(t, petstore.Spec, generator.Options{})
	var buf bytes.Buffer
	if _, err := WriteK6(&buf, checks, K6Options{BaseURL: baseURL, AllowWrites: true, Pause: time.Second}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// requests returns the requests of one iteration, "METHOD PATH" each,
// and their checks' names, in the group named group ("" for any).
func requests(events []k6Event, vu, iteration int, group string) (paths, names []string) {
	in := false
	for _, e := range events {
		switch e.Kind {
		case "iteration":
			in = e.VU == vu && e.Iteration == iteration
		case "request":
			if in && (group == "" || e.Group == group) {
				paths = append(paths, e.Method+" "+e.Path)
				names = append(names, e.Name)
			}
		}
	}
	return paths, names
}

func failedChecks(events []k6Event) []string {
	var out []string
	for _, e := range events {
		if e.Kind == "check" && !e.OK && !slices.Contains(out, e.Name) {
			out = append(out, e.Name)
		}
	}
	return out
}

const (
	petChain   = "chain POST /pets → DELETE /pets/{petId} (7 steps)"
	ownerChain = "chain POST /owners → DELETE /owners/{ownerId} (7 steps)"
	tagChain   = "chain POST /tags → DELETE /tags/{name}"
)

// TestK6ChainsRun: the script with writes, run by two virtual users for
// two iterations each against the example service, sends every step of
// each chain in order with the ids its own creates gave, passes every
// check but the one the service's version 1 fails on purpose (GET /stats),
// makes names unique per user and iteration, deletes everything it
// created, never writes to what it did not create, and leaves the store
// as it found it.
func TestK6ChainsRun(t *testing.T) {
	ps := newPetstoreServer(t, petstore.Options{Version: 1}, nil)
	before := ps.state(t)
	events := runK6(t, chainScript(t, ps.srv.URL), ps.srv.URL, 2, 2, "")

	if diff := cmp.Diff(before, ps.state(t)); diff != "" {
		t.Errorf("the store after the run (-before +after):\n%s", diff)
	}
	created := ps.checkCleanedUp(t)
	// Per iteration: a pet, an appointment, an owner, the owner's pet, a
	// tag.
	if len(created) != 4*5 {
		t.Errorf("created %d resources, want 20 (5 per iteration): %v", len(created), created)
	}
	if got := failedChecks(events); !slices.Equal(got, []string{"GET /stats: no server error"}) {
		t.Errorf("failed checks %q, want only GET /stats's", got)
	}
	for _, e := range events {
		if e.Kind == "error" {
			t.Errorf("iteration %d of user %d: %s", e.Iteration, e.VU, e.Message)
		}
	}

	_, pets := requests(events, 2, 1, petChain)
	wantPets := []string{"POST /pets", "POST /appointments", "GET /pets/{petId}", "PUT /pets/{petId}", "PUT /pets/{petId}/labels",
		"DELETE /appointments/{appointmentId}", "DELETE /pets/{petId}"}
	if diff := cmp.Diff(wantPets, pets); diff != "" {
		t.Errorf("pet chain steps (-want +got):\n%s", diff)
	}
	_, owners := requests(events, 1, 0, ownerChain)
	wantOwners := []string{"POST /owners", "GET /owners/{ownerId}", "POST /owners/{ownerId}/pets", "GET /owners/{ownerId}/pets/{petId}",
		"GET /owners/{ownerId}/pets", "DELETE /owners/{ownerId}/pets/{petId}", "DELETE /owners/{ownerId}"}
	if diff := cmp.Diff(wantOwners, owners); diff != "" {
		t.Errorf("owner chain steps (-want +got):\n%s", diff)
	}

	// The ids flow: every step of an iteration's pet chain addresses the
	// pet its POST created, the appointment books that pet.
	var location string
	var tags []string
	in := false
	for _, e := range events {
		switch {
		case e.Kind == "iteration":
			in, location = true, ""
		case e.Kind == "response" && e.Name == "POST /pets":
			location = e.Headers["Location"]
		case e.Kind == "request" && in && e.Group == petChain && strings.Contains(e.Name, "{petId}"):
			if location == "" || !strings.HasPrefix(e.Path, location) {
				t.Errorf("%s %s: want the pet the iteration created, %s", e.Method, e.Path, location)
			}
		case e.Kind == "request" && e.Name == "POST /appointments":
			id := strings.TrimPrefix(location, "/pets/")
			if e.Body == nil || !strings.Contains(*e.Body, `"petId":`+id+`,`) {
				t.Errorf("POST /appointments sent %v, want petId %s (a number, as the static body has it)", e.Body, id)
			}
		case e.Kind == "request" && e.Name == "POST /tags" && e.Body != nil:
			var tag struct{ Name string }
			if err := json.Unmarshal([]byte(*e.Body), &tag); err != nil {
				t.Fatal(err)
			}
			tags = append(tags, tag.Name)
		}
	}
	// ${run} differs for every user and iteration: no two tags collide.
	slices.Sort(tags)
	if len(tags) != 4 || len(slices.Compact(slices.Clone(tags))) != 4 {
		t.Errorf("tag names %q: want 4 different ones", tags)
	}
	for _, name := range tags {
		if !regexp.MustCompile(`^smoke[a-z][a-z0-9]{7}$`).MatchString(name) {
			t.Errorf("tag name %q: want smoke and a run token", name)
		}
	}
}

// TestK6ChainsCreateFails: when the create fails, the writes that need
// its id are not sent (no static fallback: DELETE /pets/1 would delete a
// pet smoke did not create), and the read falls back to its static value.
func TestK6ChainsCreateFails(t *testing.T) {
	ps := newPetstoreServer(t, petstore.Options{Version: 1}, func(r *http.Request) int {
		if r.Method == "POST" && r.URL.Path == "/pets" {
			return http.StatusInternalServerError
		}
		return 0
	})
	before := ps.state(t)
	events := runK6(t, chainScript(t, ps.srv.URL), ps.srv.URL, 1, 1, "")
	paths, _ := requests(events, 1, 0, petChain)
	if diff := cmp.Diff([]string{"POST /pets", "GET /pets/1"}, paths); diff != "" {
		t.Errorf("pet chain after its create failed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, ps.state(t)); diff != "" {
		t.Errorf("the store after the run (-before +after):\n%s", diff)
	}
	ps.checkCleanedUp(t)
	// The other chains ran as usual.
	if _, owners := requests(events, 1, 0, ownerChain); len(owners) != 7 {
		t.Errorf("owner chain: %d steps, want 7", len(owners))
	}
}

// TestK6ChainsDeleteAlways: a step that throws ends the iteration, but
// not before the chain's deletes ran: nothing is left behind.
func TestK6ChainsDeleteAlways(t *testing.T) {
	ps := newPetstoreServer(t, petstore.Options{Version: 1}, nil)
	before := ps.state(t)
	events := runK6(t, chainScript(t, ps.srv.URL), ps.srv.URL, 1, 2, "PUT /pets/")
	var errs []string
	for _, e := range events {
		if e.Kind == "error" {
			errs = append(errs, e.Message)
		}
	}
	if len(errs) != 2 || !strings.Contains(errs[0], "PUT /pets/") {
		t.Errorf("errors %q, want the thrown PUT in each of the 2 iterations", errs)
	}
	_, pets := requests(events, 1, 1, petChain)
	want := []string{"POST /pets", "POST /appointments", "GET /pets/{petId}", "PUT /pets/{petId}",
		"DELETE /appointments/{appointmentId}", "DELETE /pets/{petId}"}
	if diff := cmp.Diff(want, pets); diff != "" {
		t.Errorf("pet chain with a throwing PUT (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, ps.state(t)); diff != "" {
		t.Errorf("the store after the run (-before +after):\n%s", diff)
	}
	if created := ps.checkCleanedUp(t); len(created) == 0 {
		t.Error("nothing was created: the chain did not run")
	}
}

// TestK6ChainsReadAfterWrite: a read replica that lags makes the read
// right after the create fail its check (the k6 run fails its checks
// threshold), and the cleanup still leaves nothing behind.
func TestK6ChainsReadAfterWrite(t *testing.T) {
	ps := newPetstoreServer(t, petstore.Options{Version: 1, ReplicaLag: true}, nil)
	before := ps.state(t)
	events := runK6(t, chainScript(t, ps.srv.URL), ps.srv.URL, 1, 1, "")
	failed := failedChecks(events)
	const raw = "GET /owners/{ownerId}/pets/{petId}: read right after POST /owners/{ownerId}/pets created it"
	if !slices.Contains(failed, raw) {
		t.Errorf("failed checks %q lack %q", failed, raw)
	}
	if diff := cmp.Diff(before, ps.state(t)); diff != "" {
		t.Errorf("the store after the run (-before +after):\n%s", diff)
	}
	ps.checkCleanedUp(t)
}

// TestK6SafeScriptRun: the default script, run against the example
// service, sends no write at all.
func TestK6SafeScriptRun(t *testing.T) {
	ps := newPetstoreServer(t, petstore.Options{Version: 1}, nil)
	before := ps.state(t)
	checks := k6Checks(t, petstore.Spec, generator.Options{})
	var buf bytes.Buffer
	if _, err := WriteK6(&buf, checks, K6Options{BaseURL: ps.srv.URL}); err != nil {
		t.Fatal(err)
	}
	runK6(t, buf.Bytes(), ps.srv.URL, 2, 1, "")
	ps.mu.Lock()
	log := slices.Clone(ps.log)
	ps.mu.Unlock()
	if len(log) != 2*8 {
		t.Errorf("%d requests, want 16 (8 reads, 2 users)", len(log))
	}
	for _, e := range log {
		if e.method != "GET" {
			t.Errorf("the safe script sent %s %s", e.method, e.path)
		}
	}
	if diff := cmp.Diff(before, ps.state(t)); diff != "" {
		t.Errorf("the store after the run (-before +after):\n%s", diff)
	}
}

// TestK6HelpersMatchGo runs the script's value helpers with node and
// compares them with what the runner does in Go: escaping a bound value
// for a path (url.PathEscape) or a query (url.QueryEscape), reading a
// path parameter from a Location (generator.PathValue), and giving a
// value the JSON type of the static value it replaces (WithValue).
func TestK6HelpersMatchGo(t *testing.T) {
	node := testenv.Need(t, "node")
	values := []string{"42", "a b", "a/b?c#d", "x:y@z=1&2+3$", "!*'()", "é ü ∑", "%41", "~-._", "semi;colon,comma"}
	type locCase struct{ template, param, location string }
	locs := []locCase{
		{"/pets/{petId}", "petId", "/pets/7"},
		{"/pets/{petId}", "petId", "https://api.example.com/v1/pets/7?x=1#f"},
		{"/pets/{petId}", "petId", "/v1/pets/a%20b/"},
		{"/pets/{petId}", "petId", "/owners/7"},
		{"/pets/{petId}", "petId", "7"},
		{"/owners/{ownerId}/pets/{petId}", "petId", "/api/owners/3/pets/9"},
		{"/owners/{ownerId}/pets/{petId}", "ownerId", "/api/owners/3"},
		{"/owners/{ownerId}/pets/{petId}", "petId", "/api/people/3/pets/9"},
		{"/Pets/{petId}", "petId", "//host/pets/5"},
		{"/pets/{petId}", "petId", "/pets/%ZZ"},
		{"/pets/{petId}", "petId", ""},
	}
	type jsonCase struct {
		static string // the static body, {"v": ...}
		value  any    // the bound value (string, json.Number or bool)
	}
	jsons := []jsonCase{
		{`{"v":1}`, "42"}, {`{"v":1}`, json.Number("42")}, {`{"v":1}`, "abc"}, {`{"v":"x"}`, json.Number("42")},
		{`{"v":"x"}`, "a\"b"}, {`{"v":true}`, "false"}, {`{"v":true}`, "1"}, {`{"v":true}`, "maybe"}, {`{}`, json.Number("7")},
		{`{}`, "7"}, {`{"v":1}`, "1.5e3"}, {`{"v":null}`, true},
	}
	var calls []string
	for _, v := range values {
		calls = append(calls, "pathEscape("+jsLit(v)+")", "queryEscape("+jsLit(v)+")")
	}
	for _, l := range locs {
		calls = append(calls, fmt.Sprintf("String(fromLocation(%s, %s))", jsLit(l.location), locationSegments(l.template, l.param)))
	}
	for _, j := range jsons {
		kind, _, _ := jsonStatic(j.static, false, "/v")
		lit, _ := json.Marshal(j.value)
		calls = append(calls, fmt.Sprintf("asJSON(%s, %s)", lit, jsLit(kind)))
	}
	script := "const header = () => \"\";\n" + k6ChainHelpers + "console.log(JSON.stringify([" + strings.Join(calls, ",\n") + "]));\n"
	out, err := exec.Command(node, "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %s", out)
	}
	var want []string
	for _, v := range values {
		want = append(want, url.PathEscape(v), url.QueryEscape(v))
	}
	for _, l := range locs {
		v, ok := generator.PathValue(l.template, l.param, l.location)
		if !ok {
			v = "undefined"
		}
		want = append(want, v)
	}
	for _, j := range jsons {
		c := generator.Check{Request: generator.Request{Body: &generator.Body{ContentType: "application/json", Text: j.static}}}
		next, err := c.WithValue(generator.InBody, "/v", j.value)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(next.Request.Body.Text), &doc); err != nil {
			t.Fatal(err)
		}
		want = append(want, string(doc["v"]))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("k6 helpers (-Go +k6):\n%s", diff)
	}
}
