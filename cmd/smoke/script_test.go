package main

import (
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/smoke-dev/smoke/internal/golden"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/testenv"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"smoke": main})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each script
// gets, on loopback: the example petstore as $BASE_URL (v1) and $NEW_URL
// (v2, with $OLD_URL = $BASE_URL), its spec as $WORK/petstore.yaml, the
// shared corpus as $SPECS, and a Datadog API emulator as $DD_HOST.
func TestScripts(t *testing.T) {
	specs := ""
	if d := filepath.Join(testenv.RepoRoot(t), "..", "shared", "specs"); fileExists(filepath.Join(d, "INDEX.md")) {
		specs = d
	}
	ddSpec := testenv.DatadogSpec(t, "v1")
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       golden.Update(),
		Setup: func(env *testscript.Env) error {
			v1 := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
			v2 := httptest.NewServer(petstore.New(petstore.Options{Version: 2}))
			dd, err := ddemu.NewServer(ddemu.Options{SpecPath: ddSpec})
			if err != nil {
				return err
			}
			dds := httptest.NewServer(dd)
			env.Defer(func() {
				v1.Close()
				v2.Close()
				dds.Close()
				for _, v := range dd.Violations() {
					env.T().Fatal("Datadog emulator: " + v)
				}
			})
			if err := os.WriteFile(filepath.Join(env.WorkDir, "petstore.yaml"), petstore.Spec, 0o644); err != nil {
				return err
			}
			env.Setenv("BASE_URL", v1.URL)
			env.Setenv("OLD_URL", v1.URL)
			env.Setenv("NEW_URL", v2.URL)
			env.Setenv("DD_HOST", dds.URL)
			env.Setenv("DD_API_KEY", "test-api-key")
			env.Setenv("DD_APP_KEY", "test-app-key")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("SPECS", specs)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "specs" {
				return specs != "", nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":   cmdExits,
			"replace": cmdReplace,
		},
	})
}

// cmdExits runs a program and asserts its exact exit code:
// exits N prog args... (testscript's exec only tells zero from non-zero).
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		ee, ok := errors.AsType[*exec.ExitError](err)
		if !ok {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdReplace edits a file as a reviewer would: replace FILE OLD NEW
// replaces every OLD with NEW, and fails when FILE has no OLD (an edit
// that silently did nothing would let the script test nothing).
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	p := ts.MkAbs(args[0])
	data, err := os.ReadFile(p)
	ts.Check(err)
	if !strings.Contains(string(data), args[1]) {
		ts.Fatalf("replace: %s has no %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(p, []byte(strings.ReplaceAll(string(data), args[1], args[2])), 0o644))
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
