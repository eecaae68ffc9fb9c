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
// $GITHUB_STEP_SUMMARY: a headline, a table of what did not pass with
// its messages and reproduce commands, and the passed checks folded away.
func WriteRunMarkdown(w io.Writer, results []runner.Result, opts RunOptions) error {
	bw := bufio.NewWriter(w)
	s := runner.Summarize(results)
	icon := "✅"
	switch {
	case s.Failed > 0:
		icon = "❌"
	case s.Errored > 0 || s.Skipped > 0:
		icon = "⚠️"
	}
	title := "smoke run"
	if opts.Title != "" {
		title += ": " + mdEscape(opts.Title)
	}
	fmt.Fprintf(bw, "### %s %s\n\n", icon, title)
	fmt.Fprintf(bw, "**%s**", summaryLine(s))
	if opts.Target != "" {
		fmt.Fprintf(bw, " against `%s`", opts.Target)
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
		attention = append(attention, groups[o]...)
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
				problem = mdEscape(oneLine(failureText(r.Failures[0])))
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
				fmt.Fprintf(bw, "- **%s**: %s\n", f.Check, mdEscape(oneLine(f.Message)))
			}
			if cmd := opts.Reproduce[r.CheckID]; cmd != "" {
				fmt.Fprintf(bw, "\n```sh\n%s\n```\n", cmd)
			}
			fmt.Fprint(bw, "\n</details>\n\n")
		}
	}
	if passed := groups[runner.Passed]; len(passed) > 0 {
		fmt.Fprintf(bw, "<details><summary>%d passed</summary>\n\n", len(passed))
		fmt.Fprintln(bw, "| Operation | Status | Time |")
		fmt.Fprintln(bw, "|---|---|---|")
		extra := max(len(passed)-maxMarkdownRows, 0)
		for _, r := range passed[:len(passed)-extra] {
			fmt.Fprintf(bw, "| %s | %s | %s |\n", opCell(r), status(r), fmtMS(r.DurationMS))
		}
		if extra > 0 {
			fmt.Fprintf(bw, "\n… and %d more passed.\n", extra)
		}
		fmt.Fprint(bw, "\n</details>\n")
	}
	return bw.Flush()
}

func opCell(r runner.Result) string {
	cell := "`" + strings.ReplaceAll(name(r), "`", "'") + "`"
	if r.OperationID != "" {
		cell += " " + mdEscape(r.OperationID)
	}
	return cell
}

// mdEscape keeps text from breaking a table cell or turning into markup.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "'", "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
