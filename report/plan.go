package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

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
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tOPERATION\tVALUES\tEXPECT")
	for _, c := range p.Checks {
		op := c.OperationID
		if op == "" {
			op = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", esc(c.Method), esc(c.Path), esc(op), ValueSources(c), esc(strings.Join(c.Expect.Status, ",")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	title := p.Spec.Title
	if title == "" {
		title = "untitled spec"
	}
	_, err := fmt.Fprintf(w, "\n%s from %s %s (%s)\n", plural(len(p.Checks), "check", "checks"), esc(title), esc(p.Spec.Version), esc(p.Spec.OpenAPI))
	return err
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
