package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/smoke-dev/smoke/runner"
)

// maxMarkdownRows bounds the checks a Markdown report details: GitHub
// refuses step summaries over 1 MiB, and a large spec against a broken
// target would exceed it.
const maxMarkdownRows = 250

var outcomeEmoji = map[runner.Outcome]string{
	runner.Passed: "✅", runner.Failed: "❌", runner.Errored: "⚠️", runner.Skipped: "⏭️",
}

// WriteRunMarkdown writes a GitHub-flavoured Markdown report, made for
// $GITHUB_STEP_SUMMARY: a headline that leads with how many operations
// were exercised, a table of what did not pass with its messages and
// reproduce commands, then the coverage ledger (what was not exercised
// and why, per tag, and every operation folded away).
func WriteRunMarkdown(w io.Writer, results []runner.Result, opts RunOptions) error {
	bw := bufio.NewWriter(w)
	s := runner.Summarize(results)
	icon := "✅"
	switch {
	case s.Failed > 0:
		icon = "❌"
	case s.Errored > 0 || s.Skipped > 0 || s.Unexercised() > 0:
		icon = "⚠️"
	}
	if opts.Baseline != nil && !opts.Baseline.Fails() && icon == "❌" {
		icon = "☑️" // every failure is accepted
	}
	title := "smoke run"
	if opts.Title != "" {
		title += ": " + mdEscape(opts.Title)
	}
	fmt.Fprintf(bw, "### %s %s\n\n", icon, title)
	fmt.Fprintf(bw, "**%s**", summaryLine(s, results, opts.Baseline))
	if opts.Target != "" {
		fmt.Fprintf(bw, " against %s", mdCode(opts.Target))
	}
	if opts.Elapsed > 0 {
		fmt.Fprintf(bw, " in %s", fmtMS(float64(opts.Elapsed.Microseconds())/1000))
	}
	fmt.Fprint(bw, "\n\n")
	if res := opts.Resources; res != nil && res.Created > 0 {
		fmt.Fprintf(bw, "%s\n\n", mdEscape(capitalize(resourcesLine(res))))
		for _, l := range res.Left {
			fmt.Fprintf(bw, "- left behind: %s %s %s: %s\n", l.Method, mdEscape(l.Path), mdEscape(l.ID), mdEscape(l.Reason))
		}
		if len(res.Left) > 0 {
			fmt.Fprintln(bw)
		}
	}
	if opts.Incomplete != "" {
		fmt.Fprintf(bw, "> [!WARNING]\n> Incomplete: %s\n\n", mdEscape(opts.Incomplete))
	}

	groups := byOutcome(results)
	var attention []runner.Result
	for _, o := range outcomeOrder[:3] {
		for _, r := range groups[o] {
			if !opts.Baseline.AllAccepted(r.CheckID) {
				attention = append(attention, r)
			}
		}
	}
	more := 0
	if len(attention) > maxMarkdownRows {
		more = len(attention) - maxMarkdownRows
		attention = attention[:maxMarkdownRows]
	}
	if len(attention) > 0 {
		fmt.Fprintln(bw, "| | Operation | Status | Time | Problem |")
		fmt.Fprintln(bw, "|---|---|---|---|---|")
		for _, r := range attention {
			problem := ""
			if len(r.Failures) > 0 {
				problem = mdEscape(failureText(r.Failures[0]))
				if n := len(r.Failures) - 1; n > 0 {
					problem += fmt.Sprintf(" (+%d more)", n)
				}
			}
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", outcomeEmoji[r.Outcome], opCell(r), status(r), fmtMS(r.DurationMS), problem)
		}
		fmt.Fprintln(bw)
		if more > 0 {
			fmt.Fprintf(bw, "… and %d more that did not pass, left out to stay within GitHub's step summary limit; the JSON and JUnit reports list them all.\n\n", more)
		}
		for _, r := range attention {
			if r.Outcome == runner.Skipped {
				continue
			}
			fmt.Fprintf(bw, "<details><summary>%s <code>%s</code> — %s</summary>\n\n", outcomeEmoji[r.Outcome], htmlEscape(name(r)), r.Outcome)
			for _, f := range r.Failures {
				fmt.Fprintf(bw, "- **%s**: %s\n", f.Check, mdEscape(f.Message))
			}
			for _, f := range opts.Baseline.Of(r.CheckID) {
				if n := baselineNote(&f); n != "" {
					fmt.Fprintf(bw, "- baseline, %s: %s\n", mdEscape(f.What()), mdEscape(n))
				}
			}
			if cmd := opts.Reproduce[r.CheckID]; cmd != "" {
				fmt.Fprintf(bw, "\n%s\n", mdFence(cmd, "sh"))
			}
			fmt.Fprint(bw, "\n</details>\n\n")
		}
	}
	writeBaselineMarkdown(bw, opts.Baseline)
	if rows := undocumentedRows(results); len(rows) > 0 {
		// Folded, and bounded like the other tables: a step summary
		// has a size limit.
		fmt.Fprintf(bw, "<details><summary>Undocumented fields: %s answered fields the schema does not name</summary>\n\n", plural(len(rows), "operation", "operations"))
		fmt.Fprintln(bw, "| Operation | Fields |")
		fmt.Fprintln(bw, "|---|---|")
		for _, u := range rows[:min(len(rows), maxMarkdownRows)] {
			fmt.Fprintf(bw, "| %s | %s |\n", mdCellCode(u.Method+" "+u.Path), mdEscape(u.Fields))
		}
		if len(rows) > maxMarkdownRows {
			fmt.Fprintf(bw, "\n… and %d more; the JSON report has them all.\n", len(rows)-maxMarkdownRows)
		}
		fmt.Fprint(bw, "\n</details>\n\n")
	}
	writeLedgerMarkdown(bw, coverage(results, opts))
	return bw.Flush()
}

func opCell(r runner.Result) string {
	cell := mdCellCode(name(r))
	if r.OperationID != "" {
		cell += " " + mdEscape(r.OperationID)
	}
	return cell
}

// maxLedgerRows bounds the folded ledger table: at about 200 bytes a row
// it stays far within GitHub's 1 MiB step summary; the JSON report has
// every row.
const maxLedgerRows = 1500

var reasonNote = map[runner.Reason]string{
	runner.ReasonRejected:     "the service refused the input",
	runner.ReasonNotFound:     "no such resource",
	runner.ReasonUnauthorized: "credentials missing or refused",
	runner.ReasonConflict:     "conflicts with the service's state",
	runner.ReasonNotAllowed:   "method not allowed or not implemented",
	runner.ReasonNoValue:      "a value from an earlier check never came",
	runner.ReasonOther:        "not a success",
	runner.ReasonNoAnswer:     "no usable answer",
}

// writeLedgerMarkdown writes the coverage ledger: the operations that
// were not exercised and why, the totals per tag, and every operation in
// a folded table.
func writeLedgerMarkdown(bw *bufio.Writer, cov Coverage) {
	var not []LedgerRow
	for _, row := range cov.Rows {
		if !row.Exercised {
			not = append(not, row)
		}
	}
	fmt.Fprintf(bw, "#### Coverage: %d of %d operations exercised\n\n", cov.Exercised, cov.Operations)
	if len(not) > 0 {
		fmt.Fprintln(bw, "| Not exercised | Status | Reason | Why |")
		fmt.Fprintln(bw, "|---|---|---|---|")
		shown := not[:min(len(not), maxMarkdownRows)]
		for _, row := range shown {
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", ledgerOpCell(row), ledgerStatus(row), mdEscape(string(row.Reason)+": "+reasonNote[row.Reason]), mdEscape(oneLine(row.Why)))
		}
		if more := len(not) - len(shown); more > 0 {
			fmt.Fprintf(bw, "\n… and %d more not exercised; the JSON report lists them all.\n", more)
		}
		fmt.Fprintln(bw)
	}
	if len(cov.ByTag) > 1 || (len(cov.ByTag) == 1 && cov.ByTag[0].Tag != "") {
		fmt.Fprintln(bw, "| Tag | Operations | Exercised | Share |")
		fmt.Fprintln(bw, "|---|---:|---:|---:|")
		for _, t := range cov.ByTag {
			tag := mdCellCode(t.Tag)
			if t.Tag == "" {
				tag = "(untagged)"
			}
			fmt.Fprintf(bw, "| %s | %d | %d | %s |\n", tag, t.Operations, t.Exercised, share(t.Exercised, t.Operations))
		}
		fmt.Fprintln(bw)
	}
	if n := len(cov.SkippedByConfig); n > 0 {
		fmt.Fprintf(bw, "%s skipped by smoke.yaml: %s\n\n", plural(n, "operation", "operations"), mdEscape(strings.Join(cov.SkippedByConfig, ", ")))
	}
	if len(cov.Rows) == 0 {
		return
	}
	fmt.Fprintf(bw, "<details><summary>Ledger: all %s</summary>\n\n", plural(len(cov.Rows), "operation", "operations"))
	fmt.Fprintln(bw, "| Operation | Exercised | Status | Values | Assertions passed | Failed |")
	fmt.Fprintln(bw, "|---|---|---|---|---|---|")
	rows := cov.Rows[:min(len(cov.Rows), maxLedgerRows)]
	for _, row := range rows {
		ex := "✅"
		if !row.Exercised {
			ex = "— " + mdEscape(string(row.Reason))
		}
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s |\n", ledgerOpCell(row), ex, ledgerStatus(row), mdEscape(row.Sources),
			mdEscape(strings.Join(row.Passed, ", ")), mdEscape(strings.Join(row.Failed, ", ")))
	}
	if more := len(cov.Rows) - len(rows); more > 0 {
		fmt.Fprintf(bw, "\n… and %d more; the JSON report has the whole ledger.\n", more)
	}
	fmt.Fprint(bw, "\n</details>\n")
}

func ledgerOpCell(row LedgerRow) string {
	cell := mdCellCode(row.Method + " " + row.Path)
	if row.OperationID != "" {
		cell += " " + mdEscape(row.OperationID)
	}
	return cell
}

func ledgerStatus(row LedgerRow) string {
	if row.StatusCode == 0 {
		return "-"
	}
	return fmt.Sprint(row.StatusCode)
}

// share is "75 %", or "-" of nothing.
func share(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f %%", 100*float64(n)/float64(of))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
