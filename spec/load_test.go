package spec_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/spec"
)

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadExternalRefs(t *testing.T) {
	doc, err := spec.Load(t.Context(), "testdata/external/api.yaml", spec.Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	ops := doc.Operations()
	if len(ops) != 1 || ops[0].Method != "GET" || ops[0].Path != "/pets/{id}" {
		t.Fatalf("Operations() = %+v, want GET /pets/{id}", ops)
	}
	schema := ops[0].Operation.Responses.Value("200").Value.Content["application/json"].Schema.Value
	if schema == nil || schema.Properties["owner"].Value.Properties["name"] == nil {
		t.Errorf("external schema not resolved through two files: %+v", schema)
	}
	if p := ops[0].PathItem.Parameters[0].Value; p == nil || p.Name != "id" {
		t.Errorf("external parameter not resolved: %+v", ops[0].PathItem.Parameters[0])
	}
}

func TestLoadFromURLWithRelativeRefs(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/external")))
	defer srv.Close()
	doc, err := spec.Load(t.Context(), srv.URL+"/api.yaml", spec.Options{})
	if err != nil {
		t.Fatalf("Load(URL): %v", err)
	}
	if n := len(doc.Operations()); n != 1 {
		t.Errorf("operations = %d, want 1", n)
	}
}

func TestRelativeServerResolvedAgainstSpecURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("swagger: '2.0'\ninfo: {title: t, version: '1'}\nbasePath: /api/v2/\npaths: {}\n"))
	}))
	defer srv.Close()
	doc, err := spec.Load(t.Context(), srv.URL+"/docs/openapi.yaml", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Servers(); len(got) != 1 || got[0] != srv.URL+"/api/v2/" {
		t.Errorf("Servers() = %v, want [%s/api/v2/]", got, srv.URL)
	}
}

func TestLoadFromStdin(t *testing.T) {
	in := strings.NewReader(`{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "basePath": "/v1", "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}`)
	doc, err := spec.Load(t.Context(), "-", spec.Options{Stdin: in})
	if err != nil {
		t.Fatalf("Load(-): %v", err)
	}
	if doc.Version != "2.0" || len(doc.Operations()) != 1 {
		t.Errorf("Version = %q, ops = %d, want 2.0 and 1", doc.Version, len(doc.Operations()))
	}
	if got := doc.Servers(); len(got) != 1 || got[0] != "/v1" {
		t.Errorf("Servers() = %v, want [/v1] (basePath kept for --base-url resolution)", got)
	}
}

func TestLoadErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	tests := []struct {
		name, location, want string
	}{
		{"missing file", filepath.Join(t.TempDir(), "nope.yaml"), "read: no such file or directory"},
		{"directory", t.TempDir(), "is a directory"},
		{"bad yaml", write(t, "bad.yaml", "openapi: 3.0.0\npaths: [\n"), "parse"},
		{"not openapi", write(t, "x.yaml", "name: not a spec\n"), `not an OpenAPI document`},
		{"not openapi json", write(t, "x.json", `{"name": "x"}`), `not an OpenAPI document`},
		{"numeric version", write(t, "n.yaml", "openapi: 3.0\ninfo: {title: t, version: '1'}\npaths: {}\n"), "quote it"},
		{"swagger 1.2", write(t, "s.yaml", "swagger: '1.2'\n"), "unsupported swagger version"},
		{"dangling ref", write(t, "d.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Nope'}\n"), "resolve"},
		{"dangling external ref", write(t, "e.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'missing.yaml'}\n"), "resolve"},
		{"http 404", srv.URL + "/openapi.yaml", "404"},
		{"unreachable", deadURL + "/openapi.yaml", "connection refused"},
		{"empty", write(t, "empty.yaml", ""), "empty document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spec.Load(t.Context(), tt.location, spec.Options{})
			if err == nil {
				t.Fatalf("Load(%s) = nil error, want one containing %q", tt.location, tt.want)
			}
			if _, ok := errors.AsType[*spec.Error](err); !ok {
				t.Errorf("Load error %T is not a *spec.Error", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") || !strings.Contains(msg, tt.location) {
				t.Errorf("Load error = %q, want one line naming %q and containing %q", msg, tt.location, tt.want)
			}
		})
	}
}

func TestLoadLenientAndStrict(t *testing.T) {
	// An Example object with neither value nor externalValue fails
	// kin-openapi's validation, as Adyen's published document does.
	p := write(t, "lenient.yaml", `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses: {"200": {description: ok}}
components:
  examples:
    generic: {summary: nothing here}
`)
	doc, err := spec.Load(t.Context(), p, spec.Options{})
	if err != nil {
		t.Fatalf("lenient Load: %v", err)
	}
	if len(doc.Warnings) == 0 || !strings.Contains(doc.Warnings[0], "generic") {
		t.Errorf("Warnings = %q, want the validation problem", doc.Warnings)
	}
	if _, err := spec.Load(t.Context(), p, spec.Options{Strict: true}); err == nil || !strings.Contains(err.Error(), "validate") {
		t.Errorf("strict Load error = %v, want a validate error", err)
	}
}

func TestNoOperationsIsAWarning(t *testing.T) {
	p := write(t, "hooks.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  x:\n    post:\n      responses: {'200': {description: ok}}\n")
	doc, err := spec.Load(t.Context(), p, spec.Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(doc.Operations()) != 0 || len(doc.Warnings) == 0 {
		t.Errorf("ops = %d, warnings = %q; want 0 operations and a warning", len(doc.Operations()), doc.Warnings)
	}
}
