package baseline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/runner"
)

// bigDiff is a report of 200 operations with 10 regression differences
// each (2,000 findings), and a baseline of 500 entries naming half of
// the operations' differences by template.
func bigDiff(b *testing.B) (*diff.Report, *File) {
	rep := &diff.Report{}
	var sb strings.Builder
	sb.WriteString("diff:\n")
	for i := range 200 {
		op := diff.Operation{CheckID: fmt.Sprint(i), Method: "GET", Path: fmt.Sprintf("/r%d/{id}", i), Verdict: diff.Regression}
		for k := range 10 {
			p := fmt.Sprintf("/items/%d/f%d", k, k)
			op.Differences = append(op.Differences, diff.Difference{Kind: diff.KindChanged, Pointer: p,
				Template: fmt.Sprintf("/items/*/f%d", k), Class: diff.ClassRegression, Old: []byte(`1`), New: []byte(`2`)})
		}
		rep.Operations = append(rep.Operations, op)
		if i%2 == 0 {
			for k := range 5 {
				fmt.Fprintf(&sb, "  - {operation: \"GET /r%d/{id}\", pointer: /items/*/f%d, kind: changed, reason: r, expires: 2999-12-31}\n", i, k)
			}
		}
	}
	f, err := Parse("b.yaml", []byte(sb.String()), LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return rep, f
}

// BenchmarkJudgeDiff judges 2,000 differences against 500 entries.
func BenchmarkJudgeDiff(b *testing.B) {
	rep, f := bigDiff(b)
	b.ReportAllocs()
	for b.Loop() {
		j := JudgeDiff(f, rep, diff.FailOnRegression, now)
		if j.Summary.Accepted != 500 {
			b.Fatalf("accepted %d", j.Summary.Accepted)
		}
	}
}

// BenchmarkJudgeRun judges 2,000 failed checks against 1,000 entries.
func BenchmarkJudgeRun(b *testing.B) {
	var results []runner.Result
	var sb strings.Builder
	sb.WriteString("run:\n")
	for i := range 2000 {
		results = append(results, runner.Result{CheckID: fmt.Sprint(i), Method: "GET", Path: fmt.Sprintf("/r%d", i), Outcome: runner.Failed,
			Failures: []runner.Failure{{Check: "not_server_error", Message: "status 500"}}})
		if i%2 == 0 {
			fmt.Fprintf(&sb, "  - {operation: GET /r%d, assertion: not_server_error, reason: r, expires: 2999-12-31}\n", i)
		}
	}
	f, err := Parse("b.yaml", []byte(sb.String()), LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if j := JudgeRun(f, results, RunOptions{Now: now}); j.Summary.Accepted != 1000 {
			b.Fatalf("accepted %d", j.Summary.Accepted)
		}
	}
}

// BenchmarkMerge merges 1,000 new findings into a reviewed file of 1,000
// entries.
func BenchmarkMerge(b *testing.B) {
	rep, _ := bigDiff(b)
	j := JudgeDiff(nil, rep, diff.FailOnRegression, now)
	data, _, err := Merge("b.yaml", nil, SectionDiff, j, expires)
	if err != nil {
		b.Fatal(err)
	}
	reviewed := []byte(strings.ReplaceAll(string(data), `reason: ""`, "reason: r"))
	f, _ := Parse("b.yaml", reviewed, LoadOptions{})
	rep2, _ := bigDiff(b)
	for i := range rep2.Operations {
		rep2.Operations[i].Path += "/v2"
	}
	j2 := JudgeDiff(f, rep2, diff.FailOnRegression, now)
	b.ReportAllocs()
	for b.Loop() {
		if _, added, err := Merge("b.yaml", reviewed, SectionDiff, j2, expires); err != nil || len(added) == 0 {
			b.Fatal(err, len(added))
		}
	}
}
