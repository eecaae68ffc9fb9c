package runner

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func schemaOf(t *testing.T, text string) *openapi3.Schema {
	t.Helper()
	var s openapi3.Schema
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// TestUndocumented: the fields an answer carries that its schema does
// not name, through nested objects, arrays and allOf; nothing where the
// schema leaves objects open on purpose.
func TestUndocumented(t *testing.T) {
	for _, tc := range []struct {
		name, schema, body string
		want               []string
		more               int
	}{
		{"extra keys, nested and in arrays",
			`{"type":"object","properties":{"id":{"type":"string"},"items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer"}}}},"owner":{"type":"object","properties":{"login":{"type":"string"}}}}}`,
			`{"id":"1","etag":"x","items":[{"n":1,"extra":true},{"n":2,"other":1}],"owner":{"login":"a","site_admin":false},"a/b":1}`,
			[]string{"/a~1b", "/etag", "/items/*/extra", "/items/*/other", "/owner/site_admin"}, 0},
		{"allOf branches name fields together",
			`{"allOf":[{"type":"object","properties":{"a":{}}},{"type":"object","properties":{"b":{}}}]}`,
			`{"a":1,"b":2,"c":3}`, []string{"/c"}, 0},
		{"a map", `{"type":"object","additionalProperties":{"type":"integer"}}`, `{"x":1}`, nil, 0},
		{"open by flag", `{"type":"object","properties":{"a":{}},"additionalProperties":true}`, `{"a":1,"x":1}`, nil, 0},
		{"oneOf", `{"oneOf":[{"type":"object","properties":{"a":{}}}]}`, `{"a":1,"x":1}`, nil, 0},
		{"free-form object", `{"type":"object"}`, `{"x":1}`, nil, 0},
		{"documented exactly", `{"type":"object","properties":{"a":{}}}`, `{"a":1}`, nil, 0},
		{"bounded list", `{"type":"object","properties":{"a":{}}}`, manyKeys(15), nil, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.body), &v); err != nil {
				t.Fatal(err)
			}
			u := undocumented(v, schemaOf(t, tc.schema))
			if tc.more > 0 {
				if u == nil || len(u.Fields) != maxUndocumented || u.More != tc.more {
					t.Fatalf("got %+v, want %d listed and %d more", u, maxUndocumented, tc.more)
				}
				return
			}
			var got []string
			if u != nil {
				got = u.Fields
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func manyKeys(n int) string {
	m := map[string]int{"a": 1}
	for i := range n {
		m[fmt.Sprintf("k%02d", i)] = i
	}
	b, _ := json.Marshal(m)
	return string(b)
}
