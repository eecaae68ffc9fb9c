package runner

import (
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
)

// tricky31 exercises what sets the three ways of validating a 3.1 schema
// apart: formats, nullable (a 3.0 keyword), type lists, 2020-12 keywords
// with and without component references, recursion, $ref siblings.
const tricky31 = `openapi: 3.1.0
info: {title: tricky, version: "1"}
paths:
  /plain:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, when]
                additionalProperties: false
                properties:
                  id: {type: integer, format: int32, minimum: 1}
                  when: {type: string, format: date-time}
                  mail: {type: string, format: email}
                  tags: {type: array, items: {type: string, pattern: "^[a-z]+$"}, maxItems: 2}
                  kind: {enum: [a, b]}
                  maybe: {type: [string, "null"]}
                  ratio: {type: number, exclusiveMinimum: 0, multipleOf: 0.5}
  /nullable:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  pet: {$ref: "#/components/schemas/Pet"}
                  note: {type: string, nullable: true}
  /refs:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Pet"}
  /tree:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Node"}
  /features:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  version: {const: 2}
                  pair: {type: array, prefixItems: [{type: string}, {type: integer}]}
                  shape:
                    oneOf:
                      - {type: object, required: [r], properties: {r: {type: number}}}
                      - {type: object, required: [w, h], properties: {w: {type: number}, h: {type: number}}}
                  extra: {type: string, minLength: 2}
                $defs:
                  Extra: {type: string, minLength: 2}
  /features-refs:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  version: {const: 2}
                  pet: {$ref: "#/components/schemas/Pet"}
  /siblings:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Pet"
                required: [tag]
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, format: int64}
        name: {type: string, minLength: 1}
        tag: {type: string}
        born: {type: string, format: date}
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
`

// TestSchema2020CacheMatchesKin checks that the cached validation of
// OpenAPI 3.1 schemas finds exactly the errors kin-openapi's VisitJSON
// finds, on real and tricky documents and on passing and failing bodies.
func TestSchema2020CacheMatchesKin(t *testing.T) {
	dir := t.TempDir()
	pet, err := petstore.WriteSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	tricky := filepath.Join(dir, "tricky.yaml")
	if err := os.WriteFile(tricky, []byte(tricky31), 0o644); err != nil {
		t.Fatal(err)
	}
	docs := map[string]func(t *testing.T) string{
		"petstore": func(*testing.T) string { return pet },
		"tricky":   func(*testing.T) string { return tricky },
	}
	for _, name := range []string{"apisguru-adyen-AccountService-v6.yaml", "apisguru-adyen-BalancePlatformService-v1.yaml"} {
		docs[name] = func(t *testing.T) string { return testenv.Spec(t, name) }
	}
	modes := map[mode2020]int{}
	for name, path := range docs {
		t.Run(name, func(t *testing.T) {
			path := path(t) // the shared corpus may be absent: a skip
			doc, err := spec.Load(t.Context(), path, spec.Options{})
			if err != nil {
				t.Fatalf("spec.Load(%s) = %v", name, err)
			}
			plan, err := generator.Generate(doc, generator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			examples := documentedExamples(doc.T)
			var vs validators2020
			seen := map[*openapi3.Schema]bool{}
			for _, c := range plan.Checks {
				for _, resp := range c.Expect.Responses {
					for _, ct := range resp.Content {
						s := ct.Schema
						if s == nil || !ct.JSONSchema2020 || seen[s] {
							continue
						}
						seen[s] = true
						for _, body := range bodiesFor(examples[s]) {
							var v any
							if err := json.Unmarshal(body, &v); err != nil {
								t.Fatal(err)
							}
							var got, want []schemaErr
							vs.each(s, v, func(e schemaErr) { got = append(got, e) })
							if err := s.VisitJSON(v, validate2020...); err != nil {
								eachSchemaErr(err, func(e schemaErr) { want = append(want, e) })
							}
							if diff := gocmp.Diff(view(want), view(got), sameSchema); diff != "" {
								t.Errorf("%s %s %s, body %s: cached failures differ from VisitJSON (-want +got):\n%s",
									c.Method, c.Path, resp.Status, body, diff)
							}
						}
						val, _ := vs.m.Load(s)
						modes[val.(*validator2020).mode]++
					}
				}
			}
		})
	}
	// Every way of validating must have been compared (tricky31 alone
	// has all three).
	for _, m := range []mode2020{mode2020Kin, mode2020Compiled, mode2020Legacy} {
		if modes[m] == 0 {
			t.Errorf("no schema validated in mode %d, want some (modes %v)", m, modes)
		}
	}
}

// sameSchema compares schemas by identity: the failing schema must be the
// same node of the document.
var sameSchema = gocmp.Comparer(func(a, b *openapi3.Schema) bool { return a == b })

// errView is what a Failure is made of.
type errView struct {
	Pointer, Reason, Text string
	Value                 any
	Schema                *openapi3.Schema
}

// view returns the errors in a stable order: the JSON Schema 2020-12
// validator reports the properties of an object in map order.
func view(errs []schemaErr) []errView {
	var out []errView
	for _, e := range errs {
		out = append(out, errView{e.pointer(), sortedNames(e.reason), e.text, e.value, e.schema})
	}
	slices.SortStableFunc(out, func(a, b errView) int {
		return cmp.Or(strings.Compare(a.Pointer, b.Pointer), strings.Compare(a.Reason, b.Reason), strings.Compare(a.Text, b.Text))
	})
	return out
}

// sortedNames sorts the names an "additional properties" reason lists in
// map order.
func sortedNames(reason string) string {
	const prefix, suffix = "additional properties '", "' not allowed"
	list, ok := strings.CutPrefix(reason, prefix)
	if list, ok2 := strings.CutSuffix(list, suffix); ok && ok2 {
		names := strings.Split(list, "', '")
		slices.Sort(names)
		return prefix + strings.Join(names, "', '") + suffix
	}
	return reason
}

// documentedExamples maps each response schema to its JSON examples.
func documentedExamples(doc *openapi3.T) map[*openapi3.Schema][][]byte {
	out := map[*openapi3.Schema][][]byte{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				for _, media := range r.Value.Content {
					if media == nil || media.Schema == nil || media.Schema.Value == nil {
						continue
					}
					var exs []any
					if media.Example != nil {
						exs = append(exs, media.Example)
					}
					for _, e := range media.Examples {
						if e != nil && e.Value != nil && e.Value.Value != nil {
							exs = append(exs, e.Value.Value)
						}
					}
					for _, ex := range exs {
						if b, err := json.Marshal(ex); err == nil {
							out[media.Schema.Value] = append(out[media.Schema.Value], b)
						}
					}
				}
			}
		}
	}
	return out
}

// bodiesFor returns answers of every JSON type, the examples, and each
// example with one field at a time removed, set to null, to a string, to
// a number and to a too-large integer.
func bodiesFor(examples [][]byte) [][]byte {
	out := [][]byte{
		[]byte(`null`), []byte(`true`), []byte(`1`), []byte(`1.5`), []byte(`"x"`), []byte(`[]`), []byte(`{}`),
		[]byte(`[1, "x", {}]`), []byte(`{"id":1,"name":"smoke","ok":true}`),
		[]byte(`{"id": 0, "when": "yesterday", "mail": "nope", "tags": ["a", "B", "c"], "kind": "z", "maybe": 3, "ratio": 0.3}`),
		[]byte(`{"id": 5, "when": "2026-01-02T03:04:05Z", "mail": "a@b.c", "tags": ["ab"], "kind": "a", "maybe": null, "ratio": 1.5}`),
		[]byte(`{"pet": {"id": 1, "name": ""}, "note": null}`),
		[]byte(`[{"id": 1, "name": "a", "born": "2020-13-45"}, {"id": "2"}]`),
		[]byte(`{"name": "root", "children": [{"name": "a", "children": [{"children": []}]}]}`),
		[]byte(`{"version": 3, "pair": [1, "x"], "shape": {"r": 1, "w": 1, "h": 2}, "extra": "x"}`),
		[]byte(`{"version": 2, "pair": ["a", 1], "shape": {"w": 1, "h": 2}, "extra": "xy", "pet": {"id": 1}}`),
	}
	out = append(out, examples...)
	for _, ex := range examples {
		var m map[string]any
		if json.Unmarshal(ex, &m) != nil {
			continue
		}
		for k, old := range m {
			for _, v := range []any{nil, "x", 1.5, float64(1 << 40), map[string]any{}} {
				m[k] = v
				b, _ := json.Marshal(m)
				out = append(out, b)
			}
			delete(m, k)
			b, _ := json.Marshal(m)
			out = append(out, b)
			m[k] = old
		}
	}
	return out
}
