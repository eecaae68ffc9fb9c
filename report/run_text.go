package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

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

// WriteRunText writes the terminal report: checks grouped by outcome,
// failures first, each failure with its messages and a reproduce command,
// then the summary line.
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
			head += ": " + opts.Title
		}
		if opts.Target != "" {
			head += " → " + opts.Target
		}
		fmt.Fprintln(bw, paint(ansiBold, head))
		fmt.Fprintln(bw)
	}
	// Names align up to a point; a longer one pushes its own line only.
	const maxWidth = 48
	width := 0
	for _, r := range results {
		width = max(width, min(len(name(r)), maxWidth))
	}
	groups := byOutcome(results)
	for _, o := range outcomeOrder {
		rs := groups[o]
		if len(rs) == 0 {
			continue
		}
		fmt.Fprintln(bw, paint(ansiBold+outcomeColor[o], fmt.Sprintf("%s (%d)", strings.ToUpper(string(o)), len(rs))))
		for _, r := range rs {
			op := ""
			if r.OperationID != "" {
				op = "  " + paint(ansiDim, r.OperationID)
			}
			fmt.Fprintf(bw, "  %s %-*s  %3s  %6s%s\n", paint(outcomeColor[o], outcomeMark[o]), width, name(r), status(r), fmtMS(r.DurationMS), op)
			if o == runner.Passed {
				continue
			}
			for _, f := range r.Failures {
				fmt.Fprintf(bw, "      %s %s\n", paint(outcomeColor[o], f.Check+":"), oneLine(f.Message))
			}
			for _, n := range r.Notes {
				fmt.Fprintf(bw, "      %s %s\n", paint(ansiDim, "note:"), oneLine(n))
			}
			if cmd := opts.Reproduce[r.CheckID]; cmd != "" && o != runner.Skipped {
				fmt.Fprintf(bw, "      %s %s\n", paint(ansiDim, "reproduce:"), cmd)
			}
		}
		fmt.Fprintln(bw)
	}
	s := runner.Summarize(results)
	line := summaryLine(s)
	if opts.Elapsed > 0 {
		line += fmt.Sprintf(" in %s", fmtMS(float64(opts.Elapsed.Microseconds())/1000))
	}
	color := ansiGreen
	switch {
	case s.Failed > 0:
		color = ansiRed
	case s.Errored > 0 || s.Skipped > 0:
		color = ansiYellow
	}
	if res := opts.Resources; res != nil && res.Created > 0 {
		line += "; " + resourcesLine(res)
		if len(res.Left) > 0 {
			fmt.Fprintln(bw, paint(ansiBold+ansiYellow, fmt.Sprintf("LEFT BEHIND (%d)", len(res.Left))))
			for _, l := range res.Left {
				id := ""
				if l.ID != "" {
					id = " " + oneLine(l.ID)
				}
				fmt.Fprintf(bw, "  %s %s%s: %s\n", l.Method, l.Path, id, oneLine(l.Reason))
				if l.Delete != "" {
					fmt.Fprintf(bw, "      %s %s\n", paint(ansiDim, "delete:"), oneLine(l.Delete))
				}
			}
			fmt.Fprintln(bw)
		}
	}
	fmt.Fprintln(bw, paint(ansiBold+color, line))
	if opts.Incomplete != "" {
		fmt.Fprintln(bw, paint(ansiYellow, "incomplete: "+opts.Incomplete))
	}
	return bw.Flush()
}
