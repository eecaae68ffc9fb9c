package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/examples/petstore"
)

func TestResolveReports(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw     []string
		output  string
		want    []extraReport
		wantErr string
	}{
		{raw: nil},
		{raw: []string{"junit=" + dir + "/s.xml", " markdown = " + dir + "/s.md"}, output: dir + "/s.json",
			want: []extraReport{{"junit", dir + "/s.xml"}, {"markdown", dir + "/s.md"}}},
		{raw: []string{"junit"}, wantErr: `--report "junit": want FORMAT=FILE, e.g. junit=smoke.xml`},
		{raw: []string{"xml=a.xml"}, wantErr: `--report "xml=a.xml": format "xml": want one of ` + strings.Join(runFormats, ", ")},
		{raw: []string{"json=-"}, wantErr: `--report "json=-": a file, not stdout (stdout is --output's)`},
		{raw: []string{"json=" + dir + "/s.json"}, output: dir + "/./s.json", wantErr: `--report "json=` + dir + `/s.json": ` + dir + `/s.json is written twice`},
		{raw: []string{"json=a.json", "junit=a.json"}, wantErr: `--report "junit=a.json": a.json is written twice`},
		{raw: []string{"json=nope/a.json"}, wantErr: `--report "json=nope/a.json": no such file or directory`},
		{raw: []string{"json=" + file + "/a.json"}, wantErr: `--report "json=` + file + `/a.json": ` + file + ` is not a directory`},
		{raw: []string{"json=" + dir}, wantErr: `--report "json=` + dir + `": ` + dir + ` is a directory`},
	}
	for _, tc := range tests {
		got, err := resolveReports(tc.raw, runFormats, tc.output)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr || exitCode(err) != exitUsage {
				t.Errorf("resolveReports(%q) error = %v, want %q (exit 2)", tc.raw, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("resolveReports(%q): %v", tc.raw, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(extraReport{})); diff != "" {
			t.Errorf("resolveReports(%q) (-want +got):\n%s", tc.raw, diff)
		}
	}
}

// TestRunReports: one run writes its main report and every --report from
// the same results, sending each check once.
func TestRunReports(t *testing.T) {
	var hits atomic.Int64
	h := petstore.New(petstore.Options{Version: 1})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(spec, petstore.Spec, 0o644); err != nil {
		t.Fatal(err)
	}
	j, x, md := filepath.Join(dir, "smoke.json"), filepath.Join(dir, "smoke.xml"), filepath.Join(dir, "summary.md")
	stdout, stderr, code := cli(t, nil, "", "run", "--spec", spec, "--base-url", srv.URL, "--format", "text",
		"--report", "json="+j, "--report", "junit="+x, "--report", "markdown="+md)
	if code != exitFindings { // version 1 answers GET /stats with a 500
		t.Fatalf("run exited %d: %s", code, stderr)
	}
	var rep struct {
		Summary struct{ Total, Failed int } `json:"summary"`
	}
	if b, err := os.ReadFile(j); err != nil || json.Unmarshal(b, &rep) != nil || rep.Summary.Total < 7 || rep.Summary.Failed != 1 {
		t.Errorf("json report: %v %+v", err, rep.Summary)
	}
	if hits.Load() != int64(rep.Summary.Total) {
		t.Errorf("%d requests for %d checks", hits.Load(), rep.Summary.Total)
	}
	if want := fmt.Sprintf("%d passed, 1 failed", rep.Summary.Total-1); !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	var suites struct{}
	if b, err := os.ReadFile(x); err != nil || xml.Unmarshal(b, &suites) != nil || !strings.Contains(string(b), "getStats") {
		t.Errorf("junit report: %v\n%s", err, b)
	}
	if b, err := os.ReadFile(md); err != nil || !strings.Contains(string(b), "GET /stats") || strings.Contains(string(b), "\x1b[") {
		t.Errorf("markdown report: %v\n%s", err, b)
	}

	// diff takes --report too.
	html := filepath.Join(dir, "parity.html")
	_, stderr, code = cli(t, nil, "", "diff", "--spec", spec, "--old", srv.URL, "--new", srv.URL, "--format", "json", "--report", "html="+html)
	if code != exitOK && code != exitFindings {
		t.Fatalf("diff exited %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), "<html") {
		t.Errorf("html report: %v", err)
	}
}

func TestBuildVersion(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want versionInfo
	}{
		{"no build info", nil, versionInfo{Version: "dev"}},
		{"go test", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			versionInfo{Version: "dev", Go: "go1.26.8"}},
		{"go install at a tag", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}},
			versionInfo{Version: "v1.4.0", Go: "go1.26.8"}},
		{"go install at a commit", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260102030405-0123456789ab"}},
			versionInfo{Version: "v0.0.0-20260102030405-0123456789ab", Revision: "0123456789ab", Time: "2026-01-02T03:04:05Z", Go: "go1.26.8"}},
		{"go install after a tag", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.1-0.20260102030405-0123456789ab"}},
			versionInfo{Version: "v1.4.1-0.20260102030405-0123456789ab", Revision: "0123456789ab", Time: "2026-01-02T03:04:05Z", Go: "go1.26.8"}},
		{"go build in a dirty checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260102030405-0123456789ab+dirty"},
			Settings: setting("vcs", "git", "vcs.revision", "0123456789abcdef0123456789abcdef01234567", "vcs.time", "2026-01-02T03:04:05Z", "vcs.modified", "true")},
			versionInfo{Version: "v0.0.0-20260102030405-0123456789ab+dirty", Revision: "0123456789abcdef0123456789abcdef01234567",
				Time: "2026-01-02T03:04:05Z", Modified: true, Go: "go1.26.8"}},
		{"go build with a VCS stamp", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: setting("vcs.revision", "abc", "vcs.modified", "false")},
			versionInfo{Version: "dev", Revision: "abc", Go: "go1.26.8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := buildVersion(tc.bi, tc.bi != nil)
			if tc.want.Go == "" {
				tc.want.Go = got.Go // the running toolchain's
			}
			tc.want.Platform = got.Platform
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("buildVersion (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	stdout, stderr, code := cli(t, nil, "", "version")
	if code != 0 || stderr != "" {
		t.Fatalf("version exited %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	prefixes := []string{"smoke ", "revision  ", "time      ", "modified  ", "go        go1."}
	if len(lines) != len(prefixes) {
		t.Fatalf("version printed %q", stdout)
	}
	for i, p := range prefixes {
		if !strings.HasPrefix(lines[i], p) {
			t.Errorf("line %d = %q, want prefix %q", i+1, lines[i], p)
		}
	}
	stdout, _, code = cli(t, nil, "", "version", "--format", "json")
	var v versionInfo
	if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil || v.Version == "" || !strings.HasPrefix(v.Go, "go1.") {
		t.Errorf("version --format json exited %d: %s", code, stdout)
	}
	if _, stderr, code := cli(t, nil, "", "version", "--format", "xml"); code != exitUsage || !strings.Contains(stderr, `--format "xml": want text or json`) {
		t.Errorf("version --format xml exited %d: %s", code, stderr)
	}
}
