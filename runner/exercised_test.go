package runner

import (
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// TestExercised pins DESIGN.md's table: which answers exercise an
// operation, and the reason of those that do not.
func TestExercised(t *testing.T) {
	redirects := generator.Expect{Responses: []generator.Response{{Status: "303"}, {Status: "200"}}}
	tests := []struct {
		status int
		expect generator.Expect
		want   bool
		reason Reason
	}{
		{200, generator.Expect{}, true, ""},
		{201, redirects, true, ""},
		{204, generator.Expect{}, true, ""},
		{299, generator.Expect{}, true, ""},
		{303, redirects, true, ""},
		{302, redirects, false, ReasonOther},
		{304, generator.Expect{}, false, ReasonOther},
		{400, generator.Expect{}, false, ReasonRejected},
		{413, generator.Expect{}, false, ReasonRejected},
		{415, generator.Expect{}, false, ReasonRejected},
		{422, generator.Expect{}, false, ReasonRejected},
		{404, generator.Expect{}, false, ReasonNotFound},
		{410, generator.Expect{}, false, ReasonNotFound},
		{401, generator.Expect{}, false, ReasonUnauthorized},
		{403, generator.Expect{}, false, ReasonUnauthorized},
		{409, generator.Expect{}, false, ReasonConflict},
		{412, generator.Expect{}, false, ReasonConflict},
		{428, generator.Expect{}, false, ReasonConflict},
		{405, generator.Expect{}, false, ReasonNotAllowed},
		{501, generator.Expect{}, false, ReasonNotAllowed},
		{500, generator.Expect{}, false, ReasonOther},
		{429, generator.Expect{}, false, ReasonOther},
		{101, generator.Expect{}, false, ReasonOther},
	}
	for _, tt := range tests {
		got, reason := Exercised(tt.status, tt.expect)
		if got != tt.want || reason != tt.reason {
			t.Errorf("Exercised(%d) = %v, %q; want %v, %q", tt.status, got, reason, tt.want, tt.reason)
		}
	}
}

// TestSnippet checks that the body excerpt is masked before it is cut:
// no part of a secret survives at the cut, and the excerpt is bounded and
// on one line.
func TestSnippet(t *testing.T) {
	secret := "S3CRET-TOKEN-VALUE-0123456789"
	r := newRunner(t, Options{Secrets: []string{secret}})
	m := r.maskerFor(generator.Check{})
	body := strings.Repeat("x", snippetLen-10) + secret + "\n tail"
	got := snippet(m, []byte(body))
	if strings.Contains(got, "S3CRET") || !strings.Contains(got, generator.Mask) {
		t.Errorf("snippet = %q, want the secret masked whole", got)
	}
	if len(got) > snippetLen+len(generator.Mask)+len("…") || strings.ContainsAny(got, "\n\r") {
		t.Errorf("snippet = %q (%d bytes), want one line of at most %d bytes", got, len(got), snippetLen)
	}
	if got := snippet(m, []byte("  \n ")); got != "" {
		t.Errorf("snippet(blank) = %q, want empty", got)
	}
	if got := snippet(m, []byte(strings.Repeat("é", snippetLen))); !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "éé") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("snippet cut inside a rune: %q", got)
	}
}
