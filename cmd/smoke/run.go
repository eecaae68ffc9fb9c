package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/runner"
)

// runFormats are the --format values of smoke run.
var runFormats = []string{"text", "json", "junit", "markdown"}

type runOptions struct {
	common  commonOptions
	req     requestOptions
	BaseURL string
	Format  string
	Output  string
}

func newRunCmd(env *Env) *cobra.Command { return newRunCmdF(env, runRun) }

// newRunCmdF builds the command around runF, so tests can check flag
// parsing alone.
func newRunCmdF(env *Env, runF func(context.Context, *Env, runOptions) error) *cobra.Command {
	var opts runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Send every check once to a deployment and report what breaks",
		Long: `Send every check of the OpenAPI document once to one deployment and judge
each answer against what the spec documents: no 5xx (not_server_error), a
documented status (status_documented), a documented media type
(content_type), a body valid against the documented schema
(response_schema), the required headers (required_headers) and, when a
budget is configured, latency. Writes included, unless --read-only or
filters say otherwise; redirects are reported, never followed.

The target is --base-url, else $SMOKE_BASE_URL, else base_url in smoke.yaml
(or the name of one of its environments), else the spec's first server.
Authorization, cookies and configured secrets are masked in every report.`,
		Example: `  smoke run --spec openapi.yaml --base-url https://staging.example.com
  smoke run -s openapi.yaml --base-url http://127.0.0.1:8080 --format junit --output smoke.xml
  smoke run -s openapi.yaml --format markdown >> "$GITHUB_STEP_SUMMARY"
  smoke run -s openapi.yaml --read-only --concurrency 8 --rate 20 --timeout 5s --header 'X-Env: staging'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.common.cmd = cmd
			opts.req.cmd = cmd
			return runF(cmd.Context(), env, opts)
		},
	}
	addCommonFlags(cmd, &opts.common)
	addRequestFlags(cmd, &opts.req)
	f := cmd.Flags()
	f.StringVarP(&opts.BaseURL, "base-url", "u", "", "the deployment to check, e.g. https://staging.example.com (env SMOKE_BASE_URL)")
	f.StringVarP(&opts.Format, "format", "f", "text", "report format: "+strings.Join(runFormats, ", "))
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to FILE (atomically) instead of stdout")
	return cmd
}

// runRun is smoke run: load, send, report, and pick the exit code.
func runRun(ctx context.Context, env *Env, opts runOptions) error {
	if !validFormat(opts.Format) {
		return &flagError{usageErrf("--format %q: want one of %s", opts.Format, strings.Join(runFormats, ", "))}
	}
	if err := checkOutput("--output", opts.Output); err != nil {
		return err
	}
	out, err := executeRun(ctx, env, opts)
	if err != nil {
		return err
	}
	color := opts.Format == "text" && (opts.Output == "" || opts.Output == "-") && env.Color(env.StdoutTTY)
	if err := writeOutput(env, opts.Output, func(w io.Writer) error {
		return writeRunReport(w, opts.Format, out, color)
	}); err != nil {
		return err
	}
	return out.exitErr()
}

// runOutcome is a finished (or interrupted) run with what its report needs.
type runOutcome struct {
	results []runner.Result
	opts    report.RunOptions
	runErr  error // from runner.Run: cancellation or ErrUnreachable
}

// executeRun loads the checks, resolves the target and sends them. Errors
// before anything was sent are usage errors; a run error (interrupt,
// unreachable target) is kept in the outcome so the partial report is
// still written.
func executeRun(ctx context.Context, env *Env, opts runOptions) (*runOutcome, error) {
	opts.common.NeedSecrets = true
	l, err := loadChecks(ctx, env, opts.common)
	if err != nil {
		return nil, err
	}
	base, err := resolveBaseURL(env, opts.BaseURL, l)
	if err != nil && len(l.Plan.Checks) > 0 {
		return nil, err
	}
	if len(l.Plan.Checks) == 0 {
		// Nothing to send (a webhooks-only spec, or filters that match
		// nothing): an empty report, exit 0, whatever the target.
		title := strings.TrimSpace(l.Plan.Spec.Title + " " + l.Plan.Spec.Version)
		return &runOutcome{results: []runner.Result{}, opts: report.RunOptions{Title: title, Target: base}}, nil
	}
	ro, err := opts.req.runnerOptions(l.Config, l.Plan.Checks)
	if err != nil {
		return nil, err
	}
	if err := addEnvironmentHeaders(env, &ro, l, opts.BaseURL); err != nil {
		return nil, err
	}
	ro.BaseURL = base
	ro.Logger = env.Logger
	var progress *report.Progress
	if env.Progress() && len(l.Plan.Checks) > 0 {
		progress = report.NewProgress(env.Stderr, len(l.Plan.Checks), report.ProgressOptions{Color: env.Color(env.StderrTTY), Now: env.Now})
		ro.OnResult = progress.Add
	}
	r, err := runner.New(ro)
	if err != nil {
		return nil, usageErr(err)
	}
	env.Logger.Info("run", "checks", len(l.Plan.Checks), "base_url", base, "concurrency", ro.Concurrency)
	start := env.Now()
	results, runErr := r.Run(ctx, l.Plan.Checks)
	elapsed := env.Now().Sub(start)
	if progress != nil {
		progress.Done()
	}
	title := strings.TrimSpace(l.Plan.Spec.Title + " " + l.Plan.Spec.Version)
	out := &runOutcome{
		results: results,
		runErr:  runErr,
		opts: report.RunOptions{
			Title:     title,
			Target:    base,
			Reproduce: reproduce(r, l.Plan.Checks, results),
			Elapsed:   elapsed.Round(time.Millisecond),
		},
	}
	switch {
	case errors.Is(runErr, context.Canceled), errors.Is(runErr, context.DeadlineExceeded):
		s := runner.Summarize(results)
		out.opts.Incomplete = fmt.Sprintf("interrupted: %d of %d checks not judged", s.Skipped, s.Total)
	case errors.Is(runErr, runner.ErrUnreachable):
		out.opts.Incomplete = "target unreachable: " + runErr.Error()
	}
	return out, nil
}

// exitErr maps a run to its exit code: 3 when interrupted or the target
// was unreachable, 1 when any check failed, 3 when a check errored or was
// skipped, 0 otherwise.
func (o *runOutcome) exitErr() error {
	s := runner.Summarize(o.results)
	switch {
	case errors.Is(o.runErr, context.Canceled), errors.Is(o.runErr, context.DeadlineExceeded):
		return incompleteErr(fmt.Errorf("interrupted: %d of %d checks not judged; the report shows what finished", s.Skipped, s.Total))
	case o.runErr != nil:
		return incompleteErr(o.runErr)
	case s.Failed > 0:
		return errFindings
	case s.Errored > 0:
		return incompleteErr(fmt.Errorf("%d of %d checks errored: no usable answer", s.Errored, s.Total))
	case s.Skipped > 0:
		return incompleteErr(fmt.Errorf("%d of %d checks were not sent", s.Skipped, s.Total))
	}
	return nil
}

// reproduce builds the curl command of every check that did not pass.
func reproduce(r *runner.Runner, checks []generator.Check, results []runner.Result) map[string]string {
	m := map[string]string{}
	for i, res := range results {
		if res.Outcome == runner.Failed || res.Outcome == runner.Errored {
			if cmd := r.Curl("", checks[i]); cmd != "" {
				m[res.CheckID] = cmd
			}
		}
	}
	return m
}

func writeRunReport(w io.Writer, format string, out *runOutcome, color bool) error {
	opts := out.opts
	opts.Color = color
	switch format {
	case "json":
		return report.WriteRunJSON(w, out.results, opts)
	case "junit":
		return report.WriteRunJUnit(w, out.results, opts)
	case "markdown":
		return report.WriteRunMarkdown(w, out.results, opts)
	}
	return report.WriteRunText(w, out.results, opts)
}

func validFormat(f string) bool {
	for _, v := range runFormats {
		if f == v {
			return true
		}
	}
	return false
}

// resolveBaseURL picks the target: --base-url (a URL or the name of an
// environment in smoke.yaml), then $SMOKE_BASE_URL, then base_url in
// smoke.yaml, then the spec's first server. A relative server URL cannot
// be used alone.
func resolveBaseURL(env *Env, flag string, l *loaded) (string, error) {
	from := "--base-url"
	base := flag
	if base == "" {
		base, from = env.Getenv("SMOKE_BASE_URL"), "SMOKE_BASE_URL"
	}
	if base == "" {
		base, from = l.Config.BaseURL, "base_url in "+configName(l)
	}
	if e, ok := l.Config.Environments[base]; ok && base != "" {
		if e.BaseURL == "" {
			return "", usageErrf("environment %q in %s has no base_url", base, configName(l))
		}
		base, from = e.BaseURL, fmt.Sprintf("environment %q", base)
	}
	if strings.HasPrefix(from, "base_url") || strings.HasPrefix(from, "environment") {
		x, err := config.Expand(base, env.Getenv)
		if err != nil {
			return "", usageErrf("%s: %v", from, err)
		}
		base = x.Value
	}
	if base == "" {
		servers := l.Doc.Servers()
		if len(servers) == 0 {
			return "", withHint(usageErrf("no target: the spec lists no server"), "Pass --base-url URL (or set SMOKE_BASE_URL).")
		}
		base, from = servers[0], "the spec's first server"
		if !strings.Contains(base, "://") {
			return "", withHint(usageErrf("no target: the spec's first server %q is relative", base),
				"Pass --base-url with the deployment's scheme and host, e.g. --base-url http://127.0.0.1:8080"+strings.TrimSuffix(base, "/")+".")
		}
	}
	if _, err := runner.New(runner.Options{BaseURL: base}); err != nil {
		return "", usageErrf("%s: %v", from, err)
	}
	return strings.TrimSuffix(base, "/"), nil
}

// addEnvironmentHeaders adds the headers of the smoke.yaml environment
// named by --base-url (values may use ${ENV}); --header wins.
func addEnvironmentHeaders(env *Env, ro *runner.Options, l *loaded, name string) error {
	e, ok := l.Config.Environments[name]
	if !ok || name == "" {
		return nil
	}
	for _, h := range slices.Sorted(maps.Keys(e.Headers)) {
		if ro.Headers.Get(h) != "" {
			continue
		}
		x, err := config.Expand(e.Headers[h], env.Getenv)
		if err != nil {
			return usageErrf("environment %q: header %s: %v", name, h, err)
		}
		if ro.Headers == nil {
			ro.Headers = http.Header{}
		}
		ro.Headers.Set(h, x.Value)
		if len(x.Env) > 0 || sensitiveHeader(h) {
			ro.Secrets = append(ro.Secrets, x.Value)
		}
	}
	return nil
}

func configName(l *loaded) string {
	if l.Config != nil && l.Config.File != "" {
		return l.Config.File
	}
	return "smoke.yaml"
}
