package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// k6TypesDir is where .ci/run installs TypeScript and k6's type
// definitions (npm packages typescript and @types/k6), outside the
// repository: SMOKE_K6_TYPES, else ~/.cache/smoke-k6-types.
func k6TypesDir() string {
	if d := os.Getenv("SMOKE_K6_TYPES"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "smoke-k6-types")
}

// TypeCheckK6 type-checks k6 scripts (JavaScript) against k6's type
// definitions with the TypeScript compiler in strict mode, and fails t
// with the compiler's messages. It skips locally and fails in CI when
// node or the packages are missing (bash .ci/run installs them).
func TypeCheckK6(t testing.TB, scripts ...string) {
	t.Helper()
	node := Need(t, "node")
	dir := k6TypesDir()
	modules := filepath.Join(dir, "node_modules")
	tsc := filepath.Join(modules, "typescript", "bin", "tsc")
	for _, p := range []string{tsc, filepath.Join(modules, "@types", "k6", "index.d.ts")} {
		if _, err := os.Stat(p); err != nil {
			Missing(t, "%s not found (bash .ci/run installs typescript and @types/k6 into %s; or SMOKE_K6_TYPES names another directory)", p, dir)
			return
		}
	}
	args := []string{tsc, "--noEmit", "--pretty", "false", "--allowJs", "--checkJs", "--strict",
		"--target", "es2020", "--lib", "es2020", "--module", "esnext", "--moduleResolution", "bundler",
		"--types", "k6", "--typeRoots", filepath.Join(modules, "@types")}
	cmd := exec.Command(node, append(args, scripts...)...)
	cmd.Dir = t.TempDir() // tsc looks for a tsconfig.json from here: none
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if len(msg) > 4000 {
			msg = msg[:4000] + "\n…"
		}
		t.Errorf("tsc %s: %v\n%s", strings.Join(scripts, " "), err, msg)
	}
}
