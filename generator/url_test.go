package generator_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestJoinURL(t *testing.T) {
	tests := []struct{ base, rel, want string }{
		{"http://h", "/pets", "http://h/pets"},
		{"http://h/", "/pets", "http://h/pets"},
		{"http://h/api/v2", "/pets/1?x=1", "http://h/api/v2/pets/1?x=1"},
		{"http://h/api/v2/", "pets", "http://h/api/v2/pets"},
		{"http://h/api", "//evil.example/x", "http://h/api//evil.example/x"},
		{"http://h", "/@evil.example/x", "http://h/@evil.example/x"},
		{"http://h", "http://evil.example/", "http://h/http://evil.example/"},
		{"http://h", "/files/a%2Fb", "http://h/files/a%2Fb"},
		{"http://h", "/search?q=caf%C3%A9&tag=a&tag=b", "http://h/search?q=caf%C3%A9&tag=a&tag=b"},
		// Issue 9 item 6: the template's space is escaped, the value's
		// escaped separators and dots are kept: no way out of /base.
		{"http://h/base", "/my files/..%2F..%2Fadmin", "http://h/base/my%20files/..%2F..%2Fadmin"},
		{"http://h/base", "/my files/%2E%2E%2F%2E%2E%2Fadmin", "http://h/base/my%20files/%2E%2E%2F%2E%2E%2Fadmin"},
		{"http://h/base", "/a/%2e%2e/b", "http://h/base/a/%2e%2e/b"},
		// A dot segment the template itself holds is sent as written,
		// never resolved against the base path.
		{"http://h/base", "/a/../b", "http://h/base/a/../b"},
		{"http://h/a%20b", "/c d", "http://h/a%20b/c%20d"},
		{"http://h", "/caf\u00e9/\x00#frag", "http://h/caf%C3%A9/%00%23frag"},
		{"http://h", "/100%/x%zz%4", "http://h/100%25/x%25zz%254"},
		{"http://h", "/\\\\evil", "http://h/%5C%5Cevil"},
		{"http://h", "/a[1]", "http://h/a%5B1%5D"},
		{"http://h", "/q?a b=c d&e=%zz#f", "http://h/q?a%20b=c%20d&e=%25zz%23f"},
		{"https://u:p@h:8443/v1", "/x;y=1,2", "https://u:p@h:8443/v1/x;y=1,2"},
	}
	for _, tt := range tests {
		u, err := generator.JoinURL(mustParse(t, tt.base), tt.rel)
		if err != nil {
			t.Errorf("JoinURL(%q, %q) error = %v", tt.base, tt.rel, err)
			continue
		}
		if got := u.String(); got != tt.want {
			t.Errorf("JoinURL(%q, %q) = %q, want %q", tt.base, tt.rel, got, tt.want)
		}
		if got, want := u.RequestURI(), strings.TrimPrefix(tt.want, "http://h"); !strings.HasPrefix(tt.want, "https") && got != want {
			t.Errorf("JoinURL(%q, %q).RequestURI() = %q, want %q (the request line)", tt.base, tt.rel, got, want)
		}
	}
}

func TestJoinURLNeedsAbsoluteBase(t *testing.T) {
	for _, base := range []*url.URL{nil, {Path: "/api"}, {Scheme: "http"}} {
		if u, err := generator.JoinURL(base, "/x"); err == nil {
			t.Errorf("JoinURL(%v, /x) = %v, want an error", base, u)
		}
	}
}

// TestJoinURLOfGeneratedTraversal follows a hostile path value from the
// spec to the URL a backend would send.
func TestJoinURLOfGeneratedTraversal(t *testing.T) {
	doc := `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /my files/{name}:
    get:
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}, example: "../../admin"}
      responses: {"200": {description: ok}}
`
	c := generate(t, doc, generator.Options{})[0]
	u, err := generator.JoinURL(mustParse(t, "http://127.0.0.1:8080/base"), c.Request.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.RequestURI(), "/base/my%20files/..%2F..%2Fadmin"; got != want {
		t.Errorf("request URI = %q, want %q", got, want)
	}
}

// FuzzJoinURL checks that no check URL can move a request to another
// host, scheme or outside the base path, and that escaped text is never
// re-interpreted: the path sent has exactly the separators rel had.
func FuzzJoinURL(f *testing.F) {
	for _, s := range []string{"/pets/1?x=1", "//evil.example/x", "@evil.example", "http://evil.example/", "/%2F%2Fx", "/a b", "?q", "/\x00", "/%zz", "\\\\evil", "/..%2F..%2Fadmin", "/a/../../b", "/%2e%2e/"} {
		f.Add("http://127.0.0.1:8080/api/v2", s)
	}
	f.Fuzz(func(t *testing.T, base, rel string) {
		b, err := url.Parse(base)
		if err != nil || (b.Scheme != "http" && b.Scheme != "https") || b.Host == "" {
			return
		}
		u, err := generator.JoinURL(b, rel)
		if err != nil {
			t.Fatalf("JoinURL(%q, %q) error = %v", base, rel, err)
		}
		if u.Scheme != b.Scheme || u.Host != b.Host {
			t.Fatalf("JoinURL(%q, %q) = %q: left %s://%s", base, rel, u, b.Scheme, b.Host)
		}
		prefix := strings.TrimSuffix(b.EscapedPath(), "/")
		sent := u.EscapedPath()
		if !strings.HasPrefix(sent, prefix+"/") {
			t.Fatalf("JoinURL(%q, %q) = %q: lost the base path %q", base, rel, sent, prefix)
		}
		path, _, _ := strings.Cut(rel, "?")
		if want := strings.Count(prefix, "/") + strings.Count("/"+strings.TrimPrefix(path, "/"), "/"); strings.Count(sent, "/") != want {
			t.Fatalf("JoinURL(%q, %q) path %q has %d separators, want %d", base, rel, sent, strings.Count(sent, "/"), want)
		}
		again, err := url.Parse(u.String())
		if err != nil || again.Host != b.Host || again.EscapedPath() != sent {
			t.Fatalf("JoinURL(%q, %q) = %q does not parse back to itself: %v", base, rel, u, err)
		}
	})
}

// BenchmarkJoinURL joins a typical check URL (escaped values, a query) to
// a base with a path, as the runner does for every request.
func BenchmarkJoinURL(b *testing.B) {
	base := mustParse(b, "http://127.0.0.1:8080/api/v2")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := generator.JoinURL(base, "/repos/octo%20cat/hello-world/issues/42/comments?per_page=30&page=1"); err != nil {
			b.Fatal(err)
		}
	}
}
