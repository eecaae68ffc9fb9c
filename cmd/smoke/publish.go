package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/synthetics"
)

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
	Locations       []string
	TickEvery       time.Duration
	Tags            []string
	Message         string
	MaxResponseTime time.Duration
	Timeout         time.Duration
	Retries         int
	Paused          bool

	cmd *cobra.Command
}

func newPublishCmd(env *Env) *cobra.Command {
	var opts publishOptions
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Create, update and prune Datadog Synthetics API tests from the checks",
		Long: `Keep one Datadog Synthetics API test per check, in sync with the spec.
Checks a chain links (a create, the read, update and delete of what it
creates: see smoke plan) are the steps of one multistep API test: each
step extracts the id the next ones use ({{ VAR }}), and the read right
after the create must succeed. Values read from a list are not chained:
an empty list must not page anyone.

Each test requests --base-url plus the check's path (no redirect following)
and asserts the documented status codes, the content type and, where it
fits, the response schema (JSON Schema draft-07). Tests carry the tags
managed-by:smoke, smoke-service:NAME and smoke-check:ID; only tests with
the first two are ever updated or deleted. A publish compares the fields
smoke owns and writes only what changed: publishing the same spec twice
makes no write. --prune deletes the service's tests whose check is not in
this publish (its operation left the spec, or --include/--exclude/
--read-only left it out); it refuses to delete more than --max-prune-share
of them without --force.

Secrets are never put in a test: a header or credential written as
${VAR} in smoke.yaml becomes the Datadog global variable {{ VAR }}.
--create-variables creates missing ones as secure variables from the
environment.

Datadog: DD_API_KEY and DD_APP_KEY are required (except with --export);
DD_SITE picks the site (default datadoghq.com); DD_HOST replaces the API
URL (e.g. a local emulator on http://127.0.0.1).

EXIT STATUS
  0  the tests are in sync (after writing them, or already)
  1  --dry-run: changes are pending
  2  usage, config or spec error, refused keys (403), refused prune: nothing was written
  3  incomplete: Datadog unreachable, an API error mid-way, or interrupted;
     running publish again converges`,
		Example: `  smoke publish --spec openapi.yaml --base-url https://api.example.com --service orders --dry-run
  smoke publish --spec openapi.yaml --base-url https://api.example.com --service orders --prune
  smoke publish --spec openapi.yaml --base-url https://api.example.com --service orders --export synthetics.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPublish(cmd.Context(), env, opts)
		},
	}
	addCommonFlags(cmd, &opts.common)
	f := cmd.Flags()
	f.StringVarP(&opts.BaseURL, "base-url", "u", "", "the URL the tests request, e.g. https://api.example.com (env SMOKE_BASE_URL)")
	f.StringVar(&opts.common.Service, "service", "", "service name, in test names and the smoke-service tag (or service: in smoke.yaml)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and write nothing")
	f.BoolVar(&opts.Prune, "prune", false, "delete the service's tests whose check is not in this publish")
	f.BoolVar(&opts.Force, "force", false, "allow --prune to delete more than --max-prune-share of the tests")
	f.Float64Var(&opts.MaxPruneShare, "max-prune-share", synthetics.DefaultMaxPruneShare, "largest share of the service's tests --prune deletes without --force")
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	f.StringVar(&opts.Export, "export", "", "write the test payloads as JSON to FILE and call no API")
	f.BoolVar(&opts.CreateVariables, "create-variables", false, "create missing Datadog global variables as secure variables from the environment")
	f.StringArrayVar(&opts.Locations, "location", nil, "Datadog location to run from (repeatable; default aws:us-east-1 or datadog.locations)")
	f.DurationVar(&opts.TickEvery, "tick-every", 0, "how often each test runs, 30s to 168h (default 5m or datadog.tick_every)")
	f.StringArrayVar(&opts.Tags, "tag", nil, "extra tag on every test (repeatable; added to datadog.tags)")
	f.StringVar(&opts.Message, "message", "", "monitor message, e.g. notification handles (or datadog.message)")
	f.DurationVar(&opts.MaxResponseTime, "max-response-time", 0, "assert responses arrive within this time (default run.latency_ms, 0: no assertion)")
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "request timeout of each test")
	f.IntVar(&opts.Retries, "retries", 0, "times Datadog retries a failed run before alerting (or datadog.retries)")
	f.BoolVar(&opts.Paused, "paused", false, "publish the tests paused")
	opts.cmd = cmd
	return cmd
}

func (o *publishOptions) changed(name string) bool {
	return o.cmd != nil && o.cmd.Flags().Changed(name)
}

func runPublish(ctx context.Context, env *Env, opts publishOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return &flagError{usageErrf("--format %q: want text or json", opts.Format)}
	}
	secrets := secretsByReference
	if opts.CreateVariables {
		secrets = secretsNeeded
	}
	ls, s, err := resolveLoad(env, opts.cmd, opts.common, secrets)
	if err != nil {
		return err
	}
	share, from := pick(s, "max-prune-share", opts.MaxPruneShare, "datadog.max_prune_share", s.cfg.Datadog.MaxPruneShare)
	if math.IsNaN(share) || share <= 0 || share > 1 {
		return from.invalid(share, "want a share greater than 0 and at most 1")
	}
	opts.MaxPruneShare = share
	base, from := pickEnv(s, "base-url", opts.BaseURL, "SMOKE_BASE_URL", "base_url", s.cfg.BaseURL)
	tg, err := resolveTarget(s, base, from)
	if err != nil {
		return err
	}
	l, err := load(ctx, env, ls)
	if err != nil {
		return err
	}
	service := opts.common.Service
	if service == "" {
		service = l.Config.Service
	}
	if service == "" {
		return withHint(usageErrf("no service name"), "Pass --service NAME (or set service: in smoke.yaml); it scopes which Datadog tests smoke owns.")
	}
	if tg, err = specTarget(tg, l); err != nil {
		return err
	}
	mo, err := opts.mapOptions(s, l, service, tg.URL)
	if err != nil {
		return err
	}
	tests, err := synthetics.Map(l.Plan.Checks, mo)
	if err != nil {
		return usageErr(err)
	}
	if opts.Export != "" {
		return writeOutput(env, opts.Export, func(w io.Writer) error { return synthetics.Export(w, tests) })
	}

	c, err := newDatadogClient(env)
	if err != nil {
		return err
	}
	p, err := c.Plan(ctx, service, tests, synthetics.PlanOptions{Prune: opts.Prune})
	if err != nil {
		return datadogErr(err)
	}
	if opts.DryRun {
		if err := writePublishPlan(env, opts.Format, p, nil); err != nil {
			return err
		}
		if !p.InSync() {
			return errFindings
		}
		return nil
	}
	if opts.CreateVariables && len(p.MissingVariables) > 0 {
		created, err := c.EnsureVariables(ctx, p, env.Getenv)
		for _, n := range created {
			fmt.Fprintf(env.Stderr, "smoke: created secure global variable %s\n", n)
		}
		if err != nil {
			return datadogErr(err)
		}
	}
	total := p.Writes()
	done := 0
	st, err := c.Apply(ctx, p, synthetics.ApplyOptions{
		Force:         opts.Force,
		MaxPruneShare: opts.MaxPruneShare,
		OnChange: func(action string, ch synthetics.Change) {
			done++
			if env.Progress() {
				fmt.Fprintf(env.Stderr, "\r\033[K[%d/%d] %s %s", done, total, action, ch.Name)
			} else {
				env.Logger.Info("published", "action", action, "test", ch.Name, "public_id", ch.PublicID)
			}
		},
	})
	if env.Progress() && done > 0 {
		fmt.Fprint(env.Stderr, "\r\033[K")
	}
	if err != nil {
		if done > 0 || st.Created+st.Updated+st.Deleted > 0 {
			fmt.Fprintf(env.Stderr, "smoke: partial publish: %d created, %d updated, %d deleted before the error; run publish again to converge\n", st.Created, st.Updated, st.Deleted)
		}
		return datadogErr(err)
	}
	return writePublishPlan(env, opts.Format, p, &st)
}

// mapOptions resolves flags over smoke.yaml's datadog section.
func (o *publishOptions) mapOptions(s sources, l *loaded, service, base string) (synthetics.Options, error) {
	dd := l.Config.Datadog
	mo := synthetics.Options{
		Service:   service,
		BaseURL:   base,
		Locations: dd.Locations,
		TickEvery: time.Duration(dd.TickEvery) * time.Second,
		Timeout:   o.Timeout,
		Retries:   first(pick(s, "retries", o.Retries, "datadog.retries", dd.Retries)),
		Message:   first(pick(s, "message", o.Message, "datadog.message", dd.Message)),
		Tags:      append(append([]string(nil), dd.Tags...), o.Tags...),
		Paused:    o.Paused,
		Variables: dd.Variables,
	}
	if len(o.Locations) > 0 {
		mo.Locations = o.Locations
	}
	if o.changed("tick-every") {
		mo.TickEvery = o.TickEvery
	}
	mo.MaxResponseTime = o.MaxResponseTime
	if !o.changed("max-response-time") && l.Config.Run.LatencyMS > 0 {
		mo.MaxResponseTime = time.Duration(l.Config.Run.LatencyMS) * time.Millisecond
	}
	if o.Timeout <= 0 {
		return mo, &flagError{usageErrf("--timeout %s: must be positive", o.Timeout)}
	}
	return mo, nil
}

// first is the value of a pick, without its origin.
func first[T any](v T, _ origin) T { return v }

// newDatadogClient builds a client from DD_API_KEY, DD_APP_KEY, DD_SITE
// and DD_HOST.
func newDatadogClient(env *Env) (*synthetics.Client, error) {
	c, err := synthetics.NewClient(synthetics.ClientOptions{
		APIKey: env.Getenv("DD_API_KEY"),
		AppKey: env.Getenv("DD_APP_KEY"),
		Site:   env.Getenv("DD_SITE"),
		Host:   env.Getenv("DD_HOST"),
		Logger: env.Logger,
	})
	if errors.Is(err, synthetics.ErrCredentials) {
		return nil, withHint(usageErr(err), "Export DD_API_KEY and DD_APP_KEY (an application key with synthetics_read and synthetics_write).")
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

// writePublishPlan writes the plan (and, after applying, what was done)
// to stdout.
func writePublishPlan(env *Env, format string, p *synthetics.Plan, st *synthetics.Stats) error {
	return writeOutput(env, "", func(w io.Writer) error {
		if format == "json" {
			out := struct {
				*synthetics.Plan
				Applied *synthetics.Stats `json:"applied,omitempty"`
			}{p, st}
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(out)
		}
		if err := p.WriteText(w); err != nil {
			return err
		}
		if st == nil {
			if !p.InSync() {
				_, err := fmt.Fprintln(w, "Dry run: nothing was written.")
				return err
			}
			return nil
		}
		calls := "API calls"
		if st.Calls == 1 {
			calls = "API call"
		}
		_, err := fmt.Fprintf(w, "Published: %d created, %d updated, %d deleted, %d unchanged (%d %s).\n",
			st.Created, st.Updated, st.Deleted, st.Unchanged, st.Calls, calls)
		return err
	})
}
