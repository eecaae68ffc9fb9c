package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/smoke-dev/smoke/internal/junit"
	"github.com/smoke-dev/smoke/runner"
)

// WriteRunJUnit writes one testcase per check. A testcase is named after
// its operation ("GET /pets/{petId} (getPet)"); a failure's type lists the
// failed assertions and its text holds every message and the reproduce
// command.
func WriteRunJUnit(w io.Writer, results []runner.Result, opts RunOptions) error {
	s := runner.Summarize(results)
	whyOf := map[string]string{}
	for _, row := range coverage(results, opts).Rows {
		whyOf[row.CheckID] = row.Why
	}
	// With --fail-on unexercised, a check that passed without exercising
	// its operation is a failure in CI viewers too. A check whose findings
	// the baseline accepts all passes, with the acceptance in its output.
	accepted := func(r runner.Result) bool { return opts.Baseline.AllAccepted(r.CheckID) }
	unexercised := func(r runner.Result) bool {
		return opts.FailOnUnexercised && r.Outcome == runner.Passed && !r.Exercised && !accepted(r)
	}
	for _, r := range results {
		switch {
		case unexercised(r):
			s.Failed++
		case r.Outcome == runner.Failed && accepted(r):
			s.Failed--
		}
	}
	suiteName := opts.Title
	if suiteName == "" {
		suiteName = "smoke run"
	}
	var total float64
	suite := junit.Suite{
		Name: suiteName, Tests: s.Total, Failures: s.Failed, Errors: s.Errored, Skipped: s.Skipped,
		Cases: make([]junit.Case, 0, len(results)),
	}
	if opts.Target != "" {
		suite.Properties = append(suite.Properties, junit.Property{Name: "target", Value: opts.Target})
	}
	if opts.Incomplete != "" {
		suite.Properties = append(suite.Properties, junit.Property{Name: "incomplete", Value: opts.Incomplete})
	}
	if opts.Baseline != nil {
		suite.Properties = append(suite.Properties, junit.Property{Name: "baseline", Value: baselineCounts(opts.Baseline)})
	}
	for _, r := range results {
		total += r.DurationMS
		tc := junit.Case{Name: caseName(r), Classname: suiteName, Time: junit.Seconds(r.DurationMS)}
		switch {
		case accepted(r):
			var lines []string
			for _, f := range opts.Baseline.Of(r.CheckID) {
				lines = append(lines, f.What()+": "+f.Message, "  "+baselineNote(&f))
			}
			tc.SystemOut = xmlText(strings.Join(lines, "\n"))
		case unexercised(r):
			tc.Failure = &junit.Problem{Type: "not_exercised", Message: "not exercised: " + string(r.Reason) + " (status " + status(r) + ")",
				Text: xmlText(whyOf[r.CheckID])}
		case r.Outcome == runner.Failed:
			tc.Failure = problem(r, opts)
		case r.Outcome == runner.Errored:
			tc.Error = problem(r, opts)
		case r.Outcome == runner.Skipped:
			msg := "not sent"
			if len(r.Failures) > 0 {
				msg = r.Failures[0].Message
			}
			tc.Skipped = &junit.Problem{Message: msg}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Time = junit.Seconds(total)
	doc := junit.Suites{
		Name: "smoke run", Tests: s.Total, Failures: s.Failed, Errors: s.Errored, Skipped: s.Skipped,
		Time: suite.Time, Suites: []junit.Suite{suite},
	}
	if opts.Elapsed > 0 {
		doc.Time = fmt.Sprintf("%.3f", opts.Elapsed.Seconds())
	}
	return junit.Write(w, doc)
}

func caseName(r runner.Result) string {
	if r.OperationID != "" {
		return fmt.Sprintf("%s (%s)", name(r), r.OperationID)
	}
	return name(r)
}

func problem(r runner.Result, opts RunOptions) *junit.Problem {
	var types, lines []string
	for _, f := range r.Failures {
		if !slices.Contains(types, f.Check) {
			types = append(types, f.Check)
		}
		lines = append(lines, failureText(f))
	}
	p := &junit.Problem{Type: strings.Join(types, ",")}
	if len(r.Failures) > 0 {
		p.Message = oneLine(failureText(r.Failures[0]))
	}
	if r.URL != "" {
		lines = append(lines, fmt.Sprintf("%s %s → %s", r.Method, r.URL, status(r)))
	}
	if cmd := opts.Reproduce[r.CheckID]; cmd != "" {
		lines = append(lines, "reproduce: "+cmd)
	}
	for _, f := range opts.Baseline.Of(r.CheckID) {
		if n := baselineNote(&f); n != "" {
			lines = append(lines, f.What()+": "+n)
		}
	}
	p.Text = xmlText(strings.Join(lines, "\n"))
	return p
}
