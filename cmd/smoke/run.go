package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/runner"
)

// runFormats are the --format values of smoke run.
var runFormats = report.RunFormats

type runOptions struct {
	common  commonOptions
	req     requestOptions
	BaseURL string
	Format  string
	Output  string
	Reports []string
	FailOn  string
	Base    baselineOptions
}

// --fail-on values of smoke run.
const (
	// failOnFailed: exit 1 when a check failed the spec's assertions.
	failOnFailed = "failed"
	// failOnUnexercised: also exit 1 when a check answered, but not with
	// a documented success (DESIGN.md, "Depth").
	failOnUnexercised = "unexercised"
)

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
Authorization, cookies and configured secrets are masked in every report.

With --baseline FILE (run.baseline in smoke.yaml), a finding the file lists
(reviewed, with a reason and an expiry date) is reported as accepted and does
not fail the run; a new finding, or one whose entry has expired, fails as
before; an entry that matches nothing is warned about as stale.
--write-baseline adds today's unlisted findings to FILE with an empty reason
for a reviewer to fill in; it does not change the exit code.`,
		Example: `  smoke run --spec openapi.yaml --base-url https://staging.example.com
  smoke run -s openapi.yaml --base-url http://127.0.0.1:8080 --format junit --output smoke.xml
  smoke run -s openapi.yaml --format markdown >> "$GITHUB_STEP_SUMMARY"
  smoke run -s openapi.yaml --read-only --concurrency 8 --rate 20 --timeout 5s --header 'X-Env: staging'
  smoke run -s openapi.yaml --baseline smoke-baseline.yaml --write-baseline   # then fill in each reason`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.common.cmd = cmd
			return runF(cmd.Context(), env, opts)
		},
	}
	addCommonFlags(cmd, &opts.common)
	addRequestFlags(cmd, &opts.req)
	f := cmd.Flags()
	f.StringVarP(&opts.BaseURL, "base-url", "u", "", "the deployment to check, e.g. https://staging.example.com (env SMOKE_BASE_URL)")
	f.StringVarP(&opts.Format, "format", "f", "text", "report format: "+strings.Join(runFormats, ", "))
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to FILE (atomically) instead of stdout")
	addReportFlag(cmd, &opts.Reports, runFormats)
	f.StringVar(&opts.FailOn, "fail-on", failOnFailed, "exit 1 on: failed (a check failed an assertion), or unexercised (also a check that did not reach a documented success)")
	addBaselineFlags(cmd, &opts.Base, "run")
	return cmd
}

// runSettings are smoke run's resolved settings.
type runSettings struct {
	load   loadSettings
	runner runner.Options
	// target is the deployment; its URL is empty when only the spec's
	// first server can name it (resolved once the spec is loaded).
	target target
	format string
	output string
	// reports are the --report FORMAT=FILE written besides output.
	reports []extraReport
	failOn  string
	// baseline accepts reviewed findings (--baseline).
	baseline baselineSettings
}

// resolveRun resolves smoke run's flags, environment and smoke.yaml.
func resolveRun(env *Env, opts runOptions) (runSettings, error) {
	if err := checkFormat(opts.Format, runFormats); err != nil {
		return runSettings{}, err
	}
	if err := checkOutput("--output", opts.Output); err != nil {
		return runSettings{}, err
	}
	ls, s, err := resolveLoad(env, opts.common.cmd, opts.common, secretsNeeded)
	if err != nil {
		return runSettings{}, err
	}
	rs := runSettings{load: ls, format: opts.Format, output: opts.Output}
	if rs.reports, err = resolveReports(opts.Reports, runFormats, opts.Output); err != nil {
		return rs, err
	}
	if rs.runner, err = resolveRequest(s, opts.req); err != nil {
		return rs, err
	}
	var from origin
	if rs.failOn, from = pick(s, "fail-on", opts.FailOn, "run.fail_on", s.cfg.Run.FailOn); rs.failOn != failOnFailed && rs.failOn != failOnUnexercised {
		return rs, from.invalid(fmt.Sprintf("%q", rs.failOn), "want %s or %s", failOnFailed, failOnUnexercised)
	}
	base, from := pickEnv(s, "base-url", opts.BaseURL, "SMOKE_BASE_URL", "base_url", s.cfg.BaseURL)
	if rs.target, err = resolveTarget(s, base, from); err != nil {
		return rs, err
	}
	if rs.baseline, err = resolveBaseline(s, opts.Base, "run.baseline", s.cfg.Run.Baseline); err != nil {
		return rs, err
	}
	return rs, nil
}

// runRun is smoke run: resolve, load, send, report, and pick the exit
// code.
func runRun(ctx context.Context, env *Env, opts runOptions) error {
	rs, err := resolveRun(env, opts)
	if err != nil {
		return err
	}
	out, err := executeRun(ctx, env, rs)
	if err != nil {
		return err
	}
	out.judgeBaseline(env, rs)
	if err := writeAll(env, rs.format, rs.output, rs.reports, func(w io.Writer, format string, color bool) error {
		return writeRunReport(w, format, out, color)
	}); err != nil {
		return err
	}
	if rs.baseline.write {
		if err := writeBaseline(env, rs.baseline, baseline.SectionRun, out.judge); err != nil {
			return err
		}
	}
	return out.exitErr()
}

// judgeBaseline judges the run through the baseline, when there is one:
// reports show what it accepted, and the exit code counts only what it
// did not.
func (o *runOutcome) judgeBaseline(env *Env, rs runSettings) {
	if !rs.baseline.on() {
		return
	}
	o.now = env.Now()
	o.baseline = o.judge(rs.baseline.file)
	o.opts.Baseline = o.baseline
	warnBaseline(env, o.baseline)
}

// judge judges the run's results through f.
func (o *runOutcome) judge(f *baseline.File) *baseline.Judgement {
	return baseline.JudgeRun(f, o.results, baseline.RunOptions{Now: o.now, FailOnUnexercised: o.failOn == failOnUnexercised})
}

// runOutcome is a finished (or interrupted) run with what its report needs.
type runOutcome struct {
	results []runner.Result
	opts    report.RunOptions
	runErr  error // from runner.Run: cancellation or ErrUnreachable
	failOn  string
	// baseline is the run judged through --baseline (nil without one);
	// now is when it was judged.
	baseline *baseline.Judgement
	now      time.Time
}

// executeRun loads the checks and sends them to the target. Errors before
// anything was sent are usage errors; a run error (interrupt, unreachable
// target) is kept in the outcome so the partial report is still written.
func executeRun(ctx context.Context, env *Env, rs runSettings) (*runOutcome, error) {
	l, err := load(ctx, env, rs.load)
	if err != nil {
		return nil, err
	}
	return sendRun(ctx, env, rs, l)
}

// sendRun sends loaded checks as rs says.
func sendRun(ctx context.Context, env *Env, rs runSettings, l *loaded) (*runOutcome, error) {
	title := strings.TrimSpace(l.Plan.Spec.Title + " " + l.Plan.Spec.Version)
	if len(l.Plan.Checks) == 0 {
		// Nothing to send (a webhooks-only spec, or filters that match
		// nothing): an empty report, exit 0, whatever the target.
		return &runOutcome{results: []runner.Result{}, opts: report.RunOptions{Title: title, Target: generator.RedactURL(rs.target.URL)}, failOn: rs.failOn}, nil
	}
	tg, err := specTarget(rs.target, l)
	if err != nil {
		return nil, err
	}
	ro := withTarget(rs.runner, tg)
	ro.Logger = env.Logger
	var progress *report.Progress
	if env.Progress() {
		progress = report.NewProgress(env.Stderr, len(l.Plan.Checks), report.ProgressOptions{Color: env.Color(env.StderrTTY), Now: env.Now})
		ro.OnResult = progress.Add
	}
	r, err := runner.New(ro)
	if err != nil {
		return nil, usageErr(err)
	}
	env.Logger.Info("run", "checks", len(l.Plan.Checks), "base_url", generator.RedactURL(ro.BaseURL), "concurrency", ro.Concurrency)
	start := env.Now()
	results, resources, runErr := r.RunChains(ctx, l.Plan.Checks, l.Plan.Support)
	elapsed := env.Now().Sub(start)
	if progress != nil {
		progress.Done()
	}
	out := &runOutcome{
		results: results,
		runErr:  runErr,
		failOn:  rs.failOn,
		opts: report.RunOptions{
			Checks:            l.Plan.Checks,
			SkippedByConfig:   l.Plan.Skipped,
			FailOnUnexercised: rs.failOn == failOnUnexercised,
			Title:             title,
			Target:            generator.RedactURL(ro.BaseURL), // the runner sends its credentials as a header
			Reproduce:         reproduce(r, l.Plan.Checks, results),
			Elapsed:           elapsed.Round(time.Millisecond),
		},
	}
	if resources.Created > 0 {
		out.opts.Resources = &resources
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

// specTarget falls back to the spec's first server when no target was
// given. A relative server URL cannot be used alone.
func specTarget(t target, l *loaded) (target, error) {
	if t.URL != "" {
		return t, nil
	}
	servers := l.Doc.Servers()
	if len(servers) == 0 {
		return t, withHint(usageErrf("no target: the spec lists no server"), "Pass --base-url URL (or set SMOKE_BASE_URL).")
	}
	base := servers[0]
	if !strings.Contains(base, "://") {
		return t, withHint(usageErrf("no target: the spec's first server %q is relative", base),
			"Pass --base-url with the deployment's scheme and host, e.g. --base-url http://127.0.0.1:8080"+strings.TrimSuffix(base, "/")+".")
	}
	if _, err := runner.New(runner.Options{BaseURL: base}); err != nil {
		return t, usageErrf("the spec's first server: %v", err)
	}
	t.URL = strings.TrimSuffix(base, "/")
	return t, nil
}

// exitErr maps a run to its exit code: 3 when interrupted or the target
// was unreachable; 1 when any check failed, or, with --fail-on
// unexercised, when a check answered without a documented success (with
// a baseline: when such a finding is not accepted, or its entry has
// expired); 3 when a check errored or was skipped (a write withheld for
// want of a created value excepted); 0 otherwise.
func (o *runOutcome) exitErr() error {
	s := runner.Summarize(o.results)
	switch {
	case errors.Is(o.runErr, context.Canceled), errors.Is(o.runErr, context.DeadlineExceeded):
		return incompleteErr(fmt.Errorf("interrupted: %d of %d checks not judged; the report shows what finished", s.Skipped, s.Total))
	case o.runErr != nil:
		return incompleteErr(o.runErr)
	case o.baseline != nil:
		if o.baseline.Fails() {
			return errFindings
		}
	case s.Failed > 0:
		return errFindings
	case o.failOn == failOnUnexercised && s.Unexercised()-s.NotExercised.NoAnswer > 0:
		return errFindings
	}
	switch {
	case s.Errored > 0:
		return incompleteErr(fmt.Errorf("%d of %d checks errored: no usable answer", s.Errored, s.Total))
	case o.opts.Resources != nil && o.leftDeletable() > 0:
		return incompleteErr(fmt.Errorf("%d resources this run created could not be deleted (the report lists them with the request that deletes them)", o.leftDeletable()))
	case s.Skipped-withheld(o.results) > 0:
		return incompleteErr(fmt.Errorf("%d of %d checks were not sent", s.Skipped-withheld(o.results), s.Total))
	}
	return nil
}

// withheld counts the writes not sent because a value they needed did
// not come from a resource the run created (reason no_value): the run is
// complete — the producer's own result says what went wrong — and
// sending them would have touched what smoke did not create.
func withheld(results []runner.Result) int {
	n := 0
	for _, r := range results {
		if r.Outcome == runner.Skipped && r.Reason == runner.ReasonNoValue {
			n++
		}
	}
	return n
}

// leftDeletable counts the resources left behind although the spec
// documents how to delete them: cleanup failed, and the run is
// incomplete.
func (o *runOutcome) leftDeletable() int {
	n := 0
	for _, l := range o.opts.Resources.Left {
		if l.Delete != "" {
			n++
		}
	}
	return n
}

// reproduce builds the curl command of every check that did not pass,
// with the values it was sent with (a chain's real ids).
func reproduce(r *runner.Runner, checks []generator.Check, results []runner.Result) map[string]string {
	m := map[string]string{}
	for i, res := range results {
		if res.Outcome == runner.Failed || res.Outcome == runner.Errored {
			c := checks[i]
			if res.Sent != nil {
				c = *res.Sent
			}
			if cmd := r.Curl("", c); cmd != "" {
				m[res.CheckID] = cmd
			}
		}
	}
	return m
}

func writeRunReport(w io.Writer, format string, out *runOutcome, color bool) error {
	opts := out.opts
	opts.Color = color
	return report.WriteRun(w, format, out.results, opts)
}
