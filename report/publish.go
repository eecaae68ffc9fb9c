package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/smoke-dev/smoke/synthetics"
)

// PublishFormats are the --format values of smoke publish.
var PublishFormats = []string{"text", "json"}

// WritePublishText writes a publish plan for a person: one line per
// change, test kept, check skipped (unless a kept or deleted test already
// names it) and missing variable, the notes, what the change costs in
// scheduled runs, and a summary. With st (after Apply) it ends with what
// was written; without, a plan that changes something ends with "Dry
// run: nothing was written."
func WritePublishText(w io.Writer, p *synthetics.Plan, st *synthetics.Stats) error {
	var b strings.Builder
	for _, c := range p.Create {
		fmt.Fprintf(&b, "+ create  %s  (check %s)\n", EscapeTerminal(c.Name), c.CheckID)
	}
	for _, c := range p.Update {
		fmt.Fprintf(&b, "~ update  %s  %s  (%s)\n", EscapeTerminal(c.Name), c.PublicID, strings.Join(c.Fields, ", "))
	}
	for _, c := range p.Delete {
		fmt.Fprintf(&b, "- delete  %s  %s  (%s)\n", EscapeTerminal(c.Name), c.PublicID, c.Reason)
	}
	for _, c := range p.Kept {
		fmt.Fprintf(&b, "! keep    %s  %s  (%s; pass --prune to delete)\n", EscapeTerminal(c.Name), c.PublicID, c.Reason)
	}
	listed := map[string]bool{}
	for _, c := range append(p.Delete[:len(p.Delete):len(p.Delete)], p.Kept...) {
		listed[c.CheckID] = true
	}
	for _, s := range p.Skipped {
		if listed[s.CheckID] {
			continue
		}
		fmt.Fprintf(&b, "  skip    %s  (%s)\n", EscapeTerminal(s.Name), s.Reason)
	}
	for _, v := range p.MissingVariables {
		fmt.Fprintf(&b, "! missing global variable %s (from $%s; pass --create-variables)\n", v.Name, v.Env)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "! note    %s\n", EscapeTerminal(n))
	}
	fmt.Fprintf(&b, "Scheduled runs: %s per month%s.\n", thousands(p.Cost.RunsPerMonthAfter), costChange(p.Cost))
	fmt.Fprintf(&b, "%s: %d to create, %d to update, %d to delete, %d unchanged", EscapeTerminal(p.Service), len(p.Create), len(p.Update), len(p.Delete), len(p.Unchanged))
	if n := len(p.Skipped); n > 0 {
		fmt.Fprintf(&b, ", %s skipped", plural(n, "write", "writes"))
	}
	b.WriteString(".\n")
	switch {
	case st != nil:
		writeApplied(&b, st)
	case !p.InSync():
		b.WriteString("Dry run: nothing was written.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeApplied(b *strings.Builder, st *synthetics.Stats) {
	fmt.Fprintf(b, "Published: %d created, %d updated, %d deleted, %d unchanged (%s)",
		st.Created, st.Updated, st.Deleted, st.Unchanged, plural(st.Calls, "API call", "API calls"))
	if st.Duplicates > 0 {
		fmt.Fprintf(b, "; removed %s a concurrent publish had also created", plural(st.Duplicates, "duplicate", "duplicates"))
	}
	b.WriteString(".\n")
	if st.Suite != "" && st.Suite != "unchanged" {
		fmt.Fprintf(b, "Suite: %s.\n", st.Suite)
	}
	for _, x := range st.Blocked {
		fmt.Fprintf(b, "! not deleted  %s  %s  (%s)\n", EscapeTerminal(x.Name), x.PublicID, EscapeTerminal(x.Why))
	}
}

// costChange says how a plan changes the scheduled runs, e.g.
// " (was 8,640: +12,096)".
func costChange(c synthetics.Cost) string {
	if c.RunsPerMonthAdded == 0 {
		return ", unchanged"
	}
	sign := "+"
	if c.RunsPerMonthAdded < 0 {
		sign = ""
	}
	return fmt.Sprintf(" (was %s: %s%s)", thousands(c.RunsPerMonthBefore), sign, thousands(c.RunsPerMonthAdded))
}

// thousands formats n with thousands separators: 1234567 → "1,234,567".
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// publishJSON is the `smoke publish --format json` document: the plan
// (DESIGN.md's create/update/delete/unchanged shape) and, after
// applying, what was done. Fields may be added, never renamed.
type publishJSON struct {
	*synthetics.Plan
	Applied *synthetics.Stats `json:"applied,omitempty"`
}

// WritePublishJSON writes the plan and, with st, what Apply did.
func WritePublishJSON(w io.Writer, p *synthetics.Plan, st *synthetics.Stats) error {
	return WriteJSON(w, publishJSON{p, st})
}

// PublishProgress reports each change Apply writes: on a terminal one
// line redrawn in place ("[3/7] create [orders] GET /orders"), elsewhere
// nothing (the caller logs instead).
type PublishProgress struct {
	w     io.Writer
	total int
	done  int
}

// NewPublishProgress returns a progress line for total changes.
func NewPublishProgress(w io.Writer, total int) *PublishProgress {
	return &PublishProgress{w: w, total: total}
}

// Change redraws the line for one written change.
func (p *PublishProgress) Change(action string, c synthetics.Change) {
	p.done++
	fmt.Fprintf(p.w, "\r\x1b[2K[%d/%d] %s %s", p.done, p.total, action, EscapeTerminal(c.Name))
}

// Done erases the line.
func (p *PublishProgress) Done() {
	if p.done > 0 {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
}
