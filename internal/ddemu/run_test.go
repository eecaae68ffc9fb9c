package ddemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/internal/ddemu"
)

func TestRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"seven"}`))
	}))
	defer srv.Close()
	schema := func(s string) map[string]any {
		return map[string]any{"type": "body", "operator": "validatesJSONSchema", "target": map[string]any{"jsonSchema": s, "metaSchema": "draft-07"}}
	}
	tests := []struct {
		name       string
		url        string
		assertions []map[string]any
		want       string
	}{
		{"status is", srv.URL, []map[string]any{{"type": "statusCode", "operator": "is", "target": 200}}, "passed"},
		{"status mismatch", srv.URL, []map[string]any{{"type": "statusCode", "operator": "matches", "target": "^(201|404)$"}}, "failed"},
		{"header", srv.URL, []map[string]any{{"type": "header", "property": "content-type", "operator": "contains", "target": "application/json"}}, "passed"},
		{"schema holds", srv.URL, []map[string]any{schema(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"id":{"type":"string"}}}`)}, "passed"},
		{"schema fails", srv.URL, []map[string]any{schema(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"id":{"type":"integer"}}}`)}, "failed"},
		{"nothing listens", "http://127.0.0.1:9/", nil, "failed"},
		{"not loopback: not sent", "https://api.example.com/", []map[string]any{{"type": "statusCode", "operator": "is", "target": 599}}, "passed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(map[string]any{"config": map[string]any{
				"request":    map[string]any{"method": "GET", "url": tt.url, "timeout": 5},
				"assertions": tt.assertions,
			}})
			if err != nil {
				t.Fatal(err)
			}
			if got, why := ddemu.Run(ddemu.StoredTest{JSON: b}); got != tt.want {
				t.Errorf("Run(%s) = %q (%s), want %q", tt.name, got, why, tt.want)
			}
		})
	}
}

// TestRunRendersConfigVariables: a run renders each config variable of
// type text once, from its pattern, and substitutes it everywhere the
// test refers to it: URL, headers, body, credentials, every step.
func TestRunRendersConfigVariables(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		mu.Lock()
		seen = append(seen, r.URL.RequestURI()+" "+r.Header.Get("X-Run")+" "+user+":"+pass+" "+string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"7"}`))
	}))
	defer srv.Close()
	vars := []map[string]any{
		{"name": "SMOKE_RUN", "type": "text", "pattern": "{{ alphanumeric(8) }}"},
		{"name": "SMOKE_NOW_PLUS_1H", "type": "text", "pattern": "{{ date(1h, YYYY-MM-DDTHH:mm:ss) }}Z"},
	}
	req := map[string]any{
		"method": "POST", "url": srv.URL + "/pets/smoke{{ SMOKE_RUN }}",
		"headers":   map[string]any{"X-Run": "{{ SMOKE_RUN }}"},
		"query":     map[string]any{"at": "{{ SMOKE_NOW_PLUS_1H }}"},
		"basicAuth": map[string]any{"type": "web", "username": "smoke{{ SMOKE_RUN }}", "password": "pw"},
		"body":      `{"name":"smoke{{ SMOKE_RUN }}","endsAt":"{{ SMOKE_NOW_PLUS_1H }}"}`,
	}
	status := []map[string]any{{"type": "statusCode", "operator": "is", "target": 200}}
	single, err := json.Marshal(map[string]any{"subtype": "http", "config": map[string]any{"request": req, "assertions": status, "configVariables": vars}})
	if err != nil {
		t.Fatal(err)
	}
	if got, why := ddemu.Run(ddemu.StoredTest{JSON: single}); got != "passed" {
		t.Fatalf("Run(single) = %q (%s)", got, why)
	}
	line := regexp.MustCompile(`^/pets/smoke([a-z0-9]{8})\?at=(\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\dZ) ([a-z0-9]{8}) smoke([a-z0-9]{8}):pw \{"name":"smoke([a-z0-9]{8})","endsAt":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"\}$`)
	m := line.FindStringSubmatch(seen[0])
	if m == nil {
		t.Fatalf("request sent %q, want a match of %s", seen[0], line)
	}
	if m[1] != m[3] || m[1] != m[4] || m[1] != m[5] || strings.ReplaceAll(m[2], "%3A", ":") != m[6] {
		t.Errorf("request sent %q: want one rendered value per variable everywhere", seen[0])
	}
	if at, err := time.Parse(time.RFC3339, m[6]); err != nil || time.Until(at) < 30*time.Minute {
		t.Errorf("SMOKE_NOW_PLUS_1H rendered as %q, want about an hour from now", m[6])
	}

	// A multistep test: the same value in every step, and a value the
	// first step extracts in the second.
	seen = nil
	step := func(url, body string, extract bool) map[string]any {
		s := map[string]any{"name": url, "subtype": "http", "request": map[string]any{"method": "POST", "url": srv.URL + url, "body": body}, "assertions": status}
		if extract {
			s["extractedValues"] = []map[string]any{{"name": "PET_ID", "type": "http_body", "parser": map[string]any{"type": "json_path", "value": "$.id"}}}
		}
		return s
	}
	multi, err := json.Marshal(map[string]any{"subtype": "multi", "config": map[string]any{"configVariables": vars, "steps": []any{
		step("/pets", `{"name":"smoke{{ SMOKE_RUN }}"}`, true),
		step("/pets/{{ PET_ID }}/smoke{{ SMOKE_RUN }}", `{"name":"smoke{{ SMOKE_RUN }}"}`, false),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, why := ddemu.Run(ddemu.StoredTest{JSON: multi}); got != "passed" {
		t.Fatalf("Run(multi) = %q (%s)", got, why)
	}
	first := regexp.MustCompile(`"smoke([a-z0-9]{8})"`).FindStringSubmatch(seen[0])
	if len(seen) != 2 || first == nil || seen[1] != "/pets/7/smoke"+first[1]+"  : "+`{"name":"smoke`+first[1]+`"}` {
		t.Errorf("steps sent %q: want the second step to use the first's run value and extracted id", seen)
	}

	// A pattern with a function Datadog does not have fails the run.
	bad, err := json.Marshal(map[string]any{"subtype": "http", "config": map[string]any{"request": req, "assertions": status,
		"configVariables": []map[string]any{{"name": "SMOKE_RUN", "type": "text", "pattern": "{{ random(8) }}"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, why := ddemu.Run(ddemu.StoredTest{JSON: bad}); got != "failed" || !strings.Contains(why, `config variable SMOKE_RUN: pattern "{{ random(8) }}": {{ random(8) }}: unknown function "random"`) {
		t.Errorf("Run(unknown function) = %q (%s), want failed naming the function", got, why)
	}
}
