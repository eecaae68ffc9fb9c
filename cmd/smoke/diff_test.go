package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/examples/petstore"
)

// TestDiffConfigLayering checks that smoke.yaml's diff section applies
// and that flags win over it.
func TestDiffConfigLayering(t *testing.T) {
	srv := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "petstore.yaml")
	cfgPath := filepath.Join(dir, "smoke.yaml")
	if err := os.WriteFile(specPath, petstore.Spec, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "diff:\n  rounds: 2\n  fail_on: any\n  ignore_headers: [X-Backend]\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		flags      []string
		wantRounds int
		wantCode   int
	}{
		// A/A has noise (generated_at): fail_on any from smoke.yaml makes it a finding.
		{name: "config", wantRounds: 2, wantCode: exitFindings},
		{name: "flags win", flags: []string{"--rounds", "1", "--fail-on", "regression"}, wantRounds: 1, wantCode: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"diff", "--spec", specPath, "--config", cfgPath, "--old", srv.URL, "--new", srv.URL, "--format", "json"}, tt.flags...)
			stdout, stderr, code := cli(t, nil, "", args...)
			if code != tt.wantCode {
				t.Fatalf("smoke %v = exit %d, want %d\nstderr: %s", args, code, tt.wantCode, stderr)
			}
			var doc struct {
				Rounds  int `json:"rounds"`
				Summary struct {
					Regressions int `json:"regressions"`
				} `json:"summary"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			if doc.Rounds != tt.wantRounds || doc.Summary.Regressions != 0 {
				t.Errorf("rounds = %d, regressions = %d, want %d, 0", doc.Rounds, doc.Summary.Regressions, tt.wantRounds)
			}
		})
	}
}

// TestDemoDiff runs the diff step smoke demo uses: v1 against v2 of the
// example, writes included, gives two regressions (a missing field, a
// read right after a create that fails), one fix and noise, and an HTML
// report; each side deletes what it created.
func TestDemoDiff(t *testing.T) {
	v1 := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	v2 := httptest.NewServer(petstore.New(petstore.Options{Version: 2}))
	t.Cleanup(v1.Close)
	t.Cleanup(v2.Close)
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
	d := &demo{env: env, opts: demoOptions{Format: "json"}, runVersion: 1, urls: map[int]string{1: v1.URL, 2: v2.URL}, dir: t.TempDir()}
	l, err := d.plan(t.Context())
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	stdout.Reset()
	out, path, err := d.diff(t.Context(), l)
	if err != nil {
		t.Fatalf("diff step: %v", err)
	}
	s := out.report.Summary
	if s.Regressions != 2 || s.Fixed != 1 || s.Noise != 1 || s.Errors != 0 {
		t.Errorf("summary = %+v, want 2 regressions, 1 fixed, 1 noise, no error", s)
	}
	if r := out.report.Resources; r == nil || r.Old.Created == 0 || r.Old.Created != r.Old.Deleted || r.New.Created != r.New.Deleted || len(r.Old.Left)+len(r.New.Left) > 0 {
		t.Errorf("resources = %+v, want every resource of each side deleted", r)
	}
	if err := out.exitErr(); !errors.Is(err, errFindings) {
		t.Errorf("exitErr() = %v, want errFindings", err)
	}
	page, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(page, []byte("<!DOCTYPE html>")) {
		t.Errorf("HTML report %s: %v, starts %.40q", path, err, page)
	}
	if !strings.HasPrefix(stdout.String(), "\n3/3 smoke diff: "+v1.URL+" (version 1) → "+v2.URL+" (version 2)\n") ||
		!strings.Contains(stdout.String(), "GET /pets/{petId}") {
		t.Errorf("stdout = %q, want the step's heading and its text report", stdout.String())
	}
}

// TestDiffInterrupted cancels a diff while NEW hangs: exit 3, and the
// report of what finished is still written.
func TestDiffInterrupted(t *testing.T) {
	old := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	t.Cleanup(old.Close)
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	specPath := filepath.Join(t.TempDir(), "petstore.yaml")
	if err := os.WriteFile(specPath, petstore.Spec, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
	code := run(ctx, []string{"diff", "--spec", specPath, "--config", os.DevNull, "--old", old.URL, "--new", hang.URL}, env)
	if code != exitIncomplete {
		t.Errorf("exit code = %d, want %d\nstderr: %s", code, exitIncomplete, stderr.String())
	}
	if !strings.Contains(stdout.String(), "incomplete: interrupted") || !strings.Contains(stderr.String(), "smoke: interrupted") {
		t.Errorf("stdout = %q\nstderr = %q\nwant the partial report and the interruption on stderr", stdout.String(), stderr.String())
	}
}
