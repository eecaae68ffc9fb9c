package spec_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/spec"
)

// FuzzLoad checks that loading never panics: any input gives an error or a
// usable document whose operations can be listed.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/external/*.yaml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/a/{b}":{"get":{"parameters":[{"name":"b","in":"path","required":true,"schema":{"$ref":"#/components/schemas/X"}}],"responses":{"200":{"description":"ok"}}}}},"components":{"schemas":{"X":{"type":["string","null"],"items":{"$ref":"#/components/schemas/X"}}}}}`))
	f.Add([]byte("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    post:\n      parameters: [{name: f, in: formData, type: file}]\n      responses: {'200': {description: ok}}\n"))
	f.Add([]byte("openapi: 3.0.0\npaths: {/a: {$ref: '#/paths/~1a'}}\n"))
	// Merge keys, tuple items and $ref cycles (issues 9 and 11).
	f.Add([]byte("swagger: '2.0'\ninfo: {title: t, version: '1'}\nx-e: &e {'404': {description: n}}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, schema: {type: array, items: [{type: string}, {type: integer}]}}\n        <<: *e\n"))
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content: {application/json: {schema: {items: [{$ref: '#/components/schemas/A'}]}}}\ncomponents: {schemas: {A: {$ref: '#/components/schemas/B'}, B: {$ref: '#/components/schemas/A'}}}\n"))
	f.Add([]byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: '/etc/passwd'}\n  /b: {$ref: 'http://127.0.0.1:9/x.yaml'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := spec.Load(t.Context(), "-", spec.Options{Stdin: bytes.NewReader(data)})
		if err != nil {
			if strings.Contains(err.Error(), "internal error (panic") {
				t.Fatalf("Load panicked: %v", err)
			}
			return
		}
		for _, op := range doc.Operations() {
			if op.Operation == nil || op.PathItem == nil {
				t.Fatalf("operation %s %s has nil parts", op.Method, op.Path)
			}
		}
	})
}
