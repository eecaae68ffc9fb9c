package generator

import (
	"strings"
	"testing"
)

func TestMediaType(t *testing.T) {
	tests := map[string]string{
		"":                                "",
		"application/json":                "application/json",
		"Application/JSON; charset=UTF-8": "application/json",
		"text/plain;;":                    "text/plain",
	}
	for in, want := range tests {
		if got := MediaType(in); got != want {
			t.Errorf("MediaType(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestIsJSON pins the one rule for "this media type is JSON": the runner
// schema-checks, diff compares and Datadog marks as JSON exactly these.
func TestIsJSON(t *testing.T) {
	tests := map[string]bool{
		"application/json":                     true,
		"Application/JSON; charset=utf-8":      true,
		"text/json":                            true,
		"application/problem+json":             true,
		"application/vnd.github+json":          true,
		"application/x-ndjson":                 false,
		"application/jsonl":                    false,
		"application/json-patch+json":          true,
		"text/plain":                           false,
		"application/xml":                      false,
		"json":                                 false,
		"":                                     false,
		"multipart/form-data; boundary=x+json": false,
	}
	for in, want := range tests {
		if got := IsJSON(in); got != want {
			t.Errorf("IsJSON(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzMediaType checks that any Content-Type value parses without panic
// to a lower-case media type without parameters.
func FuzzMediaType(f *testing.F) {
	for _, s := range []string{"application/json; charset=utf-8", "TEXT/HTML", ";;", "a/b;c=\"", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		mt := MediaType(v)
		if strings.ContainsRune(mt, ';') || mt != strings.ToLower(mt) {
			t.Fatalf("MediaType(%q) = %q", v, mt)
		}
	})
}
