package runner

import (
	"strings"
	"testing"
	"time"
)

// FuzzJoinURL checks that no check URL can move a request to another
// host or scheme, whatever it holds.
func FuzzJoinURL(f *testing.F) {
	for _, s := range []string{"/pets/1?x=1", "//evil.example/x", "@evil.example", "http://evil.example/", "/%2F%2Fx", "/a b", "?q", "/\x00", "/%zz", "\\\\evil"} {
		f.Add("http://127.0.0.1:8080/api/v2", s)
	}
	f.Fuzz(func(t *testing.T, base, rel string) {
		b, err := parseBaseURL(base)
		if err != nil {
			return
		}
		u, err := joinURL(b, rel)
		if err != nil {
			return
		}
		if u.Scheme != b.Scheme || u.Host != b.Host {
			t.Fatalf("joinURL(%q, %q) = %q: left %s://%s", base, rel, u, b.Scheme, b.Host)
		}
		if !strings.HasPrefix(u.Path, strings.TrimSuffix(b.Path, "/")) {
			t.Fatalf("joinURL(%q, %q) = %q: lost the base path", base, rel, u)
		}
	})
}

// FuzzRetryAfter checks that a server cannot make smoke wait beyond the
// cap, or a negative time.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "3", "-1", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		resp := &Response{Header: map[string][]string{"Retry-After": {v}}}
		for attempt := range 12 {
			if d := backoff(attempt, resp, now); d < 0 || d > backoffMax {
				t.Fatalf("backoff(%d, Retry-After %q) = %s, want within [0, %s]", attempt, v, d, backoffMax)
			}
		}
	})
}
