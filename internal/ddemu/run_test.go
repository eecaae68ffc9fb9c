package ddemu_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

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
