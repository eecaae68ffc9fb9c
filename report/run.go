package report

import (
	"fmt"
	"io"
	"time"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// RunOptions describe a run for its report. Every field is optional.
type RunOptions struct {
	// Title names what was checked, e.g. "Petstore 1.0.0".
	Title string
	// Target is the base URL the checks were sent to.
	Target string
	// Color turns on ANSI colour in the text report. The caller decides:
	// a terminal, and NO_COLOR unset.
	Color bool
	// Reproduce maps a check ID to a shell command that repeats the check,
	// secrets masked. Reports show it under failed and errored checks.
	Reproduce map[string]string
	// Elapsed is the wall time of the run; zero leaves it out.
	Elapsed time.Duration
	// Incomplete says why not every check ran (interrupted, unreachable);
	// reports show it prominently.
	Incomplete string
	// Checks are the checks that ran: the ledger takes their tags, value
	// sources and invented values from them. Optional.
	Checks []generator.Check
	// SkippedByConfig lists the operations smoke.yaml skips, for the
	// ledger.
	SkippedByConfig []string
	// FailOnUnexercised marks a check that answered without a documented
	// success as a finding (smoke run --fail-on unexercised): JUnit then
	// reports it as a failure.
	FailOnUnexercised bool
	// Resources is what a run with chains created and deleted; nil when
	// it created nothing.
	Resources *runner.Resources
	// Baseline is the run or diff judged through --baseline: reports
	// show the findings it accepted apart, expired entries with their
	// reason, and its stale entries. Nil without a baseline.
	Baseline *baseline.Judgement
}

// RunFormats are the formats WriteRun writes.
var RunFormats = []string{"text", "json", "junit", "markdown", "html"}

// WriteRun writes the report of a run in format (one of RunFormats; text
// otherwise).
func WriteRun(w io.Writer, format string, results []runner.Result, opts RunOptions) error {
	switch format {
	case "json":
		return WriteRunJSON(w, results, opts)
	case "junit":
		return WriteRunJUnit(w, results, opts)
	case "markdown":
		return WriteRunMarkdown(w, results, opts)
	case "html":
		return WriteRunHTML(w, results, opts)
	}
	return WriteRunText(w, results, opts)
}

// resourcesLine is "created 2 resources, deleted 2" (and how many are
// left behind).
func resourcesLine(r *runner.Resources) string {
	line := fmt.Sprintf("created %s, deleted %d", plural(r.Created, "resource", "resources"), r.Deleted)
	if n := len(r.Left); n > 0 {
		line += fmt.Sprintf(", %d left behind", n)
	}
	return line
}

// outcomeOrder is the order of outcome groups in human reports: what needs
// attention first.
var outcomeOrder = []runner.Outcome{runner.Failed, runner.Errored, runner.Skipped, runner.Passed}

// byOutcome groups results, keeping their order within a group.
func byOutcome(results []runner.Result) map[runner.Outcome][]runner.Result {
	g := make(map[runner.Outcome][]runner.Result, 4)
	for _, r := range results {
		g[r.Outcome] = append(g[r.Outcome], r)
	}
	return g
}

// summaryLine leads with exercise, then outcomes: "41 checks: 38
// exercised, 3 not (2 not_found, 1 rejected); 40 passed, 1 failed, 0
// errored, 0 skipped". Failed checks a baseline accepts whole are said
// so ("2 failed (1 accepted)"): the run may still pass.
func summaryLine(s runner.Summary, results []runner.Result, j *baseline.Judgement) string {
	failed := fmt.Sprintf("%d failed", s.Failed)
	if j != nil {
		n := 0
		for _, r := range results {
			if r.Outcome == runner.Failed && j.AllAccepted(r.CheckID) {
				n++
			}
		}
		if n > 0 {
			failed += fmt.Sprintf(" (%d accepted)", n)
		}
	}
	return fmt.Sprintf("%s: %s; %d passed, %s, %d errored, %d skipped",
		plural(s.Total, "check", "checks"), exerciseLine(s), s.Passed, failed, s.Errored, s.Skipped)
}

// name is "GET /pets/{petId}".
func name(r runner.Result) string { return r.Method + " " + r.Path }

// fmtMS renders a duration in milliseconds for people.
func fmtMS(ms float64) string {
	switch {
	case ms <= 0:
		return "-"
	case ms < 10:
		return fmt.Sprintf("%.1fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.1fs", ms/1000)
}

func status(r runner.Result) string {
	if r.StatusCode == 0 {
		return "-"
	}
	return fmt.Sprint(r.StatusCode)
}

// failureText is "check: message (at /pointer)".
func failureText(f runner.Failure) string {
	return f.Check + ": " + f.Message
}
