package generator_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/spec"
)

// FuzzGenerate checks that any loadable document generates without a
// panic, deterministically, into checks whose JSON bodies are valid JSON.
func FuzzGenerate(f *testing.F) {
	f.Add([]byte(resolution))
	f.Add([]byte(composition))
	f.Add([]byte(chainDoc))
	f.Add([]byte(`{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{"/a/{b}":{"post":{"parameters":[{"name":"b","in":"path","required":true,"style":"matrix","explode":true,"schema":{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]}}],"requestBody":{"required":true,"content":{"multipart/form-data":{"schema":{"type":"object","required":["f"],"properties":{"f":{"type":"string","format":"binary"}}}}}},"responses":{"200":{"description":"ok"}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := spec.Load(t.Context(), "-", spec.Options{Stdin: bytes.NewReader(data), SkipValidation: true})
		if err != nil {
			return
		}
		p1, err := generator.Generate(doc, generator.Options{})
		if err != nil {
			t.Fatalf("Generate: %v", err)
		}
		p2, _ := generator.Generate(doc, generator.Options{})
		a, _ := json.Marshal(p1)
		b, _ := json.Marshal(p2)
		if !bytes.Equal(a, b) {
			t.Fatalf("two plans of one document differ")
		}
		for _, c := range p1.Checks {
			if c.Request.Body != nil && c.Request.Body.ContentType == "application/json" && !json.Valid([]byte(c.Request.Body.Text)) {
				t.Fatalf("%s %s: invalid JSON body %q", c.Method, c.Path, c.Request.Body.Text)
			}
		}
	})
}
