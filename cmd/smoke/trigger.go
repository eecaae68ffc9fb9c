package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/synthetics"
)

// triggerOptions are the flags of smoke trigger as given.
type triggerOptions struct {
	Config        string
	Service       string
	Wait          bool
	Timeout       time.Duration
	PollInterval  time.Duration
	JUnit         string
	Format        string
	Checks        []string
	Suite         bool
	SuiteID       string
	FailOnTimeout bool
	FailOnMissing bool

	cmd *cobra.Command
}

func newTriggerCmd(env *Env) *cobra.Command {
	return newTriggerCmdF(env, runTrigger)
}

// newTriggerCmdF builds the command with runF as its action: tests inject
// one to check flag parsing and resolution alone.
func newTriggerCmdF(env *Env, runF func(context.Context, *Env, triggerOptions) error) *cobra.Command {
	var opts triggerOptions
	cmd := &cobra.Command{
		Use:   "trigger",
		Short: "Run a service's Datadog Synthetics tests now, as a CI step",
		Long: `Trigger the Datadog Synthetics tests smoke published for a service, through
Datadog's CI endpoint (at most 100 tests per call), as datadog-ci does.
Tests are found by their smoke-service tag: no spec is needed. --suite runs
the tests of the service's suite (--suite-id those of any suite).

The batch carries the CI provider, pipeline URL, branch and commit read from
the standard variables of GitHub Actions, GitLab, CircleCI, Jenkins,
Buildkite, Travis, Azure Pipelines and Bitbucket (DD_GIT_BRANCH and
DD_GIT_COMMIT_SHA override the git values).

With --wait, smoke polls the results (a batch that answers 404 right after
the trigger is polled again), shows progress on a terminal, prints one line
per test run and location and a summary, and writes JUnit XML with --junit:
one testcase per test and location. Once Datadog ends a batch, runs still in
progress are settled at once: timed out when Datadog marks them so (failing
unless --fail-on-timeout=false), incomplete otherwise (failing). A failure
of a non-blocking test is reported but does not fail the step. --check IDs
without a published test are reported; --fail-on-missing makes them fail
the step.

Datadog: DD_API_KEY, DD_APP_KEY, DD_SITE and DD_HOST as for publish.

EXIT STATUS
  0  triggered (without --wait), or every blocking run passed
  1  a blocking run failed, timed out (--fail-on-timeout) or ended
     incomplete; a check was missing (--fail-on-missing)
  2  usage or config error, refused keys, or no tests for the service
  3  incomplete: Datadog unreachable, interrupted, or --timeout passed before every result`,
		Example: `  smoke trigger --service orders --wait --junit synthetics.xml
  smoke trigger --service orders --suite --wait
  smoke trigger --service orders`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Config, "config", "c", "", "config file, for service: (default ./smoke.yaml when present; env SMOKE_CONFIG)")
	f.StringVar(&opts.Service, "service", "", "service whose tests to run (env SMOKE_SERVICE, or service: in smoke.yaml)")
	f.BoolVar(&opts.Wait, "wait", false, "wait for the results and report them")
	f.DurationVar(&opts.Timeout, "timeout", synthetics.DefaultTriggerTimeout, "with --wait, give up after this long (exit 3)")
	f.DurationVar(&opts.PollInterval, "poll-interval", 5*time.Second, "with --wait, pause between polls")
	f.StringVar(&opts.JUnit, "junit", "", "with --wait, write JUnit XML to FILE")
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	f.StringArrayVar(&opts.Checks, "check", nil, "only the test of this check ID (repeatable)")
	f.BoolVar(&opts.Suite, "suite", false, "run the tests of the service's Datadog suite")
	f.StringVar(&opts.SuiteID, "suite-id", "", "run the tests of the Datadog suite with this public id")
	f.BoolVar(&opts.FailOnTimeout, "fail-on-timeout", true, "a blocking run that timed out fails the step (env DATADOG_SYNTHETICS_FAIL_ON_TIMEOUT)")
	f.BoolVar(&opts.FailOnMissing, "fail-on-missing", false, "a --check without a published test fails the step (env DATADOG_SYNTHETICS_FAIL_ON_MISSING_TESTS)")
	opts.cmd = cmd
	return cmd
}

func (o *triggerOptions) changed(name string) bool {
	return o.cmd != nil && o.cmd.Flags().Changed(name)
}

// triggerSettings is everything smoke trigger does, resolved and checked
// before anything is sent.
type triggerSettings struct {
	Service       string
	Format        string
	JUnit         string
	FailOnTimeout bool
	FailOnMissing bool
	Trigger       synthetics.TriggerOptions
}

// resolveTrigger turns flags > environment > smoke.yaml into one set of
// settings, checking each value once.
func resolveTrigger(env *Env, o triggerOptions) (triggerSettings, error) {
	s := triggerSettings{Format: o.Format, JUnit: o.JUnit}
	if o.Format != "text" && o.Format != "json" {
		return s, &flagError{usageErrf("--format %q: want text or json", o.Format)}
	}
	if o.JUnit != "" && !o.Wait {
		return s, &flagError{usageErrf("--junit needs --wait")}
	}
	if o.Suite && o.SuiteID != "" {
		return s, &flagError{usageErrf("--suite and --suite-id: give one")}
	}
	if (o.Suite || o.SuiteID != "") && len(o.Checks) > 0 {
		return s, &flagError{usageErrf("--check and --suite: a suite runs its own tests")}
	}
	if o.Wait && o.Timeout <= 0 {
		return s, usageErrf("--timeout %s: must be positive", o.Timeout)
	}
	if o.Wait && o.PollInterval <= 0 {
		return s, usageErrf("--poll-interval %s: must be positive", o.PollInterval)
	}
	// Before anything is triggered: results nobody can write are lost.
	if err := checkOutput("--junit", o.JUnit); err != nil {
		return s, err
	}
	var err error
	if s.FailOnTimeout, err = boolSetting(env, o.changed("fail-on-timeout"), o.FailOnTimeout, "DATADOG_SYNTHETICS_FAIL_ON_TIMEOUT"); err != nil {
		return s, err
	}
	if s.FailOnMissing, err = boolSetting(env, o.changed("fail-on-missing"), o.FailOnMissing, "DATADOG_SYNTHETICS_FAIL_ON_MISSING_TESTS"); err != nil {
		return s, err
	}
	s.Service = o.Service
	if s.Service == "" {
		s.Service = env.Getenv("SMOKE_SERVICE")
	}
	if s.Service == "" {
		cfg, err := loadConfig(env, &commonOptions{Config: o.Config})
		if err != nil {
			return s, err
		}
		s.Service = cfg.Service
	}
	if s.Service == "" && o.SuiteID == "" {
		return s, withHint(usageErrf("no service name"), "Pass --service NAME (or set SMOKE_SERVICE, or service: in smoke.yaml).")
	}
	s.Trigger = synthetics.TriggerOptions{
		CheckIDs: o.Checks, Suite: o.Suite, SuiteID: o.SuiteID,
		Metadata: synthetics.CIMetadata(env.Getenv),
		Wait:     o.Wait, Timeout: o.Timeout, PollInterval: o.PollInterval,
	}
	return s, nil
}

// boolSetting is a flag when given, else its datadog-ci environment
// variable, else the flag's default.
func boolSetting(env *Env, changed, flag bool, name string) (bool, error) {
	if changed {
		return flag, nil
	}
	v, ok, err := parseBoolEnv(env, name)
	if err != nil || !ok {
		return flag, err
	}
	return v, nil
}

func runTrigger(ctx context.Context, env *Env, opts triggerOptions) error {
	s, err := resolveTrigger(env, opts)
	if err != nil {
		return err
	}
	c, err := newDatadogClient(env, false)
	if err != nil {
		return err
	}
	var progress *report.TriggerProgress
	if env.Progress() && opts.Wait {
		progress = report.NewTriggerProgress(env.Stderr, s.Service)
		s.Trigger.OnProgress = progress.Update
	}
	res, err := c.Trigger(ctx, s.Service, s.Trigger)
	if progress != nil {
		progress.Done()
	}
	if res == nil {
		return datadogErr(err)
	}
	ropts := report.TriggerOptions{Waited: opts.Wait, FailOnTimeout: s.FailOnTimeout}
	if s.JUnit != "" {
		if werr := writeOutput(env, s.JUnit, func(w io.Writer) error { return report.WriteTriggerJUnit(w, res, ropts) }); werr != nil {
			return werr
		}
	}
	if werr := writeOutput(env, "", func(w io.Writer) error {
		if s.Format == "json" {
			return report.WriteTriggerJSON(w, res)
		}
		return report.WriteTriggerText(w, res, ropts)
	}); werr != nil {
		return werr
	}
	for _, id := range res.Missing {
		fmt.Fprintf(env.Stderr, "smoke: warning: check %s has no published test\n", id)
	}
	switch {
	case errors.Is(err, synthetics.ErrTimeout):
		return incompleteErr(err)
	case err != nil:
		return datadogErr(err)
	case opts.Wait && len(res.BlockingFailures(s.FailOnTimeout)) > 0:
		return errFindings
	case s.FailOnMissing && len(res.Missing) > 0:
		return errFindings
	}
	return nil
}
