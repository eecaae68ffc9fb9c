package generator

import (
	"errors"
	"slices"
	"testing"
)

func TestPointer(t *testing.T) {
	tests := []struct {
		pointer string
		tokens  []string
	}{
		{"", nil},
		{"/a", []string{"a"}},
		{"/a~1b/~0c/0", []string{"a/b", "~c", "0"}},
		{"/", []string{""}},
		{"/~01", []string{"~1"}},
	}
	for _, tt := range tests {
		got, err := SplitPointer(tt.pointer)
		if err != nil || !slices.Equal(got, tt.tokens) {
			t.Errorf("SplitPointer(%q) = %q, %v, want %q", tt.pointer, got, err, tt.tokens)
		}
		if back := JoinPointer(tt.tokens...); back != tt.pointer {
			t.Errorf("JoinPointer(%q) = %q, want %q", tt.tokens, back, tt.pointer)
		}
	}
	for _, bad := range []string{"a", "/~", "/~2", "/a~"} {
		if _, err := SplitPointer(bad); !errors.Is(err, ErrPointer) {
			t.Errorf("SplitPointer(%q) error = %v, want ErrPointer", bad, err)
		}
	}
}

// FuzzPointer checks that tokens survive a round trip through a pointer.
func FuzzPointer(f *testing.F) {
	for _, s := range []string{"a", "a/b", "~", "~1", ""} {
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		p := JoinPointer(a, b)
		got, err := SplitPointer(p)
		if err != nil || !slices.Equal(got, []string{a, b}) {
			t.Fatalf("SplitPointer(JoinPointer(%q, %q)) = %q, %v", a, b, got, err)
		}
	})
}
