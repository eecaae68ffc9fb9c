package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/runner"
)

func newExportCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the checks for another tool (k6)",
		Long: `Write the checks for another tool, from the same spec, smoke.yaml and
filters as smoke run. Nothing is sent.

EXIT STATUS
  0  written
  2  usage, config or spec error: nothing was written`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return &flagError{usageErrf("export what? (smoke export k6)")}
		},
	}
	cmd.AddCommand(newExportK6Cmd(env))
	return cmd
}

type exportK6Options struct {
	common     commonOptions
	BaseURL    string
	Output     string
	VUs        int
	Duration   time.Duration
	Ramp       time.Duration
	Pause      time.Duration
	Percentile float64
	Timeout    time.Duration
	Insecure   bool
	// AllowWrites exports writes, in chains only.
	AllowWrites bool
}

func newExportK6Cmd(env *Env) *cobra.Command { return newExportK6CmdF(env, runExportK6) }

// newExportK6CmdF builds the command around runF, so tests can check flag
// parsing alone.
func newExportK6CmdF(env *Env, runF func(context.Context, *Env, exportK6Options) error) *cobra.Command {
	var opts exportK6Options
	cmd := &cobra.Command{
		Use:   "k6",
		Short: "Write a k6 load test (JavaScript) from the checks",
		Long: `Write a k6 load test from the checks smoke run would send: one request per
check, with the same method, URL, headers, cookies and body, judged with
k6 check()s as smoke run judges it (no server error, a documented status,
the documented media type, the required headers; response schemas are
smoke run's alone). k6 is not needed to write it.

Safe by default: k6 sends every request of the script on every iteration of
every virtual user, so the script sends safe methods only (GET, HEAD,
OPTIONS, TRACE) and names on stderr the writes it left out. A DELETE /pets/3
of the plan would delete pet 3, fifty times a second.

--allow-writes exports writes in chains only (the checks smoke plan links:
a create, the reads, updates and deletes of what it made). A chain is one
ordered group() per iteration: each iteration creates its own resources,
takes their ids from the create's answer (a JSON field or the Location
header) into the later requests' paths, queries, headers and bodies, and
runs the chain's deletes at the end of the group even when an earlier step
failed. A write whose id did not come is not sent; a read falls back to its
static value, as smoke run does. The read right after a create must
succeed (a lagging read replica fails it). Values that must be unique
(${run}) differ for every virtual user and iteration. Even then a write
is left out, and named on stderr, when no create of the script gives the
resource it writes (a PUT on an example id): it would change data smoke did
not create. A create the script cannot delete (its delete filtered out, or
not in the spec) is sent with a warning: every iteration leaves one behind.

Credentials are never written into the script: a header or credential
written as ${VAR} in smoke.yaml is read from the environment when k6
starts (k6 run -e VAR=... or an exported VAR), and the script stops at
once when one is missing. A secret written inline in smoke.yaml is refused.

Load: --vus virtual users, reached over --ramp, held, and released over
--ramp again, for --duration in all; each iteration sends every check once
(every chain once, in order), then pauses --pause. Thresholds: every check
passes (checks rate==1), and each latency budget of smoke.yaml
(run.latency_ms, or an operation's latency_ms) bounds the --percentile of
that check's request durations. Redirects are not followed; run.timeout
and run.insecure apply.

The target is --base-url (a URL or an environment of smoke.yaml), else
$SMOKE_BASE_URL, else base_url in smoke.yaml, else the spec's first
server; k6 run -e BASE_URL=... replaces it when the script runs.

EXIT STATUS
  0  the script was written
  2  usage, config or spec error, or a secret written inline: nothing was written
  3  interrupted`,
		Example: `  smoke export k6 --spec openapi.yaml --base-url https://staging.example.com --output load.js
  smoke export k6 -s openapi.yaml --vus 50 --duration 10m --output load.js
  smoke export k6 -s openapi.yaml --allow-writes --include tag:pets --output pets.js
  k6 run -e API_TOKEN="$API_TOKEN" load.js`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.common.cmd = cmd
			return runF(cmd.Context(), env, opts)
		},
	}
	addCommonFlags(cmd, &opts.common)
	f := cmd.Flags()
	f.StringVarP(&opts.BaseURL, "base-url", "u", "", "the default target of the script, a URL or an environment of smoke.yaml (env SMOKE_BASE_URL)")
	f.StringVarP(&opts.Output, "output", "o", "", "write the script to FILE (atomically) instead of stdout")
	f.IntVar(&opts.VUs, "vus", report.DefaultK6VUs, "virtual users at full load")
	f.DurationVar(&opts.Duration, "duration", report.DefaultK6Duration, "the whole test, ramps included")
	f.DurationVar(&opts.Ramp, "ramp", 0, "ramp-up and ramp-down time each (default a sixth of --duration; 0s holds --vus throughout)")
	f.DurationVar(&opts.Pause, "pause", report.DefaultK6Pause, "pause at the end of each iteration (think time)")
	f.Float64Var(&opts.Percentile, "percentile", report.DefaultK6Percentile, "percentile of request durations a latency budget bounds (100: the maximum)")
	f.DurationVar(&opts.Timeout, "timeout", runner.DefaultTimeout, "per-request timeout (or run.timeout)")
	f.BoolVar(&opts.Insecure, "insecure", false, "skip TLS certificate verification (or run.insecure)")
	f.BoolVar(&opts.AllowWrites, "allow-writes", false, "also export writes (POST, PUT, PATCH, DELETE), in chains that delete what each iteration creates")
	return cmd
}

// exportK6Settings are smoke export k6's resolved settings.
type exportK6Settings struct {
	load   loadSettings
	k6     report.K6Options
	output string
}

// maxVUs bounds --vus: past it a script is a mistake, not a test plan.
const maxVUs = 100_000

// resolveExportK6 resolves the flags, environment and smoke.yaml of smoke
// export k6. Secrets are passed on by reference: their variables need not
// be set to write the script.
func resolveExportK6(env *Env, opts exportK6Options) (exportK6Settings, error) {
	if err := checkOutput("--output", opts.Output); err != nil {
		return exportK6Settings{}, err
	}
	ls, s, err := resolveLoad(env, opts.common.cmd, opts.common, secretsByReference)
	if err != nil {
		return exportK6Settings{}, err
	}
	es := exportK6Settings{load: ls, output: opts.Output}
	rc := s.cfg.Run
	timeout, tFrom := pick(s, "timeout", opts.Timeout, "run.timeout", time.Duration(rc.Timeout))
	ramp := opts.Ramp
	if !s.changed("ramp") {
		ramp = (opts.Duration / 6).Round(time.Second)
	}
	k := report.K6Options{
		VUs:         opts.VUs,
		Duration:    opts.Duration,
		Ramp:        ramp,
		Pause:       opts.Pause,
		Percentile:  opts.Percentile,
		Timeout:     timeout,
		Insecure:    opts.Insecure || rc.Insecure,
		CAFile:      rc.CAFile,
		Skip:        rc.SkipAssertions,
		Latency:     time.Duration(rc.LatencyMS) * time.Millisecond,
		AllowWrites: opts.AllowWrites,
	}
	switch {
	case k.VUs < 1 || k.VUs > maxVUs:
		return es, flagOrigin("vus").invalid(k.VUs, "want 1 to %d", maxVUs)
	case k.Duration < time.Second:
		return es, flagOrigin("duration").invalid(k.Duration, "want at least 1s")
	case k.Ramp < 0:
		return es, flagOrigin("ramp").invalid(k.Ramp, "must not be negative")
	case 2*k.Ramp >= k.Duration:
		return es, flagOrigin("ramp").invalid(k.Ramp, "ramp-up and ramp-down leave no time at full load in --duration %s", k.Duration)
	case k.Pause < 0:
		return es, flagOrigin("pause").invalid(k.Pause, "must not be negative")
	case math.IsNaN(k.Percentile) || k.Percentile <= 0 || k.Percentile > 100:
		return es, flagOrigin("percentile").invalid(k.Percentile, "want more than 0 and at most 100")
	case timeout <= 0:
		return es, tFrom.invalid(timeout, "must be positive")
	case rc.LatencyMS < 0:
		return es, s.fileOrigin("run.latency_ms").invalid(rc.LatencyMS, "must not be negative")
	}
	if err := runner.CheckAssertionNames(rc.SkipAssertions); err != nil {
		return es, s.fileOrigin("run.skip_assertions").wrap(err)
	}
	base, from := pickEnv(s, "base-url", opts.BaseURL, "SMOKE_BASE_URL", "base_url", s.cfg.BaseURL)
	if k.BaseURL, k.Headers, err = exportTarget(s, base, from); err != nil {
		return es, err
	}
	es.k6 = k
	return es, nil
}

// exportTarget is resolveTarget for a script: the base URL is resolved
// now (it is no secret), an environment's headers keep their ${VAR}
// references for the script to read, and a URL with credentials in it is
// refused.
func exportTarget(s sources, v string, from origin) (string, []generator.Param, error) {
	u, uFrom, env, err := targetURL(s, v, from)
	if err != nil || u == "" {
		return u, nil, err
	}
	var headers []generator.Param
	if env != "" {
		e := s.cfg.Environments[env]
		for _, h := range slices.Sorted(maps.Keys(e.Headers)) {
			x, _ := generator.ExpandEnv(e.Headers[h], s.env.Getenv) // by reference: unset is fine
			p := generator.Param{Name: h, Value: x.Value, Source: generator.SourceConfig}
			if len(x.Env) > 0 || generator.IsCredentialName(h) {
				if len(x.Env) == 0 {
					return "", nil, s.fileOrigin("environments."+env+".headers."+h).invalid("(a secret)",
						"written inline: the script would carry it; write it as ${VAR}")
				}
				p.Secret, p.Template, p.Env = true, x.Template, x.Env[0]
			}
			headers = append(headers, p)
		}
	}
	if err := refuseInlineCredentials(u, uFrom, "a k6 script"); err != nil {
		return "", nil, err
	}
	return u, headers, nil
}

// runExportK6 is smoke export k6: resolve, load, write the script.
func runExportK6(ctx context.Context, env *Env, opts exportK6Options) error {
	es, err := resolveExportK6(env, opts)
	if err != nil {
		return err
	}
	l, err := load(ctx, env, es.load)
	if err != nil {
		return err
	}
	es.k6.Title = strings.TrimSpace(l.Plan.Spec.Title + " " + l.Plan.Spec.Version)
	if es.output != "" && es.output != "-" {
		es.k6.Script = filepath.Base(es.output)
	}
	if es.k6.BaseURL == "" {
		// The spec's first server is the default, when it is a usable
		// absolute URL; otherwise the script requires BASE_URL.
		if t, err := specTarget(target{}, l); err == nil && refuseInlineCredentials(t.URL, origin{}, "a k6 script") == nil {
			es.k6.BaseURL = t.URL
		}
	}
	var buf strings.Builder
	exp, err := report.WriteK6(&buf, l.Plan.Checks, es.k6)
	if err != nil {
		return usageErr(err)
	}
	if err := writeOutput(env, es.output, func(w io.Writer) error {
		_, err := io.WriteString(w, buf.String())
		return err
	}); err != nil {
		return err
	}
	if es.output != "" && es.output != "-" {
		fmt.Fprintf(env.Stderr, "smoke: wrote %s: %s for k6\n", es.output, plural(exp.Checks, "check", "checks"))
	}
	writeK6Left(env.Stderr, exp)
	return nil
}

// writeK6Left says on stderr which checks the script leaves out, and
// which creates it sends leave a resource behind on every iteration. A
// few writes left out for want of a create are named with why; many (a
// large API's) on one line.
func writeK6Left(w io.Writer, exp report.K6Export) {
	var writes, unchained []string
	var lines []string
	for _, l := range exp.Left {
		name := l.Method + " " + l.Path
		if l.Reason == report.K6ReasonWrites {
			writes = append(writes, name)
			continue
		}
		unchained = append(unchained, name)
		msg := name + ": " + l.Reason
		if l.Detail != "" {
			msg += " (" + l.Detail + ")"
		}
		lines = append(lines, msg)
	}
	if len(unchained) <= maxK6Lines {
		for _, l := range lines {
			fmt.Fprintf(w, "smoke: left out %s\n", report.EscapeTerminal(l))
		}
	} else {
		fmt.Fprintf(w, "smoke: left out %d writes (%s): %s: no create of the script gives their ids (smoke export k6 --include names one to see why)\n",
			len(unchained), report.EscapeTerminal(strings.Join(unchained, ", ")), report.K6ReasonUnchained)
	}
	if n := len(writes); n > 0 {
		fmt.Fprintf(w, "smoke: left out %s (%s): k6 would send them on every iteration; pass --allow-writes to export them in chains that delete what each iteration creates\n",
			plural(n, "write", "writes"), report.EscapeTerminal(strings.Join(writes, ", ")))
	}
	for _, l := range exp.Leaks {
		fmt.Fprintf(w, "smoke: warning: %s\n", report.EscapeTerminal(l.Method+" "+l.Path+": "+l.Reason))
	}
}

// maxK6Lines bounds the writes left out that are named one per line.
const maxK6Lines = 10
