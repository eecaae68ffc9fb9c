package generator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

const servers = `
openapi: 3.0.3
info: {title: Servers, version: "1"}
paths:
  /servers:
    get:
      responses:
        "200":
          description: list
          content:
            application/json:
              schema: {type: array, items: {type: object, properties: {id: {type: string}}}}
  /servers/{server_id}:
    parameters:
      - {name: server_id, in: path, required: true, schema: {type: string}}
    get:
      responses: {"200": {description: one}}
  /servers/{server_id}/zones:
    parameters:
      - {name: server_id, in: path, required: true, schema: {type: string}}
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: X-Tenant, in: header, schema: {type: string}}
      responses: {"200": {description: zones}}
    post:
      parameters:
        - {name: server_id, in: query, schema: {type: string}}
      responses: {"201": {description: created}}
`

// TestParameterFixtures: smoke.yaml's parameters give a value to every
// parameter of that name (in that location when named), as a fixture: it
// wins over inference; an operation's own fixture wins over it; an entry
// that matches nothing is a warning.
func TestParameterFixtures(t *testing.T) {
	p := generatePlan(t, servers, generator.Options{
		Parameters: []generator.ParamFixture{
			{In: "path", Name: "server_id", Value: "localhost"},
			{Name: "server_id", Value: "anywhere"},
			{In: "query", Name: "limit", Value: "5"},
			{In: "header", Name: "x-tenant", Value: "acme"},
			{In: "path", Name: "nope", Value: "1", Where: "smoke.yaml:9"},
		},
		Operations: map[string]generator.Operation{
			"GET /servers/{server_id}": {Fixture: generator.Fixture{Path: map[string]string{"server_id": "own"}}},
		},
	})
	one := find(t, p.Checks, "GET", "/servers/{server_id}")
	if one.Request.URL != "/servers/own" || len(one.Bindings) != 0 {
		t.Errorf("GET /servers/{server_id}: %s bindings %+v, want the operation's own fixture", one.Request.URL, one.Bindings)
	}
	list := find(t, p.Checks, "GET", "/servers/{server_id}/zones")
	if list.Request.URL != "/servers/localhost/zones?limit=5" || len(list.Bindings) != 0 {
		t.Errorf("GET zones: %s bindings %+v, want the path parameter and the optional query from parameters:", list.Request.URL, list.Bindings)
	}
	if i := slices.IndexFunc(list.Request.Headers, func(h generator.Param) bool { return h.Name == "X-Tenant" }); i < 0 ||
		list.Request.Headers[i].Value != "acme" || list.Request.Headers[i].Source != generator.SourceFixture {
		t.Errorf("GET zones headers %+v, want X-Tenant: acme (fixture)", list.Request.Headers)
	}
	create := find(t, p.Checks, "POST", "/servers/{server_id}/zones")
	if create.Request.URL != "/servers/localhost/zones?server_id=anywhere" {
		t.Errorf("POST zones: %s, want the path entry for the path and the unnamed one for the query", create.Request.URL)
	}
	for _, c := range []generator.Check{list, create} {
		if c.Request.Path[0].Source != generator.SourceFixture {
			t.Errorf("%s %s: source %s, want fixture", c.Method, c.Path, c.Request.Path[0].Source)
		}
	}
	var warned []string
	for _, w := range p.Warnings {
		if strings.Contains(w, "parameters") {
			warned = append(warned, w)
		}
	}
	if want := []string{`smoke.yaml:9: parameters: "path.nope" matches no parameter of the spec`}; !slices.Equal(warned, want) {
		t.Errorf("warnings %q, want %q", warned, want)
	}
}
