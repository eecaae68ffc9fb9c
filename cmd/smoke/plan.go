package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/report"
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
			opts.common.cmd = cmd
			return runPlan(cmd.Context(), env, opts)
		},
	}
	addCommonFlags(cmd, &opts.common)
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}

func runPlan(ctx context.Context, env *Env, opts planOptions) error {
	if err := checkFormat(opts.Format, report.PlanFormats); err != nil {
		return err
	}
	if err := checkOutput("--output", opts.Output); err != nil {
		return err
	}
	ls, _, err := resolveLoad(env, opts.common.cmd, opts.common, secretsWarn)
	if err != nil {
		return err
	}
	l, err := load(ctx, env, ls)
	if err != nil {
		return err
	}
	return writeOutput(env, opts.Output, func(w io.Writer) error {
		return report.WritePlan(w, opts.Format, l.Plan)
	})
}
