package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/smoke-dev/smoke/diff"
)

var (
	diffMark  = map[diff.Verdict]string{diff.Regression: "✗", diff.Error: "!", diff.Fixed: "✓", diff.Noise: "~", diff.Parity: "="}
	diffColor = map[diff.Verdict]string{diff.Regression: ansiRed, diff.Error: ansiYellow, diff.Fixed: ansiGreen, diff.Noise: ansiDim, diff.Parity: ansiGreen}
)

// WriteDiffText writes the terminal report: operations grouped by
// verdict, regressions first, each difference on one line with an OLD and
// a NEW example; parity operations on one line each; then warnings and
// the summary line. Text from the spec, the services or the config goes
// through EscapeTerminal: a JSON key can hold an escape sequence.
func WriteDiffText(w io.Writer, rep *diff.Report, opts DiffOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	head := "smoke diff"
	if opts.Title != "" {
		head += ": " + EscapeTerminal(opts.Title)
	}
	fmt.Fprintln(bw, paint(ansiBold, head))
	if rep.Old != "" || rep.New != "" {
		fmt.Fprintf(bw, "OLD %s\nNEW %s\n", EscapeTerminal(rep.Old), EscapeTerminal(rep.New))
	}
	fmt.Fprintf(bw, "%s\n\n", diffSampling(rep))

	width := 0
	for _, op := range rep.Operations {
		width = max(width, len(EscapeTerminal(diffOpName(op))))
	}
	ops, accepted := diffAccepted(rep.Operations, opts.Baseline)
	groups := diffByVerdict(ops)
	for _, v := range diffVerdictOrder {
		ops := groups[v]
		title := strings.ToUpper(string(v))
		if v == diff.Parity {
			var not []diff.Operation
			ops, not = diffParity(ops)
			if len(not) > 0 {
				// Parity nobody exercised is no evidence: listed apart,
				// with how each side answered.
				fmt.Fprintln(bw, paint(ansiBold+ansiYellow, fmt.Sprintf("PARITY, NOT EXERCISED (%d)", len(not))))
				for _, op := range not {
					fmt.Fprintf(bw, "  %s %-*s  %s  %s\n", paint(ansiYellow, "~"), width, EscapeTerminal(diffOpName(op)), diffStatuses(op),
						paint(ansiDim, diffSides(op)))
					if sn := op.New.Snippet; sn != "" {
						fmt.Fprintf(bw, "      %s\n", paint(ansiDim, EscapeTerminal(sn)))
					}
				}
				fmt.Fprintln(bw)
			}
		}
		if len(ops) == 0 {
			continue
		}
		fmt.Fprintln(bw, paint(ansiBold+diffColor[v], fmt.Sprintf("%s (%d)", title, len(ops))))
		for _, op := range ops {
			lat := diffLatency(op.Latency)
			if lat != "" {
				lat = "  " + paint(ansiDim, lat)
			}
			if c := op.Confirmation; c != nil {
				lat += "  " + paint(ansiDim, diffOpConfirmation(c))
			}
			fmt.Fprintf(bw, "  %s %-*s  %s%s\n", paint(diffColor[v], diffMark[v]), width, EscapeTerminal(diffOpName(op)), diffStatuses(op), lat)
			for _, e := range op.Errors {
				fmt.Fprintf(bw, "      %s\n", oneLine(e))
			}
			for _, d := range op.Differences {
				if v == diff.Parity && d.Class != diff.ClassAddition {
					continue // ignored and expected differences stay in the JSON and HTML reports
				}
				where := d.Location()
				if d.Kind == diff.KindHeader {
					where = d.Header
				}
				fmt.Fprintf(bw, "      %-10s %-7s %s  old %s  new %s", d.Class, d.Kind, EscapeTerminal(where), diffExample(d.Old, 40), diffExample(d.New, 40))
				if d.Reason != "" && d.Class != diff.ClassRegression {
					fmt.Fprintf(bw, "  %s", paint(ansiDim, "("+EscapeTerminal(d.Reason)+")"))
				} else if d.Reason != "" {
					fmt.Fprintf(bw, "  (%s)", EscapeTerminal(d.Reason))
				}
				fmt.Fprintln(bw)
				if n := baselineNote(opts.Baseline.Difference(op.CheckID, d)); n != "" {
					fmt.Fprintf(bw, "        %s\n", paint(ansiDim, EscapeTerminal(n)))
				}
			}
		}
		fmt.Fprintln(bw)
	}
	writeDiffAcceptedText(bw, accepted, opts.Baseline, paint)
	if len(rep.Withheld) > 0 {
		fmt.Fprintf(bw, "%s %s\n", paint(ansiYellow, "Not sampled (writes on ids no create gave and smoke.yaml does not give):"), EscapeTerminal(strings.Join(rep.Withheld, ", ")))
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(bw, "%s %s\n", paint(ansiYellow, "Not sampled (writes need --allow-writes):"), EscapeTerminal(strings.Join(rep.Skipped, ", ")))
	}
	for _, wmsg := range rep.Warnings {
		fmt.Fprintf(bw, "%s %s\n", paint(ansiYellow, "warning:"), EscapeTerminal(wmsg))
	}
	if opts.Incomplete != "" {
		fmt.Fprintf(bw, "%s %s\n", paint(ansiYellow, "incomplete:"), EscapeTerminal(opts.Incomplete))
	}
	if c := diffConfirmationLine(rep.Summary); c != "" {
		fmt.Fprintln(bw, c)
	}
	writeBaselineText(bw, opts.Baseline, paint)
	line := diffSummaryLine(rep, opts.Baseline)
	if opts.Elapsed > 0 {
		line += " in " + fmtMS(float64(opts.Elapsed.Microseconds())/1000)
	}
	if r := diffResourcesLine(rep.Resources); r != "" {
		line += "; " + r
	}
	color := ansiGreen
	switch {
	case rep.Summary.Regressions > 0:
		color = ansiRed
	case rep.Summary.Errors > 0 || opts.Incomplete != "":
		color = ansiYellow
	}
	if opts.Baseline != nil && !opts.Baseline.Fails() && color == ansiRed {
		color = ansiGreen // every regression is accepted
	}
	fmt.Fprintln(bw, paint(ansiBold+color, line))
	return bw.Flush()
}
