package hostile

import (
	"os"
	"slices"
	"testing"
)

// Issue 9 item 6: the path value ../../admin was planned escaped
// (..%2F..%2Fadmin) but sent as /base/my%20files/../../admin, which a
// server or proxy resolves to /admin.
func TestPathValueCannotTraverse(t *testing.T) {
	dir := t.TempDir()
	target := newRecorder(t)
	spec := writeFile(t, dir, "api.yaml", `openapi: 3.0.3
info: {title: traversal, version: "1"}
paths:
  /my files/{name}:
    get:
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}, example: "../../admin"}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
`)
	r := smoke(t, invocation{dir: dir, args: []string{"run", "--spec", spec, "--base-url", target.URL + "/base", "--config", os.DevNull}})
	wantExit(t, r, exitOK)
	want := []string{"GET /base/my%20files/..%2F..%2Fadmin"}
	if got := target.received(); !slices.Equal(got, want) {
		t.Errorf("the service received %q, want %q", got, want)
	}
}
