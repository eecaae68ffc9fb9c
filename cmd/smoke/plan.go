package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/generator"
)

type planOptions struct {
	common commonOptions
	Format string
	Output string
}

func newPlanCmd(env *Env) *cobra.Command {
	var opts planOptions
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "List the checks the spec gives, sending nothing",
		Long: `List one check per path and HTTP method of the OpenAPI document, with the
concrete request smoke would send and where each value came from
(fixture, example, default, enum, generated). Nothing is sent.`,
		Example: `  smoke plan --spec openapi.yaml
  smoke plan --spec https://host/openapi.json --format json > checks.json
  cat spec.yaml | smoke plan --spec - --include 'GET /pets/*' --exclude tag:admin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(cmd.Context(), env, opts)
		},
	}
	addCommonFlags(cmd, &opts.common)
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}

func runPlan(ctx context.Context, env *Env, opts planOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return &flagError{usageErrf("--format %q: want text or json", opts.Format)}
	}
	if err := checkOutput("--output", opts.Output); err != nil {
		return err
	}
	l, err := loadChecks(ctx, env, opts.common)
	if err != nil {
		return err
	}
	return writeOutput(env, opts.Output, func(w io.Writer) error {
		if opts.Format == "json" {
			return writePlanJSON(w, l.Plan)
		}
		return writePlanText(w, l.Plan)
	})
}

func writePlanJSON(w io.Writer, p *generator.Plan) error {
	if p.Checks == nil {
		p.Checks = []generator.Check{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

func writePlanText(w io.Writer, p *generator.Plan) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tOPERATION\tVALUES\tEXPECT")
	for _, c := range p.Checks {
		op := c.OperationID
		if op == "" {
			op = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Method, c.Path, op, valueSources(c), strings.Join(c.Expect.Status, ","))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d checks from %s %s (%s)\n", len(p.Checks), nonEmpty(p.Spec.Title, "untitled spec"), p.Spec.Version, p.Spec.OpenAPI)
	return err
}

// valueSources summarises where a check's values came from:
// "path:example query:generated body:example".
func valueSources(c generator.Check) string {
	var parts []string
	add := func(where string, ps []generator.Param) {
		seen := map[generator.Source]bool{}
		var srcs []string
		for _, p := range ps {
			if p.Source == generator.SourceConfig || p.Source == generator.SourceSecret {
				continue
			}
			if !seen[p.Source] {
				seen[p.Source] = true
				srcs = append(srcs, string(p.Source))
			}
		}
		sort.Strings(srcs)
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

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
