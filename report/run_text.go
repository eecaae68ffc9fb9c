package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/runner"
)

// ANSI colours of the text report.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

var (
	outcomeMark  = map[runner.Outcome]string{runner.Passed: "✓", runner.Failed: "✗", runner.Errored: "!", runner.Skipped: "-"}
	outcomeColor = map[runner.Outcome]string{runner.Passed: ansiGreen, runner.Failed: ansiRed, runner.Errored: ansiYellow, runner.Skipped: ansiDim}
)

// WriteRunText writes the terminal report: checks grouped by what needs
// attention (failed, errored, skipped, then the checks that passed without
// exercising their operation, with why), each failure with its messages
// and a reproduce command, then the summary line, which leads with how
// many operations were exercised. Text from the spec, the service or the
// config goes through EscapeTerminal.
func WriteRunText(w io.Writer, results []runner.Result, opts RunOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	if opts.Title != "" || opts.Target != "" {
		head := "smoke run"
		if opts.Title != "" {
			head += ": " + EscapeTerminal(opts.Title)
		}
		if opts.Target != "" {
			head += " → " + EscapeTerminal(opts.Target)
		}
		fmt.Fprintln(bw, paint(ansiBold, head))
		fmt.Fprintln(bw)
	}
	// Names align up to a point; a longer one pushes its own line only.
	const maxWidth = 48
	width := 0
	for _, r := range results {
		width = max(width, min(len(EscapeTerminal(name(r))), maxWidth))
	}
	cov := coverage(results, opts)
	whyOf := make(map[string]string, len(cov.Rows))
	for _, row := range cov.Rows {
		whyOf[row.CheckID] = row.Why
	}
	line := func(mark, color string, r runner.Result, extra string) {
		op := ""
		if r.OperationID != "" {
			op = "  " + paint(ansiDim, EscapeTerminal(r.OperationID))
		}
		fmt.Fprintf(bw, "  %s %-*s  %3s  %6s%s%s\n", paint(color, mark), width, EscapeTerminal(name(r)), status(r), fmtMS(r.DurationMS), extra, op)
	}
	for _, g := range textGroups(results, opts.Baseline) {
		if len(g.results) == 0 {
			continue
		}
		fmt.Fprintln(bw, paint(ansiBold+g.color, fmt.Sprintf("%s (%d)", g.title, len(g.results))))
		for _, r := range g.results {
			extra := ""
			if !r.Exercised && r.Reason != runner.ReasonNoAnswer {
				extra = "  " + paint(ansiYellow, string(r.Reason))
			}
			line(g.mark, g.color, r, extra)
			switch {
			case g.unexercised:
				if w := whyOf[r.CheckID]; w != "" {
					fmt.Fprintf(bw, "      %s\n", paint(ansiDim, EscapeTerminal(w)))
				}
				continue
			case r.Outcome == runner.Passed && !g.accepted:
				continue
			}
			noted := map[string]bool{}
			for _, f := range r.Failures {
				fmt.Fprintf(bw, "      %s %s\n", paint(g.color, f.Check+":"), oneLine(f.Message))
				if n := baselineNote(opts.Baseline.Failure(r.CheckID, f.Check)); n != "" && !noted[f.Check] {
					noted[f.Check] = true
					fmt.Fprintf(bw, "        %s\n", paint(ansiDim, EscapeTerminal(n)))
				}
			}
			if n := baselineNote(opts.Baseline.NotExercisedOf(r.CheckID)); n != "" {
				fmt.Fprintf(bw, "      %s %s\n", paint(ansiDim, "not exercised:"), EscapeTerminal(n))
			}
			if g.accepted {
				continue
			}
			// A failure's messages quote the body already; an invented
			// value that was not found is worth saying.
			if w := whyOf[r.CheckID]; r.Outcome == runner.Failed && w != "" && w != r.Snippet {
				fmt.Fprintf(bw, "      %s %s\n", paint(ansiDim, "why:"), EscapeTerminal(w))
			}
			for _, n := range r.Notes {
				fmt.Fprintf(bw, "      %s %s\n", paint(ansiDim, "note:"), EscapeTerminal(n))
			}
			if cmd := opts.Reproduce[r.CheckID]; cmd != "" && r.Outcome != runner.Skipped {
				fmt.Fprintf(bw, "      %s %s\n", paint(ansiDim, "reproduce:"), EscapeTerminal(cmd))
			}
		}
		fmt.Fprintln(bw)
	}
	if rows := undocumentedRows(results); len(rows) > 0 {
		fmt.Fprintln(bw, paint(ansiBold, fmt.Sprintf("UNDOCUMENTED FIELDS (%d)", len(rows))))
		fmt.Fprintln(bw, paint(ansiDim, "  answers carry fields their schema does not name: allowed, but the spec is behind the service"))
		for _, u := range rows {
			fmt.Fprintf(bw, "  ? %-*s  %s\n", width, EscapeTerminal(u.Method+" "+u.Path), EscapeTerminal(u.Fields))
		}
		fmt.Fprintln(bw)
	}
	s := runner.Summarize(results)
	summary := summaryLine(s, results, opts.Baseline)
	if opts.Elapsed > 0 {
		summary += fmt.Sprintf(" in %s", fmtMS(float64(opts.Elapsed.Microseconds())/1000))
	}
	color := ansiGreen
	switch {
	case s.Failed > 0:
		color = ansiRed
	case s.Errored > 0 || s.Skipped > 0 || s.Unexercised() > 0:
		color = ansiYellow
	}
	if res := opts.Resources; res != nil && res.Created > 0 {
		summary += "; " + resourcesLine(res)
		if len(res.Left) > 0 {
			fmt.Fprintln(bw, paint(ansiBold+ansiYellow, fmt.Sprintf("LEFT BEHIND (%d)", len(res.Left))))
			for _, l := range res.Left {
				id := ""
				if l.ID != "" {
					id = " " + EscapeTerminal(l.ID)
				}
				fmt.Fprintf(bw, "  %s %s%s: %s\n", l.Method, EscapeTerminal(l.Path), id, EscapeTerminal(l.Reason))
				if l.Delete != "" {
					fmt.Fprintf(bw, "      %s %s\n", paint(ansiDim, "delete:"), EscapeTerminal(l.Delete))
				}
			}
			fmt.Fprintln(bw)
		}
	}
	if j := opts.Baseline; j != nil {
		color = ansiGreen
		switch {
		case j.Fails():
			color = ansiRed
		case s.Errored > 0 || s.Skipped > 0 || s.Unexercised() > 0:
			color = ansiYellow
		}
	}
	writeBaselineText(bw, opts.Baseline, paint)
	fmt.Fprintln(bw, paint(ansiBold+color, summary))
	if n := len(opts.SkippedByConfig); n > 0 {
		fmt.Fprintln(bw, paint(ansiDim, fmt.Sprintf("%s skipped by smoke.yaml: %s", plural(n, "operation", "operations"), EscapeTerminal(strings.Join(opts.SkippedByConfig, ", ")))))
	}
	if opts.Incomplete != "" {
		fmt.Fprintln(bw, paint(ansiYellow, "incomplete: "+EscapeTerminal(opts.Incomplete)))
	}
	return bw.Flush()
}

// textGroup is one section of the text report.
type textGroup struct {
	title, mark, color string
	unexercised        bool
	// accepted: every finding of these checks is accepted by the
	// baseline.
	accepted bool
	results  []runner.Result
}

// textGroups sorts results into the report's sections: what failed,
// errored or was not sent, then what the baseline accepts, then what
// passed without exercising its operation, then what passed and
// exercised it.
func textGroups(results []runner.Result, j *baseline.Judgement) []textGroup {
	groups := []textGroup{
		{title: "FAILED", mark: outcomeMark[runner.Failed], color: outcomeColor[runner.Failed]},
		{title: "ERRORED", mark: outcomeMark[runner.Errored], color: outcomeColor[runner.Errored]},
		{title: "SKIPPED", mark: outcomeMark[runner.Skipped], color: outcomeColor[runner.Skipped]},
		{title: "ACCEPTED", mark: "≈", color: ansiDim, accepted: true},
		{title: "NOT EXERCISED", mark: "~", color: ansiYellow, unexercised: true},
		{title: "PASSED", mark: outcomeMark[runner.Passed], color: outcomeColor[runner.Passed]},
	}
	for _, r := range results {
		i := 5
		switch {
		case j.AllAccepted(r.CheckID):
			i = 3
		case r.Outcome == runner.Failed:
			i = 0
		case r.Outcome == runner.Errored:
			i = 1
		case r.Outcome == runner.Skipped:
			i = 2
		case !r.Exercised:
			i = 4
		}
		groups[i].results = append(groups[i].results, r)
	}
	return groups
}
