package ddemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/testenv"
)

const apiTest = `{"name":"[orders] GET /pets","type":"api","subtype":"http","message":"m",
 "locations":["aws:us-east-1"],"options":{"tick_every":300},"tags":["managed-by:smoke"],
 "config":{"request":{"method":"GET","url":"https://api.example.com/pets"},
  "assertions":[{"type":"statusCode","operator":"is","target":200}]}}`

func call(t *testing.T, method, url, body string, keys bool) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if keys {
		req.Header.Set("DD-API-KEY", "a")
		req.Header.Set("DD-APPLICATION-KEY", "b")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestServer(t *testing.T) {
	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	tests := []struct {
		name, method, path, body string
		keys                     bool
		want                     int
	}{
		{"no keys", "GET", "/api/v1/synthetics/tests", "", false, 403},
		{"create", "POST", "/api/v1/synthetics/tests/api", apiTest, true, 200},
		{"list", "GET", "/api/v1/synthetics/tests?page_size=10&page_number=0", "", true, 200},
		{"get", "GET", "/api/v1/synthetics/tests/api/smk-000-001", "", true, 200},
		{"get unknown", "GET", "/api/v1/synthetics/tests/api/nope", "", true, 404},
		{"unknown path", "GET", "/api/v1/nope", "", true, 404},
		{"update", "PUT", "/api/v1/synthetics/tests/api/smk-000-001", apiTest, true, 200},
		{"delete", "POST", "/api/v1/synthetics/tests/delete", `{"public_ids":["smk-000-001"]}`, true, 200},
		{"delete again", "POST", "/api/v1/synthetics/tests/delete", `{"public_ids":["smk-000-001"]}`, true, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, body := call(t, tt.method, emu.URL+tt.path, tt.body, tt.keys); got != tt.want {
				t.Errorf("%s %s = %d %s, want %d", tt.method, tt.path, got, body, tt.want)
			}
		})
	}
	if got := emu.Writes(); got != 4 {
		t.Errorf("Writes() = %d, want 4", got)
	}
}

func TestServerRejectsInvalidRequest(t *testing.T) {
	emu, err := ddemu.NewServer(ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(emu)
	defer hs.Close()
	bad := strings.Replace(apiTest, `"tick_every":300`, `"tick_every":10`, 1)
	if got, body := call(t, "POST", hs.URL+"/api/v1/synthetics/tests/api", bad, true); got != 400 || !strings.Contains(body, "tick_every") {
		t.Errorf("create with tick_every 10 = %d %s, want 400 naming tick_every", got, body)
	}
	if got := len(emu.Violations()); got != 1 {
		t.Errorf("len(Violations()) = %d, want 1", got)
	}
	if got := len(emu.Tests()); got != 0 {
		t.Errorf("len(Tests()) = %d, want 0", got)
	}
}

func TestServerFaults(t *testing.T) {
	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	emu.Inject(ddemu.Fault{Operation: "ListTests", Skip: 1, Status: 429, ResetSeconds: 2})
	emu.Inject(ddemu.Fault{Operation: "CreateSyntheticsAPITest", Status: 500, AfterStore: true})
	list := emu.URL + "/api/v1/synthetics/tests"
	for i, want := range []int{200, 429, 200} {
		if got, body := call(t, "GET", list, "", true); got != want {
			t.Errorf("list call %d = %d %s, want %d", i, got, body, want)
		}
	}
	if got, _ := call(t, "POST", emu.URL+"/api/v1/synthetics/tests/api", apiTest, true); got != 500 {
		t.Errorf("create = %d, want 500", got)
	}
	if got := len(emu.Tests()); got != 1 {
		t.Errorf("after a 500 with AfterStore, len(Tests()) = %d, want 1", got)
	}
	want := map[string]int{"ListTests": 3, "CreateSyntheticsAPITest": 1}
	if diff := cmp.Diff(want, emu.Calls()); diff != "" {
		t.Errorf("Calls() mismatch (-want +got):\n%s", diff)
	}
}

func TestServerStrictRefusesAndLaxAccepts(t *testing.T) {
	bad := strings.Replace(apiTest, `"options":{"tick_every":300}`, `"options":{"tick_every":300,"retry":{"count":5,"interval":300}}`, 1)
	for _, lax := range []bool{false, true} {
		emu, err := ddemu.NewServer(ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1"), Lax: lax})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(emu)
		got, body := call(t, "POST", hs.URL+"/api/v1/synthetics/tests/api", bad, true)
		hs.Close()
		want := 400
		if lax {
			want = 200
		}
		if got != want {
			t.Errorf("lax=%v: create with retry count 5 = %d %s, want %d", lax, got, body, want)
		}
	}
}

func TestServerClosedObjects(t *testing.T) {
	emu, err := ddemu.NewServer(ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(emu)
	defer hs.Close()
	extra := strings.Replace(apiTest, `"method":"GET"`, `"method":"GET","follow":"yes"`, 1)
	if got, body := call(t, "POST", hs.URL+"/api/v1/synthetics/tests/api", extra, true); got != 400 || !strings.Contains(body, "/config/request/follow") {
		t.Errorf("create with an unknown request property = %d %s, want 400 naming /config/request/follow", got, body)
	}
	trigger := `{"tests":[{"public_id":"x"}],"metadata":{"ci":{}}}`
	if got, body := call(t, "POST", hs.URL+"/api/v1/synthetics/tests/trigger/ci", trigger, true); got != 400 || !strings.Contains(body, "/metadata") {
		t.Errorf("trigger with top-level metadata = %d %s, want 400 naming /metadata", got, body)
	}
}

func TestServerStoresNormalisedTags(t *testing.T) {
	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	body := strings.Replace(apiTest, `"tags":["managed-by:smoke"]`, `"tags":["managed-by:smoke","smoke-service:Pet Store"]`, 1)
	if got, b := call(t, "POST", emu.URL+"/api/v1/synthetics/tests/api", body, true); got != 200 {
		t.Fatalf("create = %d %s", got, b)
	}
	if diff := cmp.Diff([]string{"managed-by:smoke", "smoke-service:pet_store"}, emu.Tests()[0].Tags); diff != "" {
		t.Errorf("stored tags (-want +got):\n%s", diff)
	}
	got, b := call(t, "GET", emu.URL+`/api/v1/synthetics/tests/search?text=tag:%22smoke-service:pet_store%22&include_full_config=true`, "", true)
	if got != 200 || !strings.Contains(b, `"total":1`) || !strings.Contains(b, `"config"`) {
		t.Errorf("search by the normalised tag = %d %s, want the test with its config", got, b)
	}
	if _, b := call(t, "GET", emu.URL+`/api/v1/synthetics/tests/search?text=tag:%22smoke-service:pet%20store%22`, "", true); !strings.Contains(b, `"total":0`) {
		t.Errorf("search by the raw tag = %s, want nothing: Datadog stores the normalised tag", b)
	}
}

func TestServerListing(t *testing.T) {
	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1"), ListLag: 1, IgnorePageNumber: true})
	for range 3 {
		if got, b := call(t, "POST", emu.URL+"/api/v1/synthetics/tests/api", apiTest, true); got != 200 {
			t.Fatalf("create = %d %s", got, b)
		}
	}
	list := emu.URL + "/api/v1/synthetics/tests?page_size=2&page_number="
	if _, b := call(t, "GET", list+"0", "", true); !strings.Contains(b, `"total":0`) {
		t.Errorf("first listing after the creates = %s, want them hidden (ListLag 1)", b)
	}
	_, p0 := call(t, "GET", list+"0", "", true)
	_, p1 := call(t, "GET", list+"1", "", true)
	if !strings.Contains(p0, `"total":3`) || p0 != p1 {
		t.Errorf("pages 0 and 1 = %s and %s, want the same page twice (IgnorePageNumber) with total 3", p0, p1)
	}
}

func TestServerDependencyBlocksDelete(t *testing.T) {
	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	for range 2 {
		call(t, "POST", emu.URL+"/api/v1/synthetics/tests/api", apiTest, true)
	}
	ids := emu.Tests()
	emu.Depend(ids[0].PublicID, "slos: [abc123,checkout availability]")
	del := emu.URL + "/api/v1/synthetics/tests/delete"
	body := `{"public_ids":["` + ids[0].PublicID + `","` + ids[1].PublicID + `"]}`
	if got, b := call(t, "POST", del, body, true); got != 400 || !strings.Contains(b, "is referenced in slos") {
		t.Errorf("delete of a test an SLO uses = %d %s, want 400 naming the SLO", got, b)
	}
	if len(emu.Tests()) != 2 {
		t.Errorf("a refused batch deleted tests: %d left, want 2", len(emu.Tests()))
	}
	if got, b := call(t, "POST", del, `{"public_ids":["`+ids[1].PublicID+`"]}`, true); got != 200 {
		t.Errorf("delete of the other test = %d %s, want 200", got, b)
	}
}

func TestServerBatch(t *testing.T) {
	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1"), BatchNotFoundPolls: 1, PendingPolls: 1,
		Outcome: func(st ddemu.StoredTest) string { return ddemu.OutcomeStuck }})
	call(t, "POST", emu.URL+"/api/v1/synthetics/tests/api", apiTest, true)
	_, b := call(t, "POST", emu.URL+"/api/v1/synthetics/tests/trigger/ci", `{"tests":[{"public_id":"`+emu.Tests()[0].PublicID+`"}]}`, true)
	bid := b[strings.Index(b, `"batch_id":"`)+12:]
	bid = bid[:strings.Index(bid, `"`)]
	poll := emu.URL + "/api/v1/synthetics/ci/batch/" + bid
	for i, want := range []string{"Batch does not exist", `"status":"in_progress"}`, `"status":"failed"`} {
		_, b := call(t, "GET", poll, "", true)
		if !strings.Contains(b, want) {
			t.Errorf("poll %d = %s, want %s", i, b, want)
		}
		if i == 2 && !strings.Contains(b, `"status":"in_progress","test_name"`) {
			t.Errorf("final poll = %s, want the stuck run still in_progress", b)
		}
	}
}

func TestServerSuites(t *testing.T) {
	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	call(t, "POST", emu.URL+"/api/v1/synthetics/tests/api", apiTest, true)
	id := emu.Tests()[0].PublicID
	suite := `{"data":{"type":"suites","attributes":{"name":"[orders] smoke","type":"suite","options":{"alerting_threshold":1},"tags":["managed-by:smoke","smoke-service:Orders"],"tests":[{"public_id":"` + id + `","alerting_criticality":"critical"}]}}}`
	if got, b := call(t, "POST", emu.URL+"/api/v2/synthetics/suites", suite, true); got != 200 || !strings.Contains(b, `"public_id":"sui-`) {
		t.Fatalf("create suite = %d %s", got, b)
	}
	if got, b := call(t, "GET", emu.URL+`/api/v2/synthetics/suites/search?query=tag:%22smoke-service:orders%22`, "", true); got != 200 || !strings.Contains(b, `"total":1`) {
		t.Errorf("search suites = %d %s, want one", got, b)
	}
	if got, b := call(t, "POST", emu.URL+"/api/v2/synthetics/suites", strings.Replace(suite, id, "nope", 1), true); got != 400 {
		t.Errorf("suite with an unknown test = %d %s, want 400", got, b)
	}
}

// TestServerRefusesUndefinedVariables: a test whose request, or one of
// whose steps' requests, refers to a variable it does not define is
// answered 400 with the reason; the same test defining it is stored.
func TestServerRefusesUndefinedVariables(t *testing.T) {
	emu, err := ddemu.NewServer(ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(emu)
	defer hs.Close()
	create := hs.URL + "/api/v1/synthetics/tests/api"
	runVar := `"configVariables":[{"name":"SMOKE_RUN","type":"text","pattern":"{{ alphanumeric(8) }}"}]`
	single := strings.Replace(apiTest, `"url":"https://api.example.com/pets"`, `"url":"https://api.example.com/pets?name=smoke{{ SMOKE_RUN }}"`, 1)
	multi := `{"name":"[orders] chain","type":"api","subtype":"multi","message":"m",
	 "locations":["aws:us-east-1"],"options":{"tick_every":300},"tags":["managed-by:smoke"],
	 "config":{"steps":[
	  {"name":"POST /pets","subtype":"http","request":{"method":"POST","url":"https://api.example.com/pets","body":"{\"name\":\"smoke{{ SMOKE_RUN }}\"}"},
	   "assertions":[{"type":"statusCode","operator":"is","target":201}],
	   "extractedValues":[{"name":"PET_ID","type":"http_body","parser":{"type":"json_path","value":"$.id"}}]},
	  {"name":"GET /pets/{petId}","subtype":"http","request":{"method":"GET","url":"https://api.example.com/pets/{{ PET_ID }}"},
	   "assertions":[{"type":"statusCode","operator":"is","target":200}]}]}}`
	tests := []struct {
		name, body string
		want       int
		reason     string
	}{
		{"single, undefined", single, 400, "{{ SMOKE_RUN }} is not defined"},
		{"single, defined", strings.Replace(single, `"config":{`, `"config":{`+runVar+`,`, 1), 200, ""},
		{"step, undefined", multi, 400, "step 0 (POST /pets): {{ SMOKE_RUN }} is not defined"},
		{"step, defined", strings.Replace(multi, `"config":{`, `"config":{`+runVar+`,`, 1), 200, ""},
		{"step, own extraction", strings.Replace(strings.Replace(multi, `"config":{`, `"config":{`+runVar+`,`, 1),
			`"url":"https://api.example.com/pets","body"`, `"url":"https://api.example.com/pets?after={{ PET_ID }}","body"`, 1),
			400, "{{ PET_ID }} is extracted by this step's own answer"},
		{"step, later extraction", strings.Replace(strings.Replace(strings.Replace(multi, `"config":{`, `"config":{`+runVar+`,`, 1),
			`"url":"https://api.example.com/pets","body"`, `"url":"https://api.example.com/pets?owner={{ OWNER_ID }}","body"`, 1),
			`"target":200}]}`, `"target":200}],"extractedValues":[{"name":"OWNER_ID","type":"http_body","parser":{"type":"json_path","value":"$.owner"}}]}`, 1),
			400, "step 0 (POST /pets): {{ OWNER_ID }} is extracted by a later step (1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body := call(t, "POST", create, tt.body, true)
			if got != tt.want || !strings.Contains(body, tt.reason) {
				t.Errorf("create = %d %s, want %d with %q", got, body, tt.want, tt.reason)
			}
		})
	}
	if got := len(emu.Violations()); got != 4 {
		t.Errorf("len(Violations()) = %d, want 4: %v", got, emu.Violations())
	}

	// A global variable is defined once the account holds it and the
	// test declares it by its id and name.
	withGlobal := func(id string) string {
		return strings.Replace(strings.Replace(apiTest, `"config":{`, `"config":{"configVariables":[{"name":"SMOKE_TOKEN","type":"global","id":"`+id+`"}],`, 1),
			`"method":"GET"`, `"method":"GET","headers":{"Authorization":"Bearer {{ SMOKE_TOKEN }}"}`, 1)
	}
	if got, body := call(t, "POST", create, withGlobal("none"), true); got != 400 || !strings.Contains(body, "which does not exist") {
		t.Errorf("create with an unknown global = %d %s, want 400", got, body)
	}
	got, body := call(t, "POST", hs.URL+"/api/v1/synthetics/variables", `{"name":"SMOKE_TOKEN","description":"","tags":[],"value":{"value":"s3cret","secure":true}}`, true)
	if got != 200 {
		t.Fatalf("create variable = %d %s", got, body)
	}
	var v struct{ ID string }
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if got, body := call(t, "POST", create, withGlobal(v.ID), true); got != 200 {
		t.Errorf("create with a declared global = %d %s, want 200", got, body)
	}
}
