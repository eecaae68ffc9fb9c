package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/internal/testenv"
)

// action is the part of action.yml a runner reads.
type action struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Author      string            `yaml:"author"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
		Required    bool   `yaml:"required"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Shell            string            `yaml:"shell"`
	Env              map[string]string `yaml:"env"`
	Run              string            `yaml:"run"`
	WorkingDirectory string            `yaml:"working-directory"`
}

func loadAction(t *testing.T) (action, string) {
	t.Helper()
	root := testenv.RepoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a, root
}

// actionRun runs the run: steps of action.yml as a GitHub runner does
// (bash --noprofile --norc -eo pipefail, the step's env and working
// directory, GITHUB_PATH, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files),
// with every GitHub directory in a temporary one. The uses: steps are
// the runner's (setup-go, upload-artifact) and are only checked.
type actionRun struct {
	t         *testing.T
	a         action
	root      string
	workspace string
	temp      string
	summary   string
	paths     []string
	env       map[string]string
	inputs    map[string]string
	outputs   map[string]map[string]string
	log       strings.Builder
}

func newActionRun(t *testing.T, inputs, env map[string]string) *actionRun {
	a, root := loadAction(t)
	dir := t.TempDir()
	r := &actionRun{t: t, a: a, root: root, workspace: filepath.Join(dir, "workspace"), temp: filepath.Join(dir, "runner-temp"),
		summary: filepath.Join(dir, "step-summary.md"), env: env, inputs: inputs, outputs: map[string]map[string]string{}}
	for _, d := range []string{r.workspace, r.temp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// expand evaluates the expressions the action uses; any other is an
// error, so the test cannot drift from what the file says.
func (r *actionRun) expand(s string) string {
	return expression.ReplaceAllStringFunc(s, func(m string) string {
		e := expression.FindStringSubmatch(m)[1]
		switch {
		case strings.HasPrefix(e, "inputs."):
			name := strings.TrimPrefix(e, "inputs.")
			in, ok := r.a.Inputs[name]
			if !ok {
				r.t.Fatalf("action.yml refers to an undeclared input %q", name)
			}
			if v, ok := r.inputs[name]; ok {
				return v
			}
			return in.Default
		case e == "github.action_path":
			return r.root
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".")
			if len(parts) != 4 || parts[2] != "outputs" {
				r.t.Fatalf("unsupported expression %q", e)
			}
			return r.outputs[parts[1]][parts[3]]
		}
		r.t.Fatalf("unsupported expression %q in action.yml", e)
		return ""
	})
}

// step runs one run: step and returns its exit code.
func (r *actionRun) step(s actionStep) int {
	t := r.t
	if s.Shell != "bash" {
		t.Fatalf("step %q: shell %q, want bash (composite steps must name one)", s.Name, s.Shell)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "step.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
		t.Fatal(err)
	}
	output, pathFile := filepath.Join(dir, "output"), filepath.Join(dir, "path")
	for _, f := range []string{output, pathFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = r.workspace
	if s.WorkingDirectory != "" {
		cmd.Dir = filepath.Join(r.workspace, r.expand(s.WorkingDirectory))
	}
	env := map[string]string{
		"PATH":                strings.Join(append(append([]string(nil), r.paths...), os.Getenv("PATH")), string(os.PathListSeparator)),
		"HOME":                os.Getenv("HOME"),
		"GITHUB_ACTION_PATH":  r.root,
		"GITHUB_WORKSPACE":    r.workspace,
		"GITHUB_STEP_SUMMARY": r.summary,
		"GITHUB_OUTPUT":       output,
		"GITHUB_PATH":         pathFile,
		"RUNNER_TEMP":         r.temp,
		"CI":                  "true",
		"NO_COLOR":            "1",
	}
	for _, k := range []string{"GOCACHE", "GOROOT", "GOMODCACHE", "GOFLAGS", "GOTOOLCHAIN", "GOPATH", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	for k, v := range r.env {
		env[k] = v
	}
	for k, v := range s.Env {
		env[k] = r.expand(v)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	fmt.Fprintf(&r.log, "== %s\n%s", s.Name, out)
	code := 0
	if err != nil {
		ee, ok := errors.AsType[*exec.ExitError](err)
		if !ok {
			t.Fatalf("step %q: %v", s.Name, err)
		}
		code = ee.ExitCode()
	}
	lines := func(p string) []string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	// GITHUB_PATH entries come first in later steps' PATH, the latest first.
	for _, p := range lines(pathFile) {
		r.paths = append([]string{p}, r.paths...)
	}
	if s.ID != "" {
		r.outputs[s.ID] = map[string]string{}
		for _, l := range lines(output) {
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				t.Fatalf("step %q: GITHUB_OUTPUT line %q is not name=value", s.Name, l)
			}
			r.outputs[s.ID][k] = v
		}
	}
	return code
}

// runAll runs every run: step in order, as the runner would with the
// action's if: conditions (a failed step stops the run: steps after it,
// upload-artifact's always() aside). It returns the first non-zero exit
// code.
func (r *actionRun) runAll() int {
	for _, s := range r.a.Runs.Steps {
		if s.Uses != "" {
			continue
		}
		if s.If != "" {
			r.t.Fatalf("step %q: a run: step with if: %q is not emulated", s.Name, s.If)
		}
		if code := r.step(s); code != 0 {
			return code
		}
	}
	return 0
}

// TestActionShape checks what the runner does for us: the uses: steps
// and the outputs wire to the run: steps' outputs.
func TestActionShape(t *testing.T) {
	a, _ := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	if !a.Inputs["command"].Required {
		t.Error("the command input is not required")
	}
	if a.Name == "" || a.Description == "" {
		t.Error("the action has no name or description (the Marketplace needs both)")
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	for name, out := range a.Outputs {
		if out.Description == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	var setup, upload *actionStep
	for i, s := range a.Runs.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "actions/setup-go@"):
			setup = &a.Runs.Steps[i]
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			upload = &a.Runs.Steps[i]
		case s.Uses != "":
			t.Errorf("step %q uses %s: only setup-go and upload-artifact are expected", s.Name, s.Uses)
		}
	}
	if setup == nil || setup.With["go-version-file"] != "${{ github.action_path }}/go.mod" || setup.If != "inputs.setup-go == 'true'" {
		t.Errorf("setup-go step = %+v", setup)
	}
	if upload == nil || upload.Uses != "actions/upload-artifact@v4" || upload.With["path"] != "${{ steps.smoke.outputs.report-dir }}" ||
		!strings.HasPrefix(upload.If, "always()") || upload.With["name"] != "${{ inputs.artifact-name }}" {
		t.Errorf("upload-artifact step = %+v", upload)
	}
	for name, want := range map[string]string{"exit-code": "${{ steps.smoke.outputs.exit-code }}", "report-dir": "${{ steps.smoke.outputs.report-dir }}"} {
		if a.Outputs[name].Value != want {
			t.Errorf("output %s = %q, want %q", name, a.Outputs[name].Value, want)
		}
	}
}

// TestActionRun runs the action's scripts against the example service:
// smoke is installed from this checkout with go install, run with the
// command input, and its Markdown report lands in the step summary, its
// JSON and JUnit in the report directory that is uploaded, and its exit
// code in the outputs and the step's status.
func TestActionRun(t *testing.T) {
	testenv.Need(t, "bash")
	if testing.Short() {
		t.Skip("go install builds smoke; -short skips it")
	}
	v1 := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	defer v1.Close()
	v2 := httptest.NewServer(petstore.New(petstore.Options{Version: 2}))
	defer v2.Close()

	gobin := filepath.Join(t.TempDir(), "bin")
	// GOPROXY=off: the install builds from the module cache, offline.
	env := map[string]string{"GOBIN": gobin, "GOPROXY": "off"}
	r := newActionRun(t, map[string]string{
		"command":           fmt.Sprintf(`run --spec openapi.yaml --base-url %s --exclude 'GET /health'`, v1.URL),
		"working-directory": "service",
	}, env)
	if err := os.MkdirAll(filepath.Join(r.workspace, "service"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.workspace, "service", "openapi.yaml"), petstore.Spec, 0o644); err != nil {
		t.Fatal(err)
	}
	// Version 1 answers GET /stats with a 500: a finding, exit 1.
	if code := r.runAll(); code != 1 {
		t.Fatalf("the action exited %d, want 1:\n%s", code, r.log.String())
	}
	if _, err := os.Stat(filepath.Join(gobin, "smoke")); err != nil {
		t.Errorf("smoke was not installed into GOBIN: %v", err)
	}
	log := r.log.String()
	if !strings.Contains(log, "revision  ") || !strings.Contains(log, "\ngo        go1.") {
		t.Errorf("the install step did not print smoke version:\n%s", log)
	}
	out := r.outputs["smoke"]
	if out["exit-code"] != "1" {
		t.Errorf("exit-code output = %q, want 1", out["exit-code"])
	}
	dir := out["report-dir"]
	if !strings.HasPrefix(dir, r.temp+string(os.PathSeparator)) {
		t.Errorf("report-dir %q is not under RUNNER_TEMP", dir)
	}
	summary, err := os.ReadFile(r.summary)
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(summary) != string(md) || !strings.Contains(string(summary), "GET /stats") || strings.Contains(string(summary), "GET /health") {
		t.Errorf("step summary:\n%s", summary)
	}
	for _, f := range []string{"smoke.json", "smoke.xml", "smoke.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !strings.Contains(string(b), "getStats") {
			t.Errorf("%s: %v\n%s", f, err, b)
		}
	}

	// A diff in the same job: the summary grows, the HTML report joins
	// the JSON.
	r.inputs["command"] = fmt.Sprintf("smoke diff --spec openapi.yaml --old %s --new %s", v1.URL, v2.URL)
	before := len(summary)
	for _, s := range r.a.Runs.Steps {
		if s.ID == "smoke" {
			if code := r.step(s); code != 1 {
				t.Errorf("diff exited %d, want 1 (v2 drops a field):\n%s", code, r.log.String())
			}
		}
	}
	summary, _ = os.ReadFile(r.summary)
	if len(summary) <= before || !strings.Contains(string(summary[before:]), "regression") {
		t.Errorf("the diff's summary was not appended:\n%s", summary[before:])
	}
	if _, err := os.Stat(filepath.Join(r.outputs["smoke"]["report-dir"], "parity.html")); err != nil {
		t.Errorf("parity.html: %v", err)
	}

	// A command line that is not one: exit 2 and an annotation.
	r.inputs["command"] = `run --spec 'openapi.yaml`
	for _, s := range r.a.Runs.Steps {
		if s.ID == "smoke" {
			if code := r.step(s); code != 2 {
				t.Errorf("a broken command exited %d, want 2", code)
			}
		}
	}
	if !strings.Contains(r.log.String(), "::error title=smoke::the command input is not a valid command line") {
		t.Errorf("no annotation for a broken command:\n%s", r.log.String())
	}
}

// TestActionInstallRef runs the install step with a ref, as
// "go install github.com/smoke-dev/smoke/cmd/smoke@REF" runs it: the
// module proxy is a directory that serves this checkout's HEAD as a
// pseudo-version (the dependencies come from the module cache), and smoke
// version then reports HEAD's revision. Nothing leaves the machine, and
// the module cache the install fills is a temporary one.
func TestActionInstallRef(t *testing.T) {
	testenv.Need(t, "bash")
	git := testenv.Need(t, "git")
	if testing.Short() {
		t.Skip("go install builds smoke; -short skips it")
	}
	_, root := loadAction(t)
	head, err := exec.Command(git, "-C", root, "log", "-1", "--format=%H %ct").Output()
	if err != nil {
		testenv.Missing(t, "this checkout is not a git repository: %v", err)
	}
	rev, ct, _ := strings.Cut(strings.TrimSpace(string(head)), " ")
	var secs int64
	fmt.Sscan(ct, &secs)
	when := time.Unix(secs, 0).UTC()
	version := "v0.0.0-" + when.Format("20060102150405") + "-" + rev[:12]

	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	proxy := filepath.Join(tmp, "proxy")
	at := filepath.Join(proxy, "github.com", "smoke-dev", "smoke", "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := exec.Command(git, "-C", root, "show", "HEAD:go.mod").Output()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"list":            version + "\n",
		version + ".info": fmt.Sprintf(`{"Version":%q,"Time":%q}`, version, when.Format(time.RFC3339)),
		version + ".mod":  string(gomod),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(at, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(git, "-C", root, "archive", "--format=zip", "--prefix=github.com/smoke-dev/smoke@"+version+"/",
		"-o", filepath.Join(at, version+".zip"), "HEAD").CombinedOutput(); err != nil {
		t.Fatalf("git archive: %v\n%s", err, out)
	}

	gobin := filepath.Join(tmp, "bin")
	r := newActionRun(t, map[string]string{"ref": version, "command": "version"}, map[string]string{
		"GOBIN":      gobin,
		"GOMODCACHE": filepath.Join(tmp, "modcache"),
		"GOFLAGS":    "-modcacherw -trimpath", // -trimpath: the build cache serves the dependencies whatever the module cache
		"GOPROXY":    "file://" + proxy + ",file://" + filepath.Join(strings.TrimSpace(string(modcache)), "cache", "download"),
		"GOSUMDB":    "off",
	})
	for _, s := range r.a.Runs.Steps {
		if s.Name == "Install smoke" {
			if code := r.step(s); code != 0 {
				t.Fatalf("install exited %d:\n%s", code, r.log.String())
			}
		}
	}
	out, err := exec.Command(filepath.Join(gobin, "smoke"), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("smoke %s\nrevision  %s\ntime      %s\nmodified  false\n", version, rev[:12], when.Format(time.RFC3339))
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("smoke version after go install @%s:\n%s\nwant it to start:\n%s", version, out, want)
	}
}
