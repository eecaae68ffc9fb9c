package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// baselineFiles are the baselines the resolution cases name, written
// next to their smoke.yaml.
var baselineFiles = map[string]string{
	"ok.yaml":         "run:\n  - {operation: GET /stats, assertion: not_server_error, reason: cache, expires: 2999-12-31}\ndiff:\n  - {operation: \"GET /pets/{petId}\", pointer: /tag, kind: missing, reason: labels, expires: 2999-12-31}\n",
	"unreviewed.yaml": "run:\n  - operation: GET /stats\n    assertion: not_server_error\n    reason: \"\"\n    expires: 2999-12-31\n",
	"bad-run.yaml":    "run:\n  - {operation: GET /stats, assertion: fast, reason: r, expires: 2999-12-31}\n",
	"bad-diff.yaml":   "diff:\n  - operation: GET /pets/{petId}\n    kind: missing\n    reason: r\n    expires: tomorrow\n",
	"sub/ok.yaml":     "run: []\n",
}

// resolveBaselineCase resolves a run (or, with diff, a diff) command line
// next to baselineFiles and returns the baseline it resolved.
func resolveBaselineCase(t *testing.T, tc resolveCase, isDiff bool) (baselineSettings, error) {
	t.Helper()
	env, args := tc.setup(t) // now in the case's directory
	for name, data := range baselineFiles {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, name, data)
	}
	if isDiff {
		var ds diffSettings
		var rerr error
		cmd := newDiffCmdF(env, func(_ context.Context, env *Env, o diffOptions) error {
			ds, rerr = resolveDiff(env, o)
			return nil
		})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		cmd.SetArgs(append(args, "--old", "http://old", "--new", "http://new"))
		if err := cmd.Execute(); err != nil {
			return ds.baseline, err
		}
		return ds.baseline, rerr
	}
	var rs runSettings
	var rerr error
	cmd := newRunCmdF(env, func(_ context.Context, env *Env, o runOptions) error {
		rs, rerr = resolveRun(env, o)
		return nil
	})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		return rs.baseline, err
	}
	return rs.baseline, rerr
}

// TestResolveBaseline: --baseline over run.baseline / diff.baseline
// (relative to smoke.yaml), the file loaded before anything is sent, and
// every refusal a usage error naming the flag, file:line or the entry's
// line.
func TestResolveBaseline(t *testing.T) {
	tests := []struct {
		resolveCase
		diff      bool
		wantPath  string
		wantWrite bool
		wantRun   int // entries of the command's section
	}{
		{resolveCase: resolveCase{name: "none"}},
		{resolveCase: resolveCase{name: "flag", args: []string{"--baseline", "ok.yaml"}}, wantPath: "ok.yaml", wantRun: 1},
		{resolveCase: resolveCase{name: "file", cfg: "run:\n  baseline: ok.yaml\n"}, wantPath: "ok.yaml", wantRun: 1},
		{resolveCase: resolveCase{name: "flag over file", cfg: "run:\n  baseline: missing.yaml\n", args: []string{"--baseline", "ok.yaml"}}, wantPath: "ok.yaml", wantRun: 1},
		{resolveCase: resolveCase{name: "diff file", cfg: "diff:\n  baseline: ok.yaml\nrun:\n  baseline: missing.yaml\n"}, diff: true, wantPath: "ok.yaml", wantRun: 1},
		{resolveCase: resolveCase{name: "write a new file", args: []string{"--baseline", "new.yaml", "--write-baseline"}}, wantPath: "new.yaml", wantWrite: true},
		{resolveCase: resolveCase{name: "write into an unreviewed file", args: []string{"--baseline", "unreviewed.yaml", "--write-baseline"}},
			wantPath: "unreviewed.yaml", wantWrite: true, wantRun: 1},
		{resolveCase: resolveCase{name: "write without a file", args: []string{"--write-baseline"},
			wantErr: "--write-baseline needs the file to write: --baseline FILE (or baseline: in smoke.yaml's run section)"}},
		{resolveCase: resolveCase{name: "diff write without a file", args: []string{"--write-baseline"},
			wantErr: "--write-baseline needs the file to write: --baseline FILE (or baseline: in smoke.yaml's diff section)"}, diff: true},
		{resolveCase: resolveCase{name: "missing", args: []string{"--baseline", "missing.yaml"}, wantErr: "--baseline missing.yaml: no such file"}},
		{resolveCase: resolveCase{name: "missing from file", cfg: "run:\n  baseline: missing.yaml\n", wantErr: "smoke.yaml:2: run.baseline missing.yaml: no such file"}},
		{resolveCase: resolveCase{name: "unreviewed", args: []string{"--baseline", "unreviewed.yaml"},
			wantErr: "unreviewed.yaml:4: run entry (GET /stats not_server_error): reason is empty: say why the finding is accepted (a ticket, an owner) before the baseline can accept it"}},
		{resolveCase: resolveCase{name: "bad run entry", args: []string{"--baseline", "bad-run.yaml"},
			wantErr: `bad-run.yaml:2: run entry (GET /stats fast): unknown assertion "fast" (known: not_server_error, status_documented, content_type, response_schema, required_headers, latency, read_after_write)`}},
		{resolveCase: resolveCase{name: "bad diff entry", args: []string{"--baseline", "bad-diff.yaml"},
			wantErr: `bad-diff.yaml:5: diff entry (GET /pets/{petId} missing): expires: "tomorrow" is not a date: want YYYY-MM-DD, e.g. 2026-12-31`}, diff: true},
		// run reads only run entries, diff only diff entries: a bad entry
		// of the other section still refuses the file.
		{resolveCase: resolveCase{name: "bad entry of the other section", args: []string{"--baseline", "bad-diff.yaml"},
			wantErr: `bad-diff.yaml:5: diff entry (GET /pets/{petId} missing): expires: "tomorrow" is not a date: want YYYY-MM-DD, e.g. 2026-12-31`}},
		{resolveCase: resolveCase{name: "a directory", args: []string{"--baseline", "sub"}, wantErr: "sub: read sub: is a directory"}},
		{resolveCase: resolveCase{name: "write into a directory", args: []string{"--baseline", "sub", "--write-baseline"}, wantErr: "sub: read sub: is a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveBaselineCase(t, tt.resolveCase, tt.diff)
			if !tt.check(t, err) {
				return
			}
			n := 0
			if got.file != nil {
				n = len(got.file.Run)
				if tt.diff {
					n = len(got.file.Diff)
				}
			}
			if got.path != tt.wantPath || got.write != tt.wantWrite || n != tt.wantRun {
				t.Errorf("baseline = %q write %v with %d entries, want %q %v %d", got.path, got.write, n, tt.wantPath, tt.wantWrite, tt.wantRun)
			}
		})
	}
}

// TestResolveBaselineRelative: run.baseline is relative to smoke.yaml,
// not to the working directory.
func TestResolveBaselineRelative(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "conf", "smoke.yaml"), "run:\n  baseline: b.yaml\n")
	writeFile(t, filepath.Join(dir, "conf", "b.yaml"), baselineFiles["ok.yaml"])
	writeFile(t, filepath.Join(dir, "api.yaml"), "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")
	t.Chdir(dir)
	env := &Env{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(string) string { return "" }}
	var rs runSettings
	var rerr error
	cmd := newRunCmdF(env, func(_ context.Context, env *Env, o runOptions) error {
		rs, rerr = resolveRun(env, o)
		return nil
	})
	cmd.SetArgs([]string{"--spec", "api.yaml", "--config", "conf/smoke.yaml"})
	if err := cmd.Execute(); err != nil || rerr != nil {
		t.Fatal(err, rerr)
	}
	if rs.baseline.path != filepath.Join("conf", "b.yaml") || len(rs.baseline.file.Run) != 1 {
		t.Errorf("baseline = %q, %+v", rs.baseline.path, rs.baseline.file)
	}
}
