package hostile

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The credentials of these tests. Each holds "SECRET", which no part of
// smoke writes by itself, so any output holding it leaked a credential in
// some form (URL-encoding and JSON escaping leave the word as it is).
const (
	secretsQueryKey = "QKEY+SECRET/222==" // issue 9: + / = change under URL-encoding
	secretsToken    = `tok"en\SECRET2`    // a quote and a backslash change under %q and JSON
	secretsHeader   = "HDR-SECRET4"
	secretsUser     = "ann"
	secretsPassword = "pw-SECRET3"
)

// secretsSpec is an API with an API key in the query and a bearer token:
// smoke.yaml gives both from the environment.
const secretsSpec = `openapi: 3.0.3
info: {title: Secrets API, version: "1"}
components:
  securitySchemes:
    queryKey: {type: apiKey, in: query, name: api_key}
    bearer: {type: http, scheme: bearer}
  schemas:
    Item:
      type: object
      properties: {id: {type: integer}}
security: [{queryKey: [], bearer: []}]
paths:
  /echo:
    get:
      operationId: echo
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{name: id, in: path, required: true, schema: {type: integer}, example: 7}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}}
`

const secretsConfig = `auth:
  queryKey: {token: "${SMOKE_QKEY}"}
  bearer: {token: "${SMOKE_TOKEN}"}
headers:
  X-Client-Secret: LIT-SECRET5
`

// secretsEchoServer is a careless service: every answer repeats the
// credentials it received, raw, URL-encoded and JSON-escaped, and GET
// /items/{id} puts the token where the schema wants an integer. side
// makes OLD and NEW answer differently, so diff shows examples. seen
// records the credentials that arrived.
type secretsEchoServer struct {
	side string
	mu   sync.Mutex
	seen []string
}

func (s *secretsEchoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, _ := r.BasicAuth()
	s.mu.Lock()
	s.seen = append(s.seen, r.URL.Query().Get("api_key"), r.Header.Get("X-Api-Key"), user+":"+pass)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo-Key", r.URL.Query().Get("api_key"))
	w.Header().Set("X-Api-Key", r.Header.Get("X-Api-Key")+s.side)
	if strings.HasPrefix(r.URL.Path, "/items/") {
		b, _ := json.Marshal(map[string]any{"id": r.Header.Get("Authorization") + s.side}) // a map of strings marshals
		w.Write(b)
		return
	}
	// The key starts near byte 110, so a 120-byte excerpt cut before
	// masking would keep its first half.
	body := `{"pad":"` + strings.Repeat("p", 100) + `","raw":"` + r.URL.Query().Get("api_key") +
		`","query":"` + r.URL.RawQuery + `","auth":` + mustJSONString(r.Header.Get("Authorization")) +
		`,"both":` + mustJSONString(mustJSONString(r.Header.Get("Authorization"))) +
		`,"basic":"` + user + ":" + pass + `","side":"` + s.side + `"}`
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprint(w, body)
}

func mustJSONString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// secretsLeaks returns what in out gives a credential away: the word
// every secret holds, the password of the base URL, its base64 form, or a
// URL still carrying user information.
func secretsLeaks(out string) []string {
	var leaks []string
	basic := base64.StdEncoding.EncodeToString([]byte(secretsUser + ":" + secretsPassword))
	for _, s := range []string{"SECRET", "pw-", basic, secretsUser + ":", "@127.0.0.1"} {
		if strings.Contains(out, s) {
			leaks = append(leaks, s)
		}
	}
	return leaks
}

// TestSecrets builds smoke once and attacks it with credentials in every
// place a user gives them.
func TestSecrets(t *testing.T) {
	t.Run("never shown", secretsNeverShown)
	t.Run("publish refuses userinfo", secretsPublishRefusesUserinfo)
	t.Run("usage errors redacted", secretsUsageErrorsRedacted)
}

// secretsNeverShown runs smoke run and smoke diff against services that
// echo every credential, in every output format with --debug, and
// asserts that no credential shows in any form in stdout or stderr,
// while the services did receive them.
func secretsNeverShown(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "spec.yaml", secretsSpec)
	writeFile(t, dir, "smoke.yaml", secretsConfig)
	env := []string{"SMOKE_QKEY=" + secretsQueryKey, "SMOKE_TOKEN=" + secretsToken}
	withUser := func(raw string) string {
		u, _ := url.Parse(raw) // httptest URLs parse
		u.User = url.UserPassword(secretsUser, secretsPassword)
		return u.String()
	}
	oldSrv, newSrv := &secretsEchoServer{side: "old"}, &secretsEchoServer{side: "new"}
	old, new := httptest.NewServer(oldSrv), httptest.NewServer(newSrv)
	defer old.Close()
	defer new.Close()

	check := func(t *testing.T, res result, wantCode int, servers ...*secretsEchoServer) {
		t.Helper()
		// The services got every credential: masking hides them, it must
		// not keep them from being sent.
		for _, srv := range servers {
			srv.mu.Lock()
			got := strings.Join(srv.seen, "\n")
			srv.seen = nil
			srv.mu.Unlock()
			for _, want := range []string{secretsQueryKey, secretsHeader, secretsUser + ":" + secretsPassword} {
				if !strings.Contains(got, want) {
					t.Errorf("%s service never received %q", srv.side, want)
				}
			}
		}
		if res.code != wantCode {
			t.Errorf("exit code %d, want %d\nstderr:\n%s", res.code, wantCode, res.stderr)
		}
		if leaks := secretsLeaks(res.stdout + res.stderr); len(leaks) > 0 {
			t.Errorf("output gives away %q:\nstdout:\n%s\nstderr:\n%s", leaks, res.stdout, res.stderr)
		}
		if !strings.Contains(res.stdout+res.stderr, "********") {
			t.Errorf("output shows no mask: nothing was masked, so the test proves nothing\n%s", res.stdout)
		}
	}
	for _, format := range []string{"text", "json", "junit", "markdown"} {
		t.Run("run/"+format, func(t *testing.T) {
			res := smoke(t, invocation{dir: dir, env: env, args: []string{"run", "--spec", "spec.yaml", "--base-url", withUser(old.URL),
				"--header", "X-Api-Key: " + secretsHeader, "--format", format, "--debug"}})
			check(t, res, 1, oldSrv)
			if !strings.Contains(res.stdout, "curl ") {
				t.Errorf("report has no reproduce line:\n%s", res.stdout)
			}
		})
	}
	for _, format := range []string{"text", "json", "markdown", "html"} {
		t.Run("diff/"+format, func(t *testing.T) {
			res := smoke(t, invocation{dir: dir, env: env, args: []string{"diff", "--spec", "spec.yaml", "--old", withUser(old.URL), "--new", withUser(new.URL),
				"--header", "X-Api-Key: " + secretsHeader, "--rounds", "1", "--format", format, "--debug"}})
			check(t, res, 1, oldSrv, newSrv)
		})
	}
	t.Run("plan", func(t *testing.T) {
		for _, format := range []string{"text", "json"} {
			res := smoke(t, invocation{dir: dir, env: env, args: []string{"plan", "--spec", "spec.yaml", "--format", format}})
			if res.code != 0 {
				t.Errorf("plan --format %s: exit code %d\n%s", format, res.code, res.stderr)
			}
			if leaks := secretsLeaks(res.stdout + res.stderr); len(leaks) > 0 {
				t.Errorf("plan --format %s gives away %q:\n%s", format, leaks, res.stdout)
			}
		}
	})

}

// secretsPublishRefusesUserinfo checks that smoke publish never carries
// credentials of a base URL to Datadog: it refuses them before any call,
// with exit 2, a hint, and without quoting them.
func secretsPublishRefusesUserinfo(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "spec.yaml", secretsSpec)
	writeFile(t, dir, "smoke.yaml", secretsConfig)
	base := "http://" + secretsUser + ":" + secretsPassword + "@127.0.0.1:9/api"
	for _, args := range [][]string{
		{"--base-url", base, "--dry-run"},
		{"--base-url", base, "--export", filepath.Join(dir, "tests.json")},
		{"--base-url", "staging"}, // an environment of smoke.yaml
	} {
		writeFile(t, dir, "smoke.yaml", secretsConfig+"environments:\n  staging: {base_url: \""+base+"\"}\n")
		res := smoke(t, invocation{dir: dir, env: []string{"DD_API_KEY=k", "DD_APP_KEY=a", "DD_HOST=http://127.0.0.1:9"},
			args: append([]string{"publish", "--spec", "spec.yaml", "--service", "secrets"}, args...)})
		if res.code != 2 {
			t.Errorf("publish %s: exit code %d, want 2\n%s", strings.Join(args, " "), res.code, res.stderr)
		}
		lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], "carries credentials") || !strings.Contains(lines[1], "${") {
			t.Errorf("publish %s: stderr = %q, want the error and a hint naming ${ENV} references", strings.Join(args, " "), res.stderr)
		}
		if leaks := secretsLeaks(res.stdout + res.stderr); len(leaks) > 0 {
			t.Errorf("publish %s gives away %q:\n%s", strings.Join(args, " "), leaks, res.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "tests.json")); err == nil {
			t.Errorf("publish %s wrote the export", strings.Join(args, " "))
		}
	}
}

// secretsUsageErrorsRedacted checks that a usage error about a base URL
// does not quote its credentials back.
func secretsUsageErrorsRedacted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "spec.yaml", secretsSpec)
	writeFile(t, dir, "smoke.yaml", secretsConfig)
	env := []string{"SMOKE_QKEY=" + secretsQueryKey, "SMOKE_TOKEN=" + secretsToken}
	for _, base := range []string{
		"ftp://" + secretsUser + ":" + secretsPassword + "@127.0.0.1:9",
		"http://" + secretsUser + ":" + secretsPassword + "@127.0.0.1:9/?q=1",
		"http://" + secretsUser + ":" + secretsPassword + "@127.0.0.1:port/",
	} {
		res := smoke(t, invocation{dir: dir, env: env, args: []string{"run", "--spec", "spec.yaml", "--base-url", base}})
		if res.code != 2 {
			t.Errorf("run --base-url %s: exit code %d, want 2", strconv.Quote(base), res.code)
		}
		if leaks := secretsLeaks(res.stdout + res.stderr); len(leaks) > 0 {
			t.Errorf("run --base-url %s gives away %q:\n%s", strconv.Quote(base), leaks, res.stderr)
		}
	}
}
