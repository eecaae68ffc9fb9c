package spec_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/smoke-dev/smoke/spec"
)

// refDoc is a document whose one response schema is a $ref to ref.
func refDoc(ref string) string {
	return `openapi: 3.0.3
info: {title: refs, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '` + ref + `'}
`
}

const schemaFile = "type: object\nproperties:\n  name: {type: string}\n"

// countingServer serves schemaFile at every path and counts requests.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(schemaFile))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// wantRefused checks that err is a one-line *spec.RefError naming ref and
// rule.
func wantRefused(t *testing.T, err error, ref, rule string) {
	t.Helper()
	re, ok := errors.AsType[*spec.RefError](err)
	if !ok {
		t.Fatalf("Load error = %v, want a *spec.RefError", err)
	}
	if _, ok := errors.AsType[*spec.Error](err); !ok {
		t.Errorf("Load error %T is not a *spec.Error (exit 2)", err)
	}
	if !strings.Contains(re.Ref, ref) || !strings.Contains(err.Error(), rule) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Load error = %q, want one line naming %q and %q", err, ref, rule)
	}
}

func TestFileSpecRefsStayInItsDirectory(t *testing.T) {
	root := t.TempDir()
	api := filepath.Join(root, "api")
	for _, d := range []string{filepath.Join(api, "schemas"), filepath.Join(root, "private")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for p, s := range map[string]string{
		filepath.Join(api, "schemas", "pet.yaml"):    schemaFile,
		filepath.Join(root, "private", "pet.yaml"):   schemaFile,
		filepath.Join(root, "private", "creds.yaml"): "type: object\n",
	} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "private"), filepath.Join(api, "escape")); err != nil {
		t.Fatal(err)
	}
	srv, hits := countingServer(t)
	spec1 := func(ref string) string {
		p := filepath.Join(api, "api.yaml")
		if err := os.WriteFile(p, []byte(refDoc(ref)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	for _, ref := range []string{"schemas/pet.yaml", "./schemas/../schemas/pet.yaml", filepath.Join(api, "schemas", "pet.yaml")} {
		if _, err := spec.Load(t.Context(), spec1(ref), spec.Options{}); err != nil {
			t.Errorf("$ref %q inside the spec's directory: %v", ref, err)
		}
	}
	tests := []struct{ ref, want, rule string }{
		{"../private/pet.yaml", filepath.Join(root, "private", "pet.yaml"), "outside the spec's directory"},
		{filepath.Join(root, "private", "creds.yaml"), "creds.yaml", "outside the spec's directory"},
		{"escape/pet.yaml", filepath.Join(api, "escape", "pet.yaml"), "through a symbolic link to " + filepath.Join(root, "private", "pet.yaml")},
		{"file://" + filepath.Join(root, "private", "pet.yaml"), "private", "outside the spec's directory"},
		{srv.URL + "/pet.yaml", srv.URL, "a spec read from a file follows no http(s) references"},
		{"ftp://127.0.0.1/pet.yaml", "ftp://", `the "ftp" scheme is not supported`},
	}
	for _, tt := range tests {
		_, err := spec.Load(t.Context(), spec1(tt.ref), spec.Options{})
		wantRefused(t, err, tt.want, tt.rule)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("refused http $ref was fetched %d times", n)
	}
	// --allow-external-refs lifts the rules.
	for _, ref := range []string{"../private/pet.yaml", "escape/pet.yaml", srv.URL + "/pet.yaml"} {
		if _, err := spec.Load(t.Context(), spec1(ref), spec.Options{AllowExternalRefs: true}); err != nil {
			t.Errorf("AllowExternalRefs: $ref %q: %v", ref, err)
		}
	}
}

func TestStdinSpecResolvesNoExternalRefs(t *testing.T) {
	dir := t.TempDir()
	local := filepath.Join(dir, "local.yaml")
	if err := os.WriteFile(local, []byte(schemaFile), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, hits := countingServer(t)
	tests := []struct{ ref, rule string }{
		{local, "a spec read from standard input resolves no file references"},
		{"file://" + local, "a spec read from standard input resolves no file references"},
		{srv.URL + "/x.yaml", "a spec read from standard input follows no external references"},
	}
	for _, tt := range tests {
		_, err := spec.Load(t.Context(), "-", spec.Options{Stdin: strings.NewReader(refDoc(tt.ref))})
		wantRefused(t, err, strings.TrimPrefix(tt.ref, "file://"), tt.rule)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("refused http $ref was fetched %d times", n)
	}
	for _, tt := range tests {
		if _, err := spec.Load(t.Context(), "-", spec.Options{Stdin: strings.NewReader(refDoc(tt.ref)), AllowExternalRefs: true}); err != nil {
			t.Errorf("AllowExternalRefs: $ref %q from stdin: %v", tt.ref, err)
		}
	}
}

func TestURLSpecRefsStayOnItsOrigin(t *testing.T) {
	other, hits := countingServer(t)
	dir := t.TempDir()
	local := filepath.Join(dir, "local.yaml")
	if err := os.WriteFile(local, []byte(schemaFile), 0o644); err != nil {
		t.Fatal(err)
	}
	var docs = map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/schemas/pet.yaml":
			w.Write([]byte(schemaFile))
		case r.URL.Path == "/moved.yaml":
			http.Redirect(w, r, "/schemas/pet.yaml", http.StatusFound)
		case r.URL.Path == "/away.yaml":
			http.Redirect(w, r, other.URL+"/pet.yaml", http.StatusFound)
		case docs[r.URL.Path] != "":
			w.Write([]byte(docs[r.URL.Path]))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	docs["/same.yaml"] = refDoc("schemas/pet.yaml")
	docs["/same-abs.yaml"] = refDoc(srv.URL + "/schemas/pet.yaml")
	docs["/same-redirect.yaml"] = refDoc("moved.yaml")
	docs["/cross.yaml"] = refDoc(other.URL + "/pet.yaml")
	docs["/cross-redirect.yaml"] = refDoc("away.yaml")
	docs["/file.yaml"] = refDoc("file://" + local)
	docs["/abs-file.yaml"] = refDoc(local)

	for _, p := range []string{"/same.yaml", "/same-abs.yaml", "/same-redirect.yaml"} {
		if _, err := spec.Load(t.Context(), srv.URL+p, spec.Options{}); err != nil {
			t.Errorf("%s: same-origin $ref: %v", p, err)
		}
	}
	origin := "not on the spec's origin " + srv.URL
	tests := []struct{ path, ref, rule string }{
		{"/cross.yaml", other.URL, origin},
		{"/cross-redirect.yaml", other.URL, "it leaves the spec's origin " + srv.URL},
		{"/file.yaml", local, "a spec loaded over http(s) never reads local files"},
	}
	for _, tt := range tests {
		_, err := spec.Load(t.Context(), srv.URL+tt.path, spec.Options{})
		wantRefused(t, err, tt.ref, tt.rule)
	}
	// An absolute path is a path on the spec's own server, as RFC 3986
	// resolves it, never a local file.
	if _, err := spec.Load(t.Context(), srv.URL+"/abs-file.yaml", spec.Options{}); err == nil || !strings.Contains(err.Error(), "GET "+srv.URL+local+": 404") {
		t.Errorf("$ref %q from a URL spec: error = %v, want a 404 from the spec's server", local, err)
	}
	// The spec URL itself redirecting away.
	_, err := spec.Load(t.Context(), srv.URL+"/away.yaml", spec.Options{})
	wantRefused(t, err, other.URL, "it leaves the spec's origin")
	if n := hits.Load(); n != 0 {
		t.Errorf("the other origin was reached %d times", n)
	}
	// --allow-external-refs: other origins yes, local files still never.
	for _, p := range []string{"/cross.yaml", "/cross-redirect.yaml"} {
		if _, err := spec.Load(t.Context(), srv.URL+p, spec.Options{AllowExternalRefs: true}); err != nil {
			t.Errorf("AllowExternalRefs: %s: %v", p, err)
		}
	}
	_, err = spec.Load(t.Context(), srv.URL+"/file.yaml", spec.Options{AllowExternalRefs: true})
	wantRefused(t, err, local, "never reads local files")
}
