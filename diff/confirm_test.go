package diff

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// timed returns n samples of a JSON answer taking ms milliseconds each;
// lag sets every sample's Lag.
func timed(n int, body string, ms float64, lag time.Duration) []Sample {
	out := make([]Sample, n)
	for i := range out {
		r := resp(200, body)
		r.Duration = time.Duration((ms + float64(i%3)) * float64(time.Millisecond))
		out[i] = Sample{Response: r, Lag: lag}
	}
	return out
}

// TestConfirmation classifies first rounds and a confirmation taken
// elsewhere: a regression counts only when it holds again.
func TestConfirmation(t *testing.T) {
	const rounds = 5 // 10 samples per side: latency is compared
	starved := 40 * time.Millisecond
	eval := func(_ generator.Check, r *runner.Response) []runner.Failure {
		if strings.Contains(string(r.Body), "null") {
			return []runner.Failure{{Check: "response_schema", Pointer: "/name", Message: "value must be a string"}}
		}
		return nil
	}
	tests := []struct {
		name                   string
		old, new               []Sample
		confOld, confNew       []Sample
		want                   Verdict
		wantDiff               []brief
		wantReason             string // of the first difference
		confirmed, dropped     int    // Summary
		requests, starvedCount int
	}{
		{
			name: "value regression holds",
			old:  same(10, resp(200, `{"a":1}`)), new: same(10, resp(200, `{"a":2}`)),
			confOld: same(2, resp(200, `{"a":1}`)), confNew: same(2, resp(200, `{"a":2}`)),
			want: Regression, wantDiff: []brief{{"/a", KindChanged, ClassRegression}},
			confirmed: 1, requests: 4,
		},
		{
			name: "value regression does not reproduce",
			old:  same(10, resp(200, `{"a":1}`)), new: same(10, resp(200, `{"a":2}`)),
			confOld: same(2, resp(200, `{"a":1}`)), confNew: same(2, resp(200, `{"a":1}`)),
			want: Noise, wantDiff: []brief{{"/a", KindChanged, ClassNoise}},
			wantReason: reasonNotReproduced,
			dropped:    1, requests: 4,
		},
		{
			name: "value regression that varies once pooled",
			old:  same(10, resp(200, `{"a":1}`)), new: same(10, resp(200, `{"a":2}`)),
			confOld: same(2, resp(200, `{"a":1}`)), confNew: side(resp(200, `{"a":2}`), resp(200, `{"a":3}`)),
			want: Noise, wantDiff: []brief{{"/a", KindChanged, ClassNoise}},
			wantReason: "did not reproduce on confirmation (also differs between two NEW samples)",
			dropped:    1, requests: 4,
		},
		{
			name: "status regression does not reproduce",
			old:  same(10, resp(200, `{}`)), new: same(10, resp(503, `{}`)),
			confOld: same(2, resp(200, `{}`)), confNew: same(2, resp(200, `{}`)),
			want: Noise, wantDiff: []brief{{"status code", KindStatus, ClassNoise}},
			wantReason: reasonNotReproduced,
			dropped:    1, requests: 4,
		},
		{
			name: "schema break does not reproduce",
			old:  same(10, resp(200, `{"name":"rex"}`)), new: same(10, resp(200, `{"name":null}`)),
			confOld: same(2, resp(200, `{"name":"rex"}`)), confNew: same(2, resp(200, `{"name":"rex"}`)),
			want:       Noise,
			wantDiff:   []brief{{"/name", KindSchema, ClassNoise}, {"/name", KindType, ClassNoise}},
			wantReason: reasonNotReproduced,
			dropped:    1, requests: 4,
		},
		{
			// A lagging replica: NEW misses every other read; the two
			// confirmation reads happen to pass, but the misses among
			// answers that vary are the regression.
			name: "lost exercise on a flapping NEW holds",
			old:  same(10, resp(200, `{}`)),
			new: side(resp(200, `{}`), resp(404, `{}`), resp(200, `{}`), resp(404, `{}`), resp(200, `{}`),
				resp(404, `{}`), resp(200, `{}`), resp(404, `{}`), resp(200, `{}`), resp(404, `{}`)),
			confOld: same(2, resp(200, `{}`)), confNew: same(2, resp(200, `{}`)),
			want: Regression, wantDiff: []brief{{"status code", KindStatus, ClassRegression}},
			wantReason: "OLD exercised the operation in every sample; NEW did not (404 not_found)",
			confirmed:  1, requests: 4,
		},
		{
			name: "latency regression holds",
			old:  timed(10, `{}`, 10, 0), new: timed(10, `{}`, 90, 0),
			confOld: timed(6, `{}`, 10, 0), confNew: timed(6, `{}`, 90, 0),
			want: Regression, wantDiff: []brief{{"median ms", KindLatency, ClassRegression}},
			confirmed: 1, requests: 12,
		},
		{
			// Listed as noise, but the operation is at parity: a latency
			// blip that did not reproduce says nothing of the service.
			name: "latency regression does not reproduce",
			old:  timed(10, `{}`, 10, 0), new: timed(10, `{}`, 90, 0),
			confOld: timed(6, `{}`, 10, 0), confNew: timed(6, `{}`, 10, 0),
			want: Parity, wantDiff: []brief{{"median ms", KindLatency, ClassNoise}},
			wantReason: "did not reproduce on confirmation: confirmation median 11.0 → 11.0 ms",
			dropped:    1, requests: 12,
		},
		{
			name: "latency confirmation taken while starved",
			old:  timed(10, `{}`, 10, 0), new: timed(10, `{}`, 90, 0),
			confOld: timed(6, `{}`, 10, starved), confNew: timed(6, `{}`, 90, starved),
			want: Parity, wantDiff: []brief{{"median ms", KindLatency, ClassNoise}},
			wantReason: "did not reproduce on confirmation: 12 of 12 confirmation samples were taken while smoke itself was starved of CPU",
			dropped:    1, requests: 12, starvedCount: 12,
		},
		{
			name: "starved samples are left out of the first rounds",
			old:  timed(10, `{}`, 10, 0), new: append(timed(5, `{}`, 10, 0), timed(5, `{}`, 90, starved)...),
			want: Parity, starvedCount: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Samples{Check: testCheck(t, ""), Old: tt.old, New: tt.new, ConfirmOld: tt.confOld, ConfirmNew: tt.confNew}
			rep, err := Compare([]Samples{s}, Options{Rounds: rounds, Evaluate: eval})
			if err != nil {
				t.Fatal(err)
			}
			op := rep.Operations[0]
			if op.Verdict != tt.want {
				t.Errorf("verdict = %s, want %s (differences %+v)", op.Verdict, tt.want, op.Differences)
			}
			if d := cmp.Diff(tt.wantDiff, briefs(op.Differences)); d != "" {
				t.Errorf("differences mismatch (-want +got):\n%s", d)
			}
			if tt.wantReason != "" && (len(op.Differences) == 0 || op.Differences[0].Reason != tt.wantReason) {
				t.Errorf("differences = %+v, want the first with reason %q", op.Differences, tt.wantReason)
			}
			got := rep.Summary
			if got.Confirmed != tt.confirmed || got.Dropped != tt.dropped || got.ConfirmationRequests != tt.requests || got.StarvedSamples != tt.starvedCount {
				t.Errorf("summary confirmed %d, dropped %d, requests %d, starved %d; want %d, %d, %d, %d",
					got.Confirmed, got.Dropped, got.ConfirmationRequests, got.StarvedSamples, tt.confirmed, tt.dropped, tt.requests, tt.starvedCount)
			}
			if (op.Confirmation != nil) != (tt.confOld != nil) {
				t.Errorf("Confirmation = %+v, want one only when confirmation samples were given", op.Confirmation)
			}
		})
	}
}

// sideLog is a Send that records which side each request went to and
// answers with f.
type sideLog struct {
	mu    sync.Mutex
	sides []string
	n     map[string]int
}

func (l *sideLog) send(f func(side string, n int) *runner.Response) SendFunc {
	return func(_ context.Context, base string, c generator.Check) (*runner.Response, error) {
		l.mu.Lock()
		if l.n == nil {
			l.n = map[string]int{}
		}
		l.n[base]++
		n := l.n[base]
		l.sides = append(l.sides, base)
		l.mu.Unlock()
		return f(base, n), nil
	}
}

// TestRunConfirms sends a real sequence: NEW loses a field for its first
// two answers only (a deployment still warming up, say). The first round
// finds a regression; the confirmation round does not, so it is noise,
// and the report counts the four extra requests.
func TestRunConfirms(t *testing.T) {
	check := generator.Check{ID: "x", Method: "GET", Path: "/x", Safe: true, Request: generator.Request{URL: "/x"}}
	answer := func(side string, n int) *runner.Response {
		if side == "new" && n <= 2 {
			return resp(200, `{}`)
		}
		return resp(200, `{"a":1}`)
	}
	for _, noConfirm := range []bool{true, false} {
		var log sideLog
		rep, err := Run(t.Context(), []generator.Check{check}, "old", "new",
			Options{Send: log.send(answer), Rounds: 1, Seed: 3, NoConfirm: noConfirm})
		if err != nil {
			t.Fatal(err)
		}
		op := rep.Operations[0]
		want, wantSent := Noise, 8
		if noConfirm {
			want, wantSent = Regression, 4
		}
		if op.Verdict != want || len(log.sides) != wantSent {
			t.Errorf("NoConfirm %v: verdict %s after %d requests, want %s after %d (%+v)", noConfirm, op.Verdict, len(log.sides), want, wantSent, op.Differences)
		}
		if !noConfirm && (rep.Summary.Dropped != 1 || rep.Summary.ConfirmationRequests != 4 || op.Confirmation == nil || op.Confirmation.Confirmed) {
			t.Errorf("summary %+v, confirmation %+v; want 1 dropped after 4 confirmation requests", rep.Summary, op.Confirmation)
		}
	}
}

// TestRunSeed checks that the seed alone fixes the order of requests,
// and that a run without one picks one and reports it.
func TestRunSeed(t *testing.T) {
	checks := []generator.Check{{ID: "a", Method: "GET", Path: "/a", Safe: true}, {ID: "b", Method: "GET", Path: "/b", Safe: true}}
	order := func(seed uint64) ([]string, uint64) {
		var log sideLog
		rep, err := Run(t.Context(), checks, "old", "new", Options{Send: log.send(func(string, int) *runner.Response {
			return resp(200, `{}`)
		}), Rounds: 8, Concurrency: 1, Seed: seed, Latency: LatencyOptions{Disabled: true}})
		if err != nil {
			t.Fatal(err)
		}
		return log.sides, rep.Seed
	}
	a, seedA := order(42)
	b, _ := order(42)
	c, _ := order(43)
	if seedA != 42 || !slices.Equal(a, b) {
		t.Errorf("seed 42 twice: orders differ or reported seed %d", seedA)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 gave the same order of %d requests", len(a))
	}
	_, r1 := order(0)
	_, r2 := order(0)
	if r1 == 0 || r1 == r2 || r1 >= 1<<53 {
		t.Errorf("random seeds %d and %d: want two different non-zero seeds below 2^53", r1, r2)
	}
}

// TestRunBodyOverLimit: a body the runner truncated is an error sample
// that says why, never compared in part.
func TestRunBodyOverLimit(t *testing.T) {
	check := generator.Check{ID: "x", Method: "GET", Path: "/x", Safe: true}
	send := func(_ context.Context, base string, c generator.Check) (*runner.Response, error) {
		r := resp(200, strings.Repeat("a", 1024))
		r.Truncated = true
		return r, nil
	}
	rep, err := Run(t.Context(), []generator.Check{check}, "old", "new", Options{Send: send, Rounds: 1})
	if err != nil {
		t.Fatal(err)
	}
	op := rep.Operations[0]
	if op.Verdict != Error || len(op.Errors) == 0 || !strings.Contains(op.Errors[0], "response body larger than the 1 KiB limit: not compared") {
		t.Errorf("verdict %s, errors %q; want error, body larger than the 1 KiB limit", op.Verdict, op.Errors)
	}
	// The same over diff's own decoding limit.
	bomb := gzipped(t, strings.Repeat(" ", 2048)+"{}")
	big := Sample{Response: resp(200, string(bomb), "Content-Encoding", "gzip")}
	rep, err = Compare([]Samples{{Check: check, Old: []Sample{big, big}, New: []Sample{big, big}}},
		Options{Rounds: 1, MaxBodyBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if op := rep.Operations[0]; op.Verdict != Error || len(op.Errors) == 0 || !strings.Contains(op.Errors[0], "gzip body larger than the 1 KiB limit once decoded") {
		t.Errorf("verdict %s, errors %q; want error, gzip body larger than the 1 KiB limit once decoded", op.Verdict, op.Errors)
	}
}

// TestLagDuring checks the arithmetic of the lag monitor on recorded
// spans, without a clock.
func TestLagDuring(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	m := &lagMonitor{due: at(100)}
	m.spans[0] = lagSpan{due: at(10), woke: at(30)} // 20 ms late
	m.spans[1] = lagSpan{due: at(50), woke: at(55)} // 5 ms late
	tests := []struct {
		name       string
		start, end int
		want       time.Duration
	}{
		{"before every span", 0, 9, 0},
		{"inside the long span", 12, 20, 8 * time.Millisecond},
		{"covering both", 0, 60, 20 * time.Millisecond},
		{"overlapping the end of one", 25, 60, 5 * time.Millisecond},
		{"between spans", 31, 49, 0},
		{"a wake-up due and not come yet", 90, 130, 30 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := m.lagDuring(at(tt.start), at(tt.end)); got != tt.want {
			t.Errorf("%s: lagDuring(%d, %d) = %v, want %v", tt.name, tt.start, tt.end, got, tt.want)
		}
	}
}

// TestLagMonitorStops: the monitor's goroutine ends with stop, and a
// sample taken on an idle machine is not starved.
func TestLagMonitorStops(t *testing.T) {
	m := startLagMonitor()
	start := time.Now()
	end := time.Now()
	if lag := m.lagDuring(start, end); lag > (LatencyOptions{}).withDefaults().MaxLag {
		t.Errorf("lagDuring an empty interval = %v, want below MaxLag", lag)
	}
	m.stop()
	select {
	case <-m.done:
	default:
		t.Error("stop returned before the monitor's goroutine ended")
	}
}
