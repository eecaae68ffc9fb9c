package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
)

// TestResolveInit shows where smoke init takes its settings from (flag >
// environment > default; there is no smoke.yaml to read) and that every
// refusal names the flag or variable and exits 2 before the spec is read.
func TestResolveInit(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("taken.yaml", []byte("service: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("sub", 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    initSettings
		wantErr string
	}{
		{name: "defaults", args: []string{"--spec", "api.yaml"},
			want: initSettings{output: "smoke.yaml", specRef: "api.yaml"}},
		{name: "flags", args: []string{"-s", "specs/api.yaml", "-o", "sub/smoke.yaml", "--service", " orders "},
			want: initSettings{output: "sub/smoke.yaml", specRef: "../specs/api.yaml", service: "orders"}},
		{name: "environment", env: map[string]string{"SMOKE_SPEC": "api.yaml", "SMOKE_CONFIG": "sub/ci.yaml"},
			want: initSettings{output: "sub/ci.yaml", specRef: "../api.yaml"}},
		{name: "flags over environment", env: map[string]string{"SMOKE_SPEC": "env.yaml", "SMOKE_CONFIG": "taken.yaml"},
			args: []string{"--spec", "https://api.example.com/openapi.json", "--output", "-"},
			want: initSettings{output: "-", specRef: "https://api.example.com/openapi.json"}},
		{name: "stdin spec", args: []string{"--spec", "-", "-o", "-"},
			want: initSettings{output: "-"}},
		{name: "no spec", wantErr: "no spec given"},
		{name: "existing file", args: []string{"--spec", "api.yaml", "--output", "taken.yaml"},
			wantErr: "taken.yaml already exists: smoke init never overwrites a file"},
		{name: "existing file named by the environment", env: map[string]string{"SMOKE_CONFIG": "taken.yaml"}, args: []string{"--spec", "api.yaml"},
			wantErr: "taken.yaml already exists: smoke init never overwrites a file"},
		{name: "existing directory", args: []string{"--spec", "api.yaml", "--output", "sub"},
			wantErr: "sub already exists: smoke init never overwrites a file"},
		{name: "missing directory", args: []string{"--spec", "api.yaml", "--output", "nope/smoke.yaml"},
			wantErr: "--output nope/smoke.yaml: no such file or directory"},
		{name: "missing directory named by the environment", env: map[string]string{"SMOKE_CONFIG": "nope/smoke.yaml"}, args: []string{"--spec", "api.yaml"},
			wantErr: "SMOKE_CONFIG nope/smoke.yaml: no such file or directory"},
		{name: "file as directory", args: []string{"--spec", "api.yaml", "--output", "taken.yaml/smoke.yaml"},
			wantErr: "--output taken.yaml/smoke.yaml: not a directory"},
		{name: "empty service", args: []string{"--spec", "api.yaml", "--service", " "},
			wantErr: `--service "": want a name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := &Env{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(k string) string { return tc.env[k] }}
			var got initSettings
			var rerr error
			cmd := newInitCmdF(env, func(_ context.Context, env *Env, o initOptions) error {
				got, rerr = resolveInit(env, o)
				return nil
			})
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			cmd.SetArgs(tc.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != "" {
				if rerr == nil || rerr.Error() != tc.wantErr || exitCode(rerr) != exitUsage {
					t.Fatalf("resolveInit error = %v (exit %d), want %q (exit 2)", rerr, exitCode(rerr), tc.wantErr)
				}
				return
			}
			if rerr != nil {
				t.Fatalf("resolveInit: %v", rerr)
			}
			if got.output != tc.want.output || got.specRef != tc.want.specRef || got.service != tc.want.service {
				t.Errorf("resolveInit = output %q, spec %q, service %q; want %q, %q, %q",
					got.output, got.specRef, got.service, tc.want.output, tc.want.specRef, tc.want.service)
			}
		})
	}
}

func TestEnvBase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"petstore_auth", "PETSTORE_AUTH"},
		{"bearerAuth", "BEARER_AUTH"},
		{"ApiKeyAuth", "API_KEY_AUTH"},
		{"HTTPBasic", "HTTP_BASIC"},
		{"TOTPHeader", "TOTP_HEADER"},
		{"oauth2", "OAUTH2"},
		{"api-key.v2", "API_KEY_V2"},
		{"  spaced  name ", "SPACED_NAME"},
		{"2fa", "AUTH_2FA"},
		{"_private", "PRIVATE"},
		{"clé", "CL"},
		{"--", "AUTH"},
		{"", "AUTH"},
	}
	for _, tc := range tests {
		if got := envBase(tc.in); got != tc.want {
			t.Errorf("envBase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSchemeVariables(t *testing.T) {
	taken := map[string]bool{}
	got := [][]string{
		schemeVariables("api_key", spec.SecurityScheme{}, taken),
		schemeVariables("api-key", spec.SecurityScheme{}, taken),
		schemeVariables("Token", spec.SecurityScheme{}, taken),
		schemeVariables("AuthorizationHeaderToken", spec.SecurityScheme{}, taken),
	}
	want := [][]string{{"API_KEY_TOKEN"}, {"API_KEY_2_TOKEN"}, {"TOKEN"}, {"AUTHORIZATION_HEADER_TOKEN"}}
	for i := range want {
		if strings.Join(got[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("variables %d = %v, want %v", i, got[i], want[i])
		}
	}
	for _, vs := range got {
		for _, v := range vs {
			if refs := generator.EnvRefs("${" + v + "}"); len(refs) != 1 || refs[0] != v {
				t.Errorf("%q is not a variable name ${...} accepts", v)
			}
		}
	}
}

// FuzzYAMLScalar: whatever the text, the scalar reads back as that text
// (or, for a small integer, as the number whose text it is).
func FuzzYAMLScalar(f *testing.F) {
	for _, s := range []string{"", "1", "-0", "007", "1e3", "true", "Yes", "null", "~", ".inf", "http://x:1", "a: b", "#x", "- x",
		"${TOKEN}", "${A}b", "line\nbreak", "tab\t", "quote\"", "\\", "\u2028", "\u0085", "\x7f", "\x01", "\ufffe", "\ufeffbom", "é", "{a}", "[1]", "&anchor", "*alias", "!tag", "%", "@", "`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !isUTF8(s) {
			return // YAML documents are text
		}
		var got map[string]any
		doc := "k: " + yamlScalar(s) + "\n"
		if err := yaml.Unmarshal([]byte(doc), &got); err != nil {
			t.Fatalf("yamlScalar(%q) = %s: %v", s, yamlScalar(s), err)
		}
		switch v := got["k"].(type) {
		case string:
			if v != s {
				t.Fatalf("yamlScalar(%q) reads back as %q", s, v)
			}
		case int:
			if stringMap(map[string]any{"k": v})["k"] != s {
				t.Fatalf("yamlScalar(%q) reads back as %d", s, v)
			}
		default:
			t.Fatalf("yamlScalar(%q) = %s reads back as %T %v", s, yamlScalar(s), v, v)
		}
	})
}

func isUTF8(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s }

// TestInitHostileSpec: text from the spec (title, descriptions, scheme
// names, operationIds, paths) cannot add keys to the written file or
// break it.
func TestInitHostileSpec(t *testing.T) {
	dir := t.TempDir()
	api := `openapi: 3.0.3
info: {title: "evil\nservice: pwned\n", version: "1\r\nread_only: true"}
servers:
  - {url: "https://api.example.com/v1", description: "prod\nbase_url: http://attacker.example\u2028x"}
  - {url: "https://api.example.com/v1", description: "prod\nbase_url: http://attacker.example\u2028x"}
paths:
  "/things/{id}\n#x":
    delete:
      operationId: "del: x\nread_only: true #"
      summary: "sum\nrun: {rate: 1}"
      parameters: [{name: "id\"\n: x", in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: gone}}
    get:
      operationId: "get: x\nread_only: true #"
      parameters: [{name: "id\"\n: x", in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
security: [{"weird: \"name\"\n": []}]
components:
  securitySchemes:
    "weird: \"name\"\n": {type: apiKey, in: header, name: "X-Key\nauth: x"}
`
	specPath := filepath.Join(dir, "api.yaml")
	if err := os.WriteFile(specPath, []byte(api), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "smoke.yaml")
	_, stderr, code := cli(t, nil, "", "init", "--spec", specPath, "--output", out)
	if code != 0 {
		t.Fatalf("init exited %d: %s", code, stderr)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(out)
	if err != nil {
		t.Fatalf("written file does not load: %v\n%s", err, text)
	}
	var top map[string]any
	if err := yaml.Unmarshal(text, &top); err != nil {
		t.Fatal(err)
	}
	for k := range top {
		if k != "service" && k != "spec" && k != "environments" && k != "auth" {
			t.Errorf("written file has key %q:\n%s", k, text)
		}
	}
	if cfg.Service != "evil-service-pwned-1-read-only-true" && cfg.Service != "evil-service-pwned" {
		t.Errorf("service = %q", cfg.Service)
	}
	if cfg.ReadOnly || cfg.BaseURL != "" {
		t.Errorf("spec text set read_only/base_url:\n%s", text)
	}
	if len(cfg.Environments) != 2 || cfg.Environments["api-example-com"].BaseURL != "https://api.example.com/v1" {
		t.Errorf("environments = %v", cfg.Environments)
	}
	a, ok := cfg.Auth["weird: \"name\"\n"]
	if !ok || a.Token != "${WEIRD_NAME_TOKEN}" || len(cfg.Auth) != 1 {
		t.Errorf("auth = %#v", cfg.Auth)
	}
}

// TestInitCorpus runs smoke init on every spec of the shared corpus and
// the example service: the written file loads with no warning of its own
// (smoke plan prints what it prints without it), and smoke run with it
// sends every check to a catch-all server.
func TestInitCorpus(t *testing.T) {
	dir := testenv.SpecsDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	example := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(example, petstore.Spec, 0o644); err != nil {
		t.Fatal(err)
	}
	specs := []string{example}
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".json")) && n != "counts.json" {
			specs = append(specs, filepath.Join(dir, n))
		}
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	for _, sp := range specs {
		t.Run(filepath.Base(sp), func(t *testing.T) {
			testenv.SkipBig(t, sp)

			out := filepath.Join(t.TempDir(), "smoke.yaml")
			_, stderr, code := cli(t, nil, "", "init", "--spec", sp, "--output", out)
			if code != 0 {
				t.Fatalf("init exited %d: %s", code, stderr)
			}
			text, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := config.Load(out); err != nil {
				t.Fatalf("written file does not load: %v", err)
			}
			// Every variable the file names, commented or not, is set.
			env := map[string]string{}
			for _, v := range generator.EnvRefs(string(text)) {
				env[v] = "value-of-" + v
			}

			_, bare, code := cli(t, env, "", "plan", "--spec", sp, "--format", "json")
			if code != 0 {
				t.Fatalf("plan without the file exited %d: %s", code, bare)
			}
			planOut, withFile, code := cli(t, env, "", "plan", "--config", out, "--format", "json")
			if code != 0 {
				t.Fatalf("plan --config exited %d: %s", code, withFile)
			}
			if withFile != bare {
				t.Errorf("the written file adds warnings:\n%s\nwithout it:\n%s\nfile:\n%s", withFile, bare, text)
			}
			var plan struct {
				Checks []struct {
					Notes []string `json:"notes"`
				} `json:"checks"`
				Graph struct {
					Groups []struct {
						Again []string `json:"again"`
					} `json:"groups"`
				} `json:"graph"`
			}
			if err := json.Unmarshal([]byte(planOut), &plan); err != nil {
				t.Fatal(err)
			}
			for i, c := range plan.Checks {
				for _, n := range c.Notes {
					if strings.Contains(n, "needs credentials") {
						t.Errorf("check %d: %s", i, n)
					}
				}
			}

			before := hits.Load()
			runOut, runErr, code := cli(t, env, "", "run", "--config", out, "--base-url", srv.URL, "--format", "json")
			if code != exitOK && code != exitFindings {
				t.Fatalf("run exited %d: %s", code, runErr)
			}
			var rep struct {
				Summary struct{ Total, Errored, Skipped int } `json:"summary"`
				Results []struct {
					Method, Path, Outcome, Reason string
				} `json:"results"`
			}
			if err := json.Unmarshal([]byte(runOut), &rep); err != nil {
				t.Fatal(err)
			}
			// Every check is sent, but for the writes whose id would
			// have to come from a create: the catch-all's {} names
			// nothing, and a write never goes out with a made-up id.
			withheld := 0
			for _, r := range rep.Results {
				if r.Outcome != "skipped" {
					continue
				}
				if r.Reason != "no_value" || r.Method == "GET" || r.Method == "HEAD" {
					t.Errorf("%s %s: skipped (%s), want sent", r.Method, r.Path, r.Reason)
				}
				withheld++
			}
			// A group's second delete is sent on a resource created
			// again for it: one more request each.
			again := 0
			for _, g := range plan.Graph.Groups {
				again += len(g.Again)
			}
			sent := int(hits.Load() - before)
			if sent+withheld != len(plan.Checks)+again || rep.Summary.Total != len(plan.Checks) || rep.Summary.Errored > 0 || rep.Summary.Skipped != withheld {
				t.Errorf("run sent %d requests (%d creates again) and withheld %d writes for %d checks (summary %+v)", sent, again, withheld, len(plan.Checks), rep.Summary)
			}
		})
	}
}

// TestInitRunBlock: the commented run: block smoke init writes is real
// smoke.yaml — uncommented, it loads, and says what it shows.
func TestInitRunBlock(t *testing.T) {
	dir := t.TempDir()
	sp := filepath.Join(dir, "petstore.yaml")
	if err := os.WriteFile(sp, petstore.Spec, 0o644); err != nil {
		t.Fatal(err)
	}
	block := initBlock(t, sp, "# run:")
	out := filepath.Join(dir, "smoke.yaml")
	if err := os.WriteFile(out, []byte(strings.Join(block, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(out)
	if err != nil {
		t.Fatalf("the run: block does not load: %v\n%s", err, strings.Join(block, "\n"))
	}
	if c.Run.FailOn != "failed" || c.Run.Baseline != "smoke-baseline.yaml" || c.Run.LatencyMS != 500 {
		t.Errorf("run: block loads as %+v", c.Run)
	}
}

// TestInitParameters: a path parameter invented in several operations
// that no create gives (a parent scope) is offered as one parameters:
// line; uncommented, with a real value, it loads without warnings and
// every such operation sends it.
func TestInitParameters(t *testing.T) {
	dir := t.TempDir()
	sp := filepath.Join(dir, "api.yaml")
	doc := `openapi: 3.0.3
info: {title: Scoped, version: "1"}
paths:
  /servers/{server_id}/zones:
    parameters: [{name: server_id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: list}}}
    post: {responses: {"201": {description: created, content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}}}}
  /servers/{server_id}/zones/{zone_id}:
    parameters:
      - {name: server_id, in: path, required: true, schema: {type: string}}
      - {name: zone_id, in: path, required: true, schema: {type: string}}
    get: {responses: {"200": {description: one}}}
    delete: {responses: {"204": {description: gone}}}
`
	if err := os.WriteFile(sp, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	block := initBlock(t, sp, "# parameters:")
	// zone_id comes from the create: it is no parameter to fix.
	if len(block) != 2 || !strings.HasPrefix(block[1], "  server_id: ") || !strings.Contains(block[1], "in 4 operations") {
		t.Fatalf("parameters block %q, want server_id alone, in 4 operations", block)
	}
	cfg := filepath.Join(dir, "smoke.yaml")
	if err := os.WriteFile(cfg, []byte("parameters:\n  server_id: localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := cli(t, nil, "", "plan", "--spec", sp, "--config", cfg, "--format", "json")
	if code != 0 || stderr != "" {
		t.Fatalf("plan exited %d: %s", code, stderr)
	}
	var plan struct {
		Checks []struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Checks {
		if !strings.HasPrefix(c.Request.URL, "/servers/localhost/zones") {
			t.Errorf("url %s, want server_id from parameters:", c.Request.URL)
		}
	}
}

// initBlock runs smoke init on the spec at sp and returns the commented
// block that starts at the line header, uncommented, up to the blank line
// that ends it.
func initBlock(t *testing.T, sp, header string) []string {
	t.Helper()
	text, stderr, code := cli(t, nil, "", "init", "--spec", sp, "--output", "-")
	if code != 0 {
		t.Fatalf("init exited %d: %s", code, stderr)
	}
	var block []string
	in := false
	for _, l := range strings.Split(text, "\n") {
		switch {
		case l == header:
			in = true
		case in && l == "":
			in = false
		}
		if in {
			block = append(block, strings.TrimPrefix(l, "# "))
		}
	}
	return block
}
