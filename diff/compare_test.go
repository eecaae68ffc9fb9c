package diff

import (
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
)

// found is the comparable summary of a rawDiff.
type found struct {
	Pointer string
	Kind    Kind
	Format  string
	Element bool
}

func compareJSON(t *testing.T, a, b string, s *openapi3.Schema, keys map[string]string) []found {
	t.Helper()
	va, err := decodeJSON([]byte(a))
	if err != nil {
		t.Fatalf("decode %s: %v", a, err)
	}
	vb, err := decodeJSON([]byte(b))
	if err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	c := comparer{keys: keys}
	c.value(nil, va, vb, s)
	var out []found
	for _, d := range c.diffs {
		out = append(out, found{Pointer: d.at.Pointer(), Kind: d.kind, Format: d.format, Element: d.element})
	}
	return out
}

func schema(t *testing.T, js string) *openapi3.Schema {
	t.Helper()
	var s openapi3.Schema
	if err := s.UnmarshalJSON([]byte(js)); err != nil {
		t.Fatalf("schema %s: %v", js, err)
	}
	return &s
}

func TestCompareJSON(t *testing.T) {
	stamp := `{"type":"object","properties":{"at":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"}}}`
	tests := []struct {
		name   string
		a, b   string
		schema string
		keys   map[string]string
		want   []found
	}{
		{name: "equal", a: `{"a":1,"b":[1,2]}`, b: `{"b":[1,2],"a":1}`},
		{name: "integer and decimal", a: `{"n":1}`, b: `{"n":1.0}`},
		{name: "exponent", a: `{"n":100}`, b: `{"n":1e2}`},
		{name: "negative zero", a: `[0]`, b: `[-0.0]`},
		{name: "beyond float64", a: `{"n":0.1}`, b: `{"n":0.10000000000000001}`,
			want: []found{{Pointer: "/n", Kind: KindChanged}}},
		{name: "big integers", a: `{"n":9007199254740993}`, b: `{"n":9007199254740992}`,
			want: []found{{Pointer: "/n", Kind: KindChanged}}},
		{name: "changed string", a: `{"s":"a"}`, b: `{"s":"b"}`, want: []found{{Pointer: "/s", Kind: KindChanged}}},
		{name: "missing", a: `{"a":1,"b":2}`, b: `{"a":1}`, want: []found{{Pointer: "/b", Kind: KindMissing}}},
		{name: "added", a: `{"a":1}`, b: `{"a":1,"c":true}`, want: []found{{Pointer: "/c", Kind: KindAdded}}},
		{name: "type", a: `{"a":1}`, b: `{"a":"1"}`, want: []found{{Pointer: "/a", Kind: KindType}}},
		{name: "null is a type", a: `{"a":null}`, b: `{"a":{}}`, want: []found{{Pointer: "/a", Kind: KindType}}},
		{name: "escaped pointer", a: `{"a/b":{"c~d":1}}`, b: `{"a/b":{"c~d":2}}`,
			want: []found{{Pointer: "/a~1b/c~0d", Kind: KindChanged}}},
		{name: "array order matters", a: `[1,2]`, b: `[2,1]`,
			want: []found{{Pointer: "/0", Kind: KindChanged}, {Pointer: "/1", Kind: KindChanged}}},
		{name: "array lost an element", a: `{"x":[1,2,3]}`, b: `{"x":[1,2]}`,
			want: []found{{Pointer: "/x/2", Kind: KindMissing, Element: true}}},
		{name: "array gained an element", a: `[1]`, b: `[1,5]`,
			want: []found{{Pointer: "/1", Kind: KindAdded, Element: true}}},
		{name: "insertion at the front is one element", a: `[1,2,3]`, b: `[0,1,2,3]`,
			want: []found{{Pointer: "/0", Kind: KindAdded, Element: true}}},
		{name: "deletion in the middle is one element", a: `["a","b","c"]`, b: `["a","c"]`,
			want: []found{{Pointer: "/1", Kind: KindMissing, Element: true}}},
		{name: "change between aligned elements", a: `[{"n":1},{"n":2},{"n":9}]`, b: `[{"n":1},{"n":3},{"n":4},{"n":9}]`,
			want: []found{{Pointer: "/1/n", Kind: KindChanged}, {Pointer: "/2", Kind: KindAdded, Element: true}}},
		{name: "uniqueItems is a set", a: `[1,2,3]`, b: `[3,1,2]`,
			schema: `{"type":"array","uniqueItems":true,"items":{"type":"integer"}}`},
		{name: "uniqueItems set change", a: `[1,2]`, b: `[2,4]`,
			schema: `{"type":"array","uniqueItems":true}`,
			want:   []found{{Pointer: "/0", Kind: KindMissing, Element: true}, {Pointer: "/1", Kind: KindAdded, Element: true}}},
		{name: "keyed array", a: `{"items":[{"id":1,"v":"a"},{"id":2,"v":"b"}]}`, b: `{"items":[{"id":2,"v":"b"},{"id":1,"v":"c"}]}`,
			keys: map[string]string{"/items": "id"}, want: []found{{Pointer: "/items/0/v", Kind: KindChanged}}},
		{name: "wildcard key", a: `[{"id":"x"},{"id":"y"}]`, b: `[{"id":"y"},{"id":"x"}]`, keys: map[string]string{"*": "id"}},
		{name: "wildcard key needs the key everywhere", a: `[{"id":"x"},{"n":1}]`, b: `[{"n":1},{"id":"x"}]`, keys: map[string]string{"*": "id"},
			want: []found{{Pointer: "/0/id", Kind: KindMissing}, {Pointer: "/0/n", Kind: KindAdded},
				{Pointer: "/1/id", Kind: KindAdded}, {Pointer: "/1/n", Kind: KindMissing}}},
		{name: "date-time compared by format", a: `{"at":"2024-01-01T00:00:00Z"}`, b: `{"at":"2025-06-01T10:00:00.5+02:00"}`, schema: stamp,
			want: []found{{Pointer: "/at", Kind: KindChanged, Format: "date-time"}}},
		{name: "date-time broken on NEW", a: `{"at":"2024-01-01T00:00:00Z"}`, b: `{"at":"yesterday"}`, schema: stamp,
			want: []found{{Pointer: "/at", Kind: KindChanged}}},
		{name: "uuid compared by format", a: `{"id":"9b2f0f3e-0d43-4a8e-9f55-3a4f1c2b7e10"}`, b: `{"id":"0B2F0F3E-0D43-4A8E-9F55-3A4F1C2B7E11"}`, schema: stamp,
			want: []found{{Pointer: "/id", Kind: KindChanged, Format: "uuid"}}},
		{name: "date-time becomes null", a: `{"at":"2024-01-01T00:00:00Z"}`, b: `{"at":null}`, schema: stamp,
			want: []found{{Pointer: "/at", Kind: KindType}}},
		{name: "format through allOf and items", a: `[{"at":"2024-01-01T00:00:00Z"}]`, b: `[{"at":"2024-01-02T00:00:00Z"}]`,
			schema: `{"type":"array","items":{"allOf":[` + stamp + `]}}`,
			want:   []found{{Pointer: "/0/at", Kind: KindChanged, Format: "date-time"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s *openapi3.Schema
			if tt.schema != "" {
				s = schema(t, tt.schema)
			}
			got := compareJSON(t, tt.a, tt.b, s, tt.keys)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("compare(%s, %s) mismatch (-want +got):\n%s", tt.a, tt.b, diff)
			}
		})
	}
}

func TestCanonicalNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"}, {"-0", "0"}, {"0.000", "0"}, {"1", "1e0"}, {"100", "1e2"}, {"1e2", "1e2"}, {"1.0E+2", "1e2"},
		{"-12.50", "-125e-1"}, {"0.001", "1e-3"}, {"123456789012345678901234567890", "12345678901234567890123456789e1"},
		{"1e99999999999999999999", "1e99999999999999999999"},
	}
	for _, tt := range tests {
		if got := canonicalNumber(tt.in); got != tt.want {
			t.Errorf("canonicalNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormaliseHeaders(t *testing.T) {
	h := http.Header{
		"Date":          {"Mon, 01 Jan 2024 00:00:00 GMT"},
		"X-Request-Id":  {"abc"},
		"Server":        {"nginx"},
		"Content-Type":  {"Application/JSON; Charset=UTF-8"},
		"Set-Cookie":    {"AWSALB=xyz; Path=/", "session=s3cret; HttpOnly", "theme=dark"},
		"X-B3-Traceid":  {"1"},
		"Cache-Control": {"No-Store, max-age=0", "no-cache"},
		"Allow":         {"GET,HEAD"},
	}
	want := map[string]string{
		"Date":          anyValue,
		"X-Request-Id":  anyValue,
		"X-B3-Traceid":  anyValue,
		"Content-Type":  "application/json; charset=utf-8",
		"Set-Cookie":    "session; theme",
		"Cache-Control": "max-age=0, no-cache, no-store",
		"Allow":         "get, head",
	}
	if diff := cmp.Diff(want, normaliseHeaders(h, nil)); diff != "" {
		t.Errorf("normaliseHeaders mismatch (-want +got):\n%s", diff)
	}
}

func TestNormaliseBody(t *testing.T) {
	tests := []struct {
		name, ct, enc string
		raw           []byte
		want          bodyKind
	}{
		{name: "empty", ct: "application/json", want: bodyEmpty},
		{name: "json", ct: "application/json", raw: []byte(`{"a":1}`), want: bodyJSON},
		{name: "problem json", ct: "application/problem+json", raw: []byte(`{"a":1}`), want: bodyJSON},
		{name: "json without type", raw: []byte(`[1]`), want: bodyJSON},
		{name: "broken json is text", ct: "application/json", raw: []byte(`{"a":`), want: bodyText},
		{name: "trailing data is text", ct: "application/json", raw: []byte(`{} {}`), want: bodyText},
		{name: "text", ct: "text/plain", raw: []byte("hello"), want: bodyText},
		{name: "binary", ct: "application/octet-stream", raw: []byte{0, 1, 2}, want: bodyBytes},
		{name: "gzip", ct: "application/json", enc: "gzip", raw: gzipped(t, `{"a":1}`), want: bodyJSON},
		{name: "bad gzip kept as bytes", ct: "application/octet-stream", enc: "gzip", raw: []byte("nope"), want: bodyBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.ct != "" {
				h.Set("Content-Type", tt.ct)
			}
			if tt.enc != "" {
				h.Set("Content-Encoding", tt.enc)
			}
			if got := normaliseBody(h, tt.raw, false).kind; got != tt.want {
				t.Errorf("normaliseBody(%q).kind = %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}

// TestCompareDeepNesting checks the depth limit: values nested deeper
// than maxCompareDepth are compared whole and reported at the limit;
// shallower ones are compared to the leaf.
func TestCompareDeepNesting(t *testing.T) {
	nested := func(depth int, leaf string) string {
		return strings.Repeat(`{"a":[`, depth/2) + leaf + strings.Repeat(`]}`, depth/2)
	}
	tests := []struct {
		name      string
		a, b      string
		wantDepth int // segments of the reported pointer; -1 for no difference
		wantNote  string
	}{
		{name: "equal beyond the limit", a: nested(600, "1"), b: nested(600, "1"), wantDepth: -1},
		{name: "equal values, different spelling, beyond the limit", a: nested(600, "[1.0,{\"x\":1,\"y\":2}]"), b: nested(600, "[1,{\"y\":2,\"x\":1}]"), wantDepth: -1},
		{name: "leaf differs beyond the limit", a: nested(600, "1"), b: nested(600, "2"), wantDepth: maxCompareDepth,
			wantNote: "nested deeper than 256 levels: compared as a whole"},
		{name: "leaf differs within the limit", a: nested(200, "1"), b: nested(200, "2"), wantDepth: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			va, err := decodeJSON([]byte(tt.a))
			if err != nil {
				t.Fatal(err)
			}
			vb, err := decodeJSON([]byte(tt.b))
			if err != nil {
				t.Fatal(err)
			}
			c := comparer{}
			c.value(nil, va, vb, nil)
			if tt.wantDepth < 0 {
				if len(c.diffs) != 0 {
					t.Errorf("found %d differences, want none (first at %s)", len(c.diffs), c.diffs[0].at.Pointer())
				}
				return
			}
			if len(c.diffs) != 1 {
				t.Fatalf("found %d differences, want 1", len(c.diffs))
			}
			d := c.diffs[0]
			if got := d.at.len(); got != tt.wantDepth || d.note != tt.wantNote || d.kind != KindChanged {
				t.Errorf("difference at depth %d, kind %s, note %q; want depth %d, changed, note %q", got, d.kind, d.note, tt.wantDepth, tt.wantNote)
			}
		})
	}
}
