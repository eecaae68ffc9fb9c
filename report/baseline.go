package report

import (
	"bufio"
	"bytes"
	"fmt"
	"html/template"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/diff"
)

// Every report of run and diff shows what a baseline (--baseline) did:
// checks and operations whose findings it accepts all stand apart from
// the failures, each finding with the entry's reason and expiry; a
// finding whose entry has expired stays with the failures and says so;
// entries that matched nothing are listed as stale.

// baselineCounts is "baseline smoke-baseline.yaml: 1 accepted, 1
// expired, 2 new, 1 stale entry".
func baselineCounts(j *baseline.Judgement) string {
	s := j.Summary
	out := fmt.Sprintf("baseline %s: %d accepted, %d expired, %d new, %s", j.File, s.Accepted, s.Expired, s.New,
		plural(s.Stale, "stale entry", "stale entries"))
	if s.Unchecked > 0 {
		out += fmt.Sprintf(", %d unchecked", s.Unchecked)
	}
	return out
}

// baselineNote says what the baseline says of a finding: "accepted until
// 2026-12-28 (b.yaml:12): reason", "expired on 2026-01-31 (b.yaml:12):
// reason", or "" when no entry names it.
func baselineNote(f *baseline.Finding) string {
	if f == nil || f.Entry == nil {
		return ""
	}
	e := f.Entry
	switch f.Status {
	case baseline.Accepted:
		return fmt.Sprintf("accepted until %s (%s): %s", e.Expires, e.Where(), oneLine(e.Reason))
	case baseline.Expired:
		return fmt.Sprintf("baseline entry expired on %s (%s), fails again: %s", e.Expires, e.Where(), oneLine(e.Reason))
	}
	return fmt.Sprintf("listed at %s without a reason: not accepted until reviewed", e.Where())
}

// staleNote is "b.yaml:20: GET /health content_type matched no finding:
// delete it", or for an entry whose operation was not checked "b.yaml:20:
// GET /gone latency names no operation that was checked".
func staleNote(s baseline.Stale) string {
	n := fmt.Sprintf("%s: %s matched no finding: delete it", s.Where(), s.Names)
	if !s.Checked {
		n = fmt.Sprintf("%s: %s names no operation that was checked (filtered out, skipped, without an answer, or not in the spec)", s.Where(), s.Names)
	}
	if s.Expired {
		n += " (expired on " + s.Expires.String() + ")"
	}
	return n
}

// writeBaselineText writes the baseline's line and its stale entries.
func writeBaselineText(bw *bufio.Writer, j *baseline.Judgement, paint func(code, s string) string) {
	if j == nil {
		return
	}
	color := ansiGreen
	if j.Fails() {
		color = ansiRed
	}
	fmt.Fprintln(bw, paint(color, EscapeTerminal(baselineCounts(j))))
	for _, s := range j.Stale {
		label := "stale"
		if !s.Checked {
			label = "unchecked"
		}
		fmt.Fprintf(bw, "  %s %s\n", paint(ansiYellow, label), EscapeTerminal(staleNote(s)))
	}
}

var baselineEmoji = map[baseline.Status]string{baseline.Accepted: "☑️", baseline.Expired: "⌛"}

// writeBaselineMarkdown writes the baseline section: its counts, the
// findings it accepted or whose entry expired, and its stale entries.
func writeBaselineMarkdown(bw *bufio.Writer, j *baseline.Judgement) {
	if j == nil {
		return
	}
	fmt.Fprintf(bw, "#### Baseline %s\n\n", mdEscape(baselineCounts(j)[len("baseline "):]))
	var rows []baseline.Finding
	for _, f := range j.Findings {
		if f.Status != baseline.New {
			rows = append(rows, f)
		}
	}
	if len(rows) > 0 {
		fmt.Fprintln(bw, "| | Operation | Finding | Expires | Reason | Entry |")
		fmt.Fprintln(bw, "|---|---|---|---|---|---|")
		shown := rows[:min(len(rows), maxMarkdownRows)]
		for _, f := range shown {
			fmt.Fprintf(bw, "| %s %s | %s | %s | %s | %s | %s |\n", baselineEmoji[f.Status], f.Status, mdCellCode(f.Operation()),
				mdEscape(f.What()), f.Entry.Expires, mdEscape(oneLine(f.Entry.Reason)), mdCellCode(f.Entry.Where()))
		}
		if more := len(rows) - len(shown); more > 0 {
			fmt.Fprintf(bw, "\n… and %d more; the JSON report lists them all.\n", more)
		}
		fmt.Fprintln(bw)
	}
	if len(j.Stale) > 0 {
		fmt.Fprintln(bw, "Entries that matched no finding:")
		fmt.Fprintln(bw)
		for _, s := range j.Stale[:min(len(j.Stale), maxMarkdownRows)] {
			fmt.Fprintf(bw, "- %s\n", mdEscape(staleNote(s)))
		}
		fmt.Fprintln(bw)
	}
}

// baselineHTML renders the baseline section of the HTML reports ("" when
// there is no baseline).
func baselineHTML(j *baseline.Judgement) (template.HTML, error) {
	if j == nil {
		return "", nil
	}
	var rows []baseline.Finding
	for _, f := range j.Findings {
		if f.Status != baseline.New {
			rows = append(rows, f)
		}
	}
	var buf bytes.Buffer
	err := baselineHTMLTemplate.Execute(&buf, struct {
		Counts string
		J      *baseline.Judgement
		Rows   []baseline.Finding
	}{baselineCounts(j), j, rows})
	if err != nil {
		return "", fmt.Errorf("render baseline html: %w", err)
	}
	return template.HTML(buf.String()), nil // escaped by its own template
}

var baselineHTMLTemplate = template.Must(template.New("baseline").Funcs(template.FuncMap{"stale": staleNote}).Parse(
	`<section id="baseline"><header><h2>Baseline</h2><span class="muted">{{.Counts}}</span></header>
{{with .Rows}}<table><tr><th></th><th>Operation</th><th>Finding</th><th>Expires</th><th>Reason</th><th>Entry</th></tr>
{{range .}}<tr><td><span class="badge {{if eq .Status "accepted"}}fixed{{else}}error{{end}}">{{.Status}}</span></td><td><code>{{.Method}} {{.Path}}</code></td><td>{{.What}}<div class="muted">{{.Message}}</div></td><td>{{.Entry.Expires}}</td><td>{{.Entry.Reason}}</td><td><code>{{.Entry.Where}}</code></td></tr>
{{end}}</table>{{end}}
{{with .J.Stale}}<div class="warn">Entries that matched no finding:<ul>{{range .}}<li><code>{{stale .}}</code></li>{{end}}</ul></div>{{end}}
</section>`))

// diffAccepted splits off the operations whose findings the baseline
// accepts all: reports list them apart, as accepted, not under their
// verdict.
func diffAccepted(ops []diff.Operation, j *baseline.Judgement) (rest, accepted []diff.Operation) {
	if j == nil {
		return ops, nil
	}
	for _, op := range ops {
		if j.AllAccepted(op.CheckID) {
			accepted = append(accepted, op)
		} else {
			rest = append(rest, op)
		}
	}
	return rest, accepted
}

// writeDiffAcceptedText writes the operations the baseline accepts, each
// accepted difference with the entry's expiry and reason.
func writeDiffAcceptedText(bw *bufio.Writer, ops []diff.Operation, j *baseline.Judgement, paint func(code, s string) string) {
	if len(ops) == 0 {
		return
	}
	width := 0
	for _, op := range ops {
		width = max(width, len(EscapeTerminal(diffOpName(op))))
	}
	fmt.Fprintln(bw, paint(ansiBold, fmt.Sprintf("ACCEPTED (%d)", len(ops))))
	for _, op := range ops {
		fmt.Fprintf(bw, "  %s %-*s  %s\n", "≈", width, EscapeTerminal(diffOpName(op)), diffStatuses(op))
		for _, d := range op.Differences {
			f := j.Difference(op.CheckID, d)
			if f == nil {
				continue
			}
			fmt.Fprintf(bw, "      %-10s %-7s %s  old %s  new %s\n", d.Class, d.Kind, EscapeTerminal(diffWhere(d)), diffExample(d.Old, 40), diffExample(d.New, 40))
			fmt.Fprintf(bw, "        %s\n", paint(ansiDim, EscapeTerminal(baselineNote(f))))
		}
	}
	fmt.Fprintln(bw)
}

// diffWhere is where a difference is, for the text report: the header's
// name, or its location.
func diffWhere(d diff.Difference) string {
	if d.Kind == diff.KindHeader {
		return d.Header
	}
	return d.Location()
}
