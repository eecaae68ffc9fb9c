package spec

import (
	"net/url"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"http://h/a.yaml", "http://h/b/c.yaml", true},
		{"http://h/a", "http://h:80/a", true},
		{"https://h/a", "https://h:443/a", true},
		{"HTTP://H/a", "http://h/a", true},
		{"http://h/a", "https://h/a", false},
		{"http://h/a", "http://h:8080/a", false},
		{"https://h:80/a", "http://h:80/a", false},
		{"http://h/a", "http://h.evil.example/a", false},
		{"http://h/a", "http://user@h/a", true},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := sameOrigin(a, b); got != tt.want {
			t.Errorf("sameOrigin(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
