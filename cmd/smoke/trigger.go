package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/synthetics"
)

type triggerOptions struct {
	Config       string
	Service      string
	Wait         bool
	Timeout      time.Duration
	PollInterval time.Duration
	JUnit        string
	Format       string
	Checks       []string
}

func newTriggerCmd(env *Env) *cobra.Command {
	var opts triggerOptions
	cmd := &cobra.Command{
		Use:   "trigger",
		Short: "Run a service's Datadog Synthetics tests now, as a CI step",
		Long: `Trigger the Datadog Synthetics tests smoke published for a service, through
Datadog's CI endpoint (at most 100 tests per call). Tests are found by their
smoke-service tag: no spec is needed.

With --wait, smoke polls the results, shows progress on a terminal, prints
one line per test run and a summary, and writes JUnit XML with --junit.
A failure of a test whose execution rule is non-blocking is reported but
does not fail the step.

Datadog: DD_API_KEY, DD_APP_KEY, DD_SITE and DD_HOST as for publish.

EXIT STATUS
  0  triggered (without --wait), or every blocking run passed
  1  a blocking run failed
  2  usage or config error, refused keys, or no tests for the service
  3  incomplete: Datadog unreachable, interrupted, or --timeout passed before every result`,
		Example: `  smoke trigger --service orders --wait --junit synthetics.xml
  smoke trigger --service orders`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTrigger(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Config, "config", "c", "", "config file, for service: (default ./smoke.yaml when present; env SMOKE_CONFIG)")
	f.StringVar(&opts.Service, "service", "", "service whose tests to run (or service: in smoke.yaml)")
	f.BoolVar(&opts.Wait, "wait", false, "wait for the results and report them")
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Minute, "with --wait, give up after this long (exit 3)")
	f.DurationVar(&opts.PollInterval, "poll-interval", 5*time.Second, "with --wait, pause between polls")
	f.StringVar(&opts.JUnit, "junit", "", "with --wait, write JUnit XML to FILE")
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	f.StringArrayVar(&opts.Checks, "check", nil, "only the test of this check ID (repeatable)")
	return cmd
}

func runTrigger(ctx context.Context, env *Env, opts triggerOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return &flagError{usageErrf("--format %q: want text or json", opts.Format)}
	}
	if opts.JUnit != "" && !opts.Wait {
		return &flagError{usageErrf("--junit needs --wait")}
	}
	if err := checkOutput("--junit", opts.JUnit); err != nil {
		return err
	}
	service := opts.Service
	if service == "" {
		cfg, err := loadConfig(env, &commonOptions{Config: opts.Config})
		if err != nil {
			return err
		}
		service = cfg.Service
	}
	if service == "" {
		return withHint(usageErrf("no service name"), "Pass --service NAME (or set service: in smoke.yaml).")
	}
	c, err := newDatadogClient(env)
	if err != nil {
		return err
	}
	progress := func(done, total int) {
		if env.Progress() {
			fmt.Fprintf(env.Stderr, "\r\033[K%s: %d/%d results", service, done, total)
		}
	}
	res, err := c.Trigger(ctx, service, synthetics.TriggerOptions{
		CheckIDs: opts.Checks, Wait: opts.Wait, Timeout: opts.Timeout,
		PollInterval: opts.PollInterval, OnProgress: progress,
	})
	if env.Progress() && opts.Wait {
		fmt.Fprint(env.Stderr, "\r\033[K")
	}
	if res == nil {
		return datadogErr(err)
	}
	if opts.JUnit != "" {
		if werr := writeOutput(env, opts.JUnit, func(w io.Writer) error { return synthetics.WriteJUnit(w, res) }); werr != nil {
			return werr
		}
	}
	if werr := writeOutput(env, "", func(w io.Writer) error { return writeTrigger(w, opts.Format, opts.Wait, res) }); werr != nil {
		return werr
	}
	if err != nil {
		if errors.Is(err, synthetics.ErrTimeout) {
			return incompleteErr(err)
		}
		return datadogErr(err)
	}
	if opts.Wait && len(res.BlockingFailures()) > 0 {
		return errFindings
	}
	return nil
}

func writeTrigger(w io.Writer, format string, waited bool, res *synthetics.TriggerResult) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	if !waited {
		_, err := fmt.Fprintf(w, "Triggered %d runs of %s in batch %s.\n", len(res.Runs), res.Service, strings.Join(res.BatchIDs, ", "))
		return err
	}
	for _, r := range res.Runs {
		mark := strings.ToUpper(r.Status)
		switch {
		case r.Status == synthetics.StatusPassed:
			mark = "PASS"
		case r.Status == synthetics.StatusFailed && r.Blocking:
			mark = "FAIL"
		case r.Status == synthetics.StatusFailed:
			mark = "FAIL (non-blocking)"
		case r.Status == synthetics.StatusInProgress:
			mark = "NO RESULT"
		}
		loc := ""
		if r.Location != "" {
			loc = " @ " + r.Location
		}
		if _, err := fmt.Fprintf(w, "%-4s  %s%s  %s\n", mark, r.Name, loc, r.PublicID); err != nil {
			return err
		}
	}
	n := res.Counts()
	_, err := fmt.Fprintf(w, "%s: %d runs, %d passed, %d failed (%d blocking), %d skipped, %d without result.\n",
		res.Service, len(res.Runs), n[synthetics.StatusPassed], n[synthetics.StatusFailed], len(res.BlockingFailures()),
		n[synthetics.StatusSkipped], n[synthetics.StatusInProgress])
	return err
}
