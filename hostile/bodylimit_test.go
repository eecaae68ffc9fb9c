package hostile

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
)

// Issue 9 item 11: --max-body-bytes near 2^63 overflowed (limit+1) into
// reading nothing, so every body was judged empty. The flag is bounded
// where it is read (1 GiB, a clear usage error, nothing sent); the runner
// itself stays correct at any limit (runner/readlimit_test.go).
func TestMaxBodyBytesAtTheTopOfInt64(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id": 7}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	spec := writeFile(t, dir, "api.yaml", `openapi: 3.0.3
info: {title: big limit, version: "1"}
paths:
  /item:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
`)
	for _, limit := range []int64{1<<63 - 1, 1<<63 - 2} {
		r := smoke(t, invocation{dir: dir, args: []string{"run", "--spec", spec, "--base-url", srv.URL, "--config", os.DevNull, "--max-body-bytes", strconv.FormatInt(limit, 10)}})
		wantExit(t, r, exitUsage)
		wantOneLineError(t, r.stderr, "--max-body-bytes "+strconv.FormatInt(limit, 10)+": must be at most 1073741824 (1 GiB)")
	}
	// The largest limit smoke takes reads the body whole.
	r := smoke(t, invocation{dir: dir, args: []string{"run", "--spec", spec, "--base-url", srv.URL, "--config", os.DevNull, "--max-body-bytes", "1073741824"}})
	wantExit(t, r, exitOK)
}
