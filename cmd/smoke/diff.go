package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/runner"
)

type diffOptions struct {
	common      commonOptions
	req         requestOptions
	Old         string
	New         string
	Rounds      int
	AllowWrites bool
	FailOn      string
	Format      string
	Output      string
	Seed        uint64
}

func newDiffCmd(env *Env) *cobra.Command {
	var opts diffOptions
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Compare two deployments of a service, operation by operation",
		Long: `Send every check to OLD and to NEW and report, per operation, whether NEW
answers as OLD does: parity, regression, noise, fixed (OLD failed the spec's
checks and NEW passes them) or error (could not be sampled).

Each check is sampled in --rounds rounds; a round sends it twice to each side
in shuffled order. A difference that also shows between two samples of the
same side is noise, not a regression. Bodies are decompressed and compared by
content type (JSON field by field, numbers exactly); values whose schema
format is date-time, date, time or uuid are compared by format only; Date,
request and trace id headers by presence only. A field present only on NEW
is a non-breaking addition; a missing field, a type change, a changed value,
a changed status, a schema violation OLD did not have, or an array that
gained or lost elements is a regression. With --rounds 5 or more, latency is
compared too: a statistically significant slowdown of more than 20 % and
25 ms is a regression.

Only safe methods (GET, HEAD, OPTIONS, TRACE) are sent unless --allow-writes.
Rules in smoke.yaml (diff.rules: ignore or expect, each with a reason) silence
reviewed differences; rules that match nothing are warned about.`,
		Example: `  smoke diff --spec openapi.yaml --old https://api.example.com --new https://api-fargate.example.com
  smoke diff -s openapi.yaml --old $OLD --new $NEW --rounds 5 --format html --output parity.html
  smoke diff -s openapi.yaml --old $OLD --new $NEW --format json | jq '.summary'
  smoke diff -s openapi.yaml --old $OLD --new $NEW --allow-writes --include 'POST /orders'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.common.cmd = cmd
			opts.req.cmd = cmd
			return runDiff(cmd.Context(), env, opts)
		},
	}
	addCommonFlags(cmd, &opts.common)
	addRequestFlags(cmd, &opts.req)
	f := cmd.Flags()
	f.StringVar(&opts.Old, "old", "", "base URL of the deployment to compare against (required)")
	f.StringVar(&opts.New, "new", "", "base URL of the deployment under test (required)")
	f.IntVar(&opts.Rounds, "rounds", 3, "sampling rounds per check, two requests per side each (latency is compared from 5)")
	f.BoolVar(&opts.AllowWrites, "allow-writes", false, "also send operations that write (POST, PUT, PATCH, DELETE) to both sides")
	f.StringVar(&opts.FailOn, "fail-on", string(diff.FailOnRegression), "exit 1 on: regression, or any difference no rule silenced")
	f.StringVarP(&opts.Format, "format", "f", "text", "report format: "+strings.Join(report.DiffFormats, ", "))
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to FILE (atomically) instead of stdout")
	f.Uint64Var(&opts.Seed, "seed", 0, "seed of the shuffled request order, to replay a diff (0: random; every report prints the seed used)")
	_ = cmd.MarkFlagRequired("old") // the flag exists: cannot fail
	_ = cmd.MarkFlagRequired("new")
	return cmd
}

// runDiff is smoke diff: load, sample both sides, compare, report, and
// pick the exit code.
func runDiff(ctx context.Context, env *Env, opts diffOptions) error {
	if !validDiffFormat(opts.Format) {
		return &flagError{usageErrf("--format %q: want one of %s", opts.Format, strings.Join(report.DiffFormats, ", "))}
	}
	if err := checkOutputDir(opts.Output); err != nil {
		return err
	}
	l, err := loadChecks(ctx, env, withSecrets(opts.common))
	if err != nil {
		return err
	}
	out, err := executeDiff(ctx, env, l, opts)
	if err != nil {
		return err
	}
	color := opts.Format == "text" && (opts.Output == "" || opts.Output == "-") && env.Color(env.StdoutTTY)
	if err := writeOutput(env, opts.Output, func(w io.Writer) error {
		o := out.opts
		o.Color = color
		return report.WriteDiff(w, opts.Format, out.report, o)
	}); err != nil {
		return err
	}
	return out.exitErr()
}

func withSecrets(o commonOptions) commonOptions {
	o.NeedSecrets = true
	return o
}

// diffOutcome is a finished (or interrupted) diff with what its report
// needs.
type diffOutcome struct {
	report *diff.Report
	opts   report.DiffOptions
	failOn diff.FailOn
	runErr error // cancellation
}

// executeDiff samples the loaded checks against opts.Old and opts.New and
// compares them. smoke demo calls it with checks it loaded itself. Errors
// before anything was sent are usage errors; an interruption is kept in
// the outcome so the partial report is still written.
func executeDiff(ctx context.Context, env *Env, l *loaded, opts diffOptions) (*diffOutcome, error) {
	oldURL, err := diffTarget(l, "--old", opts.Old)
	if err != nil {
		return nil, err
	}
	newURL, err := diffTarget(l, "--new", opts.New)
	if err != nil {
		return nil, err
	}
	dc := l.Config.Diff
	rounds := pick(opts.changed("rounds"), opts.Rounds, dc.Rounds)
	if rounds == 0 {
		rounds = opts.Rounds
	}
	if rounds < 1 {
		return nil, &flagError{usageErrf("--rounds %d: must be at least 1", rounds)}
	}
	failOn, err := diff.ParseFailOn(pick(opts.changed("fail-on"), opts.FailOn, dc.FailOn))
	if err != nil {
		return nil, &flagError{usageErr(fmt.Errorf("--%w", err))}
	}
	rules := make([]diff.Rule, len(dc.Rules))
	for i, r := range dc.Rules {
		rules[i] = diff.Rule{Action: diff.Action(r.Action), Operation: r.Operation, Pointer: r.Pointer, Header: r.Header, Kind: diff.Kind(r.Kind), Reason: r.Reason}
		if err := rules[i].Validate(); err != nil {
			return nil, usageErrf("%s:%d: diff rule %d: %v", configName(l), r.Line, i+1, err)
		}
	}
	ro, err := opts.req.runnerOptions(l.Config, l.Plan.Checks)
	if err != nil {
		return nil, err
	}
	ro.Logger = env.Logger
	r, err := runner.New(ro)
	if err != nil {
		return nil, usageErr(err)
	}
	dopts := diff.Options{
		Send:          r.Send,
		Evaluate:      r.Evaluate,
		Rounds:        rounds,
		Seed:          opts.Seed,
		Concurrency:   ro.Concurrency,
		AllowWrites:   opts.AllowWrites,
		Rules:         rules,
		ArrayKeys:     dc.ArrayKeys,
		IgnoreHeaders: dc.IgnoreHeaders,
		Secrets:       ro.Secrets,
		Latency: diff.LatencyOptions{
			Relative: dc.Latency.Relative,
			Absolute: time.Duration(dc.Latency.AbsoluteMS * float64(time.Millisecond)),
		},
		Logger: env.Logger,
	}
	env.Logger.Info("diff", "checks", len(l.Plan.Checks), "old", oldURL, "new", newURL, "rounds", rounds)
	start := env.Now()
	rep, runErr := diff.Run(ctx, l.Plan.Checks, oldURL, newURL, dopts)
	if rep == nil {
		if errors.Is(runErr, context.Canceled) {
			return nil, runErr
		}
		return nil, usageErr(runErr)
	}
	if n := len(rep.Skipped); n > 0 {
		fmt.Fprintf(env.Stderr, "smoke: %s not sampled (%s): diff sends only safe methods unless --allow-writes\n",
			plural(n, "write operation", "write operations"), strings.Join(rep.Skipped, ", "))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(env.Stderr, "smoke: warning: %s\n", w)
	}
	out := &diffOutcome{
		report: rep,
		failOn: failOn,
		runErr: runErr,
		opts: report.DiffOptions{
			Title:   strings.TrimSpace(l.Plan.Spec.Title + " " + l.Plan.Spec.Version),
			Elapsed: env.Now().Sub(start).Round(time.Millisecond),
			FailOn:  failOn,
		},
	}
	switch {
	case runErr != nil:
		out.opts.Incomplete = fmt.Sprintf("interrupted: %d of %d operations not sampled", rep.Summary.Errors, rep.Summary.Operations)
	case rep.Summary.Errors > 0 && rep.Summary.Errors == rep.Summary.Operations:
		out.opts.Incomplete = "no operation could be sampled: is a target unreachable?"
	case rep.Summary.Errors > 0:
		out.opts.Incomplete = fmt.Sprintf("%d of %d operations could not be sampled", rep.Summary.Errors, rep.Summary.Operations)
	}
	return out, nil
}

// exitErr maps a diff to its exit code, as smoke run does: 3 when
// interrupted, 1 for findings at or above --fail-on (even if other
// operations could not be sampled), 3 when not every operation was
// sampled, 0 for parity.
func (o *diffOutcome) exitErr() error {
	s := o.report.Summary
	switch {
	case o.runErr != nil:
		return incompleteErr(fmt.Errorf("interrupted: %d of %d operations not sampled; the report shows what finished", s.Errors, s.Operations))
	case o.report.Findings(o.failOn):
		return errFindings
	case s.Errors > 0:
		return incompleteErr(fmt.Errorf("%d of %d operations could not be sampled (see the report)", s.Errors, s.Operations))
	}
	return nil
}

// diffTarget resolves --old or --new: a URL, or the name of an
// environment in smoke.yaml.
func diffTarget(l *loaded, flag, v string) (string, error) {
	if v == "" {
		return "", &flagError{usageErrf("%s is required", flag)}
	}
	if e, ok := l.Config.Environments[v]; ok {
		if e.BaseURL == "" {
			return "", usageErrf("%s: environment %q in %s has no base_url", flag, v, configName(l))
		}
		v = e.BaseURL
	}
	if _, err := runner.New(runner.Options{BaseURL: v}); err != nil {
		return "", usageErrf("%s: %v", flag, err)
	}
	return strings.TrimSuffix(v, "/"), nil
}

func (o diffOptions) changed(name string) bool { return o.common.changed(name) }

func validDiffFormat(f string) bool {
	for _, v := range report.DiffFormats {
		if f == v {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// demoDiff is the diff step of smoke demo: it compares the example
// service at oldURL (v1) with newURL (v2), both serving the spec at
// specURL, ignoring any smoke.yaml, and writes the HTML report to
// htmlPath. The returned outcome gives the verdicts and, through
// exitErr, the exit code.
func demoDiff(ctx context.Context, env *Env, specURL, oldURL, newURL, htmlPath string) (*diffOutcome, error) {
	common := commonOptions{Spec: specURL, Config: os.DevNull, NeedSecrets: true}
	l, err := loadChecks(ctx, env, common)
	if err != nil {
		return nil, err
	}
	out, err := executeDiff(ctx, env, l, diffOptions{
		common: common,
		req:    requestOptions{Timeout: runner.DefaultTimeout, Concurrency: runner.DefaultConcurrency, MaxBody: runner.DefaultMaxBodyBytes},
		Old:    oldURL,
		New:    newURL,
		Rounds: 3,
		FailOn: string(diff.FailOnRegression),
	})
	if err != nil {
		return nil, err
	}
	if err := writeOutput(env, htmlPath, func(w io.Writer) error {
		return report.WriteDiffHTML(w, out.report, out.opts)
	}); err != nil {
		return nil, err
	}
	return out, nil
}
