package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/golden"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/report"
)

// planJSON is the part of `smoke plan --format json` this test reads.
type planJSON struct {
	Spec struct {
		Operations int `json:"operations"`
	} `json:"spec"`
	Checks []struct {
		ID     string `json:"id"`
		Method string `json:"method"`
		Path   string `json:"path"`
	} `json:"checks"`
}

// countOperations counts (path, method) pairs straight from the file,
// independently of kin-openapi and the generator: keys under "paths" that
// are one of the eight methods, following in-document $refs of path items.
func countOperations(t *testing.T, file string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if strings.HasSuffix(file, ".json") {
		err = json.Unmarshal(data, &doc)
	} else {
		err = yaml.Unmarshal(data, &doc)
	}
	if err != nil {
		t.Fatalf("independent parse of %s: %v", file, err)
	}
	methods := map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}
	ops := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		m, _ := item.(map[string]any)
		if ref, ok := m["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
			var cur any = doc
			for _, part := range strings.Split(ref[2:], "/") {
				cur = cur.(map[string]any)[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
			}
			m, _ = cur.(map[string]any)
		}
		for k := range m {
			if methods[k] {
				ops[strings.ToUpper(k)+" "+p] = true
			}
		}
	}
	return ops
}

// corpus lists the documents the plan is checked on: the shared corpus and
// Datadog's own v1 and v2 descriptions from the module cache.
func corpus(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	dir := testenv.SpecsDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n := e.Name()
		if (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".json")) && n != "counts.json" {
			files[n] = filepath.Join(dir, n)
		}
	}
	files["datadog-v1.yaml"] = testenv.DatadogSpec(t, "v1")
	files["datadog-v2.yaml"] = testenv.DatadogSpec(t, "v2")
	return files
}

// bigGolden is the size above which a golden file holds a digest of the
// plan instead of the plan: one line per check a person can review, and
// the SHA-256 of the whole output so that no byte changes unseen.
const bigGolden = 256 << 10

// planDigest renders a plan as one line per check: id, method, path,
// where its values come from, the expected statuses; then the SHA-256 of
// the full JSON output.
func planDigest(t *testing.T, out []byte) []byte {
	t.Helper()
	var p generator.Plan
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("plan JSON: %v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %d checks; the last line is the SHA-256 of the whole plan (go test -update rewrites this file)\n", len(p.Checks))
	for _, c := range p.Checks {
		fmt.Fprintf(&b, "%s %s %s  %s  %s\n", c.ID, c.Method, c.Path, report.ValueSources(c), strings.Join(c.Expect.Status, ","))
	}
	fmt.Fprintf(&b, "sha256 %x\n", sha256.Sum256(out))
	return []byte(b.String())
}

func TestPlanCorpus(t *testing.T) {
	files := corpus(t)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		file := files[name]
		t.Run(name, func(t *testing.T) {
			testenv.SkipBig(t, file)
			stdout, stderr, code := cli(t, nil, "", "plan", "--spec", file, "--format", "json")
			if code != 0 {
				t.Fatalf("smoke plan exit %d, stderr:\n%s", code, stderr)
			}
			var p planJSON
			if err := json.Unmarshal([]byte(stdout), &p); err != nil {
				t.Fatalf("plan JSON: %v", err)
			}
			want := countOperations(t, file)
			got := map[string]bool{}
			ids := map[string]bool{}
			for _, c := range p.Checks {
				key := c.Method + " " + c.Path
				if got[key] {
					t.Errorf("duplicate check %s", key)
				}
				got[key] = true
				if ids[c.ID] {
					t.Errorf("duplicate check ID %s", c.ID)
				}
				ids[c.ID] = true
			}
			for k := range want {
				if !got[k] {
					t.Errorf("missing check for %s", k)
				}
			}
			for k := range got {
				if !want[k] {
					t.Errorf("check %s is not an operation of the document", k)
				}
			}
			if p.Spec.Operations != len(want) {
				t.Errorf("spec.operations = %d, want %d", p.Spec.Operations, len(want))
			}
			if len(want) == 0 && !strings.Contains(stdout, `"checks": []`) {
				t.Errorf("empty plan must print \"checks\": [], got:\n%s", stdout)
			}

			again, _, _ := cli(t, nil, "", "plan", "--spec", file, "--format", "json")
			if again != stdout {
				t.Errorf("two plans of the same document differ")
			}
			out := []byte(stdout)
			if len(out) > bigGolden {
				golden.Assert(t, filepath.Join("plan", name+".digest"), planDigest(t, out))
				return
			}
			golden.Assert(t, filepath.Join("plan", name+".golden"), out)
		})
	}
}

func TestPlanMatchesCountsJSON(t *testing.T) {
	dir := testenv.SpecsDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "counts.json"))
	if err != nil {
		t.Skipf("skipping: no counts.json: %v", err)
	}
	var counts map[string]struct {
		Operations int `json:"operations"`
	}
	if err := json.Unmarshal(data, &counts); err != nil {
		t.Fatal(err)
	}
	for name, c := range counts {
		if testing.Short() {
			if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Size() > 2<<20 {
				continue // testenv.SkipBig's rule, per document of one test
			}
		}
		stdout, stderr, code := cli(t, nil, "", "plan", "--spec", filepath.Join(dir, name), "--format", "json")
		if code != 0 {
			t.Errorf("%s: exit %d: %s", name, code, stderr)
			continue
		}
		var p planJSON
		if err := json.Unmarshal([]byte(stdout), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Checks) != c.Operations {
			t.Errorf("%s: %d checks, counts.json says %d operations", name, len(p.Checks), c.Operations)
		}
	}
}
