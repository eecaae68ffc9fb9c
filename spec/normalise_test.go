package spec_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/spec"
)

func loadString(t *testing.T, doc string) *spec.Document {
	t.Helper()
	d, err := spec.Load(t.Context(), write(t, "api.yaml", doc), spec.Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d
}

func statuses(op *openapi3.Operation) []string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

// TestMergeKeysExpanded pins issue 11's PowerDNS finding: a response map
// written with <<: *commonErrors showed a status named "<<" (Swagger 2.0).
func TestMergeKeysExpanded(t *testing.T) {
	for _, version := range []string{"swagger: '2.0'", "openapi: 3.0.3"} {
		t.Run(version, func(t *testing.T) {
			schema := "schema: {type: object}"
			if strings.HasPrefix(version, "openapi") {
				schema = "content: {application/json: {schema: {type: object}}}"
			}
			doc := version + `
info: {title: merges, version: "1"}
x-errors:
  common: &commonErrors
    "404": {description: not found}
    "500": {description: server error}
  auth: &authErrors
    "401": {description: unauthorized}
    "500": {description: auth server error}
  nested: &nested
    <<: *commonErrors
    "409": {description: conflict}
paths:
  /one:
    get:
      responses:
        "200": {description: ok, ` + schema + `}
        <<: *commonErrors
  /two:
    get:
      responses:
        "200": {description: ok}
        "500": {description: explicit wins}
        <<: [*authErrors, *commonErrors]
  /three:
    get:
      responses:
        <<: *nested
        "200": {description: ok}
  /four:
    get:
      responses:
        <<: {"200": {description: inline}}
  /five:
    get:
      x-note: {"<<": "a quoted key is a key"}
      responses:
        "200": {description: ok}
`
			d := loadString(t, doc)
			want := map[string][]string{
				"/one":   {"200", "404", "500"},
				"/two":   {"200", "401", "404", "500"},
				"/three": {"200", "404", "409", "500"},
				"/four":  {"200"},
				"/five":  {"200"},
			}
			for _, op := range d.Operations() {
				if got := statuses(op.Operation); !slices.Equal(got, want[op.Path]) {
					t.Errorf("%s responses = %v, want %v", op.Path, got, want[op.Path])
				}
			}
			two := d.T.Paths.Value("/two").Get.Responses
			if got := *two.Value("500").Value.Description; got != "explicit wins" {
				t.Errorf("/two 500 = %q, want the explicit key to win over merged ones", got)
			}
			if got := *two.Value("401").Value.Description; got != "unauthorized" {
				t.Errorf("/two 401 = %q", got)
			}
			if got := *d.T.Paths.Value("/three").Get.Responses.Value("404").Value.Description; got != "not found" {
				t.Errorf("/three 404 through a nested merge = %q", got)
			}
		})
	}
}

// TestTupleItemsWarnAndLoad pins the other PowerDNS finding: items written
// as a list refused the whole document.
func TestTupleItemsWarnAndLoad(t *testing.T) {
	body := func(items string) string {
		return `
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                example: {items: [1, "two"]}
                items: ` + items + "\n"
	}
	tests := []struct {
		name, doc, warning string
		check              func(t *testing.T, s *openapi3.Schema)
	}{
		{"3.0 two schemas", "openapi: 3.0.3\ninfo: {title: t, version: '1'}" + body("[{type: string}, {type: integer}]"),
			"read as items: {anyOf: [...]}", func(t *testing.T, s *openapi3.Schema) {
				if s.Items == nil || len(s.Items.Value.AnyOf) != 2 {
					t.Errorf("items = %+v, want anyOf of the two schemas", s.Items)
				}
			}},
		{"3.0 one schema", "openapi: 3.0.3\ninfo: {title: t, version: '1'}" + body("\n                  - type: string"),
			"read as its one schema", func(t *testing.T, s *openapi3.Schema) {
				if s.Items == nil || !s.Items.Value.Type.Is("string") {
					t.Errorf("items = %+v, want the string schema", s.Items)
				}
			}},
		{"3.1 prefixItems", "openapi: 3.1.0\ninfo: {title: t, version: '1'}" + body("[{type: string}, {type: integer}]"),
			"read as prefixItems", func(t *testing.T, s *openapi3.Schema) {
				if len(s.PrefixItems) != 2 {
					t.Errorf("prefixItems = %d, want 2", len(s.PrefixItems))
				}
			}},
		{"2.0 two schemas", "swagger: '2.0'\ninfo: {title: t, version: '1'}" + strings.ReplaceAll(strings.ReplaceAll(body("[{type: string}, {type: integer}]"), "          content:\n            application/json:\n              schema:\n", "          schema:\n"), "                ", "            "),
			"read as items of any type", nil},
		{"3.0 json", `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "example": {"items": [1, "two"]}}}}}}}}}}`,
			"read as items: {anyOf: [...]}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := loadString(t, tt.doc)
			found := false
			for _, w := range d.Warnings {
				if strings.Contains(w, "items") && strings.Contains(w, tt.warning) {
					found = true
				}
			}
			if !found {
				t.Errorf("Warnings = %q, want one saying %q", d.Warnings, tt.warning)
			}
			ops := d.Operations()
			if len(ops) != 1 {
				t.Fatalf("operations = %d, want 1", len(ops))
			}
			mt := ops[0].Operation.Responses.Value("200").Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
				t.Fatalf("no response schema")
			}
			s := mt.Schema.Value
			if tt.check != nil {
				tt.check(t, s)
			}
			// A list under "items" inside an example is data: untouched.
			if ex, ok := s.Example.(map[string]any); ok {
				if l, ok := ex["items"].([]any); !ok || len(l) != 2 {
					t.Errorf("example = %v, want its items list kept", s.Example)
				}
			}
		})
	}
}
