package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
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
	Reports     []string
	Seed        uint64
	Base        baselineOptions
}

func newDiffCmd(env *Env) *cobra.Command { return newDiffCmdF(env, runDiff) }

// newDiffCmdF builds the command around runF, so tests can check flag
// parsing and resolution alone.
func newDiffCmdF(env *Env, runF func(context.Context, *Env, diffOptions) error) *cobra.Command {
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
reviewed differences; rules that match nothing are warned about.

With --baseline FILE (diff.baseline in smoke.yaml), a difference the file
lists (by operation, pointer, header and kind, as rules name them; with a
reason and an expiry date) is reported as accepted and does not fail the
diff; a new one, or one whose entry has expired, fails as before; an entry
that matches nothing is warned about as stale. --write-baseline adds today's
unlisted findings to FILE with an empty reason for a reviewer to fill in; it
does not change the exit code.`,
		Example: `  smoke diff --spec openapi.yaml --old https://api.example.com --new https://api-fargate.example.com
  smoke diff -s openapi.yaml --old $OLD --new $NEW --rounds 5 --format html --output parity.html
  smoke diff -s openapi.yaml --old $OLD --new $NEW --format json | jq '.summary'
  smoke diff -s openapi.yaml --old $OLD --new $NEW --allow-writes --include 'POST /orders'
  smoke diff -s openapi.yaml --old $OLD --new $NEW --baseline smoke-baseline.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.common.cmd = cmd
			return runF(cmd.Context(), env, opts)
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
	addReportFlag(cmd, &opts.Reports, report.DiffFormats)
	f.Uint64Var(&opts.Seed, "seed", 0, "seed of the shuffled request order, to replay a diff (0: random; every report prints the seed used)")
	addBaselineFlags(cmd, &opts.Base, "diff")
	_ = cmd.MarkFlagRequired("old") // the flag exists: cannot fail
	_ = cmd.MarkFlagRequired("new")
	return cmd
}

// diffSettings are smoke diff's resolved settings.
type diffSettings struct {
	load   loadSettings
	runner runner.Options
	old    target
	new    target
	// diff holds everything but Send, Evaluate, Concurrency, Secrets and
	// Logger, which executeDiff adds.
	diff   diff.Options
	failOn diff.FailOn
	format string
	output string
	// reports are the --report FORMAT=FILE written besides output.
	reports []extraReport
	// baseline accepts reviewed findings (--baseline).
	baseline baselineSettings
}

// maxRounds bounds --rounds: each round is four requests per operation.
const maxRounds = 1000

// resolveDiff resolves smoke diff's flags, environment and smoke.yaml.
func resolveDiff(env *Env, opts diffOptions) (diffSettings, error) {
	if err := checkFormat(opts.Format, report.DiffFormats); err != nil {
		return diffSettings{}, err
	}
	if err := checkOutput("--output", opts.Output); err != nil {
		return diffSettings{}, err
	}
	ls, s, err := resolveLoad(env, opts.common.cmd, opts.common, secretsNeeded)
	if err != nil {
		return diffSettings{}, err
	}
	ds := diffSettings{load: ls, format: opts.Format, output: opts.Output}
	if ds.reports, err = resolveReports(opts.Reports, report.DiffFormats, opts.Output); err != nil {
		return ds, err
	}
	if ds.runner, err = resolveRequest(s, opts.req); err != nil {
		return ds, err
	}
	for _, side := range []struct {
		flag string
		v    string
		dst  *target
	}{{"old", opts.Old, &ds.old}, {"new", opts.New, &ds.new}} {
		if side.v == "" {
			return ds, &flagError{usageErrf("--%s is required", side.flag)}
		}
		if *side.dst, err = resolveTarget(s, side.v, flagOrigin(side.flag)); err != nil {
			return ds, err
		}
	}
	dc := s.cfg.Diff
	rounds, from := pick(s, "rounds", opts.Rounds, "diff.rounds", dc.Rounds)
	if rounds < 1 {
		return ds, from.invalid(rounds, "must be at least 1")
	}
	if rounds > maxRounds {
		return ds, from.invalid(rounds, "must be at most %d", maxRounds)
	}
	failOn, from := pick(s, "fail-on", opts.FailOn, "diff.fail_on", dc.FailOn)
	if ds.failOn, err = diff.ParseFailOn(failOn); err != nil {
		return ds, from.invalid(fmt.Sprintf("%q", failOn), "want regression or any")
	}
	rules := make([]diff.Rule, len(dc.Rules))
	for i, r := range dc.Rules {
		rules[i] = diff.Rule{Action: diff.Action(r.Action), Operation: r.Operation, Pointer: r.Pointer, Header: r.Header, Kind: diff.Kind(r.Kind), Reason: r.Reason}
		if err := rules[i].Validate(); err != nil {
			return ds, s.fileOrigin(fmt.Sprintf("diff.rules.%d", i)).wrap(fmt.Errorf("diff rule %d: %w", i+1, err))
		}
	}
	lat := dc.Latency
	if math.IsNaN(lat.Relative) || math.IsInf(lat.Relative, 0) || lat.Relative < 0 {
		return ds, s.fileOrigin("diff.latency.relative").invalid(lat.Relative, "must be a share such as 0.2, not negative")
	}
	if math.IsNaN(lat.AbsoluteMS) || math.IsInf(lat.AbsoluteMS, 0) || lat.AbsoluteMS < 0 {
		return ds, s.fileOrigin("diff.latency.absolute_ms").invalid(lat.AbsoluteMS, "must be milliseconds, not negative")
	}
	if ds.baseline, err = resolveBaseline(s, opts.Base, "diff.baseline", dc.Baseline); err != nil {
		return ds, err
	}
	ds.diff = diff.Options{
		Seed:          opts.Seed,
		MaxBodyBytes:  ds.runner.MaxBodyBytes,
		Rounds:        rounds,
		AllowWrites:   opts.AllowWrites,
		Rules:         rules,
		ArrayKeys:     dc.ArrayKeys,
		IgnoreHeaders: dc.IgnoreHeaders,
		Latency: diff.LatencyOptions{
			Relative: lat.Relative,
			Absolute: time.Duration(lat.AbsoluteMS * float64(time.Millisecond)),
		},
	}
	return ds, nil
}

// runDiff is smoke diff: resolve, load, sample both sides, compare,
// report, and pick the exit code.
func runDiff(ctx context.Context, env *Env, opts diffOptions) error {
	ds, err := resolveDiff(env, opts)
	if err != nil {
		return err
	}
	out, err := executeDiff(ctx, env, ds)
	if err != nil {
		return err
	}
	out.judgeBaseline(env, ds)
	if err := writeAll(env, ds.format, ds.output, ds.reports, func(w io.Writer, format string, color bool) error {
		o := out.opts
		o.Color = color
		return report.WriteDiff(w, format, out.report, o)
	}); err != nil {
		return err
	}
	if ds.baseline.write {
		if err := writeBaseline(env, ds.baseline, baseline.SectionDiff, out.judge); err != nil {
			return err
		}
	}
	return out.exitErr()
}

// judgeBaseline judges the diff through the baseline, when there is one.
func (o *diffOutcome) judgeBaseline(env *Env, ds diffSettings) {
	if !ds.baseline.on() {
		return
	}
	o.now = env.Now()
	o.baseline = o.judge(ds.baseline.file)
	o.opts.Baseline = o.baseline
	warnBaseline(env, o.baseline)
}

// judge judges the diff's report through f.
func (o *diffOutcome) judge(f *baseline.File) *baseline.Judgement {
	return baseline.JudgeDiff(f, o.report, o.failOn, o.now)
}

// diffOutcome is a finished (or interrupted) diff with what its report
// needs.
type diffOutcome struct {
	report *diff.Report
	opts   report.DiffOptions
	failOn diff.FailOn
	runErr error // cancellation
	// baseline is the diff judged through --baseline (nil without one);
	// now is when it was judged.
	baseline *baseline.Judgement
	now      time.Time
}

// executeDiff loads the checks, samples them against OLD and NEW and
// compares them. Errors before anything was sent are usage errors; an
// interruption is kept in the outcome so the partial report is still
// written.
func executeDiff(ctx context.Context, env *Env, ds diffSettings) (*diffOutcome, error) {
	l, err := load(ctx, env, ds.load)
	if err != nil {
		return nil, err
	}
	return sendDiff(ctx, env, ds, l)
}

// sendDiff samples loaded checks as ds says and compares the answers.
func sendDiff(ctx context.Context, env *Env, ds diffSettings, l *loaded) (*diffOutcome, error) {
	send, r, err := diffSender(env, ds)
	if err != nil {
		return nil, err
	}
	dopts := ds.diff
	dopts.Send = send
	if dopts.Chain, err = diffChains(env, ds); err != nil {
		return nil, err
	}
	dopts.Support = l.Plan.Support
	dopts.Evaluate = r.Evaluate
	dopts.Concurrency = ds.runner.Concurrency
	dopts.Secrets = r.Secrets()
	dopts.Logger = env.Logger
	env.Logger.Info("diff", "checks", len(l.Plan.Checks), "old", generator.RedactURL(ds.old.URL), "new", generator.RedactURL(ds.new.URL), "rounds", dopts.Rounds)
	start := env.Now()
	rep, runErr := diff.Run(ctx, l.Plan.Checks, ds.old.URL, ds.new.URL, dopts)
	if rep == nil {
		if errors.Is(runErr, context.Canceled) {
			return nil, runErr
		}
		return nil, usageErr(runErr)
	}
	if n := len(rep.Skipped); n > 0 {
		fmt.Fprintf(env.Stderr, "smoke: %s not sampled (%s): diff sends only safe methods unless --allow-writes\n",
			plural(n, "write operation", "write operations"), report.EscapeTerminal(strings.Join(rep.Skipped, ", ")))
	}
	if n := len(rep.Withheld); n > 0 {
		fmt.Fprintf(env.Stderr, "smoke: %s not sampled (%s): each would name a resource by an id no create gave and smoke.yaml does not give\n",
			plural(n, "write operation", "write operations"), report.EscapeTerminal(strings.Join(rep.Withheld, ", ")))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(env.Stderr, "smoke: warning: %s\n", report.EscapeTerminal(w))
	}
	out := &diffOutcome{
		report: rep,
		failOn: ds.failOn,
		runErr: runErr,
		opts: report.DiffOptions{
			Title:   strings.TrimSpace(l.Plan.Spec.Title + " " + l.Plan.Spec.Version),
			Elapsed: env.Now().Sub(start).Round(time.Millisecond),
			FailOn:  ds.failOn,
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

// diffSender builds the runners of both sides: one, unless the smoke.yaml
// environments that name OLD and NEW give them headers of their own; then
// each side is sent with its own. The returned runner evaluates answers.
func diffSender(env *Env, ds diffSettings) (diff.SendFunc, *runner.Runner, error) {
	newRunner := func(t target) (*runner.Runner, error) {
		ro := withTarget(ds.runner, t)
		ro.BaseURL = "" // diff passes the base URL of each request
		ro.Logger = env.Logger
		r, err := runner.New(ro)
		if err != nil {
			return nil, usageErr(err)
		}
		return r, nil
	}
	oldR, err := newRunner(ds.old)
	if err != nil {
		return nil, nil, err
	}
	if len(ds.old.Headers) == 0 && len(ds.new.Headers) == 0 || ds.old.URL == ds.new.URL {
		return oldR.Send, oldR, nil
	}
	newR, err := newRunner(ds.new)
	if err != nil {
		return nil, nil, err
	}
	send := func(ctx context.Context, base string, c generator.Check) (*runner.Response, error) {
		if base == ds.new.URL {
			return newR.Send(ctx, base, c)
		}
		return oldR.Send(ctx, base, c)
	}
	return send, oldR, nil
}

// diffChains runs chains on each side with a runner of its own, so that
// each side's store, cleanup and headers stay apart.
func diffChains(env *Env, ds diffSettings) (diff.ChainFunc, error) {
	runners := map[string]*runner.Runner{}
	for _, t := range []target{ds.old, ds.new} {
		ro := withTarget(ds.runner, t)
		ro.Logger = env.Logger
		r, err := runner.New(ro)
		if err != nil {
			return nil, usageErr(err)
		}
		runners[t.URL] = r
	}
	return func(ctx context.Context, base string, checks, support []generator.Check) ([]runner.Result, runner.Resources, error) {
		r, ok := runners[base]
		if !ok {
			return nil, runner.Resources{}, fmt.Errorf("diff chains: no runner for %s", base)
		}
		return r.RunChains(ctx, checks, support)
	}, nil
}

// exitErr maps a diff to its exit code, as smoke run does: 3 when
// interrupted, 1 for findings at or above --fail-on (even if other
// operations could not be sampled; with a baseline, findings it does not
// accept or whose entry has expired), 3 when not every operation was
// sampled, 0 for parity.
func (o *diffOutcome) exitErr() error {
	s := o.report.Summary
	switch {
	case o.runErr != nil:
		return incompleteErr(fmt.Errorf("interrupted: %d of %d operations not sampled; the report shows what finished", s.Errors, s.Operations))
	case o.baseline != nil && o.baseline.Fails(), o.baseline == nil && o.report.Findings(o.failOn):
		return errFindings
	case s.Errors > 0:
		return incompleteErr(fmt.Errorf("%d of %d operations could not be sampled (see the report)", s.Errors, s.Operations))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
