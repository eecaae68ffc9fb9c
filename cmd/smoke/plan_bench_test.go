package main

import (
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/internal/testenv"
)

// The plan benchmarks compare `smoke plan` with kin-openapi loading the
// same document alone (the floor: smoke cannot plan without loading).
// Each iteration runs in a fresh child process so that peak memory
// (max RSS) is measured per run, reported as the peak-MiB metric:
//
//	go test ./cmd/smoke -run '^$' -bench 'Plan|KinLoad' -count 5

const benchModeEnv = "SMOKE_BENCH_MODE"

func init() {
	// The child side of the benchmarks: run one mode and exit. Only the
	// test binary has this code, and only when the parent set the variable.
	switch os.Getenv(benchModeEnv) {
	case "":
		return
	case "kin":
		l := openapi3.NewLoader()
		l.IsExternalRefsAllowed = true
		if _, err := l.LoadFromFile(os.Getenv("SMOKE_BENCH_SPEC")); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	case "plan":
		os.Stdout, _ = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		os.Args = []string{"smoke", "plan", "--spec", os.Getenv("SMOKE_BENCH_SPEC"), "--format", "json"}
		os.Exit(Main())
	}
}

func benchChild(b *testing.B, mode, spec string) {
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var peak int64
	for b.Loop() {
		cmd := exec.Command(self, "-test.run=^$")
		cmd.Env = append(os.Environ(), benchModeEnv+"="+mode, "SMOKE_BENCH_SPEC="+spec)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s %s: %v", mode, spec, err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > peak {
			peak = ru.Maxrss
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-MiB")
}

func benchSpecs(b *testing.B) map[string]string {
	return map[string]string{
		"github":     testenv.Spec(b, "github-api.github.com-octokit-openapi-23.0.2.json"),
		"datadog-v2": testenv.DatadogSpec(b, "v2"),
	}
}

func BenchmarkKinLoad(b *testing.B) {
	for name, spec := range benchSpecs(b) {
		b.Run(name, func(b *testing.B) { benchChild(b, "kin", spec) })
	}
}

func BenchmarkPlan(b *testing.B) {
	for name, spec := range benchSpecs(b) {
		b.Run(name, func(b *testing.B) { benchChild(b, "plan", spec) })
	}
}
