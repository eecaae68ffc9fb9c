package synthetics_test

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/synthetics"
)

func petstorePlan(t *testing.T) []generator.Check {
	t.Helper()
	return plantest.Petstore(t, generator.Options{Service: "petstore"}).Checks
}

// TestMapChains: each chain of the example service is one multistep test
// whose steps run in the runner's order, extract what later steps take,
// and refer to it as {{ VAR }}; the other checks stay HTTP tests.
func TestMapChains(t *testing.T) {
	checks := petstorePlan(t)
	tests, err := synthetics.Map(checks, synthetics.Options{Service: "petstore", BaseURL: "https://pets.example.com/v1"})
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		Name    string `json:"name"`
		Request struct {
			Method string `json:"method"`
			URL    string `json:"url"`
			Body   string `json:"body"`
		} `json:"request"`
		ExtractedValues []struct {
			Name   string `json:"name"`
			Type   string `json:"type"`
			Field  string `json:"field"`
			Parser struct{ Type, Value string }
		} `json:"extractedValues"`
		AllowFailure bool `json:"allowFailure"`
		IsCritical   bool `json:"isCritical"`
	}
	var kinds []string
	byName := map[string][]step{}
	for _, tt := range tests {
		var doc struct {
			Name    string   `json:"name"`
			Subtype string   `json:"subtype"`
			Tags    []string `json:"tags"`
			Config  struct {
				Request *json.RawMessage `json:"request"`
				Steps   []step           `json:"steps"`
			} `json:"config"`
		}
		b, _ := json.Marshal(tt)
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, doc.Subtype+" "+doc.Name)
		if doc.Subtype == "multi" {
			if doc.Config.Request != nil || !strings.HasPrefix(tt.CheckID, "chain-") || !slices.Contains(doc.Tags, "smoke-check:"+tt.CheckID) || len(tt.Steps) != len(doc.Config.Steps) {
				t.Errorf("%s: request %v, check %s, tags %v, steps %v", doc.Name, doc.Config.Request, tt.CheckID, doc.Tags, tt.Steps)
			}
			byName[doc.Name] = doc.Config.Steps
		}
	}
	want := []string{
		"http [petstore] GET /health",
		"http [petstore] GET /owners",
		"multi [petstore] chain POST /owners → DELETE /owners/{ownerId} (7 steps)",
		"http [petstore] GET /pets",
		"multi [petstore] chain POST /pets → DELETE /pets/{petId} (7 steps)",
		"http [petstore] GET /stats",
		"multi [petstore] chain POST /tags → DELETE /tags/{name}",
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Fatalf("tests (-want +got):\n%s", diff)
	}
	pets := byName["[petstore] chain POST /pets → DELETE /pets/{petId} (7 steps)"]
	var got []string
	for _, s := range pets {
		line := s.Name + " " + s.Request.URL
		for _, e := range s.ExtractedValues {
			line += " extract " + e.Name + "=" + e.Type + ":" + e.Field + ":" + e.Parser.Type + ":" + e.Parser.Value
		}
		if !s.AllowFailure || !s.IsCritical {
			t.Errorf("step %s: allowFailure %v isCritical %v, want both: the delete runs whatever failed", s.Name, s.AllowFailure, s.IsCritical)
		}
		got = append(got, line)
	}
	wantSteps := []string{
		// The appointment takes the pet's id from the body, the pet's
		// own steps from the Location header.
		"POST /pets https://pets.example.com/v1/pets extract PET_ID=http_body::json_path:$.id extract PET_ID_2=http_header:location:regex:(?<=/pets/)[^/?#]+",
		"POST /appointments https://pets.example.com/v1/appointments extract APPOINTMENT_ID=http_body::json_path:$.id",
		"DELETE /appointments/{appointmentId} https://pets.example.com/v1/appointments/{{ APPOINTMENT_ID }}",
		"GET /pets/{petId} https://pets.example.com/v1/pets/{{ PET_ID_2 }}",
		"PUT /pets/{petId} https://pets.example.com/v1/pets/{{ PET_ID_2 }}",
		"PUT /pets/{petId}/labels https://pets.example.com/v1/pets/{{ PET_ID_2 }}/labels",
		"DELETE /pets/{petId} https://pets.example.com/v1/pets/{{ PET_ID_2 }}",
	}
	if diff := cmp.Diff(wantSteps, got); diff != "" {
		t.Errorf("pet chain steps (-want +got):\n%s", diff)
	}
	var owners []string
	for _, s := range byName["[petstore] chain POST /owners → DELETE /owners/{ownerId} (7 steps)"] {
		owners = append(owners, s.Name+" "+strings.TrimPrefix(s.Request.URL, "https://pets.example.com/v1"))
	}
	wantOwners := []string{
		"POST /owners /owners",
		"GET /owners/{ownerId} /owners/{{ OWNER_ID }}",
		"POST /owners/{ownerId}/pets /owners/{{ OWNER_ID }}/pets",
		"GET /owners/{ownerId}/pets/{petId} /owners/{{ OWNER_ID }}/pets/{{ PET_ID }}",
		"GET /owners/{ownerId}/pets /owners/{{ OWNER_ID }}/pets",
		"DELETE /owners/{ownerId}/pets/{petId} /owners/{{ OWNER_ID }}/pets/{{ PET_ID }}",
		"DELETE /owners/{ownerId} /owners/{{ OWNER_ID }}",
	}
	if diff := cmp.Diff(wantOwners, owners); diff != "" {
		t.Errorf("owner chain steps (-want +got):\n%s", diff)
	}
}

// TestMapChainBodies: values go into JSON bodies as variables, unquoted
// where the static value was a number; a value the producer sent (etcd's
// role name) is repeated as is; a JSON pointer becomes a JSONPath.
func TestMapChainBodies(t *testing.T) {
	grant := check("POST", "/v3/lease/grant", "200")
	grant.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"TTL":60}`}
	grant.Chain = &generator.Role{Group: grant.ID, Role: generator.RoleCreate}
	ttl := check("POST", "/v3/lease/timetolive", "200")
	ttl.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"ID":0,"keys":true}`}
	ttl.Bindings = []generator.Binding{{In: "body", Name: "/ID", Producer: grant.ID, Operation: "POST /v3/lease/grant", From: "$response.body#/data/a b", Origin: "inferred"}}
	ttl.Chain = &generator.Role{Group: grant.ID, Role: generator.RoleRead}
	role := check("POST", "/v3/auth/role/add", "200")
	role.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"name":"smoke-role"}`}
	get := check("POST", "/v3/auth/role/get", "200")
	get.Request.Body = &generator.Body{ContentType: "application/json", Text: `{}`}
	get.Bindings = []generator.Binding{{In: "body", Name: "/role", Producer: role.ID, Operation: "POST /v3/auth/role/add", From: "$request.body#/name", Origin: "inferred"}}
	tests := mapChecks(t, []generator.Check{grant, ttl, role, get}, "http://127.0.0.1:2379")
	if len(tests) != 2 {
		t.Fatalf("%d tests, want 2 chains", len(tests))
	}
	b, _ := json.Marshal(tests)
	s := string(b)
	for _, want := range []string{
		`"body":"{\"ID\":{{ VALUE_ID }},\"keys\":true}"`,
		`"parser":{"type":"json_path","value":"$.data[\"a b\"]"}`,
		`"body":"{\"role\":\"smoke-role\"}"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("payload lacks %s:\n%s", want, s)
		}
	}
}

// TestMapChainRequestTemplates: a value an earlier step sent with a
// dynamic part (a name with the run token) is repeated by later steps
// with the same local variable, in a path (percent-escaped around the
// reference), a query and a body, also when the later step had no
// dynamic value of its own; a literal value with "${" stays literal in
// a dynamic step. The test defines each local variable once.
func TestMapChainRequestTemplates(t *testing.T) {
	add := check("POST", "/roles", "200")
	add.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"name":"smoke role-${run}","at":"${now+1h}"}`}
	add.Request.Dynamic = true
	add.Chain = &generator.Role{Group: add.ID, Role: generator.RoleCreate}
	from := func(c generator.Check, in, name, pointer string) generator.Check {
		c.Bindings = append(c.Bindings, generator.Binding{In: in, Name: name, Producer: add.ID, Operation: "POST /roles", From: "$request.body#" + pointer, Origin: "inferred"})
		return c
	}
	get := from(check("GET", "/roles/{name}", "200"), "path", "name", "/name")
	get.Request.URL = "/roles/x"
	get.Request.Path = []generator.Param{{Name: "name", Value: "x"}}
	get.Chain = &generator.Role{Group: add.ID, Role: generator.RoleRead}
	find := from(check("GET", "/roles", "200"), "query", "q", "/name")
	find.Request.Query = []generator.Param{{Name: "q", Value: "x"}}
	find.Request.URL = "/roles?q=x"
	grant := from(check("POST", "/roles/grant", "200"), "body", "/role", "/name")
	grant.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"role":"x","note":"${literal}"}`}
	del := from(check("DELETE", "/roles/{name}", "200"), "path", "name", "/name")
	del.Request.URL = "/roles/x"
	del.Request.Path = []generator.Param{{Name: "name", Value: "x"}}
	del.Chain = &generator.Role{Group: add.ID, Role: generator.RoleDelete}
	tests := mapChecks(t, []generator.Check{add, get, find, grant, del}, "http://127.0.0.1:2379")
	var multi []synthetics.Test
	for _, tt := range tests {
		if len(tt.Steps) > 0 {
			multi = append(multi, tt)
		}
	}
	if len(multi) != 1 || len(multi[0].Steps) != 5 {
		t.Fatalf("%d multistep tests (%v), want one of 5 steps", len(multi), tests)
	}
	var doc struct {
		Config struct {
			ConfigVariables []struct{ Name, Pattern string } `json:"configVariables"`
			Steps           []struct {
				Request struct{ URL, Body string } `json:"request"`
			} `json:"steps"`
		} `json:"config"`
	}
	b, _ := json.Marshal(multi[0])
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range doc.Config.Steps {
		got = append(got, strings.TrimPrefix(st.Request.URL, "http://127.0.0.1:2379")+" "+st.Request.Body)
	}
	want := []string{
		`/roles {"name":"smoke role-{{ SMOKE_RUN }}","at":"{{ SMOKE_NOW_PLUS_1H }}"}`,
		`/roles/smoke%20role-{{ SMOKE_RUN }} `,
		`/roles?q=smoke+role-{{ SMOKE_RUN }} `,
		`/roles/grant {"note":"${literal}","role":"smoke role-{{ SMOKE_RUN }}"}`,
		`/roles/smoke%20role-{{ SMOKE_RUN }} `,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	var vars []string
	for _, v := range doc.Config.ConfigVariables {
		vars = append(vars, v.Name+"="+v.Pattern)
	}
	wantVars := []string{"SMOKE_RUN={{ alphanumeric(8) }}", "SMOKE_NOW_PLUS_1H={{ date(1h, YYYY-MM-DDTHH:mm:ss) }}Z"}
	if diff := cmp.Diff(wantVars, vars); diff != "" {
		t.Errorf("config variables (-want +got):\n%s", diff)
	}
}

// TestPublishChains publishes the example service's chains to the
// emulator, which validates every payload against Datadog's v1 document
// (a violation fails the test); a second publish writes nothing; the
// triggered multistep tests run their steps against the real service,
// ids flowing from step to step, and leave nothing behind.
func TestPublishChains(t *testing.T) {
	store := petstore.New(petstore.Options{Version: 1})
	srv := httptest.NewServer(store)
	defer srv.Close()
	checks := petstorePlan(t)
	var mu sync.Mutex
	outcomes := map[string]string{}
	emu := emulator(t, ddemu.Options{Outcome: func(st ddemu.StoredTest) string {
		outcome, why := ddemu.Run(st)
		mu.Lock()
		outcomes[st.Name] = outcome + " " + why
		mu.Unlock()
		return outcome
	}})
	c := client(t, emu)
	tests, err := synthetics.Map(checks, synthetics.Options{Service: "petstore", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := publishService(t, c, "petstore", tests, false); err != nil {
		t.Fatal(err)
	}
	if n := len(emu.Tests()); n != 7 {
		t.Errorf("%d tests in Datadog, want 7 (4 HTTP, 3 multistep)", n)
	}
	emu.ResetCalls()
	again, err := c.Plan(t.Context(), "petstore", tests, synthetics.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !again.InSync() || len(again.Unchanged) != 7 {
		t.Errorf("second plan: %d writes (%+v), want none", again.Writes(), again.Update)
	}
	if _, err := c.Apply(t.Context(), again, synthetics.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if w := emu.Writes(); w != 0 {
		t.Errorf("second publish made %d writes, want 0", w)
	}
	res, err := c.Trigger(t.Context(), "petstore", synthetics.TriggerOptions{Wait: true, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_ = res
	for name, o := range outcomes {
		failing := name == "[petstore] GET /stats" // version 1's deliberate 500
		if strings.HasPrefix(o, "passed") == failing {
			t.Errorf("%s: %s", name, o)
		}
	}
	// The chains deleted what they created: the store holds its seed.
	w := httptest.NewRecorder()
	store.ServeHTTP(w, httptest.NewRequest("GET", "/owners", nil))
	if !strings.Contains(w.Body.String(), `"items":[{"id":1,"name":"Grace"}]`) {
		t.Errorf("owners after the multistep tests ran: %s", w.Body.String())
	}
}

// TestSkipWritesChains: without --allow-writes a chain with a write is
// skipped whole, under the multistep test's name, and its safe steps are
// published alone; a test an older smoke published for a check that is
// now a chain's step is kept with that reason, never called removed.
func TestSkipWritesChains(t *testing.T) {
	checks := petstorePlan(t)
	safe, skipped := synthetics.SkipWrites(checks, "petstore", false)
	var names []string
	for _, s := range skipped {
		if s.Reason != synthetics.ReasonWrites {
			t.Errorf("%s: reason %q, want %q", s.Name, s.Reason, synthetics.ReasonWrites)
		}
		names = append(names, s.CheckID[:min(6, len(s.CheckID))]+" "+s.Name)
	}
	want := []string{
		"chain- [petstore] chain POST /owners → DELETE /owners/{ownerId} (7 steps)",
		"chain- [petstore] chain POST /pets → DELETE /pets/{petId} (7 steps)",
		"chain- [petstore] chain POST /tags → DELETE /tags/{name}",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	for _, c := range safe {
		if !c.Safe {
			t.Errorf("%s %s published without --allow-writes", c.Method, c.Path)
		}
	}
	if len(safe) != 8 {
		t.Errorf("%d safe checks, want the 8 GETs", len(safe))
	}

	// An older publish made an HTTP test of DELETE /pets/{petId}; now it
	// is a step of the pet chain.
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	var del generator.Check
	for _, ch := range checks {
		if ch.Method == "DELETE" && ch.Path == "/pets/{petId}" {
			del = ch
		}
	}
	old, err := synthetics.Map([]generator.Check{del}, synthetics.Options{Service: "petstore", BaseURL: "https://pets.example.com/v1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := publishService(t, c, "petstore", old, false); err != nil {
		t.Fatal(err)
	}
	tests, err := synthetics.Map(checks, synthetics.Options{Service: "petstore", BaseURL: "https://pets.example.com/v1"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Plan(t.Context(), "petstore", tests, synthetics.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Kept) != 1 || p.Kept[0].Reason != synthetics.ReasonChained+"[petstore] chain POST /pets → DELETE /pets/{petId} (7 steps)" {
		t.Errorf("kept %+v, want the old DELETE test, now a step of the pet chain", p.Kept)
	}
}

// TestChainsDefineTheirVariables publishes every check of etcd's
// description and of the example service, writes included (publish
// --allow-writes), to the strict emulator, which refuses a test whose
// request refers to a variable it does not define. Each multistep test
// with a dynamic step carries the steps' local variables, once each
// (Datadog evaluates a config variable once per run, so ${run} is the
// same in every step); a second publish writes nothing.
func TestChainsDefineTheirVariables(t *testing.T) {
	specs := map[string]func(t *testing.T) []generator.Check{
		"etcd": func(t *testing.T) []generator.Check {
			return plantest.Plan(t, testenv.Spec(t, "etcd-v3.4.23-rpc.swagger.json"), generator.Options{Service: "etcd"}).Checks
		},
		"petstore": petstorePlan,
	}
	for service, plan := range specs {
		t.Run(service, func(t *testing.T) {
			checks := plan(t)
			tests, err := synthetics.Map(checks, synthetics.Options{Service: service, BaseURL: "http://127.0.0.1:2379"})
			if err != nil {
				t.Fatal(err)
			}
			dynamic := 0
			for _, tt := range tests {
				var doc struct {
					Name    string `json:"name"`
					Subtype string `json:"subtype"`
					Config  struct {
						ConfigVariables []struct{ Name, Type, Pattern string } `json:"configVariables"`
						Steps           []struct {
							Request json.RawMessage `json:"request"`
						} `json:"steps"`
					} `json:"config"`
				}
				b, _ := json.Marshal(tt)
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatal(err)
				}
				if doc.Subtype != "multi" {
					continue
				}
				used := map[string]bool{}
				for _, st := range doc.Config.Steps {
					for _, m := range smokeRef.FindAllStringSubmatch(string(st.Request), -1) {
						used[m[1]] = true
					}
					if strings.Contains(string(st.Request), "${") {
						t.Errorf("%s: a step sends a placeholder as text: %s", doc.Name, st.Request)
					}
				}
				if len(used) > 0 {
					dynamic++
				}
				defined := map[string]bool{}
				for _, v := range doc.Config.ConfigVariables {
					if v.Type != "text" || defined[v.Name] || v.Pattern == "" {
						t.Errorf("%s: config variable %+v: want one text variable with a pattern per name", doc.Name, v)
					}
					defined[v.Name] = true
				}
				if diff := cmp.Diff(used, defined); diff != "" {
					t.Errorf("%s: local variables the steps use (-) and the test defines (+):\n%s", doc.Name, diff)
				}
			}
			if dynamic == 0 {
				t.Errorf("no multistep test of %s has a dynamic step: the test proves nothing", service)
			}

			emu := emulator(t, ddemu.Options{})
			c := client(t, emu)
			if _, _, err := publishService(t, c, service, tests, false); err != nil {
				t.Fatal(err)
			}
			emu.ResetCalls()
			if _, _, err := publishService(t, c, service, tests, false); err != nil {
				t.Fatal(err)
			}
			if w := emu.Writes(); w != 0 {
				t.Errorf("second publish made %d writes, want 0", w)
			}
		})
	}
}

// smokeRef finds the references to smoke's local variables.
var smokeRef = regexp.MustCompile(`\{\{ (SMOKE_[A-Z0-9_]+) \}\}`)
