package spec_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/spec"
)

const head3 = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"

// TestRefCycles pins issue 9 item 11: a $ref cycle is named as one, and a
// cyclic path item is an error, not a document that silently checks
// nothing.
func TestRefCycles(t *testing.T) {
	okOp := "    get: {responses: {'200': {description: ok}}}\n"
	tests := []struct{ name, doc, want string }{
		{"schema cycle", head3 + `paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/A'}
`, `paths./a.get.responses.200.content.application/json: $ref cycle #/components/schemas/A → #/components/schemas/B → #/components/schemas/A`},
		{"response cycle", head3 + `paths:
  /a:
    get:
      responses:
        '200': {$ref: '#/components/responses/R'}
components:
  responses:
    R: {$ref: '#/components/responses/R'}
`, `$ref cycle #/components/responses/R → #/components/responses/R`},
		{"self path item", head3 + "paths:\n  /a: {$ref: '#/paths/~1a'}\n", `paths./a: $ref cycle #/paths/~1a → #/paths/~1a: the path item never reaches its operations`},
		{"path item loop beside a good path", head3 + "paths:\n  /a: {$ref: '#/paths/~1b'}\n  /b: {$ref: '#/paths/~1a'}\n  /c:\n" + okOp, `paths./a: $ref cycle #/paths/~1b → #/paths/~1a → #/paths/~1b`},
		{"swagger path item", "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: '#/paths/~1a'}\n", `$ref cycle #/paths/~1a → #/paths/~1a`},
		{"swagger definitions", "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, schema: {$ref: '#/definitions/A'}}\ndefinitions:\n  A: {$ref: '#/definitions/B'}\n  B: {$ref: '#/definitions/A'}\n", `$ref cycle`},
		{"dangling path item", head3 + "paths:\n  /a: {$ref: '#/paths/~1nope'}\n  /c:\n" + okOp, `"#/paths/~1nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := spec.Load(t.Context(), write(t, "api.yaml", tt.doc), spec.Options{})
			if err == nil {
				t.Fatalf("Load = %d operations, nil error; want %q", len(d.Operations()), tt.want)
			}
			if _, ok := errors.AsType[*spec.Error](err); !ok || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Load error = %q, want one line containing %q", err, tt.want)
			}
		})
	}
}

// TestRecursiveSchemasAndPathItemRefsStillLoad keeps what is not a cycle
// of bare references working: a recursive schema (a tree) and a path item
// that refers to another.
func TestRecursiveSchemasAndPathItemRefsStillLoad(t *testing.T) {
	doc := head3 + `paths:
  /tree:
    get:
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}
  /alias: {$ref: '#/paths/~1tree'}
components:
  schemas:
    Node:
      type: object
      properties:
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
`
	d, err := spec.Load(t.Context(), write(t, "api.yaml", doc), spec.Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if n := len(d.Operations()); n != 2 {
		t.Errorf("operations = %d, want 2 (/tree and /alias)", n)
	}
}
