package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/diff"
)

// DiffOptions describe a diff for its report. Every field is optional.
type DiffOptions struct {
	// Title names what was compared, e.g. "Petstore 1.0.0".
	Title string
	// Color turns on ANSI colour in the text report.
	Color bool
	// Elapsed is the wall time of the diff; zero leaves it out.
	Elapsed time.Duration
	// Incomplete says why not every operation was sampled (interrupted,
	// unreachable); reports show it prominently.
	Incomplete string
	// FailOn is the --fail-on level, shown in the headline.
	FailOn diff.FailOn
	// Baseline is the run or diff judged through --baseline: reports
	// show the findings it accepted apart, expired entries with their
	// reason, and its stale entries. Nil without a baseline.
	Baseline *baseline.Judgement
}

// DiffFormats lists the formats WriteDiff accepts.
var DiffFormats = []string{"text", "json", "markdown", "html"}

// WriteDiff writes rep in one of DiffFormats.
func WriteDiff(w io.Writer, format string, rep *diff.Report, opts DiffOptions) error {
	switch format {
	case "", "text":
		return WriteDiffText(w, rep, opts)
	case "json":
		return WriteDiffJSON(w, rep, opts)
	case "markdown", "md":
		return WriteDiffMarkdown(w, rep, opts)
	case "html":
		return WriteDiffHTML(w, rep, opts)
	}
	return fmt.Errorf("diff report format %q: want one of %s", format, strings.Join(DiffFormats, ", "))
}

// diffVerdictOrder is the order of verdict groups in human reports: what
// needs attention first.
var diffVerdictOrder = []diff.Verdict{diff.Regression, diff.Error, diff.Fixed, diff.Noise, diff.Parity}

func diffByVerdict(ops []diff.Operation) map[diff.Verdict][]diff.Operation {
	g := make(map[diff.Verdict][]diff.Operation, 5)
	for _, op := range ops {
		g[op.Verdict] = append(g[op.Verdict], op)
	}
	return g
}

// diffSummaryLine leads with exercise: "12 operations: 8 exercised on
// both sides; 9 parity (2 not exercised), 1 regression, 1 noise, 1 fixed,
// 0 errors". Regressions a baseline accepts whole are said so ("2
// regressions (1 accepted)"): the diff may still pass.
func diffSummaryLine(rep *diff.Report, j *baseline.Judgement) string {
	s := rep.Summary
	parity := fmt.Sprintf("%d parity", s.Parity)
	if s.ParityUnexercised > 0 {
		parity += fmt.Sprintf(" (%d not exercised)", s.ParityUnexercised)
	}
	regressions := plural(s.Regressions, "regression", "regressions")
	if j != nil {
		n := 0
		for _, op := range rep.Operations {
			if op.Verdict == diff.Regression && j.AllAccepted(op.CheckID) {
				n++
			}
		}
		if n > 0 {
			regressions += fmt.Sprintf(" (%d accepted)", n)
		}
	}
	return fmt.Sprintf("%s: %d exercised on both sides; %s, %s, %d noise, %d fixed, %s",
		plural(s.Operations, "operation", "operations"), s.Exercised, parity,
		regressions, s.Noise, s.Fixed, plural(s.Errors, "error", "errors"))
}

// diffSides is "404 not_found on both sides", or "OLD ok · NEW 404
// not_found": how each side fared, for an operation a side did not
// exercise.
func diffSides(op diff.Operation) string {
	if op.Old == op.New {
		return diffSide(op.Old) + " on both sides"
	}
	return "OLD " + diffSide(op.Old) + " · NEW " + diffSide(op.New)
}

// diffSide is how one side fared, for the ledger: "exercised", or the
// status and reason.
func diffSide(s diff.Side) string {
	switch {
	case s.Exercised:
		return "exercised"
	case s.Status == 0:
		return string(s.Reason)
	}
	return fmt.Sprintf("%d %s", s.Status, s.Reason)
}

// diffParity splits the operations at parity into those both sides
// exercised and those they did not: the latter are no evidence.
func diffParity(ops []diff.Operation) (exercised, not []diff.Operation) {
	for _, op := range ops {
		if op.Exercised() {
			exercised = append(exercised, op)
		} else {
			not = append(not, op)
		}
	}
	return exercised, not
}

// diffResourcesLine says what the chains created and deleted on each
// side: "OLD created 40 resources, deleted 40; NEW created 40 resources,
// deleted 40", or "" when they created nothing.
func diffResourcesLine(r *diff.Resources) string {
	if r == nil || r.Old.Created+r.New.Created == 0 {
		return ""
	}
	return "OLD " + resourcesLine(&r.Old) + "; NEW " + resourcesLine(&r.New)
}

// diffConfirmationLine says what the confirmation of regressions did and
// how many latency samples were discarded: "confirmation: 2 regressions
// confirmed, 1 dropped (did not reproduce), 20 extra requests", or ""
// when nothing was confirmed or discarded.
func diffConfirmationLine(s diff.Summary) string {
	var parts []string
	if s.ConfirmationRequests > 0 {
		parts = append(parts, fmt.Sprintf("confirmation: %s confirmed, %d dropped (did not reproduce), %s",
			plural(s.Confirmed, "regression", "regressions"), s.Dropped, plural(s.ConfirmationRequests, "extra request", "extra requests")))
	}
	if s.StarvedSamples > 0 {
		parts = append(parts, fmt.Sprintf("%s left out of latency: smoke itself was starved of CPU",
			plural(s.StarvedSamples, "sample", "samples")))
	}
	return strings.Join(parts, "; ")
}

// diffOpConfirmation says what the confirmation of one operation found:
// "regression confirmed (4 more requests)".
func diffOpConfirmation(c *diff.Confirmation) string {
	if c.Confirmed {
		return fmt.Sprintf("regression confirmed (%s)", plural(c.Requests, "more request", "more requests"))
	}
	return fmt.Sprintf("regression did not reproduce on confirmation (%s)", plural(c.Requests, "more request", "more requests"))
}

// diffSampling is "5 rounds, 2 samples per side per round, seed 42": how
// to replay the diff.
func diffSampling(rep *diff.Report) string {
	return fmt.Sprintf("%s, 2 samples per side per round, seed %d", plural(rep.Rounds, "round", "rounds"), rep.Seed)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func diffOpName(op diff.Operation) string { return op.Method + " " + op.Path }

func diffStatuses(op diff.Operation) string {
	s := func(c int) string {
		if c == 0 {
			return "-"
		}
		return fmt.Sprint(c)
	}
	if op.OldStatus == op.NewStatus {
		return s(op.OldStatus)
	}
	return s(op.OldStatus) + "→" + s(op.NewStatus)
}

// diffExample renders an example value in at most n runes ("—" when the
// side has no value).
func diffExample(raw []byte, n int) string {
	if len(raw) == 0 {
		return "—"
	}
	s := oneLine(string(raw))
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// diffLatency is "12ms → 95ms (p=0.001)" or "" without latency data.
func diffLatency(l *diff.Latency) string {
	if l == nil || (l.OldMS <= 0 && l.NewMS <= 0) {
		return ""
	}
	s := fmtMS(l.OldMS) + " → " + fmtMS(l.NewMS)
	if l.Compared {
		s += " (" + diffP(l.P) + ")"
	}
	return s
}

// diffP renders a p-value: "p=0.042", "p<0.001".
func diffP(p float64) string {
	if p < 0.001 {
		return "p<0.001"
	}
	return fmt.Sprintf("p=%.3f", p)
}

// diffHeadline is the one-word state of the whole report.
func diffHeadline(rep *diff.Report, opts DiffOptions) string {
	if opts.Baseline != nil && rep.Summary.Regressions > 0 && !opts.Baseline.Fails() {
		return "regressions accepted by the baseline"
	}
	switch {
	case rep.Summary.Regressions > 0:
		return "regressions"
	case opts.Incomplete != "" || rep.Summary.Errors > 0:
		return "incomplete"
	case rep.Findings(diff.FailOnAny):
		return "parity, with differences"
	}
	return "parity"
}

// diffNoise lists the noise-class differences of every operation, for
// the appendix.
func diffNoise(ops []diff.Operation) []diffNoiseRow {
	var out []diffNoiseRow
	for _, op := range ops {
		for _, d := range op.Differences {
			if d.Class == diff.ClassNoise {
				out = append(out, diffNoiseRow{Op: diffOpName(op), D: d})
			}
		}
	}
	return out
}

type diffNoiseRow struct {
	Op string
	D  diff.Difference
}
