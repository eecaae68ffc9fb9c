package hostile

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
)

const hostileSpec = `openapi: 3.0.3
info: {title: Hostile, version: "1"}
paths:
  # A producer that answers 500.
  /broken:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {type: object}, example: {name: x}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: "#/components/schemas/Made"}}}}
        "500": {description: broken}
  /broken/{brokenId}:
    parameters: [{name: brokenId, in: path, required: true, schema: {type: string}, example: static}]
    get: {responses: {"200": {description: ok}, "404": {description: none}}}
    delete: {responses: {"204": {description: gone}, "404": {description: none}}}
  # A create whose id is an object.
  /objects:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {type: object}, example: {name: x}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: "#/components/schemas/Made"}}}}
  /objects/{objectId}:
    parameters: [{name: objectId, in: path, required: true, schema: {type: string}, example: static}]
    get: {responses: {"200": {description: ok}, "404": {description: none}}}
    delete: {responses: {"204": {description: gone}, "404": {description: none}}}
  # A delete that never answers.
  /hangs:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {type: object}, example: {name: x}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: "#/components/schemas/Made"}}}}
  /hangs/{hangId}:
    parameters: [{name: hangId, in: path, required: true, schema: {type: string}, example: static}]
    get: {responses: {"200": {description: ok}, "404": {description: none}}}
    delete: {responses: {"204": {description: gone}}}
  # A well-behaved resource.
  /things:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {type: object}, example: {name: x}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: "#/components/schemas/Made"}}}}
  /things/{thingId}:
    parameters: [{name: thingId, in: path, required: true, schema: {type: string}, example: static}]
    get: {responses: {"200": {description: ok}, "404": {description: none}}}
    delete: {responses: {"204": {description: gone}, "404": {description: none}}}
  # Two creates that name each other: a cycle of inferred bindings.
  /alphas:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, required: [betaId], properties: {betaId: {type: string}}}, example: {betaId: b0}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: "#/components/schemas/Made"}}}}
  /betas:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, required: [alphaId], properties: {alphaId: {type: string}}}, example: {alphaId: a0}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: "#/components/schemas/Made"}}}}
components:
  schemas:
    Made:
      type: object
      properties:
        id: {type: string}
`

// hostileService implements hostileSpec, faults included, and keeps what
// was created and deleted.
type hostileService struct {
	mu      sync.Mutex
	next    int
	live    map[string]bool // "/hangs/h3" → created and not deleted
	hangGet bool            // GET /things/{id} waits for the client to go
	getSeen chan struct{}   // closed at the first such GET
}

func newService() *hostileService {
	return &hostileService{live: map[string]bool{}, getSeen: make(chan struct{})}
}

func (s *hostileService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	write := func(status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	coll := segs[0]
	switch {
	case r.Method == "POST" && len(segs) == 1:
		if coll == "broken" {
			write(500, `{"error":"database on fire"}`)
			return
		}
		s.mu.Lock()
		s.next++
		id := fmt.Sprintf("%c%d", coll[0], s.next)
		s.live["/"+coll+"/"+id] = true
		s.mu.Unlock()
		if coll == "objects" {
			write(201, fmt.Sprintf(`{"id":{"value":%q}}`, id))
			return
		}
		write(201, fmt.Sprintf(`{"id":%q}`, id))
	case len(segs) == 2:
		s.mu.Lock()
		ok := s.live[r.URL.Path]
		s.mu.Unlock()
		switch r.Method {
		case "GET":
			if ok && s.hangGet && coll == "things" {
				select {
				case <-s.getSeen:
				default:
					close(s.getSeen)
				}
				<-r.Context().Done()
				return
			}
			if !ok {
				write(404, `{"error":"no such thing"}`)
				return
			}
			write(200, `{}`)
		case "DELETE":
			if coll == "hangs" {
				<-r.Context().Done()
				return
			}
			if !ok {
				write(404, `{"error":"no such thing"}`)
				return
			}
			s.mu.Lock()
			delete(s.live, r.URL.Path)
			s.mu.Unlock()
			w.WriteHeader(204)
		}
	default:
		write(404, `{"error":"no route"}`)
	}
}

func (s *hostileService) remaining() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for p := range s.live {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

type report struct {
	Summary struct {
		Total, Passed, Failed, Errored, Skipped int
	} `json:"summary"`
	Incomplete string `json:"incomplete"`
	Resources  *struct {
		Created int `json:"created"`
		Deleted int `json:"deleted"`
		Left    []struct {
			Method, Path, ID, Delete, Reason string
		} `json:"left"`
	} `json:"resources"`
	Results []struct {
		Method, Path, Outcome string
		StatusCode            int `json:"status_code"`
		Reason                string
		Notes                 []string
		Failures              []struct{ Check, Message string }
	} `json:"results"`
}

// writeSpec writes hostileSpec into a temporary directory of t.
func writeSpec(t *testing.T) string {
	t.Helper()
	return writeFile(t, t.TempDir(), "hostile.yaml", hostileSpec)
}

// TestHostileChains: producers that fail or answer the wrong shape, a
// cycle of inferred bindings and a delete that never answers. The run
// ends, by itself and bounded by the per-request timeout; every read
// says why it kept its static value, every write why it was not sent;
// and every resource still on the server is in the report, with what
// would delete it.
func TestHostileChains(t *testing.T) {
	svc := newService()
	srv := httptest.NewServer(svc)
	defer srv.Close()
	r := smoke(t, invocation{args: []string{"run", "--spec", writeSpec(t), "--base-url", srv.URL,
		"--config", os.DevNull, "--timeout", "300ms", "--format", "json"}})
	if r.code != exitFindings {
		// Checks failed (below), one errored, resources are left:
		// findings decide the exit code.
		t.Errorf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "smoke: warning: binding cycle POST /alphas ← POST /betas ← POST /alphas: dropped body#/alphaId of POST /betas (from POST /alphas, inferred); it sends its static value") {
		t.Errorf("stderr = %s, want the cycle and the binding dropped to break it", r.stderr)
	}
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, r.stdout)
	}
	res := map[string]int{}
	var failed []string
	for i, r := range rep.Results {
		res[r.Method+" "+r.Path] = i
		if r.Outcome == "failed" {
			failed = append(failed, r.Method+" "+r.Path+" "+r.Failures[0].Check)
		}
	}
	// The producers' own faults are findings: a 5xx, an id that breaks
	// the documented schema.
	if want := []string{"POST /broken not_server_error", "POST /objects response_schema"}; !slices.Equal(failed, want) {
		t.Errorf("failed = %q, want %q", failed, want)
	}
	note := func(name, want string, status int) {
		t.Helper()
		r := rep.Results[res[name]]
		if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("%s notes %q, want one containing %q", name, r.Notes, want)
		}
		if r.StatusCode != status {
			t.Errorf("%s = %d, want %d", name, r.StatusCode, status)
		}
	}
	// A read keeps its static value (404); a write is not sent at all.
	note("GET /broken/{brokenId}", "no value (POST /broken answered 500 Internal Server Error); sent the static value", 404)
	note("DELETE /broken/{brokenId}", "no value (POST /broken answered 500 Internal Server Error); not sent", 0)
	if r := rep.Results[res["DELETE /broken/{brokenId}"]]; r.Outcome != "skipped" {
		t.Errorf("DELETE /broken/{brokenId}: %s, want skipped (not sent)", r.Outcome)
	}
	note("GET /objects/{objectId}", "/id is an object, not a value", 404)
	if r := rep.Results[res["DELETE /hangs/{hangId}"]]; r.Outcome != "errored" || !strings.Contains(r.Failures[0].Message, "timed out") {
		t.Errorf("DELETE /hangs: %s %v, want errored, timed out", r.Outcome, r.Failures)
	}
	if r := rep.Results[res["POST /betas"]]; r.StatusCode != 201 {
		t.Errorf("POST /betas = %d: the broken cycle should leave both creates to run", r.StatusCode)
	}

	// Nothing left unreported: every resource the service still holds is
	// listed, and the counts add up.
	if rep.Resources == nil {
		t.Fatal("no resources section")
	}
	left := map[string]string{}
	for _, l := range rep.Resources.Left {
		left[l.Method+" "+l.Path] = l.Reason
	}
	remaining := svc.remaining()
	if rep.Resources.Created != rep.Resources.Deleted+len(rep.Resources.Left) || len(rep.Resources.Left) != len(remaining) {
		t.Errorf("resources %+v, server still holds %v: not every resource is accounted for", rep.Resources, remaining)
	}
	for _, want := range []struct{ create, reason string }{
		{"POST /hangs", "timed out"},
		{"POST /objects", "could not take its id"},
		{"POST /alphas", "the spec documents no operation that deletes it"},
	} {
		if !strings.Contains(left[want.create], want.reason) {
			t.Errorf("left[%s] = %q, want %q", want.create, left[want.create], want.reason)
		}
	}
	for _, l := range rep.Resources.Left {
		if l.Method+" "+l.Path == "POST /hangs" && (!strings.HasPrefix(l.Delete, "curl ") || !strings.Contains(l.Delete, "-X DELETE") || l.ID == "") {
			t.Errorf("left %+v: want the id and the curl line that deletes it", l)
		}
	}
}

// TestInterruptDuringChain: SIGINT while a chain's read is in flight.
// smoke stops, still deletes what it created (cleanup outlives the
// interrupt, within its own deadline), writes the partial report and
// exits 3.
func TestInterruptDuringChain(t *testing.T) {
	svc := newService()
	svc.hangGet = true
	srv := httptest.NewServer(svc)
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "report.json")
	p := start(t, invocation{args: []string{"run", "--spec", writeSpec(t), "--base-url", srv.URL,
		"--config", os.DevNull, "--include", "/things**", "--concurrency", "1", "--format", "json", "--output", out}})
	// The read of the thing smoke just created is in flight: Ctrl-C.
	select {
	case <-svc.getSeen:
	case err := <-p.done:
		p.done <- err // for the cleanup
		t.Fatalf("smoke exited (%v) before the read was sent; stderr:\n%s", err, p.stderr.String())
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != exitIncomplete {
		t.Errorf("exit %d, want 3; stderr:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "smoke: interrupted:") {
		t.Errorf("stderr = %q, want the interruption explained", p.stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("partial report not written: %v", err)
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Incomplete == "" || rep.Summary.Skipped == 0 {
		t.Errorf("report %+v, want it incomplete with unsent checks skipped", rep.Summary)
	}
	// The delete was never sent by the run; cleanup sent it.
	if rep.Resources == nil || rep.Resources.Created != 1 || rep.Resources.Deleted != 1 || len(rep.Resources.Left) != 0 {
		t.Errorf("resources = %+v, want the thing created and deleted", rep.Resources)
	}
	if rest := svc.remaining(); len(rest) != 0 {
		t.Errorf("the service still holds %v after an interrupted run", rest)
	}
}
