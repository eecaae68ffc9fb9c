package synthetics_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/synthetics"
)

// shape is the part of a test's JSON these tests read.
type shape struct {
	Name    string `json:"name"`
	Subtype string `json:"subtype"`
	Options struct {
		HTTPVersion     *string `json:"httpVersion"`
		FollowRedirects *bool   `json:"follow_redirects"`
	} `json:"options"`
	Config struct {
		Request *struct {
			FollowRedirects *bool `json:"follow_redirects"`
		} `json:"request"`
		Steps []struct {
			Name    string `json:"name"`
			Request struct {
				Method          string  `json:"method"`
				Body            string  `json:"body"`
				HTTPVersion     *string `json:"httpVersion"`
				FollowRedirects *bool   `json:"follow_redirects"`
			} `json:"request"`
			ExtractedValues []struct {
				Name   string `json:"name"`
				Parser struct{ Type, Value string }
			} `json:"extractedValues"`
		} `json:"steps"`
	} `json:"config"`
}

func decodeShape(t *testing.T, tt synthetics.Test) shape {
	t.Helper()
	b, err := json.Marshal(tt)
	if err != nil {
		t.Fatal(err)
	}
	var p shape
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// leaseChecks is etcd's lease chain in small: a grant whose answer's ID
// three later steps take (a read, a put that takes it as its lease, a
// revoke that sends it in a DELETE body), and two checks on their own: a
// DELETE with a body and one without.
func leaseChecks() []generator.Check {
	bound := func(c generator.Check, producer generator.Check, pointer string, role string) generator.Check {
		c.Bindings = []generator.Binding{{In: generator.InBody, Name: pointer, Producer: producer.ID,
			Operation: producer.Method + " " + producer.Path, From: "$response.body#/ID", Origin: "inferred"}}
		c.Chain = &generator.Role{Group: producer.ID, Role: role}
		return c
	}
	body := func(c generator.Check, text string) generator.Check {
		c.Request.Body = &generator.Body{ContentType: "application/json", Text: text}
		return c
	}
	grant := body(check("POST", "/lease/grant", "200"), `{"TTL":60}`)
	grant.Chain = &generator.Role{Group: grant.ID, Role: generator.RoleCreate}
	read := bound(body(check("POST", "/lease/timetolive", "200"), `{"ID":0}`), grant, "/ID", generator.RoleRead)
	put := bound(body(check("POST", "/kv/put", "200"), `{"key":"a","lease":0}`), grant, "/lease", generator.RoleUse)
	revoke := bound(body(check("DELETE", "/lease", "200"), `{"ID":0}`), grant, "/ID", generator.RoleDelete)
	return []generator.Check{
		grant, read, put, revoke,
		body(check("DELETE", "/user/emails", "204"), `{"emails":["a@example.com"]}`),
		check("DELETE", "/user/{id}", "204"),
	}
}

// TestMapAsDatadogReadsIt: smoke states each setting where Datadog reads
// it. Every step of a multistep test says it follows no redirect (a
// test's option is for single HTTP tests); a GET, HEAD or DELETE that
// sends a body is sent over HTTP/1.1 — the test's option for a single
// test, the step's request for a step — and nothing else is; a value
// several steps take is extracted once. The strict emulator, which
// refuses each of these broken, accepts the tests; a second publish
// writes nothing although Datadog echoes an id on every step; a test
// published before the body got its HTTP version is updated.
func TestMapAsDatadogReadsIt(t *testing.T) {
	tests := mapChecks(t, leaseChecks(), "http://127.0.0.1:2379")
	if len(tests) != 3 {
		t.Fatalf("%d tests, want the chain and two DELETEs", len(tests))
	}
	byName := map[string]shape{}
	for _, tt := range tests {
		p := decodeShape(t, tt)
		byName[p.Name] = p
	}

	chain := byName["[orders] chain POST /lease/grant → DELETE /lease (4 steps)"]
	if chain.Subtype != "multi" {
		t.Fatalf("tests %v: want the lease chain", slices.Sorted(maps.Keys(byName)))
	}
	if chain.Options.HTTPVersion != nil {
		t.Errorf("multistep options.httpVersion = %q, want none: each step says its own", *chain.Options.HTTPVersion)
	}
	for _, st := range chain.Config.Steps {
		if f := st.Request.FollowRedirects; f == nil || *f {
			t.Errorf("step %s: follow_redirects = %v, want false on the step's request", st.Name, f)
		}
		wantHTTP1 := st.Request.Method == "DELETE"
		if got := st.Request.HTTPVersion != nil && *st.Request.HTTPVersion == "http1"; got != wantHTTP1 {
			t.Errorf("step %s (%s with body %q): httpVersion %v, want http1 = %v", st.Name, st.Request.Method, st.Request.Body, st.Request.HTTPVersion, wantHTTP1)
		}
	}
	ex := chain.Config.Steps[0].ExtractedValues
	if len(ex) != 1 || ex[0].Parser.Value != "$.ID" {
		t.Fatalf("grant extracts %+v, want $.ID once for the three steps that take it", ex)
	}
	ref := "{{ " + ex[0].Name + " }}"
	for _, st := range chain.Config.Steps[1:] {
		if !strings.Contains(st.Request.Body, ref) {
			t.Errorf("step %s body %s does not refer to %s", st.Name, st.Request.Body, ref)
		}
	}

	for name, want := range map[string]bool{"[orders] DELETE /user/emails": true, "[orders] DELETE /user/{id}": false} {
		p := byName[name]
		if got := p.Options.HTTPVersion != nil && *p.Options.HTTPVersion == "http1"; got != want {
			t.Errorf("%s: options.httpVersion %v, want http1 = %v", name, p.Options.HTTPVersion, want)
		}
		if p.Config.Request == nil || p.Config.Request.FollowRedirects != nil || p.Options.FollowRedirects == nil || *p.Options.FollowRedirects {
			t.Errorf("%s: follow_redirects must be false in options only", name)
		}
	}

	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	if _, _, err := publish(t, c, tests, false); err != nil {
		t.Fatal(err)
	}
	for _, st := range emu.Tests() {
		if strings.Contains(st.Name, "chain") && !strings.Contains(string(st.JSON), `"id":"stp-`) {
			t.Fatalf("the emulator echoes no step id: the second publish below proves nothing\n%s", st.JSON)
		}
	}
	emu.ResetCalls()
	if _, _, err := publish(t, c, tests, false); err != nil {
		t.Fatal(err)
	}
	if w := emu.Writes(); w != 0 {
		t.Errorf("second publish made %d writes, want 0", w)
	}

	// A test of the DELETE with a body as an older smoke published it,
	// without the HTTP version (lax: the strict emulator refuses it).
	old := emulator(t, ddemu.Options{Lax: true})
	var single synthetics.Test
	for _, tt := range tests {
		if tt.Name == "[orders] DELETE /user/emails" {
			single = tt
		}
	}
	b, _ := json.Marshal(single)
	if _, err := old.AddTest([]byte(strings.Replace(string(b), `"httpVersion":"http1",`, "", 1))); err != nil {
		t.Fatal(err)
	}
	p, err := client(t, old).Plan(t.Context(), "orders", []synthetics.Test{single}, synthetics.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Update) != 1 || !slices.Contains(p.Update[0].Fields, "options.httpVersion") {
		t.Errorf("plan against the older test: update %+v, want options.httpVersion changed", p.Update)
	}
}

// TestMapRefusesTooManyExtractions: a step whose answer gives later
// steps more values than Datadog extracts from one step (10) is an
// error before anything is sent, naming the step; ten are fine.
func TestMapRefusesTooManyExtractions(t *testing.T) {
	chain := func(n int) []generator.Check {
		create := check("POST", "/things", "201")
		create.Chain = &generator.Role{Group: create.ID, Role: generator.RoleCreate}
		update := check("PUT", "/things/{id}", "200")
		update.Chain = &generator.Role{Group: create.ID, Role: generator.RoleUpdate}
		fields := make([]string, n)
		for i := range n {
			fields[i] = fmt.Sprintf(`"f%d":"x"`, i)
			update.Bindings = append(update.Bindings, generator.Binding{In: generator.InBody, Name: fmt.Sprintf("/f%d", i), Producer: create.ID,
				Operation: "POST /things", From: fmt.Sprintf("$response.body#/f%d", i), Origin: "inferred"})
		}
		update.Request.Body = &generator.Body{ContentType: "application/json", Text: "{" + strings.Join(fields, ",") + "}"}
		return []generator.Check{create, update}
	}
	tests, err := synthetics.Map(chain(synthetics.MaxExtractedValues), synthetics.Options{Service: "orders", BaseURL: "https://x.example"})
	if err != nil {
		t.Fatalf("Map(%d values) = %v", synthetics.MaxExtractedValues, err)
	}
	if n := len(decodeShape(t, tests[0]).Config.Steps[0].ExtractedValues); n != synthetics.MaxExtractedValues {
		t.Errorf("%d extracted values, want %d", n, synthetics.MaxExtractedValues)
	}
	_, err = synthetics.Map(chain(synthetics.MaxExtractedValues+1), synthetics.Options{Service: "orders", BaseURL: "https://x.example"})
	if err == nil || !strings.Contains(err.Error(), "step POST /things: later steps take 11 values from its answer, Datadog extracts at most 10 per step") {
		t.Errorf("Map(11 values) = %v, want the step named and the limit", err)
	}
}
