package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/smoke-dev/smoke/diff"
)

var diffEmoji = map[diff.Verdict]string{
	diff.Regression: "❌", diff.Error: "⚠️", diff.Fixed: "🩹", diff.Noise: "〰️", diff.Parity: "✅",
}

// WriteDiffMarkdown writes a GitHub-flavoured Markdown report for a
// cut-over ticket or a step summary: the headline, a section per operation
// that needs attention with its differences, the parity operations folded
// away, and the noise appendix (noise stays out of the headline).
func WriteDiffMarkdown(w io.Writer, rep *diff.Report, opts DiffOptions) error {
	bw := bufio.NewWriter(w)
	icon := "✅"
	switch {
	case rep.Summary.Regressions > 0:
		icon = "❌"
	case rep.Summary.Errors > 0 || opts.Incomplete != "":
		icon = "⚠️"
	}
	if opts.Baseline != nil && !opts.Baseline.Fails() && icon == "❌" {
		icon = "☑️" // every regression is accepted
	}
	title := "smoke diff"
	if opts.Title != "" {
		title += ": " + mdEscape(opts.Title)
	}
	fmt.Fprintf(bw, "### %s %s — %s\n\n", icon, title, diffHeadline(rep, opts))
	fmt.Fprintf(bw, "**%s**", diffSummaryLine(rep, opts.Baseline))
	if opts.Elapsed > 0 {
		fmt.Fprintf(bw, " in %s", fmtMS(float64(opts.Elapsed.Microseconds())/1000))
	}
	fmt.Fprint(bw, "\n\n")
	if r := diffResourcesLine(rep.Resources); r != "" {
		fmt.Fprintf(bw, "%s\n\n", mdEscape(r))
	}
	if c := diffConfirmationLine(rep.Summary); c != "" {
		fmt.Fprintf(bw, "%s\n\n", mdEscape(c))
	}
	if rep.Old != "" || rep.New != "" {
		fmt.Fprintf(bw, "OLD %s · NEW %s · ", mdCode(rep.Old), mdCode(rep.New))
	}
	fmt.Fprintf(bw, "%s\n\n", diffSampling(rep))
	if opts.Incomplete != "" {
		fmt.Fprintf(bw, "> [!WARNING]\n> Incomplete: %s\n\n", mdEscape(opts.Incomplete))
	}

	ops, _ := diffAccepted(rep.Operations, opts.Baseline) // accepted: in the baseline section
	groups := diffByVerdict(ops)
	// Noise stays out of the headline: noise-only operations are listed
	// in the appendix.
	for _, v := range diffVerdictOrder[:3] {
		for _, op := range groups[v] {
			fmt.Fprintf(bw, "#### %s %s — %s %s\n\n", diffEmoji[v], mdCode(diffOpName(op)), v, diffStatuses(op))
			if lat := diffLatency(op.Latency); lat != "" {
				fmt.Fprintf(bw, "Latency (median): %s\n\n", lat)
			}
			if c := op.Confirmation; c != nil {
				fmt.Fprintf(bw, "%s\n\n", strings.ToUpper(diffOpConfirmation(c)[:1])+diffOpConfirmation(c)[1:])
			}
			for _, e := range op.Errors {
				fmt.Fprintf(bw, "- %s\n", mdEscape(e))
			}
			if len(op.Errors) > 0 {
				fmt.Fprintln(bw)
			}
			if len(op.Differences) == 0 {
				continue
			}
			fmt.Fprintln(bw, "| Class | Kind | Where | OLD | NEW | Why |")
			fmt.Fprintln(bw, "|---|---|---|---|---|---|")
			for _, d := range op.Differences {
				why := d.Reason
				if n := baselineNote(opts.Baseline.Difference(op.CheckID, d)); n != "" {
					why = strings.TrimSpace(why + " " + n)
				}
				fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s |\n", d.Class, d.Kind, mdCellCode(d.Location()),
					mdCellCode(diffExample(d.Old, 80)), mdCellCode(diffExample(d.New, 80)), mdEscape(why))
			}
			fmt.Fprintln(bw)
		}
	}
	writeBaselineMarkdown(bw, opts.Baseline)
	parity, unexercised := diffParity(groups[diff.Parity])
	if len(unexercised) > 0 {
		fmt.Fprintf(bw, "#### Parity, not exercised (%d)\n\nBoth sides answered alike, but not with a documented success: no evidence that NEW does the operation's job.\n\n", len(unexercised))
		fmt.Fprintln(bw, "| Operation | Status | Sides | NEW answered |")
		fmt.Fprintln(bw, "|---|---|---|---|")
		for _, op := range unexercised[:min(len(unexercised), maxMarkdownRows)] {
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", mdCellCode(diffOpName(op)), diffStatuses(op), mdEscape(diffSides(op)), mdEscape(op.New.Snippet))
		}
		if more := len(unexercised) - maxMarkdownRows; more > 0 {
			fmt.Fprintf(bw, "\n… and %d more; the JSON report lists them all.\n", more)
		}
		fmt.Fprintln(bw)
	}
	if len(parity) > 0 {
		fmt.Fprintf(bw, "<details><summary>%d at parity, exercised</summary>\n\n", len(parity))
		fmt.Fprintln(bw, "| Operation | Status | Latency | Notes |")
		fmt.Fprintln(bw, "|---|---|---|---|")
		for _, op := range parity {
			var notes []string
			if n := op.Count(diff.ClassAddition); n > 0 {
				notes = append(notes, plural(n, "addition", "additions"))
			}
			for _, d := range op.Differences {
				if d.Class == diff.ClassExpected || d.Class == diff.ClassIgnored {
					notes = append(notes, fmt.Sprintf("%s %s %s: %s", d.Class, d.Kind, mdCellCode(d.Location()), mdEscape(d.Reason)))
				}
			}
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", mdCellCode(diffOpName(op)), diffStatuses(op), diffLatency(op.Latency), strings.Join(notes, "; "))
		}
		fmt.Fprint(bw, "\n</details>\n\n")
	}
	if noise := diffNoise(rep.Operations); len(noise) > 0 {
		fmt.Fprintf(bw, "<details><summary>Noise appendix: %s</summary>\n\n", plural(len(noise), "difference", "differences"))
		fmt.Fprintln(bw, "| Operation | Where | OLD | NEW | Why |")
		fmt.Fprintln(bw, "|---|---|---|---|---|")
		for _, n := range noise {
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", mdCellCode(n.Op), mdCellCode(n.D.Location()),
				mdCellCode(diffExample(n.D.Old, 60)), mdCellCode(diffExample(n.D.New, 60)), mdEscape(n.D.Reason))
		}
		fmt.Fprint(bw, "\n</details>\n\n")
	}
	if len(rep.Operations) > 0 {
		fmt.Fprintf(bw, "<details><summary>Ledger: %s, OLD and NEW side by side</summary>\n\n", plural(len(rep.Operations), "operation", "operations"))
		fmt.Fprintln(bw, "| Operation | OLD | NEW | Verdict |")
		fmt.Fprintln(bw, "|---|---|---|---|")
		rows := rep.Operations[:min(len(rep.Operations), maxLedgerRows)]
		for _, op := range rows {
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", mdCellCode(diffOpName(op)), mdEscape(diffSide(op.Old)), mdEscape(diffSide(op.New)), op.Verdict)
		}
		if more := len(rep.Operations) - len(rows); more > 0 {
			fmt.Fprintf(bw, "\n… and %d more; the JSON report has the whole ledger.\n", more)
		}
		fmt.Fprint(bw, "\n</details>\n\n")
	}
	if len(rep.Withheld) > 0 {
		fmt.Fprintf(bw, "Not sampled (writes on ids no create gave and smoke.yaml does not give): %s\n\n", mdEscape(strings.Join(rep.Withheld, ", ")))
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(bw, "Not sampled (writes need `--allow-writes`): %s\n\n", mdEscape(strings.Join(rep.Skipped, ", ")))
	}
	for _, wmsg := range rep.Warnings {
		fmt.Fprintf(bw, "- ⚠️ %s\n", mdEscape(wmsg))
	}
	return bw.Flush()
}
