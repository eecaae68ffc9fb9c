package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/golden"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
)

// k6Checks generates the checks of an OpenAPI document given as text.
func k6Checks(t *testing.T, doc []byte, opts generator.Options) []generator.Check {
	t.Helper()
	d, err := spec.Load(t.Context(), "-", spec.Options{Stdin: bytes.NewReader(doc)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := generator.Generate(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p.Checks
}

// writeScript writes script into a temporary directory for the type
// checker and returns its path.
func writeScript(t *testing.T, name string, script []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, script, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// petstoreK6 writes the script of the example service, with a bearer
// token from the environment, the run's latency budget and an operation's
// own.
func petstoreK6(t *testing.T, allowWrites bool) ([]byte, K6Export) {
	t.Helper()
	checks := k6Checks(t, petstore.Spec, generator.Options{
		Headers: []generator.Param{{Name: "Authorization", Value: "Bearer tok-4242-secret", Source: generator.SourceConfig,
			Secret: true, Env: "PETSTORE_TOKEN", Template: "Bearer ${PETSTORE_TOKEN}"}},
		Operations: map[string]generator.Operation{
			"getPet":    {Assertions: generator.Assertions{LatencyMS: 200}},
			"getHealth": {Assertions: generator.Assertions{Skip: []string{"latency", "content_type"}}},
		},
	})
	var buf bytes.Buffer
	exp, err := WriteK6(&buf, checks, K6Options{
		Title:       "Petstore (smoke example) 1.0.0",
		BaseURL:     "http://127.0.0.1:8080",
		Script:      "load.js",
		Ramp:        20 * time.Second,
		Timeout:     10 * time.Second,
		Latency:     500 * time.Millisecond,
		AllowWrites: allowWrites,
	})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("tok-4242-secret")) {
		t.Error("the token is in the script")
	}
	return buf.Bytes(), exp
}

// TestWriteK6Petstore: the scripts of the example service are the golden
// files and type-check against k6's definitions. By default the script
// sends the safe checks alone and names the writes it left out; with
// AllowWrites every write is in one of its chains (the example's every
// write has a create to take its ids from).
func TestWriteK6Petstore(t *testing.T) {
	reads, exp := petstoreK6(t, false)
	golden.Assert(t, "TestWriteK6/petstore.js", reads)
	var left []string
	for _, l := range exp.Left {
		if l.Reason != K6ReasonWrites {
			t.Errorf("%s %s left out for %q, want %q", l.Method, l.Path, l.Reason, K6ReasonWrites)
		}
		left = append(left, l.Method+" "+l.Path)
	}
	wantLeft := []string{"POST /appointments", "DELETE /appointments/{appointmentId}", "POST /owners", "DELETE /owners/{ownerId}",
		"POST /owners/{ownerId}/pets", "DELETE /owners/{ownerId}/pets/{petId}", "POST /pets", "PUT /pets/{petId}",
		"DELETE /pets/{petId}", "PUT /pets/{petId}/labels", "POST /tags", "DELETE /tags/{name}"}
	if diff := cmp.Diff(wantLeft, left); diff != "" {
		t.Errorf("left out (-want +got):\n%s", diff)
	}
	if exp.Checks != 8 || exp.Chains != 0 || len(exp.Leaks) != 0 {
		t.Errorf("export %+v, want 8 checks, no chain, no leak", exp)
	}
	if m := regexp.MustCompile(`http\.request\("(POST|PUT|PATCH|DELETE)"`).Find(reads); m != nil {
		t.Errorf("the safe script sends %s", m)
	}

	writes, exp := petstoreK6(t, true)
	golden.Assert(t, "TestWriteK6/petstore-writes.js", writes)
	if exp.Checks != 20 || exp.Chains != 3 || len(exp.Left) != 0 || len(exp.Leaks) != 0 {
		t.Errorf("export %+v, want 20 checks in 3 chains, nothing left out, no leak", exp)
	}
	testenv.TypeCheckK6(t, writeScript(t, "petstore.js", reads), writeScript(t, "petstore-writes.js", writes))
}

// credentialsSpec uses every kind of credential smoke applies.
const credentialsSpec = `openapi: 3.0.3
info: {title: creds, version: "1"}
paths:
  /bearer:
    get: {security: [{bearer: []}], responses: {"200": {description: ok}}}
  /basic:
    get: {security: [{basic: []}], responses: {"200": {description: ok}}}
  /query:
    get:
      security: [{qkey: []}]
      parameters: [{name: q, in: query, required: true, schema: {type: string}, example: "a b&c"}]
      responses: {"200": {description: ok}}
  /cookie:
    get: {security: [{ckey: []}], responses: {"200": {description: ok}}}
  /oauth:
    post:
      security: [{oauth: []}]
      requestBody: {content: {application/json: {schema: {type: object}, example: {a: 1}}}}
      responses: {"201": {description: ok}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    basic: {type: http, scheme: basic}
    qkey: {type: apiKey, in: query, name: api_key}
    ckey: {type: apiKey, in: cookie, name: sid}
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://auth.example.com/t", scopes: {}}}}
`

// The secrets, as they would be set in the environment at export time.
const (
	bearerSecret = "bearer-S3cr3t/+="
	userSecret   = "user-S3cr3t"
	passSecret   = "pass:S3cr3t \"quoted\""
	querySecret  = "QKEY+SECRET/222=="
	cookieSecret = "cookie-S3cr3t"
	oauthSecret  = "oauth-S3cr3t"
)

func credentialChecks(t *testing.T, userTemplate string) []generator.Check {
	user := userSecret
	if userTemplate == "" {
		user = "admin"
	}
	return k6Checks(t, []byte(credentialsSpec), generator.Options{Credentials: map[string]generator.Credential{
		"bearer": {Token: bearerSecret, TokenTemplate: "${BEARER_TOKEN}", Env: "BEARER_TOKEN"},
		"basic": {Username: user, Password: passSecret, UsernameTemplate: userTemplate,
			PasswordTemplate: "${BASIC_PASSWORD}", Env: "BASIC_PASSWORD"},
		"qkey":  {Token: querySecret, TokenTemplate: "${QKEY}", Env: "QKEY"},
		"ckey":  {Token: cookieSecret, TokenTemplate: "s-${COOKIE}", Env: "COOKIE"},
		"oauth": {Token: oauthSecret, TokenTemplate: "${OAUTH_TOKEN}", Env: "OAUTH_TOKEN"},
	}})
}

// TestWriteK6Secrets: no credential appears in the script in any
// encoding; each is read from its variable; the script type-checks.
func TestWriteK6Secrets(t *testing.T) {
	for _, tc := range []struct{ name, userTemplate string }{{"user from the environment", "${BASIC_USER}"}, {"user inline", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if _, err := WriteK6(&buf, credentialChecks(t, tc.userTemplate), K6Options{BaseURL: "https://api.example.com", AllowWrites: true}); err != nil {
				t.Fatal(err)
			}
			script := buf.String()
			for _, secret := range []string{bearerSecret, userSecret, passSecret, querySecret, cookieSecret, oauthSecret} {
				for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), jsLit(secret),
					base64.StdEncoding.EncodeToString([]byte(userSecret + ":" + passSecret)),
					base64.StdEncoding.EncodeToString([]byte("admin:" + passSecret))} {
					if strings.Contains(script, form) {
						t.Errorf("the script contains %q (a form of %q)", form, secret)
					}
				}
			}
			for _, want := range []string{
				`need("BEARER_TOKEN", __ENV.BEARER_TOKEN)`,
				`"Authorization": "Bearer " + env["BEARER_TOKEN"]`,
				`need("BASIC_PASSWORD", __ENV.BASIC_PASSWORD)`,
				`BASE_URL + "/query?q=a+b%26c&api_key=" + encodeURIComponent(env["QKEY"])`,
				`"Cookie": "sid=s-" + env["COOKIE"]`,
				`"Authorization": "Bearer " + env["OAUTH_TOKEN"]`,
				`import encoding from "k6/encoding";`,
			} {
				if !strings.Contains(script, want) {
					t.Errorf("the script lacks %s", want)
				}
			}
			basic := `"Authorization": "Basic " + encoding.b64encode(env["BASIC_USER"] + ":" + env["BASIC_PASSWORD"])`
			if tc.userTemplate == "" {
				basic = `"Authorization": "Basic " + encoding.b64encode("admin:" + env["BASIC_PASSWORD"])`
			}
			if !strings.Contains(script, basic) {
				t.Errorf("the script lacks %s:\n%s", basic, script)
			}
			testenv.TypeCheckK6(t, writeScript(t, "creds.js", buf.Bytes()))
		})
	}
}

// TestWriteK6InlineSecret: a secret with no ${VAR} to read it from is
// refused, never written.
func TestWriteK6InlineSecret(t *testing.T) {
	inline := []generator.Check{{ID: "x", Method: "GET", Path: "/", Safe: true, Request: generator.Request{URL: "/",
		Headers: []generator.Param{{Name: "X-Api-Key", Value: "inline-S3cr3t", Secret: true}}}}}
	basic := credentialChecks(t, "")
	for i := range basic {
		for j, h := range basic[i].Request.Headers {
			if h.Basic != nil {
				basic[i].Request.Headers[j].Basic = &generator.BasicCredential{Username: "${U}"} // password inline
			}
		}
	}
	for name, checks := range map[string][]generator.Check{"header": inline, "basic password": basic} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := WriteK6(&buf, checks, K6Options{BaseURL: "https://api.example.com"})
			if !errors.Is(err, ErrK6Secret) {
				t.Fatalf("WriteK6 = %v, want ErrK6Secret", err)
			}
			if buf.Len() > 0 {
				t.Errorf("wrote %d bytes", buf.Len())
			}
		})
	}
	// Options.Headers follow the same rule.
	_, err := WriteK6(&bytes.Buffer{}, nil, K6Options{Headers: []generator.Param{{Name: "Authorization", Value: "Bearer x", Secret: true}}})
	if !errors.Is(err, ErrK6Secret) {
		t.Errorf("WriteK6 with an inline secret header = %v, want ErrK6Secret", err)
	}
}

// TestWriteK6Hostile: text from the spec (paths, operationIds,
// summaries, examples, media types) and from smoke.yaml (header names)
// stays inside string literals and comments: the script still
// type-checks, and no line starts with injected code.
func TestWriteK6Hostile(t *testing.T) {
	const evil = "x\n}); INJECTED(); ({\u2028INJECTED2()\u2029 */ </script> ` ${INJECTED3} \\\" '"
	checks := []generator.Check{{
		ID: "0123456789ab", Method: "GET", Path: "/a/" + evil, Safe: true, OperationID: evil, Summary: evil, Notes: []string{evil},
		Request: generator.Request{
			URL:     "/a/" + url.PathEscape(evil) + "?q=" + url.QueryEscape(evil),
			Query:   []generator.Param{{Name: "q", Value: evil}},
			Headers: []generator.Param{{Name: "X-" + evil, Value: evil}},
			Cookies: []generator.Param{{Name: "c", Value: evil}},
			Body:    &generator.Body{ContentType: "application/json", Text: `{"a":"` + evil + `"}`},
		},
		Expect: generator.Expect{Status: []string{"200", "4XX", "default"}, Responses: []generator.Response{
			{Status: "200", Content: []generator.Content{{MediaType: "application/" + evil}}, Headers: []string{evil}},
			{Status: "4XX"}, {Status: "default"},
		}},
		Assertions: &generator.Assertions{LatencyMS: 100},
	}}
	// A chain whose names, pointers and operations are the same text:
	// they reach variable names, comments, the group's name and the
	// pointers read from the answer.
	ptr := "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(evil)
	create := generator.Check{ID: "0123456789ac", Method: "POST", Path: "/c/" + evil, OperationID: evil,
		Request: generator.Request{URL: "/c/" + url.PathEscape(evil)}, Expect: generator.Expect{Status: []string{"201"}},
		Chain: &generator.Role{Group: "0123456789ac", Role: generator.RoleCreate}}
	del := generator.Check{ID: "0123456789ad", Method: "DELETE", Path: "/c/{id}", OperationID: evil,
		Request: generator.Request{URL: "/c/1", Path: []generator.Param{{Name: "id", Value: "1"}},
			Headers: []generator.Param{{Name: "X-" + evil, Value: evil}},
			Body:    &generator.Body{ContentType: "application/json", Text: `{"a":1}`}},
		Expect: generator.Expect{Status: []string{"204"}},
		Chain:  &generator.Role{Group: "0123456789ac", Role: generator.RoleDelete},
		Bindings: []generator.Binding{
			{In: "path", Name: "id", Producer: create.ID, Operation: evil, From: "$response.header.Location", Origin: "inferred"},
			{In: "header", Name: "X-" + evil, Producer: create.ID, Operation: evil, From: "$response.body#" + ptr, Origin: "inferred"},
			{In: "body", Name: ptr, Producer: create.ID, Operation: evil, From: "$response.header." + evil, Origin: "inferred"},
		}}
	checks = append(checks, create, del)
	var buf bytes.Buffer
	exp, err := WriteK6(&buf, checks, K6Options{Title: evil, BaseURL: "https://api.example.com/" + evil,
		Script: evil, CAFile: evil, Headers: []generator.Param{{Name: evil, Value: evil}}, AllowWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Chains != 1 || len(exp.Left) != 0 {
		t.Errorf("export %+v, want the chain, nothing left out", exp)
	}
	for i, line := range strings.Split(buf.String(), "\n") {
		if code := jsCode(line); strings.Contains(code, "INJECTED") || strings.Contains(code, "</script>") {
			t.Errorf("line %d has spec text outside strings and comments: %s", i+1, line)
		}
	}
	if strings.ContainsAny(buf.String(), "\u2028\u2029") {
		t.Error("a raw line separator is in the script")
	}
	testenv.TypeCheckK6(t, writeScript(t, "hostile.js", buf.Bytes()))
}

func TestExpectedStatuses(t *testing.T) {
	tests := []struct {
		status []string
		skip   []string
		want   string
	}{
		{[]string{"200"}, nil, "200"},
		{[]string{"200", "404"}, nil, "200, 404"},
		{[]string{"201", "2XX"}, nil, "{ min: 200, max: 299 }"},
		{[]string{"200", "default"}, nil, "{ min: 100, max: 499 }"},
		{[]string{"200", "500", "5XX"}, nil, "200"},
		{[]string{"200", "503"}, []string{"not_server_error"}, "200, 503"},
		{[]string{"503"}, nil, "503"},
		{nil, nil, "{ min: 100, max: 499 }"},
		{[]string{"404"}, []string{"status_documented"}, "{ min: 100, max: 499 }"},
		{[]string{"200", "201", "202", "204"}, nil, "{ min: 200, max: 202 }, 204"},
	}
	for _, tc := range tests {
		c := generator.Check{Expect: generator.Expect{Status: tc.status}}
		if got := expectedStatuses(c, tc.skip); got != tc.want {
			t.Errorf("expectedStatuses(%v, skip %v) = %s, want %s", tc.status, tc.skip, got, tc.want)
		}
	}
}

func TestK6Duration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2 * time.Minute: "2m", 90 * time.Second: "1m30s", time.Hour: "1h", 90 * time.Minute: "1h30m",
		20 * time.Second: "20s", 250 * time.Millisecond: "250ms", 1500 * time.Millisecond: "1.5s", 0: "0s",
	} {
		if got := k6Duration(d); got != want {
			t.Errorf("k6Duration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestWriteK6Options(t *testing.T) {
	tests := []struct {
		name string
		opts K6Options
		want string // in the script, or in the error
		err  bool
	}{
		{"defaults", K6Options{}, `vus: 10,` + "\n" + `  duration: "2m",`, false},
		{"ramp", K6Options{VUs: 5, Duration: time.Minute, Ramp: 10 * time.Second},
			`{ duration: "10s", target: 5 },` + "\n" + `    { duration: "40s", target: 5 },` + "\n" + `    { duration: "10s", target: 0 },`, false},
		{"insecure", K6Options{Insecure: true}, "insecureSkipTLSVerify: true,", false},
		{"pause", K6Options{Pause: 1500 * time.Millisecond}, "sleep(1.5);", false},
		{"max", K6Options{Percentile: 100, Latency: time.Second}, `["max<1000"]`, false},
		{"p99.9", K6Options{Percentile: 99.9, Latency: 250 * time.Millisecond}, `["p(99.9)<250"]`, false},
		{"skip latency", K6Options{Latency: time.Second, Skip: []string{"latency"}}, "checks: [\"rate==1\"],\n  },", false},
		{"ramp too long", K6Options{Duration: time.Minute, Ramp: 30 * time.Second}, "ramp 30s", true},
		{"short", K6Options{Duration: time.Millisecond}, "duration 1ms", true},
		{"no users", K6Options{VUs: -1}, "-1 virtual users", true},
		{"percentile", K6Options{Percentile: 101}, "percentile 101", true},
		{"assertion", K6Options{Skip: []string{"speed"}}, `unknown assertion "speed"`, true},
	}
	checks := []generator.Check{{ID: "abc", Method: "GET", Path: "/", Safe: true, Request: generator.Request{URL: "/"}}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := WriteK6(&buf, checks, tc.opts)
			switch {
			case tc.err && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("WriteK6 = %v, want an error with %q", err, tc.want)
			case !tc.err && err != nil:
				t.Fatal(err)
			case !tc.err && !strings.Contains(buf.String(), tc.want):
				t.Errorf("the script lacks %q:\n%s", tc.want, buf.String())
			}
			if tc.name == "defaults" {
				// No base URL: the script requires BASE_URL.
				if !strings.Contains(buf.String(), `const BASE_URL = need("BASE_URL", __ENV.BASE_URL)`) {
					t.Errorf("the script does not require BASE_URL:\n%s", buf.String())
				}
				testenv.TypeCheckK6(t, writeScript(t, "defaults.js", buf.Bytes()))
			}
		})
	}
}

// jsCode returns the code of one line of the script: string literals
// emptied and a // comment dropped. The script's own regular expression
// literal holds no quote, so a plain scan is enough.
func jsCode(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			b.WriteString(`""`)
			for i++; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' {
					i++
				}
			}
		case c == '/' && i+1 < len(line) && line[i+1] == '/':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestJSCode(t *testing.T) {
	for in, want := range map[string]string{
		`a("x\"y", "z") // c`: `a("", "") `,
		`// INJECTED`:         ``,
		`x; INJECTED()`:       `x; INJECTED()`,
		`"a\\" + INJECTED`:    `"" + INJECTED`,
	} {
		if got := jsCode(in); got != want {
			t.Errorf("jsCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkWriteK6 renders the script of GitHub's 1,223 checks with a
// secret header and the run's latency budget per check: safe (the
// default: 639 reads) and with writes (the reads, and the writes of the
// chains, grouped: selection and chains included).
func BenchmarkWriteK6(b *testing.B) {
	raw, err := os.ReadFile(testenv.Spec(b, "github-api.github.com-octokit-openapi-23.0.2.json"))
	if err != nil {
		b.Fatal(err)
	}
	d, err := spec.Load(b.Context(), "-", spec.Options{Stdin: bytes.NewReader(raw), SkipValidation: true})
	if err != nil {
		b.Fatal(err)
	}
	p, err := generator.Generate(d, generator.Options{Headers: []generator.Param{{Name: "Authorization", Value: "token t0ken-value",
		Secret: true, Env: "GH_TOKEN", Template: "token ${GH_TOKEN}"}}})
	if err != nil {
		b.Fatal(err)
	}
	for _, writes := range []bool{false, true} {
		name := "safe"
		if writes {
			name = "writes"
		}
		b.Run(name, func(b *testing.B) {
			opts := K6Options{BaseURL: "https://api.github.com", Latency: 800 * time.Millisecond, Timeout: 10 * time.Second, AllowWrites: writes}
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if _, err := WriteK6(&buf, p.Checks, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "script-bytes")
		})
	}
}

// TestK6PlaceholdersMatchRender runs the script's placeholder helpers
// with node and compares them with generator.Render: a k6 request carries
// the values smoke run would send.
func TestK6PlaceholdersMatchRender(t *testing.T) {
	node := testenv.Need(t, "node")
	now := time.Date(2026, 2, 28, 23, 59, 58, 0, time.UTC)
	var texts []string
	var calls []string
	for _, text := range []string{"${now}", "${now+1h}", "${now-30m}", "${now+1d2h}", "${date}", "${date+1d}", "${time+2s}", "${unix+1h}", "${unixms}", "${unixms-1s}"} {
		p, _, ok := generator.ParsePlaceholder(text)
		if !ok {
			t.Fatalf("%s is not a placeholder", text)
		}
		texts = append(texts, text)
		calls = append(calls, fmt.Sprintf("at(%d, %d, %s)", now.UnixMilli(), int64(p.Offset/time.Second), jsLit(p.Word)))
	}
	// k6/execution's exec, as virtual user vu sees it in iteration it.
	pairs := [][2]int{{1, 0}, {2, 0}, {1, 1}, {300, 46655}, {46657, 0}}
	var tokens []string
	for _, p := range pairs {
		tokens = append(tokens, fmt.Sprintf("(exec.vu = { idInTest: %d, iterationInScenario: %d }, runToken())", p[0], p[1]))
	}
	script := "const exec = { vu: { idInTest: 0, iterationInScenario: 0 } };\n" + k6At + k6RunToken + k6UUID +
		"console.log(JSON.stringify([" + strings.Join(calls, ", ") + "]));\n" +
		"console.log(JSON.stringify([uuidv4(), " + strings.Join(tokens, ", ") + "]));\n"
	out, err := exec.Command(node, "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got, random []string
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &got) != nil || json.Unmarshal([]byte(lines[1]), &random) != nil {
		t.Fatalf("node printed %s", out)
	}
	for i, text := range texts {
		if want := generator.Render(text, generator.Vars{Now: now}); got[i] != want {
			t.Errorf("%s: k6 renders %q, smoke run %q", text, got[i], want)
		}
	}
	if len(random) != 1+len(pairs) {
		t.Fatalf("node printed %s", out)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(random[0]) {
		t.Errorf("uuidv4() = %q, not a version 4 UUID", random[0])
	}
	// A token is shaped as smoke run's (it fits the same schemas) and
	// ends with the virtual user and its iteration: two users' tokens
	// never collide, whatever the random part.
	token := regexp.MustCompile(`^[a-z][a-z0-9]{7}$`)
	for i, want := range []string{"001000", "002000", "001001", "08czzz", "001000"} {
		got := random[1+i]
		if !token.MatchString(got) || !strings.HasSuffix(got, want) {
			t.Errorf("runToken() of user %d, iteration %d = %q, want a token like %s ending in %s", pairs[i][0], pairs[i][1], got, generator.NewRunToken(), want)
		}
	}
}

// TestWriteK6Dynamic: placeholders become code evaluated per request,
// "$${" stays a literal "${", and a rebuilt query escapes only literals.
func TestWriteK6Dynamic(t *testing.T) {
	c := generator.Check{ID: "0123456789ab", Method: "GET", Path: "/a/{name}", Safe: true, Request: generator.Request{
		Dynamic: true,
		URL:     "/a/smoke-${run}?at=${now+1h}&q=a%24%24%7Bx%7D",
		Path:    []generator.Param{{Name: "name", Value: "smoke-${run}"}},
		Query: []generator.Param{{Name: "at", Value: "${now+1h}"}, {Name: "q", Value: "a $${x}"},
			{Name: "api_key", Value: "k-S3cr3t", Secret: true, Template: "${QKEY}", Env: "QKEY"}},
		Headers: []generator.Param{{Name: "X-Request-Id", Value: "${uuid}"}},
		Body:    &generator.Body{ContentType: "application/json", Text: `{"since":"${date-1d}","raw":"$${literal}"}`},
	}}
	var buf bytes.Buffer
	if _, err := WriteK6(&buf, []generator.Check{c}, K6Options{BaseURL: "https://api.example.com"}); err != nil {
		t.Fatal(err)
	}
	script := buf.String()
	for _, want := range []string{
		`const run = runToken();`,
		`const now = Date.now();`,
		`const uuid = uuidv4();`,
		`BASE_URL + "/a/smoke-" + run + "?at=" + at(now, 3600, "now") + "&q=a+%24%7Bx%7D&api_key=" + encodeURIComponent(env["QKEY"])`,
		`"X-Request-Id": uuid,`,
		`"{\"since\":\"" + at(now, -86400, "date") + "\",\"raw\":\"${literal}\"}"`,
		"function at(now, offset, word) {", "function runToken() {", "function uuidv4() {",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %s", want)
		}
	}
	if strings.Contains(script, "k-S3cr3t") {
		t.Error("the secret is in the script")
	}
	testenv.TypeCheckK6(t, writeScript(t, "dynamic.js", buf.Bytes()))
}

// selectionSpec has a chain (a create, its read, update, delete and a
// part under it), a write on an example id, a create without a delete and
// a POST that creates nothing.
const selectionSpec = `openapi: 3.0.3
info: {title: sel, version: "1"}
paths:
  /things:
    post:
      requestBody: {content: {application/json: {schema: {type: object, properties: {name: {type: string}}}}}}
      responses:
        "201":
          description: ok
          headers: {Location: {schema: {type: string}}}
          content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}}}
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}, example: 1}]
    get: {responses: {"200": {description: ok}}}
    put: {responses: {"200": {description: ok}}}
    delete: {responses: {"204": {description: ok}}}
  /things/{id}/parts/{part}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}, example: 1}, {name: part, in: path, required: true, schema: {type: string}, example: wheel}]
    put: {responses: {"200": {description: ok}}}
  /owners/{owner}/things:
    post:
      parameters: [{name: owner, in: path, required: true, schema: {type: integer}, example: 7}]
      responses: {"201": {description: ok}}
  /others/{otherId}:
    put: {parameters: [{name: otherId, in: path, required: true, schema: {type: integer}, example: 3}], responses: {"200": {description: ok}}}
  /reports:
    post: {responses: {"201": {description: ok}}}
  /search:
    post: {responses: {"200": {description: ok}}}
`

// TestWriteK6Selection: with AllowWrites, a write is sent only when this
// iteration created what it writes — a write on an example id, a create
// under an existing parent and a POST that creates nothing are left out,
// with why; a part under a created thing is in its chain; a create
// without a delete is sent with a warning. Filtering the create out
// leaves its chain's writes out too.
func TestWriteK6Selection(t *testing.T) {
	checks := k6Checks(t, []byte(selectionSpec), generator.Options{})
	left := func(exp K6Export) []string {
		var out []string
		for _, l := range exp.Left {
			out = append(out, l.Method+" "+l.Path+": "+l.Reason+" ("+l.Detail+")")
		}
		return out
	}
	var buf bytes.Buffer
	exp, err := WriteK6(&buf, checks, K6Options{BaseURL: "https://api.example.com", AllowWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PUT /others/{otherId}: it would change data smoke did not create (no create of the script gives the resource it writes)",
		`POST /owners/{owner}/things: it would change data smoke did not create (path owner is the plan's "7", not an id this iteration created)`,
		"POST /search: it would change data smoke did not create (no create of the script gives the resource it writes)",
	}
	if diff := cmp.Diff(want, left(exp)); diff != "" {
		t.Errorf("left out (-want +got):\n%s", diff)
	}
	if len(exp.Leaks) != 1 || exp.Leaks[0].Method+" "+exp.Leaks[0].Path != "POST /reports" || exp.Leaks[0].Reason != K6ReasonLeak {
		t.Errorf("leaks %+v, want POST /reports", exp.Leaks)
	}
	script := buf.String()
	for _, want := range []string{
		`group("chain POST /things → DELETE /things/{id} (5 steps)", function () {`,
		`BASE_URL + "/things/" + pathEscape($id) + "/parts/wheel"`,
		`BASE_URL + "/things/" + pathEscape($id !== undefined ? $id : "1")`,
		"// Warning: POST /reports: " + K6ReasonLeak + ".",
		"// 3 writes left out: " + K6ReasonUnchained + ".",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %s", want)
		}
	}
	for _, never := range []string{`"/others/3"`, `"/search"`, `"/owners/7/things"`} {
		if strings.Contains(script, never) {
			t.Errorf("the script sends %s", never)
		}
	}
	testenv.TypeCheckK6(t, writeScript(t, "selection.js", buf.Bytes()))

	// Without the create, nothing of its chain writes; its read stays.
	var rest []generator.Check
	for _, c := range checks {
		if c.Method+" "+c.Path != "POST /things" {
			rest = append(rest, c)
		}
	}
	buf.Reset()
	exp, err = WriteK6(&buf, rest, K6Options{BaseURL: "https://api.example.com", AllowWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range exp.Left {
		names = append(names, l.Method+" "+l.Path)
	}
	wantNames := []string{"PUT /others/{otherId}", "POST /owners/{owner}/things", "POST /search", "PUT /things/{id}", "DELETE /things/{id}", "PUT /things/{id}/parts/{part}"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("left out without the create (-want +got):\n%s", diff)
	}
	if !strings.Contains(buf.String(), `http.request("GET", BASE_URL + "/things/1", null, {`) {
		t.Error("the read does not keep its static value")
	}

	// Without AllowWrites every write is left out for that reason.
	buf.Reset()
	exp, err = WriteK6(&buf, checks, K6Options{BaseURL: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Checks != 1 || len(exp.Left) != 8 || exp.Left[0].Reason != K6ReasonWrites {
		t.Errorf("export %+v, want the one read, 8 writes left out", exp)
	}
}

// TestWriteK6ChainDynamicBody: a bound value goes into a dynamic JSON
// body whose template does not parse as JSON (an unquoted ${unix}), as
// the runner puts it into the rendered body; a value the producer sent
// ($request) is rendered from the producer's own template, with the
// producer's placeholder constants.
func TestWriteK6ChainDynamicBody(t *testing.T) {
	create := generator.Check{ID: "c0", Method: "POST", Path: "/leases", Request: generator.Request{URL: "/leases", Dynamic: true,
		Body: &generator.Body{ContentType: "application/json", Text: `{"name":"smoke-${run}","at":${unix+1h}}`}},
		Expect: generator.Expect{Status: []string{"201"}}}
	create.Chain = &generator.Role{Group: "c0", Role: generator.RoleCreate}
	renew := generator.Check{ID: "c1", Method: "POST", Path: "/leases/renew", Request: generator.Request{URL: "/leases/renew", Dynamic: true,
		Body: &generator.Body{ContentType: "application/json", Text: `{"id":0,"until":${unix+2h},"name":"x"}`}},
		Expect: generator.Expect{Status: []string{"200"}},
		Bindings: []generator.Binding{
			{In: "body", Name: "/id", Producer: "c0", Operation: "POST /leases", From: "$response.body#/ID", Origin: "inferred"},
			{In: "body", Name: "/name", Producer: "c0", Operation: "POST /leases", From: "$request.body#/name", Origin: "inferred"},
		},
		Chain: &generator.Role{Group: "c0", Role: generator.RoleUse}}
	revoke := generator.Check{ID: "c2", Method: "POST", Path: "/leases/revoke", Request: generator.Request{URL: "/leases/revoke",
		Body: &generator.Body{ContentType: "application/x-www-form-urlencoded", Text: "id=0"}},
		Expect:   generator.Expect{Status: []string{"200"}},
		Bindings: []generator.Binding{{In: "body", Name: "/id", Producer: "c0", Operation: "POST /leases", From: "$response.body#/ID", Origin: "inferred"}},
		Chain:    &generator.Role{Group: "c0", Role: generator.RoleDelete}}
	var buf bytes.Buffer
	exp, err := WriteK6(&buf, []generator.Check{create, renew, revoke}, K6Options{BaseURL: "https://api.example.com", AllowWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Chains != 1 || len(exp.Left) != 0 {
		t.Fatalf("export %+v, want one chain, nothing left out", exp)
	}
	script := buf.String()
	for _, want := range []string{
		// The producer's name, rendered with the iteration's run token.
		`$name = "smoke-" + run;`,
		`$id = pick(doc, ["ID"]);`,
		`if ($id !== undefined && $name !== undefined) {`,
		// The template's unquoted ${unix+2h} stays a number.
		`"{\"id\":" + asJSON($id, "number") + ",\"name\":" + asJSON($name, "string") + ",\"until\":" + at(now, 7200, "unix") + "}"`,
		`"id=" + queryEscape($id)`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %s", want)
		}
	}
	testenv.TypeCheckK6(t, writeScript(t, "dynamic-chain.js", buf.Bytes()))
}
