package hostile

import (
	"bytes"
	"compress/flate"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// Issue 9, item 3: small answers that made `smoke diff` explode. A 20 KB
// body of 9,990 nested arrays cost 22 s and 5.4 GB (a JSON pointer copied
// at every level); a 65 KB deflate body decoded to 64 MiB per sample
// (the body limit applied before decoding) and cost 10.5 GB.

// diffNested is 9,990 nested arrays around a leaf: 20 KB, just inside
// encoding/json's own depth limit of 10,000.
func diffNested(leaf string) []byte {
	const depth = 9990
	return []byte(strings.Repeat("[", depth) + leaf + strings.Repeat("]", depth))
}

// diffDeflateBomb is 64 MiB of JSON deflated (raw DEFLATE, as some
// servers send it) to about 65 KB. Only 1 MiB goes through the
// compressor: its flushed blocks refer to nothing but the letter a, so
// they are repeated as they are.
var diffDeflateBomb = sync.OnceValues(func() ([]byte, error) {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	w.Write([]byte(`{"pad":"`))
	w.Write(chunk[:64<<10]) // a window full of a
	w.Flush()
	head := b.Len()
	w.Write(chunk)
	w.Flush()
	block := slices.Clone(b.Bytes()[head:])
	for range 63 {
		b.Write(block)
	}
	w.Write([]byte(`"}`))
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
})

// diffServer serves body on every path with the given Content-Encoding.
func diffServer(t testing.TB, body []byte, encoding string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if encoding != "" {
			w.Header().Set("Content-Encoding", encoding)
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// diffCase is one hostile pair of answers for OLD and NEW.
type diffCase struct {
	name               string
	oldBody, newBody   []byte
	encoding           string
	want               diff.Verdict
	wantText           string // in the report's differences or errors
	maxAlloc, maxRSSMB uint64 // bounds: generous, orders of magnitude below before
}

func diffCases(t testing.TB) []diffCase {
	bomb, err := diffDeflateBomb()
	if err != nil {
		t.Fatal(err)
	}
	return []diffCase{
		{name: "nested arrays", oldBody: diffNested("1"), newBody: diffNested("2"),
			want: diff.Regression, wantText: "nested deeper than 256 levels: compared as a whole",
			maxAlloc: 1 << 30, maxRSSMB: 512},
		{name: "deflate bomb", oldBody: bomb, newBody: bomb, encoding: "deflate",
			want: diff.Error, wantText: "response body larger than the 4 MiB limit: not compared",
			maxAlloc: 1 << 30, maxRSSMB: 512},
	}
}

// diffCheck is the one GET the hostile servers answer.
var diffCheck = generator.Check{ID: "hostile", Method: "GET", Path: "/deep", Safe: true,
	Request: generator.Request{URL: "/deep"},
	Expect:  generator.Expect{Status: []string{"200"}, Responses: []generator.Response{{Status: "200"}}}}

// TestDiffHostileAnswers runs the diff engine, as `smoke diff` does, on
// each hostile pair of answers over loopback: the verdict says what
// happened, allocations stay bounded, and a hang guard stops a run that
// would never end (a guard, not a timing assertion).
func TestDiffHostileAnswers(t *testing.T) {
	for _, tc := range diffCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			oldSrv, newSrv := diffServer(t, tc.oldBody, tc.encoding), diffServer(t, tc.newBody, tc.encoding)
			r, err := runner.New(runner.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rep, err := diff.Run(ctx, []generator.Check{diffCheck}, oldSrv.URL, newSrv.URL,
				diff.Options{Send: r.Send, Evaluate: r.Evaluate, Seed: 1})
			runtime.ReadMemStats(&after)
			if ctx.Err() != nil {
				t.Fatalf("diff did not finish within the hang guard")
			}
			if err != nil {
				t.Fatal(err)
			}
			op := rep.Operations[0]
			if op.Verdict != tc.want {
				t.Errorf("verdict = %s, want %s (errors %q)", op.Verdict, tc.want, op.Errors)
			}
			if text := diffReportText(op); !strings.Contains(text, tc.wantText) {
				t.Errorf("report says %q, want it to contain %q", text, tc.wantText)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %d MB allocated", tc.name, alloc>>20)
			if alloc > tc.maxAlloc {
				t.Errorf("allocated %d MB, want at most %d MB", alloc>>20, tc.maxAlloc>>20)
			}
		})
	}
}

// diffReportText joins what an operation's report says: errors and the
// reasons and pointers of its differences.
func diffReportText(op diff.Operation) string {
	parts := append([]string(nil), op.Errors...)
	for _, d := range op.Differences {
		parts = append(parts, d.Pointer, d.Reason)
	}
	return strings.Join(parts, "\n")
}

// TestDiffHostileBinary runs the real smoke binary against the same
// servers: exit 1 for the regression, 3 when nothing could be sampled,
// the report on stdout, one line on stderr, and peak memory bounded.
func TestDiffHostileBinary(t *testing.T) {
	if diffRace {
		t.Skip("the binary is not built with the race detector: TestDiffHostileAnswers covers the engine")
	}
	dir := t.TempDir()
	specPath := writeFile(t, dir, "openapi.yaml", diffSpec)
	for _, tc := range diffCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			oldSrv, newSrv := diffServer(t, tc.oldBody, tc.encoding), diffServer(t, tc.newBody, tc.encoding)
			res := smoke(t, invocation{dir: dir, args: []string{"diff", "--spec", specPath, "--old", oldSrv.URL, "--new", newSrv.URL, "--format", "json", "--seed", "1"}})
			wantCode := map[diff.Verdict]int{diff.Regression: 1, diff.Error: 3}[tc.want]
			if res.code != wantCode {
				t.Errorf("exit %d, want %d; stderr %s", res.code, wantCode, res.stderr)
			}
			if !strings.Contains(res.stdout, tc.wantText) {
				t.Errorf("stdout lacks %q:\n%.2000s", tc.wantText, res.stdout)
			}
			if lines := strings.Count(strings.TrimSpace(res.stderr), "\n") + 1; lines > 1 || strings.Contains(res.stderr, "goroutine ") {
				t.Errorf("stderr has %d lines, want one:\n%s", lines, res.stderr)
			}
			t.Logf("%s: exit %d, peak RSS %d MB", tc.name, res.code, res.maxRSSMB)
			if res.maxRSSMB > tc.maxRSSMB {
				t.Errorf("peak RSS %d MB, want at most %d MB", res.maxRSSMB, tc.maxRSSMB)
			}
		})
	}
}

const diffSpec = `openapi: 3.0.3
info: {title: hostile, version: "1"}
paths:
  /deep:
    get:
      operationId: deep
      responses:
        "200": {description: ok, content: {application/json: {schema: {}}}}
`

// BenchmarkDiffHostile measures the diff engine on each hostile pair of
// answers, over loopback, 3 rounds (12 samples, and 4 more to confirm a
// regression).
func BenchmarkDiffHostile(b *testing.B) {
	for _, tc := range diffCases(b) {
		b.Run(strings.ReplaceAll(tc.name, " ", "-"), func(b *testing.B) {
			oldSrv, newSrv := diffServer(b, tc.oldBody, tc.encoding), diffServer(b, tc.newBody, tc.encoding)
			r, err := runner.New(runner.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := diff.Run(b.Context(), []generator.Check{diffCheck}, oldSrv.URL, newSrv.URL,
					diff.Options{Send: r.Send, Evaluate: r.Evaluate, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
