package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/smoke-dev/smoke/generator"
)

// PlanFormats are the formats WritePlan writes.
var PlanFormats = []string{"text", "json"}

// WritePlan writes the checks of a plan: "json" is the plan itself (its
// JSON form is the contract DESIGN.md gives), "text" a table for people.
func WritePlan(w io.Writer, format string, p *generator.Plan) error {
	if format == "json" {
		if p.Checks == nil {
			cp := *p
			cp.Checks = []generator.Check{}
			p = &cp
		}
		return WriteJSON(w, p)
	}
	return writePlanText(w, p)
}

// writePlanText writes one line per check. The spec's text (paths,
// operationIds, title) goes through EscapeTerminal: a document from an
// untrusted URL may hold escape sequences or tabs.
func writePlanText(w io.Writer, p *generator.Plan) error {
	esc := EscapeTerminal
	// A table aligned by hand: tabwriter would end its column block at
	// every binding line.
	rows := [][]string{{"METHOD", "PATH", "OPERATION", "VALUES", "EXPECT"}}
	for _, c := range p.Checks {
		op := c.OperationID
		if op == "" {
			op = "-"
		}
		rows = append(rows, []string{esc(c.Method), esc(c.Path), esc(op), ValueSources(c), esc(strings.Join(c.Expect.Status, ","))})
	}
	widths := make([]int, 4)
	for _, r := range rows {
		for i := range widths {
			widths[i] = max(widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	bw := bufio.NewWriter(w)
	cleanup := cleanupChecks(p)
	for i, r := range rows {
		for j := range widths {
			fmt.Fprintf(bw, "%s%s  ", r[j], strings.Repeat(" ", widths[j]-utf8.RuneCountInString(r[j])))
		}
		fmt.Fprintln(bw, r[4])
		if i == 0 {
			continue
		}
		for _, line := range BindingLines(p.Checks[i-1], cleanup) {
			fmt.Fprintf(bw, "    %s\n", esc(line))
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	title := p.Spec.Title
	if title == "" {
		title = "untitled spec"
	}
	if len(p.Graph.Groups) > 0 {
		fmt.Fprintln(w, "\nChains (create → read → update/use → delete):")
		for _, line := range ChainLines(p) {
			fmt.Fprintf(w, "  %s\n", esc(line))
		}
	}
	var parts []string
	if n := bindingCount(p.Checks); n > 0 {
		parts = append(parts, plural(n, "binding", "bindings"))
	}
	if n := len(p.Graph.Groups); n > 0 {
		parts = append(parts, plural(n, "chain", "chains"))
	}
	counts := ""
	if len(parts) > 0 {
		counts = "; " + strings.Join(parts, ", ")
	}
	_, err := fmt.Fprintf(w, "\n%s from %s %s (%s)%s\n", plural(len(p.Checks), "check", "checks"), esc(title), esc(p.Spec.Version), esc(p.Spec.OpenAPI), counts)
	return err
}

func bindingCount(checks []generator.Check) int {
	n := 0
	for _, c := range checks {
		n += len(c.Bindings)
	}
	return n
}

// BindingLines renders a check's bindings, one a line: "path:silenceID ←
// POST /silences /silenceID", marked "(cleanup)" on the check that
// deletes its group's resource and "(config)" or "(links)" where the
// binding did not come from inference.
func BindingLines(c generator.Check, cleanup map[string]bool) []string {
	var out []string
	for _, b := range c.Bindings {
		line := oneLine(b.Short())
		var marks []string
		if b.Origin == generator.OriginConfig || b.Origin == generator.OriginLinks {
			marks = append(marks, b.Origin)
		}
		if cleanup[c.ID] && c.Chain != nil && c.Chain.Group == b.Producer {
			marks = append(marks, "cleanup")
		}
		if len(marks) > 0 {
			line += "  (" + strings.Join(marks, ", ") + ")"
		}
		out = append(out, line)
	}
	return out
}

// ChainLines renders the groups of a plan, one a line:
// "POST /silences → read GET /silence/{silenceID} → delete DELETE …".
func ChainLines(p *generator.Plan) []string {
	byID := make(map[string]string, len(p.Checks)+len(p.Support))
	for _, c := range p.Checks {
		byID[c.ID] = c.Method + " " + c.Path
	}
	for _, c := range p.Support {
		// Outside the filters: sent only to clean up or for a value.
		byID[c.ID] = c.Method + " " + c.Path + " (support)"
	}
	name := func(id string) string {
		if n, ok := byID[id]; ok {
			return n
		}
		return id
	}
	var out []string
	for _, g := range p.Graph.Groups {
		parts := []string{g.Operation}
		if g.Read != "" {
			parts = append(parts, "read "+name(g.Read))
		}
		for _, u := range g.Update {
			parts = append(parts, "update "+name(u))
		}
		for _, u := range g.Use {
			parts = append(parts, "use "+name(u))
		}
		if g.Delete != "" {
			parts = append(parts, "delete "+name(g.Delete))
			for _, d := range g.Again {
				parts = append(parts, "create again, delete "+name(d))
			}
		} else {
			parts = append(parts, "no delete in the spec: what it creates is left behind")
		}
		out = append(out, oneLine(strings.Join(parts, " → ")))
	}
	return out
}

// cleanupChecks are the checks that delete their group's resource.
func cleanupChecks(p *generator.Plan) map[string]bool {
	m := map[string]bool{}
	for _, g := range p.Graph.Groups {
		if g.Delete != "" {
			m[g.Delete] = true
		}
	}
	return m
}

// ValueSources summarises where a check's values came from:
// "path:example query:generated body:example". Configured headers and
// secrets are left out: they are the same for every check.
func ValueSources(c generator.Check) string {
	var parts []string
	add := func(where string, ps []generator.Param) {
		var srcs []string
		for _, p := range ps {
			if p.Source == generator.SourceConfig || p.Source == generator.SourceSecret {
				continue
			}
			srcs = append(srcs, string(p.Source))
		}
		slices.Sort(srcs)
		srcs = slices.Compact(srcs)
		if len(srcs) > 0 {
			parts = append(parts, where+":"+strings.Join(srcs, "+"))
		}
	}
	add("path", c.Request.Path)
	add("query", c.Request.Query)
	add("header", c.Request.Headers)
	add("cookie", c.Request.Cookies)
	if c.Request.Body != nil {
		parts = append(parts, "body:"+string(c.Request.Body.Source))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
