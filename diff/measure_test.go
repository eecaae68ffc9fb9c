package diff_test

import (
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/runner"
)

// BenchmarkScenarioFalseAlarms runs the scenario suite once per
// iteration while spinning goroutines keep every core busy, and counts
// the operations whose verdict is wrong: false alarms (a regression
// where there is none) and misses. "before" is the diff without
// confirmation and without leaving starved samples out (the first
// rounds decide, as before issue 15); "after" is the default. Run with
// a fixed count, e.g.
//
//	go test ./diff -run '^$' -bench ScenarioFalseAlarms -benchtime 30x
func BenchmarkScenarioFalseAlarms(b *testing.B) {
	for _, mode := range []struct {
		name string
		load func(testing.TB) func()
		opts diff.Options
	}{
		{"steady/before", burnCPU, diff.Options{NoConfirm: true, Latency: diff.LatencyOptions{MaxLag: time.Hour}}},
		{"steady/after", burnCPU, diff.Options{}},
		{"bursts/before", burnCPUBursts, diff.Options{NoConfirm: true, Latency: diff.LatencyOptions{MaxLag: time.Hour}}},
		{"bursts/after", burnCPUBursts, diff.Options{}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			oldSrv, newSrv := newScenarioServer(b, 1), newScenarioServer(b, 2)
			r, err := runner.New(runner.Options{Timeout: 10 * time.Second})
			if err != nil {
				b.Fatal(err)
			}
			checks := scenarioChecks(b)
			stop := mode.load(b)
			defer stop()
			var falseAlarms, misses, runsWithFalseAlarm, confirmRequests, starved int
			for b.Loop() {
				opts := mode.opts
				opts.Send, opts.Evaluate, opts.Rounds = slowNew(r.Send, newSrv.URL), r.Evaluate, 5
				rep, err := diff.Run(b.Context(), checks, oldSrv.URL, newSrv.URL, opts)
				if err != nil {
					b.Fatal(err)
				}
				fa := 0
				for _, op := range rep.Operations {
					want := scenarioVerdict(op.Path)
					switch {
					case op.Verdict == diff.Regression && want != diff.Regression:
						fa++
						b.Logf("false alarm, seed %d: %s %s", rep.Seed, op.Path, mustJSON(op.Differences))
					case op.Verdict != diff.Regression && want == diff.Regression:
						misses++
						b.Logf("missed, seed %d: %s %s %s", rep.Seed, op.Path, op.Verdict, mustJSON(op.Differences))
					}
				}
				falseAlarms += fa
				if fa > 0 {
					runsWithFalseAlarm++
				}
				confirmRequests += rep.Summary.ConfirmationRequests
				starved += rep.Summary.StarvedSamples
			}
			n := float64(b.N)
			b.ReportMetric(float64(falseAlarms)/n, "false-alarms/run")
			b.ReportMetric(float64(runsWithFalseAlarm)/n, "runs-with-false-alarm/run")
			b.ReportMetric(float64(misses)/n, "misses/run")
			b.ReportMetric(float64(confirmRequests)/n, "confirm-requests/run")
			b.ReportMetric(float64(starved)/n, "starved-samples/run")
		})
	}
}

// BenchmarkGitHubConfirmationCost measures what confirmation costs on
// GitHub's read-only checks: `smoke diff` of every GET of GitHub's REST
// description against two catch-all servers on loopback that answer
// every path with a small JSON document. NEW differs on one operation in
// twenty (a field lost for good: a regression that holds) and, on one in
// twenty more, only in the first rounds (a transient difference that
// does not reproduce). It reports requests per run, the share that
// confirmation added, and the verdicts, and fails if confirmation sent
// more than its bound.
//
//	go test ./diff -run '^$' -bench GitHubConfirmationCost -benchtime 3x
func BenchmarkGitHubConfirmationCost(b *testing.B) {
	checks := githubGets(b)
	for _, rounds := range []int{3, 5} {
		b.Run(map[int]string{3: "rounds=3", 5: "rounds=5"}[rounds], func(b *testing.B) {
			var sent atomic.Int64
			oldSrv, newSrv := githubCatchAll(b, 1, 2*rounds, &sent), githubCatchAll(b, 2, 2*rounds, &sent)
			r, err := runner.New(runner.Options{Timeout: 10 * time.Second})
			if err != nil {
				b.Fatal(err)
			}
			var rep *diff.Report
			for b.Loop() {
				sent.Store(0)
				rep, err = diff.Run(b.Context(), checks, oldSrv.URL, newSrv.URL, diff.Options{Send: r.Send, Evaluate: r.Evaluate, Rounds: rounds})
				if err != nil {
					b.Fatal(err)
				}
			}
			s := rep.Summary
			base := int64(len(checks) * 4 * rounds)
			if got := sent.Load(); got < base+int64(s.ConfirmationRequests) || s.ConfirmationRequests > (s.Confirmed+s.Dropped)*diff.MaxConfirmRequests {
				b.Fatalf("sent %d requests with %d for confirmation (%d confirmed, %d dropped), want %d + confirmation within %d per operation",
					got, s.ConfirmationRequests, s.Confirmed, s.Dropped, base, diff.MaxConfirmRequests)
			}
			b.ReportMetric(float64(len(checks)), "operations")
			b.ReportMetric(float64(sent.Load()), "requests/run")
			b.ReportMetric(float64(s.ConfirmationRequests), "confirm-requests/run")
			b.ReportMetric(100*float64(s.ConfirmationRequests)/float64(base), "confirm-%")
			b.ReportMetric(float64(s.Confirmed), "confirmed")
			b.ReportMetric(float64(s.Dropped), "dropped")
			b.ReportMetric(float64(s.Regressions), "regressions")
			b.ReportMetric(float64(s.Noise), "noise")
		})
	}
}

// BenchmarkGitHubAAUnderLoad compares a catch-all server with itself
// (A/A) on every GET of GitHub's REST description, 5 rounds so latency
// is compared, while goroutines load the machine: every regression is a
// false alarm. "before" is the diff without confirmation and without
// leaving starved samples out.
//
//	go test ./diff -run '^$' -bench GitHubAAUnderLoad -benchtime 5x
func BenchmarkGitHubAAUnderLoad(b *testing.B) {
	checks := githubGets(b)
	for _, mode := range []struct {
		name string
		load func(testing.TB) func()
		opts diff.Options
	}{
		{"steady/before", burnCPU, diff.Options{NoConfirm: true, Latency: diff.LatencyOptions{MaxLag: time.Hour}}},
		{"steady/after", burnCPU, diff.Options{}},
		{"bursts/before", burnCPUBursts, diff.Options{NoConfirm: true, Latency: diff.LatencyOptions{MaxLag: time.Hour}}},
		{"bursts/after", burnCPUBursts, diff.Options{}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var sent atomic.Int64
			srv := githubCatchAll(b, 1, 0, &sent)
			r, err := runner.New(runner.Options{Timeout: 10 * time.Second})
			if err != nil {
				b.Fatal(err)
			}
			stop := mode.load(b)
			defer stop()
			var alarms, runsWithAlarm, confirm, starved int
			for b.Loop() {
				opts := mode.opts
				opts.Send, opts.Evaluate, opts.Rounds = r.Send, r.Evaluate, 5
				rep, err := diff.Run(b.Context(), checks, srv.URL, srv.URL, opts)
				if err != nil {
					b.Fatal(err)
				}
				alarms += rep.Summary.Regressions
				if rep.Summary.Regressions > 0 {
					runsWithAlarm++
				}
				for _, op := range rep.Operations {
					if op.Verdict == diff.Regression {
						b.Logf("false alarm, seed %d: %s %s %s", rep.Seed, op.Method, op.Path, mustJSON(op.Differences))
					}
				}
				confirm += rep.Summary.ConfirmationRequests
				starved += rep.Summary.StarvedSamples
			}
			n := float64(b.N)
			b.ReportMetric(float64(len(checks)), "operations")
			b.ReportMetric(float64(alarms)/n, "false-alarms/run")
			b.ReportMetric(float64(runsWithAlarm)/n, "runs-with-false-alarm/run")
			b.ReportMetric(float64(confirm)/n, "confirm-requests/run")
			b.ReportMetric(float64(starved)/n, "starved-samples/run")
		})
	}
}

// githubGets returns the checks of every GET of GitHub's description.
func githubGets(b *testing.B) []generator.Check {
	b.Helper()
	plan := plantest.Plan(b, testenv.Spec(b, "github-api.github.com-octokit-openapi-23.0.2.json"), generator.Options{Service: "github"})
	var checks []generator.Check
	for _, c := range plan.Checks {
		if c.Method == http.MethodGet {
			checks = append(checks, c)
		}
	}
	return checks
}

// githubCatchAll answers every path: {"path": ..., "ok": true}. Version
// 2 (NEW) drops "ok" on operations whose path hashes to 0 mod 20, and on
// those hashing to 1 mod 20 for its first transient answers only.
func githubCatchAll(b *testing.B, version, transient int, sent *atomic.Int64) *httptest.Server {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		h := fnv.New32a()
		h.Write([]byte(r.URL.Path))
		mu.Lock()
		seen[r.URL.Path]++
		n := seen[r.URL.Path]
		mu.Unlock()
		doc := map[string]any{"path": r.URL.Path, "ok": true}
		if version == 2 && (h.Sum32()%20 == 0 || h.Sum32()%20 == 1 && n <= transient) {
			delete(doc, "ok")
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// burnCPUBursts loads the machine as builds and test binaries do: twice
// as many goroutines as processors, each spinning for 10 to 100 ms, then
// resting as long, until the returned function is called.
func burnCPUBursts(tb testing.TB) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			x := uint64(1)
			for {
				busy := time.Now().Add(time.Duration(10+rng.IntN(90)) * time.Millisecond)
				for time.Now().Before(busy) {
					for range 1 << 12 {
						x = x*6364136223846793005 + 1442695040888963407
					}
				}
				select {
				case <-quit:
					sink.Add(x)
					return
				case <-time.After(time.Duration(10+rng.IntN(90)) * time.Millisecond):
				}
			}
		})
	}
	return func() { close(quit); wg.Wait() }
}
