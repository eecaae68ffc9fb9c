package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/synthetics"
)

// publishOptions are the flags of smoke publish as given; resolvePublish
// turns them, the environment and smoke.yaml into publishSettings.
type publishOptions struct {
	common          commonOptions
	BaseURL         string
	DryRun          bool
	Prune           bool
	Force           bool
	MaxPruneShare   float64
	Format          string
	Export          string
	CreateVariables bool
	AllowWrites     bool
	Suite           bool
	Locations       []string
	TickEvery       time.Duration
	Tags            []string
	Message         string
	MaxResponseTime time.Duration
	Timeout         time.Duration
	Retries         int
	RetryInterval   time.Duration
	Paused          bool

	cmd *cobra.Command
}

func newPublishCmd(env *Env) *cobra.Command {
	return newPublishCmdF(env, runPublish)
}

// newPublishCmdF builds the command with runF as its action: tests inject
// one to check flag parsing and resolution alone.
func newPublishCmdF(env *Env, runF func(context.Context, *Env, publishOptions) error) *cobra.Command {
	var opts publishOptions
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Create, update and prune Datadog Synthetics API tests from the checks",
		Long: `Keep one Datadog Synthetics API test per check, in sync with the spec, and
the service's tests in one Datadog suite. Checks a chain links (a create,
the read, update and delete of what it creates: see smoke plan) are the
steps of one multistep API test: each step extracts the id the next ones
use ({{ VAR }}), and the read right after the create must succeed. Values
read from a list are not chained: an empty list must not page anyone.
Chains write, so they are published with --allow-writes only.

Each test requests --base-url plus the check's path (no redirect following)
and asserts the documented status codes, the content type and, where it
fits, the response schema (JSON Schema draft-07). Tests carry the tags
managed-by:smoke, smoke-service:NAME and smoke-check:ID, normalised as
Datadog stores tags ("Pet Store" becomes smoke-service:pet_store); only
tests with the first two are ever updated or deleted. A publish compares
the fields smoke owns and writes only what changed: publishing the same
spec twice makes no write. Two publishes of one service at once end with
one test per check.

Only safe methods (GET, HEAD, OPTIONS, TRACE) are published unless
--allow-writes: a test runs every few minutes, forever. Skipped writes are
listed. --prune deletes the service's tests whose check is not in this
publish (its operation left the spec, or a filter left it out); it refuses
to delete more than --max-prune-share of them without --force. A test an
SLO or a composite monitor depends on is not deleted: it is reported, the
others are.

Every plan states the scheduled runs per month before and after the
change: tests × locations × runs per month at their tick_every.
datadog.schedule in smoke.yaml sets tick_every per operation or tag, or
publishes checks for CI only (paused, run by smoke trigger).

Values Datadog would refuse are refused before any call: retries (0-3),
--retry-interval (at most 5s), --timeout (at most 60s), --tick-every (30s
to 168h), tags, variable names, bodies over 50 KiB.

Secrets are never put in a test: a header or credential written as ${VAR}
in smoke.yaml becomes a Datadog global variable {{ NAME }}: VAR upper-cased,
anything before its first letter and trailing underscores dropped, SMOKE_
prefixed when shorter than 3 characters (${PW} is {{ SMOKE_PW }}), or the
name datadog.variables gives. --create-variables creates missing ones as
secure variables from the environment.

Datadog: DD_API_KEY and DD_APP_KEY are required (except with --export), the
application key with ` + synthetics.Permissions + `;
DD_SITE picks the site (default datadoghq.com); DD_HOST replaces the API URL
(e.g. a local emulator on http://127.0.0.1).

EXIT STATUS
  0  the tests are in sync (after writing them, or already)
  1  --dry-run: changes are pending
  2  usage, config or spec error, refused keys (403), refused prune: nothing was written
  3  incomplete: Datadog unreachable, an API error mid-way, a delete Datadog
     refused for a dependency, or interrupted; running publish again converges`,
		Example: `  smoke publish --spec openapi.yaml --base-url https://api.example.com --service orders --dry-run
  smoke publish --spec openapi.yaml --base-url https://api.example.com --service orders --prune
  smoke publish --spec openapi.yaml --base-url https://api.example.com --service orders --export synthetics.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), env, opts)
		},
	}
	addCommonFlags(cmd, &opts.common)
	f := cmd.Flags()
	f.StringVarP(&opts.BaseURL, "base-url", "u", "", "the URL the tests request, e.g. https://api.example.com (env SMOKE_BASE_URL)")
	f.StringVar(&opts.common.Service, "service", "", "service name, in test names and the smoke-service tag (env SMOKE_SERVICE, or service: in smoke.yaml)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and write nothing")
	f.BoolVar(&opts.Prune, "prune", false, "delete the service's tests whose check is not in this publish")
	f.BoolVar(&opts.Force, "force", false, "allow --prune to delete more than --max-prune-share of the tests")
	f.Float64Var(&opts.MaxPruneShare, "max-prune-share", synthetics.DefaultMaxPruneShare, "largest share of the service's tests --prune deletes without --force (or datadog.max_prune_share)")
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	f.StringVar(&opts.Export, "export", "", "write the test payloads as JSON to FILE and call no API")
	f.BoolVar(&opts.CreateVariables, "create-variables", false, "create missing Datadog global variables as secure variables from the environment")
	f.BoolVar(&opts.AllowWrites, "allow-writes", false, "also publish checks of methods that write (POST, PUT, PATCH, DELETE) (or datadog.allow_writes)")
	f.BoolVar(&opts.Suite, "suite", true, "keep the service's tests in one Datadog suite (or datadog.suite)")
	f.StringArrayVar(&opts.Locations, "location", nil, "Datadog location to run from (repeatable; default aws:us-east-1 or datadog.locations)")
	f.DurationVar(&opts.TickEvery, "tick-every", 0, "how often each test runs, 30s to 168h (default 5m or datadog.tick_every)")
	f.StringArrayVar(&opts.Tags, "tag", nil, "extra tag on every test (repeatable; added to datadog.tags)")
	f.StringVar(&opts.Message, "message", "", "monitor message, e.g. notification handles (or datadog.message)")
	f.DurationVar(&opts.MaxResponseTime, "max-response-time", 0, "assert responses arrive within this time (default run.latency_ms, 0: no assertion)")
	f.DurationVar(&opts.Timeout, "timeout", synthetics.DefaultTimeout, "request timeout of each test, at most 60s (or datadog.timeout)")
	f.IntVar(&opts.Retries, "retries", 0, "times Datadog retries a failed run before alerting, 0 to 3 (or datadog.retries)")
	f.DurationVar(&opts.RetryInterval, "retry-interval", synthetics.DefaultRetryInterval, "pause between retries, at most 5s (or datadog.retry_interval)")
	f.BoolVar(&opts.Paused, "paused", false, "publish the tests paused")
	opts.cmd = cmd
	return cmd
}

// publishSettings is everything smoke publish does, resolved and
// checked before anything is loaded or sent.
type publishSettings struct {
	load            loadSettings
	target          target // URL empty: the spec's first server
	Service         string
	DryRun          bool
	Prune           bool
	Force           bool
	MaxPruneShare   float64
	Format          string
	Export          string
	CreateVariables bool
	AllowWrites     bool
	Suite           bool
	// Map holds every option of the tests but the base URL and the
	// response-time budget, which need the spec.
	Map synthetics.Options
	// MaxResponseTime is set when --max-response-time was given.
	MaxResponseTime    time.Duration
	MaxResponseTimeSet bool
	// LatencyMS is run.latency_ms, the default response-time budget.
	LatencyMS int
}

// resolvePublish turns flags > environment > smoke.yaml into one set of
// settings, checking each value once, wherever it came from, against
// Datadog's rules. It reads smoke.yaml but loads no spec and sends
// nothing.
func resolvePublish(env *Env, o publishOptions) (publishSettings, error) {
	s := publishSettings{DryRun: o.DryRun, Prune: o.Prune, Force: o.Force, Export: o.Export, CreateVariables: o.CreateVariables}
	if err := checkFormat(o.Format, report.PublishFormats); err != nil {
		return s, err
	}
	s.Format = o.Format
	if err := checkOutput("--export", o.Export); err != nil {
		return s, err
	}
	secrets := secretsByReference
	if o.CreateVariables {
		secrets = secretsNeeded
	}
	// The service named by flag or SMOKE_SERVICE also names the checks.
	common := o.common
	if common.Service == "" {
		common.Service = env.Getenv("SMOKE_SERVICE")
	}
	ls, src, err := resolveLoad(env, o.cmd, common, secrets)
	if err != nil {
		return s, err
	}
	s.load = ls
	cfg := src.cfg
	s.LatencyMS = cfg.Run.LatencyMS

	service, from := pickEnv(src, "service", o.common.Service, "SMOKE_SERVICE", "service", cfg.Service)
	if strings.TrimSpace(service) == "" {
		return s, withHint(usageErrf("no service name"), "Pass --service NAME (or set SMOKE_SERVICE, or service: in smoke.yaml); it scopes which Datadog tests smoke owns.")
	}
	if _, err := synthetics.CheckTag(synthetics.ServiceTag(service)); err != nil {
		return s, from.wrap(err)
	}
	s.Service = service

	base, from := pickEnv(src, "base-url", o.BaseURL, "SMOKE_BASE_URL", "base_url", cfg.BaseURL)
	if s.target, err = resolveTarget(src, base, from); err != nil {
		return s, err
	}
	if err := refuseInlineCredentials(s.target.URL, s.target.from, "Datadog tests"); err != nil {
		return s, err
	}

	dd := cfg.Datadog
	share, from := pick(src, "max-prune-share", o.MaxPruneShare, "datadog.max_prune_share", dd.MaxPruneShare)
	if err := synthetics.CheckMaxPruneShare(share); err != nil {
		return s, from.wrap(err)
	}
	s.MaxPruneShare = share
	s.AllowWrites, _ = pick(src, "allow-writes", o.AllowWrites, "datadog.allow_writes", dd.AllowWrites)
	s.Suite = o.Suite
	if !src.changed("suite") && dd.Suite != nil {
		s.Suite = *dd.Suite
	}
	if err := s.resolveMap(src, o); err != nil {
		return s, err
	}
	if src.changed("max-response-time") {
		if o.MaxResponseTime < 0 {
			return s, flagOrigin("max-response-time").invalid(o.MaxResponseTime, "must not be negative")
		}
		s.MaxResponseTime, s.MaxResponseTimeSet = o.MaxResponseTime, true
	}
	return s, nil
}

// resolveMap resolves and checks the options of the tests themselves,
// each by synthetics' own rule for what Datadog accepts.
func (s *publishSettings) resolveMap(src sources, o publishOptions) error {
	dd := src.cfg.Datadog
	m := synthetics.Options{Service: s.Service, Variables: dd.Variables, Paused: o.Paused}
	durations := []struct {
		dst   *time.Duration
		flag  string
		flagV time.Duration
		key   string
		fileV time.Duration
		check func(time.Duration) error
	}{
		{&m.Timeout, "timeout", o.Timeout, "datadog.timeout", time.Duration(dd.Timeout), synthetics.CheckTimeout},
		{&m.RetryInterval, "retry-interval", o.RetryInterval, "datadog.retry_interval", time.Duration(dd.RetryInterval), synthetics.CheckRetryInterval},
		{&m.TickEvery, "tick-every", o.TickEvery, "datadog.tick_every", time.Duration(dd.TickEvery), synthetics.CheckTickEvery},
	}
	for _, d := range durations {
		v, from := pick(src, d.flag, d.flagV, d.key, d.fileV)
		if v == 0 && d.flag == "tick-every" {
			v = synthetics.DefaultTickEvery // the flag's zero means the default
		}
		if err := d.check(v); err != nil {
			return from.wrap(err)
		}
		*d.dst = v
	}
	var from origin
	m.Retries, from = pick(src, "retries", o.Retries, "datadog.retries", dd.Retries)
	if err := synthetics.CheckRetries(m.Retries); err != nil {
		return from.wrap(err)
	}
	m.Message, _ = pick(src, "message", o.Message, "datadog.message", dd.Message)
	var locations []string
	locations, from = pick(src, "location", o.Locations, "datadog.locations", dd.Locations)
	for i, l := range locations {
		if err := synthetics.CheckLocation(l); err != nil {
			return at(src, from, i).wrap(err)
		}
	}
	m.Locations = locations
	for i, t := range dd.Tags {
		if _, err := synthetics.CheckTag(t); err != nil {
			return src.fileOrigin(fmt.Sprintf("datadog.tags.%d", i)).wrap(err)
		}
	}
	for _, t := range o.Tags {
		if _, err := synthetics.CheckTag(t); err != nil {
			return flagOrigin("tag").wrap(err)
		}
	}
	m.Tags = append(slices.Clone(dd.Tags), o.Tags...)
	for _, env := range slices.Sorted(maps.Keys(dd.Variables)) {
		if err := synthetics.CheckVariableName(dd.Variables[env]); err != nil {
			return src.fileOrigin("datadog.variables." + env).wrap(err)
		}
	}
	for i, r := range dd.Schedule {
		rule := synthetics.Schedule{Match: r.Match, TickEvery: time.Duration(r.TickEvery), CIOnly: r.CIOnly}
		if err := synthetics.CheckSchedule(rule); err != nil {
			return src.fileOrigin(fmt.Sprintf("datadog.schedule.%d", i)).wrap(err)
		}
		m.Schedule = append(m.Schedule, rule)
	}
	s.Map = m
	return nil
}

// at is the origin of the i-th value of a list setting: the flag, or the
// item's own line in the file.
func at(src sources, from origin, i int) origin {
	if from.where == "" {
		return from
	}
	return src.fileOrigin(fmt.Sprintf("%s.%d", from.name, i))
}

func runPublish(ctx context.Context, env *Env, opts publishOptions) error {
	s, err := resolvePublish(env, opts)
	if err != nil {
		return err
	}
	l, err := load(ctx, env, s.load)
	if err != nil {
		return err
	}
	tg, err := specTarget(s.target, l)
	if err != nil {
		return err
	}
	if err := refuseInlineCredentials(tg.URL, origin{name: "the spec's first server"}, "Datadog tests"); err != nil {
		return err
	}
	mo := s.Map
	mo.BaseURL = tg.URL
	mo.MaxResponseTime = s.MaxResponseTime
	if !s.MaxResponseTimeSet && s.LatencyMS > 0 {
		mo.MaxResponseTime = time.Duration(s.LatencyMS) * time.Millisecond
	}
	checks, skipped := synthetics.SkipWrites(l.Plan.Checks, s.Service, s.AllowWrites)
	tests, err := synthetics.Map(checks, mo)
	if err != nil {
		return usageErr(err)
	}
	if s.Export != "" {
		return writeOutput(env, s.Export, func(w io.Writer) error { return synthetics.Export(w, tests) })
	}

	c, err := newDatadogClient(env, !s.Suite)
	if err != nil {
		return err
	}
	p, err := c.Plan(ctx, s.Service, tests, synthetics.PlanOptions{Prune: s.Prune, Skipped: skipped})
	if err != nil {
		return datadogErr(err)
	}
	if s.DryRun {
		if err := writePublish(env, s.Format, p, nil); err != nil {
			return err
		}
		if !p.InSync() {
			return errFindings
		}
		return nil
	}
	if s.CreateVariables && len(p.MissingVariables) > 0 {
		created, err := c.EnsureVariables(ctx, p, env.Getenv)
		for _, n := range created {
			fmt.Fprintf(env.Stderr, "smoke: created secure global variable %s\n", n)
		}
		if err != nil {
			return datadogErr(err)
		}
	}
	st, err := apply(ctx, env, c, p, s)
	if err != nil && !errors.Is(err, synthetics.ErrBlocked) {
		if st.Created+st.Updated+st.Deleted > 0 {
			fmt.Fprintf(env.Stderr, "smoke: partial publish: %d created, %d updated, %d deleted before the error; run publish again to converge\n", st.Created, st.Updated, st.Deleted)
		}
		return datadogErr(err)
	}
	if werr := writePublish(env, s.Format, p, &st); werr != nil {
		return werr
	}
	return datadogErr(err)
}

// apply writes the plan, drawing progress on a terminal and logging
// each change elsewhere.
func apply(ctx context.Context, env *Env, c *synthetics.Client, p *synthetics.Plan, s publishSettings) (synthetics.Stats, error) {
	var progress *report.PublishProgress
	if env.Progress() {
		progress = report.NewPublishProgress(env.Stderr, p.Writes())
		defer progress.Done()
	}
	return c.Apply(ctx, p, synthetics.ApplyOptions{
		Force:         s.Force,
		MaxPruneShare: s.MaxPruneShare,
		OnChange: func(action string, ch synthetics.Change) {
			if progress != nil {
				progress.Change(action, ch)
				return
			}
			env.Logger.Info("published", "action", action, "test", ch.Name, "public_id", ch.PublicID)
		},
	})
}

// newDatadogClient builds a client from DD_API_KEY, DD_APP_KEY, DD_SITE
// and DD_HOST.
func newDatadogClient(env *Env, noSuite bool) (*synthetics.Client, error) {
	c, err := synthetics.NewClient(synthetics.ClientOptions{
		APIKey:  env.Getenv("DD_API_KEY"),
		AppKey:  env.Getenv("DD_APP_KEY"),
		Site:    env.Getenv("DD_SITE"),
		Host:    env.Getenv("DD_HOST"),
		Logger:  env.Logger,
		NoSuite: noSuite,
	})
	if errors.Is(err, synthetics.ErrCredentials) {
		return nil, withHint(usageErr(err), "Export DD_API_KEY and DD_APP_KEY (an application key with "+synthetics.Permissions+").")
	}
	if err != nil {
		return nil, usageErr(err)
	}
	return c, nil
}

// datadogErr maps a synthetics error to its exit code: refused keys, a
// refused prune and missing variables are config errors (nothing was
// written); everything else is incomplete work.
func datadogErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, synthetics.ErrForbidden):
		return usageErr(err)
	case errors.Is(err, synthetics.ErrPruneCap):
		return withHint(usageErr(err), "Check the spec and filters; pass --force to delete them anyway.")
	case errors.Is(err, synthetics.ErrMissingVariables), errors.Is(err, synthetics.ErrNoTests):
		return usageErr(err)
	}
	return incompleteErr(err)
}

// writePublish writes the plan (and, after applying, what was done) to
// stdout.
func writePublish(env *Env, format string, p *synthetics.Plan, st *synthetics.Stats) error {
	return writeOutput(env, "", func(w io.Writer) error {
		if format == "json" {
			return report.WritePublishJSON(w, p, st)
		}
		return report.WritePublishText(w, p, st)
	})
}

// parseBoolEnv reads a boolean environment variable as datadog-ci does
// (true/false, 1/0); empty is unset.
func parseBoolEnv(env *Env, name string) (bool, bool, error) {
	v := env.Getenv(name)
	if v == "" {
		return false, false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, false, usageErrf("%s=%q: want true or false", name, v)
	}
	return b, true, nil
}
