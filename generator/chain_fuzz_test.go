package generator_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/smoke-dev/smoke/generator"
)

// FuzzParseExpr: any text parses or is refused, never panics, and a
// parsed expression renders back to itself.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{"$response.body#/silenceID", "{$response.body#/a~1b/0}", "$response.header.Location",
		"$request.body#/name", "$request.path.id", "$request.query.q", "$response.body", "$url", "$response.body#/%7E0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := generator.ParseExpr(s)
		if err != nil {
			return
		}
		again, err := generator.ParseExpr(e.String())
		if err != nil || again != e {
			t.Fatalf("ParseExpr(%q) = %+v renders %q, which parses to %+v, %v", s, e, e.String(), again, err)
		}
	})
}

// FuzzPathValue: any Location against any template gives a value or
// nothing, never a panic or an empty value.
func FuzzPathValue(f *testing.F) {
	f.Add("/owners/{ownerId}/pets/{petId}", "petId", "/api/owners/3/pets/7?x=1")
	f.Add("/pets/{petId}", "petId", "http://h/pets/%2F")
	f.Add("/{a}", "a", "/")
	f.Fuzz(func(t *testing.T, template, param, location string) {
		v, ok := generator.PathValue(template, param, location)
		if ok && v == "" {
			t.Fatalf("PathValue(%q, %q, %q) = empty, ok", template, param, location)
		}
	})
}

// FuzzWithValue: a value bound into any JSON body leaves valid JSON that
// holds the value at the pointer, or an error; never a panic.
func FuzzWithValue(f *testing.F) {
	f.Add(`{"id":1,"a":{"b":"x"}}`, "/a/b", "v")
	f.Add(`[1,2]`, "/1", "3")
	f.Add(`null`, "/x/y", "z")
	f.Add(`{"n":1.5e3}`, "/n", "12")
	f.Fuzz(func(t *testing.T, body, pointer, value string) {
		c := generator.Check{Request: generator.Request{Body: &generator.Body{ContentType: "application/json", Text: body}}}
		got, err := c.WithValue("body", pointer, value)
		if err != nil {
			return
		}
		if !json.Valid([]byte(got.Request.Body.Text)) {
			t.Fatalf("WithValue(%q, %q, %q) = invalid JSON %q", body, pointer, value, got.Request.Body.Text)
		}
		doc, err := generator.DecodeJSON([]byte(got.Request.Body.Text))
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(pointer) || !utf8.ValidString(value) {
			return // JSON carries valid UTF-8: invalid bytes come back replaced
		}
		v, ok := generator.Lookup(doc, pointer)
		s, scalar := generator.Scalar(v)
		if !ok || !scalar || (s != value && !numericallyEqual(s, value)) {
			t.Fatalf("WithValue(%q, %q, %q) = %q: %v at the pointer", body, pointer, value, got.Request.Body.Text, v)
		}
		if c.Request.Body.Text != body {
			t.Fatalf("WithValue changed its receiver's body")
		}
	})
}

func numericallyEqual(a, b string) bool {
	var x, y float64
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && x == y
}
