package ddemu

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// fixedEnv renders with a fixed clock and a counter for randomness, so
// that every built-in has one expected value.
func fixedEnv() *patternEnv {
	n := 0
	return &patternEnv{
		now:      time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC),
		publicID: "abc-def-ghi",
		resultID: "42",
		intn: func(k int) int {
			n++
			return (n - 1) % k
		},
	}
}

func TestRenderPattern(t *testing.T) {
	tests := []struct{ pattern, want string }{
		// What synthetics/dynamic.go emits.
		{"{{ date(1h, YYYY-MM-DDTHH:mm:ss) }}Z", "2026-03-04T06:06:07Z"},
		{"{{ date(-2d, YYYY-MM-DD) }}", "2026-03-02"},
		{"{{ date(0s, HH:mm:ss) }}Z", "05:06:07Z"},
		{"{{ date(30m, HH:mm:ss) }}Z", "05:36:07Z"},
		{"{{ date(90s, YYYY-MM-DDTHH:mm:ss) }}Z", "2026-03-04T05:07:37Z"},
		{"{{ timestamp(3600, s) }}", "1772604367"},
		{"{{ timestamp(-60, s) }}", "1772600707"},
		{"{{ timestamp(0, ms) }}", "1772600767890"},
		{"{{ timestamp(1500, ms) }}", "1772600769390"},
		{"{{ alphanumeric(8) }}", "abcdefgh"},
		{"{{ uuid }}", "00010203-0405-4607-8809-0a0b0c0d0e0f"},
		// The rest of Datadog's built-ins.
		{"{{ numeric(12) }}", "012345678901"},
		{"{{ alphabetic(3) }}", "abc"},
		{"{{ date(1 M, YYYY-MM-DD) }}", "2026-04-04"},
		{"{{ date(+1y, YY/M/D) }}", "27/3/4"},
		{"{{ date(1, YYYY-MM-DD) }}", "2026-03-05"},
		{"{{ date(1w, dddd D MMMM YYYY) }}", "Wednesday 11 March 2026"},
		{"{{ date(0s, ddd MMM D h:mm A [at] SSS) }}", "Wed Mar 4 5:06 AM at 890"},
		{"{{ date(12h, hh a Z ZZ) }}", "05 pm +00:00 +0000"},
		{"{{ date(0s, X x) }}", "1772600767 1772600767890"},
		{"{{ date(0s) }}", "2026-03-04T05:06:07+00:00"},
		{"{{ public-id }}/{{ result-id }}", "abc-def-ghi/42"},
		// Text around the built-ins is kept; each built-in is evaluated.
		{"smoke-{{ alphanumeric(2) }}-{{ alphanumeric(2) }}", "smoke-ab-cd"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		got, err := renderPattern(tt.pattern, fixedEnv())
		if err != nil || got != tt.want {
			t.Errorf("renderPattern(%q) = %q, %v, want %q", tt.pattern, got, err, tt.want)
		}
	}
}

func TestRenderPatternRandom(t *testing.T) {
	env := &patternEnv{now: time.Now()}
	for pattern, want := range map[string]*regexp.Regexp{
		"{{ alphanumeric(8) }}": regexp.MustCompile(`^[a-z0-9]{8}$`),
		"{{ numeric(5) }}":      regexp.MustCompile(`^[0-9]{5}$`),
		"{{ alphabetic(6) }}":   regexp.MustCompile(`^[a-zA-Z]{6}$`),
		"{{ uuid }}":            regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`),
	} {
		got, err := renderPattern(pattern, env)
		if err != nil || !want.MatchString(got) {
			t.Errorf("renderPattern(%q) = %q, %v, want a match of %s", pattern, got, err, want)
		}
	}
}

func TestRenderPatternErrors(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"{{ random(8) }}", `unknown function "random"`},
		{"{{ alphanumeric(x) }}", `length "x"`},
		{"{{ alphanumeric(0) }}", `length "0"`},
		{"{{ numeric(100000) }}", `length "100000"`},
		{"{{ date(1 fortnight, YYYY) }}", `shift "1 fortnight"`},
		{"{{ timestamp(1h, s) }}", "timestamp takes an integer and a unit"},
		{"{{ timestamp(1, h) }}", `timestamp unit "h"`},
		{"{{ date(1h, YYYY }}", "ends with ')'"},
		{"{{ SMOKE_RUN }}", "no such built-in"},
		{"{{ uuid(4) }}", "uuid takes no argument"},
	}
	for _, tt := range tests {
		if got, err := renderPattern(tt.pattern, fixedEnv()); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("renderPattern(%q) = %q, %v, want an error with %q", tt.pattern, got, err, tt.want)
		}
	}
}

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"SMOKE_RUN": "k3y"}
	got, err := substitute(`{"name":"smoke{{ SMOKE_RUN }}","again":"{{SMOKE_RUN}}","at":{{ timestamp(0, s) }},"x":"{{ OTHER }}"}`, vars, fixedEnv())
	want := `{"name":"smokek3y","again":"k3y","at":1772600767,"x":"{{ OTHER }}"}`
	if err != nil || got != want {
		t.Errorf("substitute() = %q, %v, want %q", got, err, want)
	}
	if _, err := substitute("{{ nope(1) }}", vars, fixedEnv()); err == nil {
		t.Error("substitute of an unknown function: no error")
	}
}
