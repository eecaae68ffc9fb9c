package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/internal/testenv"
)

const module = "github.com/smoke-dev/smoke/"

// allowed lists, per package, the project packages it may import
// (STYLE.md §1). internal/ and examples/ packages are leaves any package
// may use in tests; only cmd/smoke may use them in non-test code.
var allowed = map[string][]string{
	"spec":       {},
	"config":     {},
	"generator":  {"spec"},
	"runner":     {"generator"},
	"diff":       {"generator", "runner"},
	"report":     {"runner", "diff", "generator"},
	"synthetics": {"generator"},
	// hostile is a test-only suite: its tests drive the smoke binary, and
	// its one non-test file (doc.go) imports nothing.
	"hostile": {},
}

// thirdParty pins each third-party library to the packages that may use it.
var thirdParty = map[string][]string{
	"github.com/spf13/cobra":                   {"cmd/smoke"},
	"github.com/spf13/pflag":                   {"cmd/smoke"},
	"github.com/go-resty/resty/v2":             {"runner"},
	"github.com/DataDog/datadog-api-client-go": {"synthetics"},
}

func TestArchitecture(t *testing.T) {
	root := testenv.RepoRoot(t)
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			checkImport(t, rel, path, p)
		}
		if rel != "cmd/smoke" && !strings.HasPrefix(rel, "examples/") && !strings.HasPrefix(rel, "internal/") {
			src, _ := parser.ParseFile(fset, path, nil, 0)
			for _, call := range []string{"os.Exit", "log.Fatal", "os.Getenv"} {
				if containsCall(src, call) {
					t.Errorf("%s calls %s: only cmd/smoke may", path, call)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkImport(t *testing.T, pkg, file, imp string) {
	t.Helper()
	if strings.HasPrefix(imp, module) {
		target := strings.TrimPrefix(imp, module)
		if pkg == "cmd/smoke" {
			return
		}
		if target == "internal/junit" && (pkg == "report" || pkg == "synthetics") {
			// One JUnit writer for smoke run and smoke trigger: a leaf
			// package both may use, so CI viewers see one format.
			return
		}
		if strings.HasPrefix(target, "internal/") || strings.HasPrefix(target, "examples/") {
			t.Errorf("%s imports %s: internal and example packages are for cmd/smoke and tests", file, imp)
			return
		}
		top := strings.Split(pkg, "/")[0]
		rules, ok := allowed[top]
		if !ok {
			return // internal/, examples/: leaves
		}
		if top == target || strings.HasPrefix(target, top+"/") {
			return
		}
		for _, a := range rules {
			if target == a || strings.HasPrefix(target, a+"/") {
				return
			}
		}
		t.Errorf("%s imports %s: %s may import only %v", file, imp, top, rules)
		return
	}
	for lib, owners := range thirdParty {
		if imp != lib && !strings.HasPrefix(imp, lib+"/") {
			continue
		}
		ok := false
		for _, o := range owners {
			if pkg == o || strings.HasPrefix(pkg, o+"/") {
				ok = true
			}
		}
		if !ok && !strings.HasPrefix(pkg, "internal/") {
			t.Errorf("%s imports %s: only %v may", file, imp, owners)
		}
	}
}
