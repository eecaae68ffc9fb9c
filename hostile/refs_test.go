package hostile

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// Issue 9 item 7: $refs and spec URLs fetched without asking.

// bodyRefSpec is a document whose request body schema is a $ref to ref.
func bodyRefSpec(ref string) string {
	return `openapi: 3.0.3
info: {title: refs, version: "1"}
paths:
  /upload:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '` + ref + `'}
      responses:
        "200": {description: ok}
`
}

// secretSchema is what a local file an attacker points at might hold: if
// smoke read it, its example would be sent as the request body.
const secretSchema = `{"type": "object", "example": {"stolen": "TOP-SECRET-7731"}}`

func TestStdinSpecReadsNoLocalFile(t *testing.T) {
	dir := t.TempDir()
	secret := writeFile(t, dir, "private/creds.json", secretSchema)
	target := newRecorder(t)
	r := smoke(t, invocation{
		dir:   dir,
		stdin: strings.NewReader(bodyRefSpec(secret)),
		args:  []string{"run", "--spec", "-", "--base-url", target.URL, "--config", os.DevNull},
	})
	wantExit(t, r, exitUsage)
	wantOneLineError(t, r.stderr, `$ref to "`+secret+`" refused`, "standard input resolves no file references")
	if !strings.Contains(r.stderr, "--allow-external-refs") {
		t.Errorf("no hint naming --allow-external-refs:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "TOP-SECRET") || target.hits.Load() != 0 {
		t.Errorf("the file's content reached an output or the target (%v)", target.received())
	}

	// Asked for explicitly, the same document loads.
	r = smoke(t, invocation{dir: dir, stdin: strings.NewReader(bodyRefSpec(secret)), args: []string{"plan", "--spec", "-", "--config", os.DevNull, "--allow-external-refs"}})
	wantExit(t, r, exitOK)
}

func TestFileSpecStaysInItsDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "private/creds.json", secretSchema)
	other := newRecorder(t)
	for _, tc := range []struct{ ref, rule string }{
		{"../private/creds.json", "outside the spec's directory"},
		{other.URL + "/schema.json", "a spec read from a file follows no http(s) references"},
	} {
		spec := writeFile(t, dir, "api/openapi.yaml", bodyRefSpec(tc.ref))
		r := smoke(t, invocation{dir: dir, args: []string{"plan", "--spec", spec, "--format", "json", "--config", os.DevNull}})
		wantExit(t, r, exitUsage)
		wantOneLineError(t, r.stderr, "refused", tc.rule)
		if strings.Contains(r.stdout, "TOP-SECRET") {
			t.Errorf("the plan shows the file's content")
		}
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("the http $ref was fetched %d times", n)
	}
}

func TestURLSpecStaysOnItsOrigin(t *testing.T) {
	// "metadata" stands for what a redirect once reached (a cloud metadata
	// address): another origin, here on loopback.
	metadata := newRecorder(t)
	docs := map[string]string{
		"/cross-ref.yaml": bodyRefSpec(metadata.URL + "/latest/meta-data.json"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect.yaml":
			http.Redirect(w, r, metadata.URL+"/latest/meta-data", http.StatusFound)
		default:
			w.Write([]byte(docs[r.URL.Path]))
		}
	}))
	defer srv.Close()
	for _, tc := range []struct{ path, rule string }{
		{"/cross-ref.yaml", "not on the spec's origin " + srv.URL},
		{"/redirect.yaml", "redirect to \"" + metadata.URL + "/latest/meta-data\" refused: it leaves the spec's origin " + srv.URL},
	} {
		r := smoke(t, invocation{args: []string{"plan", "--spec", srv.URL + tc.path, "--config", os.DevNull}})
		wantExit(t, r, exitUsage)
		wantOneLineError(t, r.stderr, tc.rule)
	}
	if got := metadata.received(); len(got) != 0 {
		t.Errorf("the other origin was reached: %v", got)
	}
}
