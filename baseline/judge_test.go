package baseline

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

var now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func mustParse(t *testing.T, data string, opts LoadOptions) *File {
	t.Helper()
	f, err := Parse("b.yaml", []byte(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func runResults() []runner.Result {
	return []runner.Result{
		{CheckID: "aaa", Method: "GET", Path: "/stats", OperationID: "getStats", StatusCode: 500, Outcome: runner.Failed, Reason: runner.ReasonOther,
			Failures: []runner.Failure{{Check: "not_server_error", Message: "status 500"}, {Check: "response_schema", Message: "a", Pointer: "/a"},
				{Check: "response_schema", Message: "b", Pointer: "/b"}}},
		{CheckID: "bbb", Method: "GET", Path: "/pets/{petId}", OperationID: "getPet", StatusCode: 404, Outcome: runner.Passed, Reason: runner.ReasonNotFound, Snippet: `{"message":"no pet"}`},
		{CheckID: "ccc", Method: "GET", Path: "/health", StatusCode: 200, Outcome: runner.Passed, Exercised: true},
		{CheckID: "ddd", Method: "DELETE", Path: "/pets/{petId}", Outcome: runner.Errored, Reason: runner.ReasonNoAnswer,
			Failures: []runner.Failure{{Check: "request", Message: "timeout"}}},
		{CheckID: "eee", Method: "PUT", Path: "/pets/{petId}", OperationID: "updatePet", StatusCode: 200, Outcome: runner.Failed, Exercised: true,
			Failures: []runner.Failure{{Check: "latency", Message: "slow"}}},
	}
}

func TestJudgeRun(t *testing.T) {
	f := mustParse(t, `run:
  - operation: getStats
    assertion: not_server_error
    reason: cache warm-up (OPS-12)
    expires: 2026-12-31
  - check: aaa
    operation: GET /stats
    assertion: response_schema
    reason: schema fix pending
    expires: 2026-11-27
  - operation: GET /pets/*
    not_exercised: not_found
    reason: pet 1 is created by the nightly job
    expires: 2026-12-31
  - operation: GET /health
    assertion: content_type
    reason: fixed in 2.3
    expires: 2026-12-31
  - operation: GET /gone
    assertion: latency
    reason: long gone
    expires: 2020-01-01
`, LoadOptions{})
	t.Run("fail on failed", func(t *testing.T) {
		j := JudgeRun(f, runResults(), RunOptions{Now: now})
		got := statuses(j)
		want := []string{"GET /stats not_server_error accepted b.yaml:2", "GET /stats response_schema expired b.yaml:6",
			"PUT /pets/{petId} latency new"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		// The not_found entry matches although --fail-on failed does not
		// fail on it: it is not stale.
		if diff := cmp.Diff([]string{"b.yaml:15 GET /health content_type false", "b.yaml:19 GET /gone latency true unchecked"}, stale(j)); diff != "" {
			t.Errorf("stale (-want +got):\n%s", diff)
		}
		if s := j.Summary; s != (Summary{Accepted: 1, Expired: 1, New: 1, Stale: 1, Unchecked: 1}) || !j.Fails() {
			t.Errorf("Summary = %+v, Fails = %v", s, j.Fails())
		}
		if j.AllAccepted("aaa") || j.Failure("aaa", "not_server_error").Status != Accepted || j.Failure("ccc", "latency") != nil {
			t.Error("lookups disagree with the findings")
		}
	})
	t.Run("fail on unexercised", func(t *testing.T) {
		j := JudgeRun(f, runResults(), RunOptions{Now: now, FailOnUnexercised: true})
		want := []string{"GET /stats not_server_error accepted b.yaml:2", "GET /stats response_schema expired b.yaml:6",
			"GET /stats not exercised: other new", "GET /pets/{petId} not exercised: not_found accepted b.yaml:11", "PUT /pets/{petId} latency new"}
		if diff := cmp.Diff(want, statuses(j)); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		if !j.AllAccepted("bbb") || j.NotExercisedOf("bbb") == nil || j.NotExercisedOf("bbb").Message != `status 404: {"message":"no pet"}` {
			t.Errorf("bbb: %+v", j.Of("bbb"))
		}
	})
	t.Run("no baseline", func(t *testing.T) {
		j := JudgeRun(nil, runResults(), RunOptions{Now: now})
		if j.Summary != (Summary{New: 3}) || len(j.Stale) != 0 {
			t.Errorf("Summary = %+v", j.Summary)
		}
	})
	t.Run("an unreviewed entry names its finding without accepting it", func(t *testing.T) {
		f := mustParse(t, "run:\n  - {operation: GET /stats, assertion: not_server_error, reason: '', expires: 2026-12-31}\n", LoadOptions{AllowUnreviewed: true})
		j := JudgeRun(f, runResults()[:1], RunOptions{Now: now})
		x := j.Failure("aaa", "not_server_error")
		if x.Status != New || x.Entry == nil || x.Entry.Line != 2 || len(j.Stale) != 0 {
			t.Errorf("finding = %+v, stale %v", x, j.Stale)
		}
	})
	t.Run("an entry of a check that did not answer is unchecked, not stale", func(t *testing.T) {
		f := mustParse(t, `run:
  - {operation: "DELETE /pets/{petId}", assertion: not_server_error, reason: r, expires: 2999-12-31}
  - {operation: GET /health, assertion: not_server_error, reason: r, expires: 2999-12-31}
  - {operation: GET /nowhere, assertion: not_server_error, reason: r, expires: 2999-12-31}
`, LoadOptions{})
		j := JudgeRun(f, runResults(), RunOptions{Now: now})
		want := []string{"b.yaml:2 DELETE /pets/{petId} not_server_error false unchecked", "b.yaml:3 GET /health not_server_error false",
			"b.yaml:4 GET /nowhere not_server_error false unchecked"}
		if d := cmp.Diff(want, stale(j)); d != "" || j.Summary.Stale != 1 || j.Summary.Unchecked != 2 {
			t.Errorf("stale (-want +got):\n%s%+v", d, j.Summary)
		}
	})
	t.Run("a reviewed entry wins over an expired one", func(t *testing.T) {
		f := mustParse(t, `run:
  - {check: aaa, assertion: not_server_error, reason: old, expires: 2020-01-01}
  - {operation: GET /stats, assertion: not_server_error, reason: new, expires: 2026-12-31}
`, LoadOptions{})
		j := JudgeRun(f, runResults()[:1], RunOptions{Now: now})
		if x := j.Failure("aaa", "not_server_error"); x.Status != Accepted || x.Entry.Reason != "new" || len(j.Stale) != 0 {
			t.Errorf("finding = %+v, stale %v", x, j.Stale)
		}
	})
}

func statuses(j *Judgement) []string {
	var out []string
	for _, f := range j.Findings {
		s := f.Operation() + " " + f.What() + " " + string(f.Status)
		if f.Entry != nil {
			s += " " + f.Entry.Where()
		}
		out = append(out, s)
	}
	return out
}

func stale(j *Judgement) []string {
	var out []string
	for _, s := range j.Stale {
		checked := ""
		if !s.Checked {
			checked = " unchecked"
		}
		out = append(out, fmt.Sprintf("%s %s %v%s", s.Where(), s.Names, s.Expired, checked))
	}
	return out
}

// sampleDiff compares OLD and NEW answers of three operations: GET
// /pets/{petId} loses /tag and /owner/name, changes /items/1/id and a
// header; GET /stats changes status; GET /pets adds a field (an
// addition).
func sampleDiff(t *testing.T, rules ...diff.Rule) *diff.Report {
	t.Helper()
	answer := func(status int, body string, hdr ...string) diff.Sample {
		h := http.Header{"Content-Type": {"application/json"}}
		for i := 0; i+1 < len(hdr); i += 2 {
			h.Set(hdr[i], hdr[i+1])
		}
		return diff.Sample{Response: &runner.Response{StatusCode: status, Header: h, Body: []byte(body), Duration: time.Millisecond}}
	}
	repeat := func(s diff.Sample) []diff.Sample { return []diff.Sample{s, s, s, s, s, s} }
	check := func(method, path, id string) generator.Check {
		return generator.Check{ID: generator.CheckID("pets", method, path), Method: method, Path: path, OperationID: id}
	}
	rep, err := diff.Compare([]diff.Samples{
		{Check: check("GET", "/pets/{petId}", "getPet"),
			Old: repeat(answer(200, `{"tag":"dog","owner":{"name":"Ann"},"items":[{"id":1},{"id":2}]}`, "X-Api-Version", "1")),
			New: repeat(answer(200, `{"owner":{},"items":[{"id":1},{"id":3}]}`, "X-Api-Version", "2"))},
		{Check: check("GET", "/stats", "getStats"), Old: repeat(answer(200, `{}`)), New: repeat(answer(503, `{}`))},
		{Check: check("GET", "/pets", "listPets"), Old: repeat(answer(200, `{}`)), New: repeat(answer(200, `{"more":1}`))},
	}, diff.Options{Rounds: 3, Latency: diff.LatencyOptions{Disabled: true}, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestJudgeDiff(t *testing.T) {
	rep := sampleDiff(t)
	f := mustParse(t, `diff:
  - operation: GET /pets/{petId}
    pointer: /tag
    kind: missing
    reason: tag moves to labels
    expires: 2026-12-31
  - operation: getStats
    kind: status
    reason: maintenance page until the cut-over
    expires: 2026-01-31
  - operation: GET /pets/{petId}
    pointer: /gone
    kind: missing
    reason: fixed
    expires: 2026-12-31
`, LoadOptions{})
	j := JudgeDiff(f, rep, diff.FailOnRegression, now)
	want := []string{
		"GET /pets/{petId} header X-Api-Version new", "GET /pets/{petId} missing /owner/name new", "GET /pets/{petId} missing /tag accepted b.yaml:2",
		"GET /pets/{petId} changed /items/1/id new", "GET /stats status expired b.yaml:7",
	}
	got := statuses(j)
	slices.Sort(want)
	slices.Sort(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"b.yaml:11 GET /pets/{petId} missing /gone false"}, stale(j)); d != "" {
		t.Errorf("stale (-want +got):\n%s", d)
	}
	// The addition of GET /pets is a finding only with --fail-on any.
	if any := JudgeDiff(f, rep, diff.FailOnAny, now); any.Summary.New != j.Summary.New+1 {
		t.Errorf("FailOnAny: %+v, want one more new finding than %+v", any.Summary, j.Summary)
	}
	x := j.Difference(generator.CheckID("pets", "GET", "/pets/{petId}"), diff.Difference{Kind: diff.KindMissing, Pointer: "/tag"})
	if x == nil || x.Status != Accepted || x.Message != `missing /tag: old "dog", new —` {
		t.Errorf("Difference(/tag) = %+v", x)
	}
}

// TestDiffEntriesMatchAsRules: a baseline entry accepts exactly the
// differences a rule with the same selector silences, whatever the
// selector names: the two share one matcher.
func TestDiffEntriesMatchAsRules(t *testing.T) {
	selectors := []diff.Selector{
		{Operation: "GET /pets/{petId}", Pointer: "/tag", Kind: diff.KindMissing},
		{Operation: "getPet", Pointer: "/owner", Kind: diff.KindMissing}, // a pointer covers what is below it
		{Operation: "GET /pets/*", Pointer: "/items/*/id", Kind: diff.KindChanged},
		{Operation: "/pets/{petId}", Header: "X-Api-*", Kind: diff.KindHeader},
		{Operation: "GET /pets/{petId}", Pointer: "/items", Kind: diff.KindMissing}, // matches nothing
		{Operation: "GET /stats", Kind: diff.KindStatus},
		{Operation: "GET /stats", Pointer: "/x", Kind: diff.KindStatus}, // a status has no pointer
		{Operation: "GET /pets", Pointer: "/more", Kind: diff.KindAdded},
		{Operation: "GET /pets/{petId}", Header: "X-Api-Version", Kind: diff.KindChanged}, // wrong kind
	}
	for _, sel := range selectors {
		t.Run(sel.String(), func(t *testing.T) {
			ruled := sampleDiff(t, diff.Rule{Action: diff.Expect, Operation: sel.Operation, Pointer: sel.Pointer, Header: sel.Header, Kind: sel.Kind, Reason: "r"})
			var silenced []string
			for _, op := range ruled.Operations {
				for _, d := range op.Differences {
					if d.Class == diff.ClassExpected {
						silenced = append(silenced, op.Method+" "+op.Path+" "+string(d.Kind)+" "+d.Location())
					}
				}
			}
			var b strings.Builder
			fmt.Fprintf(&b, "diff:\n  - operation: %q\n    kind: %s\n    reason: r\n    expires: 2026-12-31\n", sel.Operation, sel.Kind)
			if sel.Pointer != "" {
				fmt.Fprintf(&b, "    pointer: %q\n", sel.Pointer)
			}
			if sel.Header != "" {
				fmt.Fprintf(&b, "    header: %q\n", sel.Header)
			}
			j := JudgeDiff(mustParse(t, b.String(), LoadOptions{}), sampleDiff(t), diff.FailOnAny, now)
			var accepted []string
			for _, x := range j.Findings {
				if x.Status == Accepted {
					accepted = append(accepted, x.Operation()+" "+string(x.Kind)+" "+location(x))
				}
			}
			slices.Sort(silenced)
			slices.Sort(accepted)
			if d := cmp.Diff(silenced, accepted); d != "" {
				t.Errorf("rule silences (-) what the entry does not accept (+):\n%s", d)
			}
			if (len(accepted) == 0) != (len(j.Stale) == 1) {
				t.Errorf("accepted %v, stale %v: an entry that accepts nothing is stale", accepted, j.Stale)
			}
		})
	}
}

func location(x Finding) string {
	return diff.Difference{Kind: x.Kind, Pointer: x.Pointer, Header: x.Header}.Location()
}
