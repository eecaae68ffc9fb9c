package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/internal/testenv"
)

const module = "github.com/smoke-dev/smoke/"

// allowed lists every package of the module and the project packages its
// non-test code may import (STYLE.md §1; docs/architecture.md explains
// each edge). A package missing from the table is an error: a new package
// is a design decision, made here deliberately. cmd/smoke may import
// everything.
var allowed = map[string][]string{
	"spec":      {},
	"config":    {},
	"generator": {"spec"},
	"runner":    {"generator"},
	"diff":      {"generator", "runner"},
	// baseline judges run results and diff reports against accepted
	// findings, naming them with generator's and diff's selectors.
	"baseline": {"config", "generator", "runner", "diff"},
	// report renders publish and trigger output too (all rendering in
	// report), so it reads synthetics' plans and results.
	"report":     {"runner", "diff", "generator", "synthetics", "baseline", "internal/junit"},
	"synthetics": {"generator"},
	"cmd/smoke":  {"*"},
	// Leaves: one JUnit writer for run and trigger reports; test
	// helpers; the Datadog emulator; the example service; the hostile
	// suite (tests only).
	"internal/junit":    {},
	"internal/testenv":  {},
	"internal/golden":   {},
	"internal/ddemu":    {},
	"examples/petstore": {},
	"hostile":           {},
	// Test helper: the plan of a document (or of the example service)
	// that runner, diff and synthetics tests start from.
	"internal/plantest": {"spec", "generator", "examples/petstore"},
}

// thirdParty pins every third-party module to the packages whose non-test
// code may use it: a library's types stay in one place. An import of a
// module missing from the table is an error.
var thirdParty = map[string][]string{
	"github.com/spf13/cobra":                   {"cmd/smoke"},
	"github.com/spf13/pflag":                   {"cmd/smoke"},
	"github.com/go-resty/resty/v2":             {"runner"},
	"github.com/DataDog/datadog-api-client-go": {"synthetics"},
	// The schema of a documented response travels inside the Check, so
	// the packages that judge or map answers read kin-openapi types.
	"github.com/getkin/kin-openapi":          {"spec", "generator", "runner", "diff", "synthetics", "internal/ddemu"},
	"github.com/santhosh-tekuri/jsonschema":  {"runner", "internal/ddemu"},
	"github.com/go-openapi/jsonpointer":      {"runner"},
	"go.yaml.in/yaml":                        {"config", "spec", "baseline"},
	"golang.org/x/sync":                      {"runner", "diff"},
	"golang.org/x/time":                      {"runner"},
	"golang.org/x/perf":                      {"diff"},
	"github.com/google/go-cmp":               {"(tests)"},
	"github.com/rogpeppe/go-internal":        {"(tests)"},
	"golang.org/x/net":                       {"(tests)"}, // an HTML tokenizer checks rendered reports
	"github.com/getkin/kin-openapi/openapi2": {"spec"},
}

// banned are what only cmd/smoke may touch: process exit, the environment,
// command-line flags (STYLE.md §2, §8). Selectors are matched through any
// import name, aliases included.
var banned = map[string][]string{
	"os":  {"Exit", "Getenv", "LookupEnv", "Environ", "Args"},
	"log": {"Fatal", "Fatalf", "Fatalln"},
}

// bannedImports may not be imported below cmd/smoke at all.
var bannedImports = []string{"flag", "github.com/spf13/pflag", "github.com/spf13/cobra"}

// testSupport are the packages only tests import: they may read the
// environment (CI=true) and flags (-update), as test binaries do.
var testSupport = []string{"internal/testenv", "internal/golden"}

func TestArchitecture(t *testing.T) {
	for _, v := range archViolations(t, testenv.RepoRoot(t)) {
		t.Error(v)
	}
}

// TestArchitectureFailsClosed plants one violation of each kind in
// fixture trees (cmd/smoke/testdata/arch) and checks that each is caught.
func TestArchitectureFailsClosed(t *testing.T) {
	want := map[string][]string{
		"unlisted": {"newpkg: package is not in the architecture table"},
		"sideways": {"runner/x.go imports " + module + "synthetics: runner may import only [generator]"},
		"internal": {"generator/x.go imports " + module + "internal/testenv: generator may import only [spec]"},
		"pinned":   {"diff/x.go imports github.com/go-resty/resty/v2: only [runner] may"},
		"unknown":  {"generator/x.go imports github.com/example/left-pad: a third-party module missing from the table"},
		"testonly": {"spec/x.go imports github.com/google/go-cmp/cmp: only [(tests)] may"},
		"alias": {
			"spec/x.go: xos.Args: only cmd/smoke may call os.Args",
			"spec/x.go: lg.Fatalf: only cmd/smoke may call log.Fatalf",
			"spec/x.go: xos.Exit: only cmd/smoke may call os.Exit",
		},
		"dot":   {"runner/x.go: dot import of os: only cmd/smoke may call os.Exit, os.Getenv, os.LookupEnv, os.Environ, os.Args"},
		"flags": {"report/x.go imports flag: only cmd/smoke reads flags"},
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			got := archViolations(t, filepath.Join("testdata", "arch", name))
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

// archViolations walks the Go files under root and lists every import or
// call the tables above do not allow, as "file: problem".
func archViolations(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		pkg := filepath.ToSlash(filepath.Dir(rel))
		if _, ok := allowed[pkg]; !ok {
			if !seen[pkg] {
				seen[pkg] = true
				out = append(out, pkg+": package is not in the architecture table")
			}
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		test := strings.HasSuffix(path, "_test.go") || slices.Contains(testSupport, pkg)
		out = append(out, fileViolations(pkg, rel, f, test)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fileViolations(pkg, rel string, f *ast.File, test bool) []string {
	var out []string
	names := map[string]string{} // local name → banned import path
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if v := importViolation(pkg, p, test); v != "" {
			out = append(out, rel+" imports "+p+": "+v)
		}
		if _, ok := banned[p]; ok && pkg != "cmd/smoke" && !test {
			name := p
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if name == "." {
				out = append(out, fmt.Sprintf("%s: dot import of %s: only cmd/smoke may call %s", rel, p, qualified(p)))
				continue
			}
			names[name] = p
		}
	}
	if len(names) == 0 {
		return out
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		if p, ok := names[id.Name]; ok && slices.Contains(banned[p], sel.Sel.Name) {
			out = append(out, fmt.Sprintf("%s: %s.%s: only cmd/smoke may call %s.%s", rel, id.Name, sel.Sel.Name, p, sel.Sel.Name))
		}
		return true
	})
	return out
}

func qualified(p string) string {
	var q []string
	for _, n := range banned[p] {
		q = append(q, p+"."+n)
	}
	return strings.Join(q, ", ")
}

// importViolation says why package pkg may not import p, "" when it may.
func importViolation(pkg, p string, test bool) string {
	if strings.HasPrefix(p, module) {
		if test || pkg == "cmd/smoke" {
			return "" // tests may use any package of the module
		}
		target := strings.TrimPrefix(p, module)
		rules := allowed[pkg]
		if target == pkg || strings.HasPrefix(target, pkg+"/") {
			return ""
		}
		for _, a := range rules {
			if target == a || strings.HasPrefix(target, a+"/") {
				return ""
			}
		}
		return fmt.Sprintf("%s may import only %v", pkg, rules)
	}
	if slices.Contains(bannedImports, p) && pkg != "cmd/smoke" && !test {
		return "only cmd/smoke reads flags"
	}
	if !strings.Contains(strings.Split(p, "/")[0], ".") {
		return "" // the standard library
	}
	owners, lib := libraryOwners(p)
	if lib == "" {
		return "a third-party module missing from the table"
	}
	if test || slices.Contains(owners, pkg) || slices.Contains(owners, "*") {
		return ""
	}
	return fmt.Sprintf("only %v may", owners)
}

// libraryOwners finds the longest table entry that p belongs to.
func libraryOwners(p string) ([]string, string) {
	best := ""
	for lib := range thirdParty {
		if (p == lib || strings.HasPrefix(p, lib+"/")) && len(lib) > len(best) {
			best = lib
		}
	}
	return thirdParty[best], best
}
