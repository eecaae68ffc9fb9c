package ddemu_test

import (
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
