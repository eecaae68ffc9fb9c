package synthetics_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/golden"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/synthetics"
)

// payload maps one check and returns its payload as a generic value.
func payload(t *testing.T, c generator.Check, opts synthetics.Options) map[string]any {
	t.Helper()
	if opts.Service == "" {
		opts.Service = "orders"
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "https://api.example.com"
	}
	tests, err := synthetics.Map([]generator.Check{c}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(tests[0])
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestMapURL(t *testing.T) {
	tests := []struct {
		base, rel, want string
	}{
		{"https://api.example.com", "/pets/42?limit=10", "https://api.example.com/pets/42?limit=10"},
		{"https://api.example.com/", "/pets", "https://api.example.com/pets"},
		{"https://api.example.com/v2", "/pets", "https://api.example.com/v2/pets"},
		{"http://127.0.0.1:8080/base/", "/a/b", "http://127.0.0.1:8080/base/a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.base+tt.rel, func(t *testing.T) {
			c := check("GET", "/pets", "200")
			c.Request.URL = tt.rel
			got := dig(payload(t, c, synthetics.Options{BaseURL: tt.base}), "config", "request", "url")
			if got != tt.want {
				t.Errorf("url(%q, %q) = %v, want %q", tt.base, tt.rel, got, tt.want)
			}
		})
	}
}

func TestMapStatusAssertion(t *testing.T) {
	tests := []struct {
		status   []string
		operator string
		target   any
	}{
		{[]string{"200"}, "is", 200.0},
		{[]string{"201", "400"}, "matches", "^(201|400)$"},
		{[]string{"200", "4XX"}, "matches", `^(200|4\d\d)$`},
		{[]string{"200", "500"}, "is", 200.0},
		{[]string{"200", "default"}, "doesNotMatch", `^5\d\d$`},
		{nil, "doesNotMatch", `^5\d\d$`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.status, ","), func(t *testing.T) {
			a := dig(payload(t, check("GET", "/x", tt.status...), synthetics.Options{}), "config", "assertions", 0)
			want := map[string]any{"type": "statusCode", "operator": tt.operator, "target": tt.target}
			if diff := cmp.Diff(want, a); diff != "" {
				t.Errorf("status assertion for %v (-want +got):\n%s", tt.status, diff)
			}
		})
	}
}

func TestMapAssertions(t *testing.T) {
	pet := &openapi3.Schema{
		Type:     &openapi3.Types{"object"},
		Required: []string{"id", "password"},
		Properties: openapi3.Schemas{
			"id":       openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int64"}),
			"tag":      openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}, Nullable: true}),
			"password": openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}, WriteOnly: true}),
		},
	}
	pet.Properties["parent"] = openapi3.NewSchemaRef("#/components/schemas/Pet", pet)
	c := check("GET", "/pets/{id}", "200")
	c.Expect.Responses[0].Content = []generator.Content{{MediaType: "application/json", SchemaRef: "#/components/schemas/Pet", Schema: pet}}

	p := payload(t, c, synthetics.Options{MaxResponseTime: 800 * time.Millisecond})
	got := dig(p, "config", "assertions").([]any)
	if len(got) != 4 {
		t.Fatalf("assertions = %v, want status, content type, response time and schema", got)
	}
	if diff := cmp.Diff(map[string]any{"type": "header", "property": "content-type", "operator": "contains", "target": "application/json"}, got[1]); diff != "" {
		t.Errorf("content-type assertion (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"type": "responseTime", "operator": "lessThan", "target": 800.0}, got[2]); diff != "" {
		t.Errorf("response time assertion (-want +got):\n%s", diff)
	}
	if op := dig(got[3], "operator"); op != "validatesJSONSchema" {
		t.Errorf("schema assertion operator = %v, want validatesJSONSchema", op)
	}
	if meta := dig(got[3], "target", "metaSchema"); meta != "draft-07" {
		t.Errorf("metaSchema = %v, want draft-07", meta)
	}
	var schema map[string]any
	if err := json.Unmarshal([]byte(dig(got[3], "target", "jsonSchema").(string)), &schema); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"$schema": "http://json-schema.org/draft-07/schema#",
		"allOf":   []any{map[string]any{"$ref": "#/definitions/Pet"}},
		"definitions": map[string]any{"Pet": map[string]any{
			"type":     "object",
			"required": []any{"id"},
			"properties": map[string]any{
				// OpenAPI's int64 is no draft-07 format: left out.
				"id":       map[string]any{"type": "integer"},
				"tag":      map[string]any{"type": []any{"string", "null"}},
				"password": map[string]any{"type": "string"},
				"parent":   map[string]any{"$ref": "#/definitions/Pet"},
			},
		}},
	}
	if diff := cmp.Diff(want, schema); diff != "" {
		t.Errorf("JSON schema (-want +got):\n%s", diff)
	}
}

func TestMapLeavesOutAssertionsThatDoNotFit(t *testing.T) {
	c := check("GET", "/pets/{id}", "200", "404")
	c.Expect.Responses[0].Content = []generator.Content{{MediaType: "application/json", SchemaRef: "inline", Schema: &openapi3.Schema{Type: &openapi3.Types{"object"}}}}
	got := dig(payload(t, c, synthetics.Options{}), "config", "assertions").([]any)
	if len(got) != 1 {
		t.Errorf("assertions = %v, want the status assertion only (404 has no body)", got)
	}
}

func TestMapOptions(t *testing.T) {
	c := check("POST", "/orders", "201")
	c.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"qty":1}`}
	p := payload(t, c, synthetics.Options{
		Locations: []string{"aws:eu-west-1", "aws:eu-central-1"}, TickEvery: time.Hour, Retries: 2,
		Tags: []string{"Team:Payments"}, Message: "@slack-orders", Timeout: 10 * time.Second,
	})
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"name"}, "[orders] POST /orders"},
		{[]any{"type"}, "api"},
		{[]any{"subtype"}, "http"},
		{[]any{"status"}, "live"},
		{[]any{"message"}, "@slack-orders"},
		{[]any{"locations"}, []any{"aws:eu-central-1", "aws:eu-west-1"}},
		{[]any{"tags"}, []any{"managed-by:smoke", "smoke-service:orders", "smoke-check:" + c.ID, "team:payments"}},
		{[]any{"options", "tick_every"}, 3600.0},
		{[]any{"options", "follow_redirects"}, false},
		{[]any{"options", "retry", "count"}, 2.0},
		// Not in the request: a single-step test says it in options only,
		// as terraform-provider-datadog sends it (this pinned issue 13's bug).
		{[]any{"config", "request", "follow_redirects"}, nil},
		{[]any{"config", "request", "timeout"}, 10.0},
		{[]any{"config", "request", "body"}, `{"qty":1}`},
		{[]any{"config", "request", "bodyType"}, "application/json"},
		{[]any{"config", "request", "headers", "Content-Type"}, "application/json"},
	}
	for _, ck := range checks {
		if diff := cmp.Diff(ck.want, dig(p, ck.path...)); diff != "" {
			t.Errorf("%v (-want +got):\n%s", ck.path, diff)
		}
	}
}

func TestMapSecrets(t *testing.T) {
	secret := func(name, value, env, tmpl string) generator.Param {
		return generator.Param{Name: name, Value: value, Source: generator.SourceSecret, Secret: true, Env: env, Template: tmpl}
	}
	tests := []struct {
		name    string
		edit    func(c *generator.Check)
		path    []any
		want    any
		wantErr bool
	}{
		{"env only", func(c *generator.Check) {
			c.Request.Headers = []generator.Param{secret("X-API-Key", "k3y-value", "API_KEY", "")}
		}, []any{"config", "request", "headers", "X-API-Key"}, "{{ API_KEY }}", false},
		{"template", func(c *generator.Check) {
			c.Request.Headers = []generator.Param{secret("Authorization", "Bearer t0ken-value", "", "Bearer ${TOKEN}")}
		}, []any{"config", "request", "headers", "Authorization"}, "Bearer {{ TOKEN }}", false},
		{"query", func(c *generator.Check) {
			c.Request.URL = "/orders?limit=5&api_key=k3y-value"
			c.Request.Query = []generator.Param{{Name: "limit", Value: "5"}, secret("api_key", "k3y-value", "API_KEY", "${API_KEY}")}
		}, []any{"config", "request", "url"}, "https://api.example.com/orders?limit=5&api_key={{ API_KEY }}", false},
		{"cookie", func(c *generator.Check) {
			c.Request.Cookies = []generator.Param{secret("session", "s3ssion-value", "SESSION", "")}
		}, []any{"config", "request", "headers", "Cookie"}, "session={{ SESSION }}", false},
		{"basic", func(c *generator.Check) {
			p := secret("Authorization", "Basic dXNlcjpwYXNz", "", "")
			p.Basic = &generator.BasicCredential{Username: "${USER}", Password: "${PASS}"}
			c.Request.Headers = []generator.Param{p}
		}, []any{"config", "request", "basicAuth"}, map[string]any{"type": "web", "username": "{{ USER }}", "password": "{{ PASS }}"}, false},
		{"basic with an inline password", func(c *generator.Check) {
			p := secret("Authorization", "Basic dXNlcjpwYXNz", "", "")
			p.Basic = &generator.BasicCredential{Username: "${USER}"}
			c.Request.Headers = []generator.Param{p}
		}, nil, nil, true},
		{"no env", func(c *generator.Check) {
			c.Request.Headers = []generator.Param{secret("X-API-Key", "k3y-value", "", "")}
		}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := check("GET", "/orders", "200")
			tt.edit(&c)
			tests, err := synthetics.Map([]generator.Check{c}, synthetics.Options{Service: "orders", BaseURL: "https://api.example.com"})
			if tt.wantErr {
				if !errors.Is(err, synthetics.ErrSecret) {
					t.Errorf("Map error = %v, want ErrSecret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(tests[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"k3y-value", "t0ken-value", "s3ssion-value", "dXNlcjpwYXNz"} {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("payload inlines a secret: %s", b)
				}
			}
			var p map[string]any
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, dig(p, tt.path...)); diff != "" {
				t.Errorf("%v (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

func TestMapRejectsBadOptions(t *testing.T) {
	tests := []synthetics.Options{
		{BaseURL: "https://api.example.com"},
		{Service: "orders"},
		{Service: "orders", BaseURL: "api.example.com"},
		{Service: "orders", BaseURL: "https://api.example.com", TickEvery: time.Second},
	}
	for _, o := range tests {
		if _, err := synthetics.Map(checks(), o); err == nil {
			t.Errorf("Map(%+v) error = nil, want one", o)
		}
	}
}

// TestGolden maps real specs and compares the payloads with golden files;
// it also publishes them to the emulator, which validates every payload
// against Datadog's own document.
func TestGolden(t *testing.T) {
	for _, name := range []string{"petstore-v3.0.yaml", "alertmanager-v0.25.0.yaml"} {
		t.Run(name, func(t *testing.T) {
			plan := plantest.Plan(t, testenv.Spec(t, name), generator.Options{})
			service := plan.Spec.Service
			tests, err := synthetics.Map(plan.Checks, synthetics.Options{Service: service, BaseURL: "https://staging.example.com/api", Tags: []string{"env:staging"}})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := synthetics.Export(&buf, tests); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, "TestGolden/"+strings.TrimSuffix(name, ".yaml")+".json", buf.Bytes())

			emu := emulator(t, ddemu.Options{})
			c := client(t, emu)
			p, st, err := publishService(t, c, service, tests, false)
			if err != nil {
				t.Fatal(err)
			}
			// One test per check, a chain's checks being the steps of one
			// multistep test.
			steps := 0
			for _, tt := range tests {
				steps += max(len(tt.Steps), 1)
			}
			if st.Created != len(tests) || steps != len(plan.Checks) {
				t.Errorf("created %d tests of %d steps, want %d tests covering every check (%d)", st.Created, steps, len(tests), len(plan.Checks))
			}
			if p, err = c.Plan(t.Context(), service, tests, synthetics.PlanOptions{Prune: true}); err != nil || !p.InSync() {
				t.Errorf("plan after publish: %v, in sync %v, want in sync", err, p != nil && p.InSync())
			}
		})
	}
}
