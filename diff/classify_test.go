package diff

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// brief is the comparable summary of a Difference.
type brief struct {
	Where string
	Kind  Kind
	Class Class
}

func briefs(ds []Difference) []brief {
	var out []brief
	for _, d := range ds {
		out = append(out, brief{Where: d.Location(), Kind: d.Kind, Class: d.Class})
	}
	return out
}

func testCheck(t *testing.T, schemaJSON string) generator.Check {
	t.Helper()
	c := generator.Check{ID: "abc", Method: "GET", Path: "/things", OperationID: "listThings", Safe: true,
		Request: generator.Request{URL: "/things"},
		Expect:  generator.Expect{Status: []string{"200"}, Responses: []generator.Response{{Status: "200"}}}}
	if schemaJSON != "" {
		c.Expect.Responses[0].Content = []generator.Content{{MediaType: "application/json", Schema: schema(t, schemaJSON)}}
	}
	return c
}

func TestCompareVerdicts(t *testing.T) {
	const rounds = 2 // 4 samples per side
	at := func(s string) string { return `{"id":1,"generated_at":"` + s + `"}` }
	stampSchema := `{"type":"object","properties":{"generated_at":{"type":"string","format":"date-time"}}}`
	tests := []struct {
		name     string
		schema   string
		old, new []Sample
		rules    []Rule
		want     Verdict
		wantDiff []brief
	}{
		{
			name: "identical", old: same(4, resp(200, `{"a":1}`)), new: same(4, resp(200, `{"a":1.0}`)),
			want: Parity,
		},
		{
			name: "changed value", old: same(4, resp(200, `{"a":1}`)), new: same(4, resp(200, `{"a":2}`)),
			want: Regression, wantDiff: []brief{{"/a", KindChanged, ClassRegression}},
		},
		{
			name: "addition is not a regression", old: same(4, resp(200, `{"a":1}`)), new: same(4, resp(200, `{"a":1,"b":2}`)),
			want: Parity, wantDiff: []brief{{"/b", KindAdded, ClassAddition}},
		},
		{
			name: "value that varies on OLD is noise",
			old:  side(resp(200, `{"n":1}`), resp(200, `{"n":2}`), resp(200, `{"n":3}`), resp(200, `{"n":4}`)),
			new:  side(resp(200, `{"n":5}`), resp(200, `{"n":6}`), resp(200, `{"n":7}`), resp(200, `{"n":8}`)),
			want: Noise, wantDiff: []brief{{"/n", KindChanged, ClassNoise}},
		},
		{
			name: "noisy field missing on NEW is still a regression",
			old:  side(resp(200, `{"n":1}`), resp(200, `{"n":2}`), resp(200, `{"n":3}`), resp(200, `{"n":4}`)),
			new:  same(4, resp(200, `{}`)),
			want: Regression, wantDiff: []brief{{"/n", KindMissing, ClassRegression}},
		},
		{
			name:   "constant date-time compared by format",
			schema: stampSchema,
			old:    same(4, resp(200, at("2024-01-01T00:00:00Z"))), new: same(4, resp(200, at("2024-02-01T00:00:00Z"))),
			want: Noise, wantDiff: []brief{{"/generated_at", KindChanged, ClassNoise}},
		},
		{
			name: "status change",
			old:  same(4, resp(200, `{}`)), new: same(4, resp(404, `{}`)),
			want: Regression, wantDiff: []brief{{"status code", KindStatus, ClassRegression}},
		},
		{
			name: "fixed",
			old:  same(4, resp(500, `{"error":"boom"}`)), new: same(4, resp(200, `{"a":1}`)),
			want: Fixed, wantDiff: []brief{{"status code", KindStatus, ClassFixed}},
		},
		{
			name: "header change, request id and date ignored",
			old:  same(4, resp(200, `{}`, "Cache-Control", "no-store", "X-Request-Id", "a", "Date", "x")),
			new:  same(4, resp(200, `{}`, "Cache-Control", "max-age=60", "X-Request-Id", "b", "Date", "y")),
			want: Regression, wantDiff: []brief{{"header Cache-Control", KindHeader, ClassRegression}},
		},
		{
			name: "header gone on NEW",
			old:  same(4, resp(200, `{}`, "X-Request-Id", "a")), new: same(4, resp(200, `{}`)),
			want: Regression, wantDiff: []brief{{"header X-Request-Id", KindHeader, ClassRegression}},
		},
		{
			name: "header added on NEW",
			old:  same(4, resp(200, `{}`)), new: same(4, resp(200, `{}`, "X-Frame-Options", "DENY")),
			want: Parity, wantDiff: []brief{{"header X-Frame-Options", KindHeader, ClassAddition}},
		},
		{
			name: "type change",
			old:  same(4, resp(200, `{"a":1}`)), new: same(4, resp(200, `{"a":"1"}`)),
			want: Regression, wantDiff: []brief{{"/a", KindType, ClassRegression}},
		},
		{
			name: "ignore rule with reason",
			old:  same(4, resp(200, `{"host":"ip-10-0-0-1"}`)), new: same(4, resp(200, `{"host":"fargate-1"}`)),
			rules: []Rule{{Action: Ignore, Operation: "GET /things", Pointer: "/host", Reason: "host names differ by design"}},
			want:  Parity, wantDiff: []brief{{"/host", KindChanged, ClassIgnored}},
		},
		{
			name: "expect rule by operationId and template",
			old:  same(4, resp(200, `{"items":[{"v":1}]}`)), new: same(4, resp(200, `{"items":[{"v":2}]}`)),
			rules: []Rule{{Action: Expect, Operation: "listThings", Pointer: "/items/*/v", Reason: "v bumped in this release"}},
			want:  Parity, wantDiff: []brief{{"/items/0/v", KindChanged, ClassExpected}},
		},
		{
			name: "sampling error",
			old:  same(4, resp(200, `{}`)), new: append(same(3, resp(200, `{}`)), Sample{Err: errors.New("connection refused")}),
			want: Error,
		},
		{
			name: "interrupted",
			old:  same(4, resp(200, `{}`)), new: same(2, resp(200, `{}`)),
			want: Error,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testCheck(t, tt.schema)
			rep, err := Compare([]Samples{{Check: c, Old: tt.old, New: tt.new}}, Options{Rounds: rounds, Rules: tt.rules})
			if err != nil {
				t.Fatalf("Compare: %v", err)
			}
			op := rep.Operations[0]
			if op.Verdict != tt.want {
				t.Errorf("verdict = %s, want %s (differences %+v, errors %q)", op.Verdict, tt.want, op.Differences, op.Errors)
			}
			if diff := cmp.Diff(tt.wantDiff, briefs(op.Differences)); diff != "" {
				t.Errorf("differences mismatch (-want +got):\n%s", diff)
			}
			if len(rep.Warnings) != 0 {
				t.Errorf("warnings = %q, want none", rep.Warnings)
			}
		})
	}
}

func TestCompareSchemaBreak(t *testing.T) {
	c := testCheck(t, "")
	eval := func(_ generator.Check, r *runner.Response) []runner.Failure {
		if strings.Contains(string(r.Body), `"name":1`) {
			return []runner.Failure{{Check: "response_schema", Pointer: "/name", Message: "/name: want string, got number"}}
		}
		return nil
	}
	rep, err := Compare([]Samples{{Check: c, Old: same(4, resp(200, `{"name":"a"}`)), New: same(4, resp(200, `{"name":1}`))}},
		Options{Rounds: 2, Evaluate: eval})
	if err != nil {
		t.Fatal(err)
	}
	got := briefs(rep.Operations[0].Differences)
	want := []brief{{"/name", KindSchema, ClassRegression}, {"/name", KindType, ClassRegression}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("differences mismatch (-want +got):\n%s", diff)
	}
}

func TestRuleWarnings(t *testing.T) {
	c := testCheck(t, "")
	rules := []Rule{
		{Action: Ignore, Operation: "GET /other", Pointer: "/a", Reason: "no such operation"},
		{Action: Ignore, Operation: "/things", Pointer: "/zzz", Reason: "nothing differs there"},
	}
	rep, err := Compare([]Samples{{Check: c, Old: same(2, resp(200, `{}`)), New: same(2, resp(200, `{}`))}}, Options{Rounds: 1, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 2 || !strings.Contains(rep.Warnings[0], "matched no operation") || !strings.Contains(rep.Warnings[1], "matched no difference") {
		t.Errorf("warnings = %q, want one per unused rule", rep.Warnings)
	}
}

func TestRuleValidate(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want string // substring of the error; empty means valid
	}{
		{name: "valid", rule: Rule{Action: Ignore, Pointer: "/a", Reason: "r"}},
		{name: "kind only", rule: Rule{Action: Expect, Kind: KindLatency, Reason: "r"}},
		{name: "no reason", rule: Rule{Action: Ignore, Pointer: "/a"}, want: "reason is required"},
		{name: "bad action", rule: Rule{Action: "skip", Pointer: "/a", Reason: "r"}, want: "want ignore or expect"},
		{name: "whole response", rule: Rule{Action: Ignore, Operation: "GET /flaky", Reason: "r"}},
		{name: "bad pointer", rule: Rule{Action: Ignore, Pointer: "a", Reason: "r"}, want: "start with /"},
		{name: "bad kind", rule: Rule{Action: Ignore, Kind: "weird", Reason: "r"}, want: "unknown kind"},
		{name: "bad operation", rule: Rule{Action: Ignore, Operation: "GET pets", Pointer: "/a", Reason: "r"}, want: "METHOD /path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	ms := func(vs ...float64) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v * float64(time.Millisecond))
		}
		return out
	}
	spread := func(base float64, n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = base + float64(i%5)
		}
		return out
	}
	o := LatencyOptions{}.withDefaults()
	tests := []struct {
		name                string
		old, new            []time.Duration
		compared, slower, s bool
	}{
		{name: "too few samples", old: ms(spread(10, 6)...), new: ms(spread(200, 6)...)},
		{name: "much slower", old: ms(spread(10, 10)...), new: ms(spread(200, 10)...), compared: true, slower: true, s: true},
		{name: "faster is significant, not slower", old: ms(spread(200, 10)...), new: ms(spread(10, 10)...), compared: true, s: true},
		{name: "slower but under the absolute threshold", old: ms(spread(2, 10)...), new: ms(spread(20, 10)...), compared: true},
		{name: "slower but under the relative threshold", old: ms(spread(1000, 10)...), new: ms(spread(1100, 10)...), compared: true},
		{name: "near-equal", old: ms(spread(50, 10)...), new: ms(spread(50.5, 10)...), compared: true},
		{name: "warm-up outlier discarded", old: ms(append([]float64{900}, spread(50, 9)...)...), new: ms(spread(50, 10)...), compared: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := compareLatency(timings(tt.old), timings(tt.new), o)
			if l.Compared != tt.compared || l.Slower != tt.slower || l.Significant != tt.s {
				t.Errorf("compareLatency = compared %v slower %v significant %v (%+v), want %v %v %v",
					l.Compared, l.Slower, l.Significant, *l, tt.compared, tt.slower, tt.s)
			}
		})
	}
}

func TestCompareIgnoreHeadersAndSecrets(t *testing.T) {
	c := testCheck(t, "")
	c.Request.Headers = []generator.Param{{Name: "Authorization", Value: "Bearer s3cr3t-token", Source: generator.SourceSecret, Secret: true}}
	old := same(2, resp(200, `{"echo":"Bearer s3cr3t-token","k":"api-key-1"}`, "X-Backend", "ec2-1"))
	new := same(2, resp(200, `{"echo":"token s3cr3t-token","k":"api-key-2"}`, "X-Backend", "task-9"))
	rep, err := Compare([]Samples{{Check: c, Old: old, New: new}},
		Options{Rounds: 1, IgnoreHeaders: []string{"X-Back*"}, Secrets: []string{"api-key-1"}})
	if err != nil {
		t.Fatal(err)
	}
	out := mustMarshal(t, rep)
	for _, leak := range []string{"s3cr3t-token", "api-key-1"} {
		if strings.Contains(out, leak) {
			t.Errorf("report contains secret %q: %s", leak, out)
		}
	}
	want := []brief{{"/echo", KindChanged, ClassRegression}, {"/k", KindChanged, ClassRegression}}
	if diff := cmp.Diff(want, briefs(rep.Operations[0].Differences)); diff != "" {
		t.Errorf("differences mismatch (-want +got):\n%s", diff)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNoiseFollowsSetElements: in an array compared by key, an element's
// index changes between answers; noise must follow the element, not the
// index.
func TestNoiseFollowsSetElements(t *testing.T) {
	c := testCheck(t, "")
	old := side(
		resp(200, `{"items":[{"id":1,"n":1},{"id":2,"n":5}]}`),
		resp(200, `{"items":[{"id":2,"n":5},{"id":1,"n":2}]}`),
	)
	new := side(
		resp(200, `{"items":[{"id":1,"n":9},{"id":2,"n":5}]}`),
		resp(200, `{"items":[{"id":2,"n":5},{"id":1,"n":8}]}`),
	)
	for _, tt := range []struct {
		name string
		new  []Sample
		want Verdict
	}{
		{name: "varying field of a moving element", new: new, want: Noise},
		{name: "stable field changed", new: side(
			resp(200, `{"items":[{"id":1,"n":1},{"id":2,"n":6}]}`),
			resp(200, `{"items":[{"id":2,"n":6},{"id":1,"n":2}]}`),
		), want: Regression},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Compare([]Samples{{Check: c, Old: old, New: tt.new}}, Options{Rounds: 1, ArrayKeys: map[string]string{"/items": "id"}})
			if err != nil {
				t.Fatal(err)
			}
			if op := rep.Operations[0]; op.Verdict != tt.want {
				t.Errorf("verdict = %s, want %s (%s)", op.Verdict, tt.want, mustMarshal(t, op.Differences))
			}
		})
	}
}
