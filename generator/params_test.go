package generator_test

import (
	"encoding/json"
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

// TestNameFormats: a string the document gives no format takes the one
// its name implies (an email, a URL, a host...), unless its own format,
// pattern or length says otherwise.
func TestNameFormats(t *testing.T) {
	doc := `
openapi: 3.0.3
info: {title: Names, version: "1"}
paths:
  /contacts:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [contactEmail, html_url, server_host, remote_ip, phone_number, guid, short_email, code_email, home_url, status]
              properties:
                contactEmail: {type: string}
                html_url: {type: string}
                server_host: {type: string}
                remote_ip: {type: string}
                phone_number: {type: string}
                guid: {type: string}
                short_email: {type: string, maxLength: 5}
                code_email: {type: string, pattern: "^[A-Z]{3}$"}
                home_url: {type: string, format: hostname}
                status: {type: string}
      responses: {"201": {description: created}}
`
	c := find(t, generate(t, doc, generator.Options{}), "POST", "/contacts")
	var got map[string]string
	if err := json.Unmarshal([]byte(c.Request.Body.Text), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"contactEmail": "smoke@example.com",
		"html_url":     "https://example.com/",
		"server_host":  "example.com",
		"remote_ip":    "192.0.2.1",
		"phone_number": "+14155550100",
		"short_email":  "smoke",
		"home_url":     "example.com",
		"status":       "smoke",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got["guid"]) != 36 || got["guid"][14] != '4' {
		t.Errorf("guid = %q, want a UUID", got["guid"])
	}
	if len(got["code_email"]) != 3 || strings.ToUpper(got["code_email"]) != got["code_email"] {
		t.Errorf("code_email = %q, want what its pattern asks", got["code_email"])
	}
}
