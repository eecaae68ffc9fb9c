package hostile

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// Issue 9 item 11 ($ref cycles) and issue 11's spec-loading findings on
// PowerDNS's published document (merge keys, tuple items), at the CLI.

func TestRefCyclesAreSpecErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"cyclic path item", `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a: {$ref: '#/paths/~1b'}
  /b: {$ref: '#/paths/~1a'}
`, `paths./a: $ref cycle #/paths/~1b → #/paths/~1a → #/paths/~1b`},
		{"schema cycle", `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/A'}
`, `$ref cycle #/components/schemas/A → #/components/schemas/B → #/components/schemas/A`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			spec := writeFile(t, dir, "api.yaml", tt.doc)
			r := smoke(t, invocation{dir: dir, args: []string{"plan", "--spec", spec, "--config", os.DevNull}})
			wantExit(t, r, exitUsage)
			wantOneLineError(t, r.stderr, "resolve: ", tt.want)
		})
	}
}

func TestMergeKeysAndTupleItemsLoad(t *testing.T) {
	// The shape of PowerDNS's description: Swagger 2.0, responses merged
	// from an anchor, and a schema with items written as a list.
	doc := `swagger: '2.0'
info: {title: pdns-like, version: "1"}
x-errors: &commonErrors
  "404": {description: Requested item was not found, schema: {$ref: '#/definitions/Error'}}
  "500": {description: Internal server error, schema: {$ref: '#/definitions/Error'}}
paths:
  /servers/{server_id}/zones:
    get:
      parameters:
        - {name: server_id, in: path, required: true, type: string, x-example: localhost}
      responses:
        "200": {description: ok, schema: {$ref: '#/definitions/Zones'}}
        <<: *commonErrors
definitions:
  Error:
    type: object
    properties: {error: {type: string}}
  Zones:
    type: array
    items:
      - {type: string}
      - {type: integer}
`
	dir := t.TempDir()
	spec := writeFile(t, dir, "pdns.yaml", doc)
	r := smoke(t, invocation{dir: dir, args: []string{"plan", "--spec", spec, "--format", "json", "--config", os.DevNull}})
	wantExit(t, r, exitOK)
	if !strings.Contains(r.stderr, "smoke: warning: ") || !strings.Contains(r.stderr, "definitions.Zones.items") {
		t.Errorf("no warning naming the tuple items:\n%s", r.stderr)
	}
	var plan struct {
		Checks []struct {
			Expect struct{ Status []string } `json:"expect"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || len(plan.Checks) != 1 {
		t.Fatalf("plan = %s (%v), want one check", r.stdout, err)
	}
	if got := plan.Checks[0].Expect.Status; !slices.Equal(got, []string{"200", "404", "500"}) {
		t.Errorf("expected statuses = %v, want [200 404 500] (no status named <<)", got)
	}
}
