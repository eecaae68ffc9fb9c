package generator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
)

const policyDoc = `
openapi: 3.0.3
info: {title: Policy, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses: {"200": {description: ok}, "default": {description: error}}
    post:
      operationId: createPet
      responses: {"201": {description: created}}
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}, "404": {description: missing}}
  /twins/a:
    get: {operationId: twin, responses: {"200": {description: ok}}}
  /twins/b:
    get: {operationId: twin, responses: {"200": {description: ok}}}
`

// TestOperationPolicy pins how smoke.yaml's per-operation settings reach
// the checks: matched once, by "METHOD /path" (method in any case) or by
// operationId, and applied by the generator for every backend.
func TestOperationPolicy(t *testing.T) {
	doc := load(t, policyDoc)
	plan, err := generator.Generate(doc, generator.Options{Operations: map[string]generator.Operation{
		"post /pets":    {Skip: true},
		"getPet":        {Fixture: generator.Fixture{Path: map[string]string{"id": "7"}}, Expect: []string{"404", "default"}},
		"GET /pets":     {Assertions: generator.Assertions{Skip: []string{"latency"}, LatencyMS: 250}},
		"GET /nowhere":  {Where: "smoke.yaml:9", Skip: true},
		"deletePetTypo": {},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"POST /pets"}, plan.Skipped); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}
	for _, c := range plan.Checks {
		if c.Method == "POST" {
			t.Errorf("skipped operation POST /pets is in the plan")
		}
	}
	get := find(t, plan.Checks, "GET", "/pets/{id}")
	if get.Request.URL != "/pets/7" || !slices.Equal(get.Expect.Status, []string{"404", "default"}) {
		t.Errorf("getPet: URL %q, status %v; want the fixture and the overridden statuses", get.Request.URL, get.Expect.Status)
	}
	if len(get.Expect.Responses) != 2 || get.Expect.Responses[0].Description != "missing" {
		t.Errorf("getPet responses = %+v, want 404 as documented plus default", get.Expect.Responses)
	}
	list := find(t, plan.Checks, "GET", "/pets")
	if list.Assertions == nil || list.Assertions.LatencyMS != 250 || !slices.Equal(list.Assertions.Skip, []string{"latency"}) {
		t.Errorf("listPets assertions = %+v", list.Assertions)
	}
	if get.Assertions != nil {
		t.Errorf("getPet assertions = %+v, want none", get.Assertions)
	}
	var warned []string
	for _, w := range plan.Warnings {
		if strings.Contains(w, "matches no operation") {
			warned = append(warned, w)
		}
	}
	want := []string{
		`smoke.yaml:9: operations: "GET /nowhere" matches no operation of the spec (use "METHOD /path" or an operationId)`,
		`operations: "deletePetTypo" matches no operation of the spec (use "METHOD /path" or an operationId)`,
	}
	if diff := cmp.Diff(want, warned); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestOperationPolicyAmbiguous(t *testing.T) {
	doc := load(t, policyDoc)
	for _, tt := range []struct {
		ops  map[string]generator.Operation
		want string
	}{
		{map[string]generator.Operation{"twin": {Skip: true}},
			`operations: "twin" is the operationId of 2 operations (GET /twins/a, GET /twins/b): name it as "METHOD /path"`},
		{map[string]generator.Operation{"getPet": {Where: "smoke.yaml:4"}, "GET /pets/{id}": {Where: "smoke.yaml:2"}},
			`smoke.yaml:4: operations: "GET /pets/{id}" and "getPet" both name GET /pets/{id}: keep one`},
	} {
		_, err := generator.Generate(doc, generator.Options{Operations: tt.ops})
		if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("Generate(%v) error = %v, want it to end %q", tt.ops, err, tt.want)
		}
	}
}

// TestBasicCredentialParts pins that an HTTP basic credential keeps its
// configured parts apart in the model: backends refer to each part and
// never split the encoded value.
func TestBasicCredentialParts(t *testing.T) {
	doc := load(t, `
openapi: 3.0.3
info: {title: Basic, version: "1"}
security: [{basic: []}]
paths:
  /me: {get: {responses: {"200": {description: ok}}}}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
`)
	plan, err := generator.Generate(doc, generator.Options{Credentials: map[string]generator.Credential{
		"basic": {Username: "ann", Password: "p:ss", UsernameTemplate: "${API_USER}", PasswordTemplate: "${API_PASS}", Env: "API_USER"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := plan.Checks[0].Request.Header("Authorization")
	if !ok || h.Value != "Basic YW5uOnA6c3M=" || h.Template != "" {
		t.Fatalf("Authorization = %+v", h)
	}
	if diff := cmp.Diff(&generator.BasicCredential{Username: "${API_USER}", Password: "${API_PASS}"}, h.Basic); diff != "" {
		t.Errorf("Basic parts (-want +got):\n%s", diff)
	}
}
