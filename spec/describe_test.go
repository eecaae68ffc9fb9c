package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const describeDoc = `openapi: 3.0.3
info: {title: t, version: "1"}
servers:
  - url: "{scheme}://api.example.com/v1"
    description: Production
    variables:
      scheme: {default: https, enum: [https, http]}
      a: {default: x}
  - url: /relative
security: [{oauth: [read]}, {key: [], basic: []}]
paths:
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer, format: int64}}]
      responses: {"200": {description: ok}}
    delete:
      security: []
      responses: {"204": {description: ok}}
    put:
      security: [{}, {basic: []}]
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {implicit: {authorizationUrl: "https://auth.example.com", scopes: {read: r}}}}
    key: {type: apiKey, in: query, name: api_key}
    basic: {type: http, scheme: basic}
`

func TestDescribe(t *testing.T) {
	d, err := Load(t.Context(), "-", Options{Stdin: strings.NewReader(describeDoc)})
	if err != nil {
		t.Fatal(err)
	}
	wantServers := []Server{
		{URL: "https://api.example.com/v1", Template: "{scheme}://api.example.com/v1", Description: "Production",
			Variables: []ServerVariable{{Name: "a", Default: "x"}, {Name: "scheme", Default: "https", Enum: []string{"https", "http"}}}},
		{URL: "/relative", Template: "/relative"},
	}
	if diff := cmp.Diff(wantServers, d.ServerList()); diff != "" {
		t.Errorf("ServerList (-want +got):\n%s", diff)
	}
	wantSchemes := []SecurityScheme{
		{Name: "basic", Type: "http", Scheme: "basic"},
		{Name: "key", Type: "apiKey", In: "query", ParamName: "api_key"},
		{Name: "oauth", Type: "oauth2"},
	}
	if diff := cmp.Diff(wantSchemes, d.SecuritySchemes()); diff != "" {
		t.Errorf("SecuritySchemes (-want +got):\n%s", diff)
	}
	ops := map[string]Operation{}
	for _, op := range d.Operations() {
		ops[op.Method] = op
	}
	for method, want := range map[string][][]string{
		"GET":    {{"oauth"}, {"basic", "key"}},
		"DELETE": nil,
		"PUT":    {{}, {"basic"}},
	} {
		if diff := cmp.Diff(want, d.Security(ops[method])); diff != "" {
			t.Errorf("Security(%s) (-want +got):\n%s", method, diff)
		}
	}
	if got := ops["GET"].ParamType("path", "id"); got != "integer (int64)" {
		t.Errorf(`GET ParamType("path", "id") = %q, want the operation's own`, got)
	}
	if got := ops["DELETE"].ParamType("path", "id"); got != "string" {
		t.Errorf(`DELETE ParamType("path", "id") = %q, want the path's`, got)
	}
	if got := ops["GET"].ParamType("query", "id"); got != "" {
		t.Errorf(`ParamType("query", "id") = %q, want ""`, got)
	}
}
