package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/runner"
)

type demoOptions struct {
	V2     bool
	Serve  bool
	Format string
	Dir    string
}

func newDemoCmd(env *Env) *cobra.Command {
	var opts demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole flow against the bundled example service, on loopback",
		Long: `Start both versions of the bundled example service (a small pet store, see
examples/petstore) in-process on free loopback ports, and run smoke's flow
against them, reading the OpenAPI 3.1 document from the service itself:

  1. plan  the checks the spec gives;
  2. run   them against version 1 (--v2: against version 2);
  3. diff  version 1 (OLD) against version 2 (NEW), as in a migration.

The terminal reports go to stdout. The run report (--format) and the diff's
self-contained HTML report are written to --dir (default: a new temporary
directory), whose paths are printed on stderr.

The example has deliberate faults, so the reports show what findings look
like: version 1 answers GET /stats with a 500 (a failed check, fixed in
version 2); version 2 drops a field of GET /pets/{petId} (a regression),
and lags like a read replica: a pet just given to an owner is not found
by the read that follows (a read-after-write failure). Chains carry the
ids each create answers to the checks that read, update and delete it,
and delete everything the demo created. The diff sends writes: each
version creates and deletes its own resources. The demo checks that smoke
finds exactly these faults, and exits 0 when it does.
--serve only starts the service and prints its URL, for trying smoke's
other commands by hand.

EXIT STATUS
  0  the flow ran and found exactly the example's deliberate faults
  1  smoke found something other than the deliberate faults
  2  usage error
  3  incomplete: interrupted, or not every check ran`,
		Example: `  smoke demo
  smoke demo --format junit --dir ./demo-reports
  smoke demo --serve      # then: smoke run --spec URL/openapi.yaml --base-url URL`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.V2, "v2", false, "run (or serve) against version 2 of the example service")
	f.BoolVar(&opts.Serve, "serve", false, "only serve the example until interrupted")
	f.StringVarP(&opts.Format, "format", "f", "json", "format of the run report file: "+strings.Join(runFormats, ", "))
	f.StringVar(&opts.Dir, "dir", "", "directory for the report files (default: a new temporary directory)")
	return cmd
}

// serveExample starts one version of the example service on a free
// loopback port; stop ends it.
func serveExample(env *Env, version int) (base string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("demo: listen on loopback: %w", err)
	}
	srv := &http.Server{
		Handler:           petstore.New(petstore.Options{Version: version, Now: env.Now}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	return "http://" + l.Addr().String(), func() {
		srv.Close() // ends Serve; errors after a close are not interesting
		<-served
	}, nil
}

// demo is one run of smoke demo: both versions of the example service,
// served on loopback, and where the reports go.
type demo struct {
	env        *Env
	opts       demoOptions
	runVersion int
	urls       map[int]string // version → base URL
	dir        string
}

func runDemo(ctx context.Context, env *Env, opts demoOptions) error {
	if err := checkFormat(opts.Format, runFormats); err != nil {
		return err
	}
	if opts.Dir != "" {
		if fi, err := os.Stat(opts.Dir); err != nil || !fi.IsDir() {
			return usageErrf("--dir %s: not a directory", opts.Dir)
		}
	}
	d := &demo{env: env, opts: opts, runVersion: 1, urls: map[int]string{}, dir: opts.Dir}
	if opts.V2 {
		d.runVersion = 2
	}
	for _, v := range []int{1, 2} {
		base, stop, err := serveExample(env, v)
		if err != nil {
			return err
		}
		defer stop()
		d.urls[v] = base
	}
	if opts.Serve {
		return d.serve(ctx)
	}
	if d.dir == "" {
		dir, err := os.MkdirTemp("", "smoke-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		d.dir = dir
	}

	l, err := d.plan(ctx)
	if err != nil {
		return err
	}
	out, runPath, err := d.run(ctx, l)
	if err != nil {
		return err
	}
	dout, htmlPath, err := d.diff(ctx, l)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "smoke: run report written to %s\n", runPath)
	fmt.Fprintf(env.Stderr, "smoke: parity report written to %s\n", htmlPath)
	return d.verdict(out, dout)
}

// target is the version smoke run checks.
func (d *demo) target() string { return d.urls[d.runVersion] }

// serve only serves the example until interrupted.
func (d *demo) serve(ctx context.Context) error {
	fmt.Fprintf(d.env.Stdout, "example service (version %d) at %s\nspec: %s%s\n", d.runVersion, d.target(), d.target(), petstore.SpecPath)
	fmt.Fprintln(d.env.Stderr, "smoke: serving until interrupted (Ctrl-C)")
	<-ctx.Done()
	return nil
}

// common are the demo's spec-reading settings. The demo ignores any
// smoke.yaml of the current directory: an empty config file stands in
// for it.
func (d *demo) common() commonOptions {
	return commonOptions{Spec: d.target() + petstore.SpecPath, Config: os.DevNull}
}

// plan is step 1: load the spec the service serves, once for every step,
// and list the checks.
func (d *demo) plan(ctx context.Context) (*loaded, error) {
	ls, _, err := resolveLoad(d.env, nil, d.common(), secretsNeeded)
	if err != nil {
		return nil, err
	}
	l, err := load(ctx, d.env, ls)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(d.env.Stdout, "1/3 smoke plan: %d checks from %s\n", len(l.Plan.Checks), ls.Spec)
	for _, c := range l.Plan.Checks {
		fmt.Fprintf(d.env.Stdout, "    %-7s %-31s %s\n", c.Method, c.Path, report.ValueSources(c))
		for _, b := range report.BindingLines(c, nil) {
			fmt.Fprintf(d.env.Stdout, "            %s\n", b)
		}
	}
	return l, nil
}

// defaultRequests are the request flags' defaults, for steps that parse
// no command line.
func defaultRequests() requestOptions {
	return requestOptions{Timeout: runner.DefaultTimeout, Concurrency: runner.DefaultConcurrency, MaxBody: runner.DefaultMaxBodyBytes}
}

// run is step 2: smoke run against the chosen version, reported on stdout
// and in --format to a file.
func (d *demo) run(ctx context.Context, l *loaded) (*runOutcome, string, error) {
	fmt.Fprintf(d.env.Stdout, "\n2/3 ")
	rs, err := resolveRun(d.env, runOptions{common: d.common(), req: defaultRequests(), BaseURL: d.target(), Format: d.opts.Format, FailOn: failOnFailed})
	if err != nil {
		return nil, "", err
	}
	out, err := sendRun(ctx, d.env, rs, l)
	if err != nil {
		return nil, "", err
	}
	if err := writeRunReport(d.env.Stdout, "text", out, d.env.Color(d.env.StdoutTTY)); err != nil {
		return nil, "", err
	}
	path := filepath.Join(d.dir, "smoke-run."+formatExt(d.opts.Format))
	if err := writeOutput(d.env, path, func(w io.Writer) error {
		return writeRunReport(w, d.opts.Format, out, false)
	}); err != nil {
		return nil, "", err
	}
	if err := out.exitErr(); err != nil && !errors.Is(err, errFindings) {
		return nil, "", err
	}
	return out, path, nil
}

// diff is step 3: version 1 (OLD) against version 2 (NEW), reported on
// stdout and as self-contained HTML.
func (d *demo) diff(ctx context.Context, l *loaded) (*diffOutcome, string, error) {
	v1, v2 := d.urls[1], d.urls[2]
	fmt.Fprintf(d.env.Stdout, "\n3/3 smoke diff: %s (version 1) → %s (version 2)\n", v1, v2)
	// The example keeps its state in memory: the diff sends writes, and
	// each version's chains create and delete their own resources.
	ds, err := resolveDiff(d.env, diffOptions{common: d.common(), req: defaultRequests(), Old: v1, New: v2,
		Rounds: 3, FailOn: string(diff.FailOnRegression), Format: "html", AllowWrites: true})
	if err != nil {
		return nil, "", err
	}
	out, err := sendDiff(ctx, d.env, ds, l)
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(d.dir, "smoke-diff.html")
	if err := writeOutput(d.env, path, func(w io.Writer) error {
		return report.WriteDiffHTML(w, out.report, out.opts)
	}); err != nil {
		return nil, "", err
	}
	text := out.opts
	text.Color = d.env.Color(d.env.StdoutTTY)
	if err := report.WriteDiffText(d.env.Stdout, out.report, text); err != nil {
		return nil, "", err
	}
	if err := out.exitErr(); err != nil && !errors.Is(err, errFindings) {
		return nil, "", err
	}
	return out, path, nil
}

// verdict is the demo's own exit: 0 when smoke found exactly the
// example's deliberate faults.
func (d *demo) verdict(out *runOutcome, dout *diffOutcome) error {
	if unexpected := demoSurprises(d.runVersion, out, dout.report); len(unexpected) > 0 {
		for _, u := range unexpected {
			fmt.Fprintf(d.env.Stderr, "smoke: unexpected: %s\n", u)
		}
		return errFindings
	}
	fmt.Fprintln(d.env.Stderr, "smoke: the demo found exactly the example's deliberate faults (see examples/petstore/README.md)")
	return nil
}

// demoSurprises compares what smoke found with what the example service
// is built to show (examples/petstore/README.md): the demo doubles as a
// self-check of smoke on a known service.
func demoSurprises(runVersion int, out *runOutcome, rep *diff.Report) []string {
	var surprises []string
	// The deliberate failures of a run, by version: the check and the
	// assertion that fails.
	deliberate := map[string]string{"GET /stats": runner.CheckNotServerError}
	if runVersion == 2 {
		deliberate = map[string]string{
			"GET /pets/{petId}":                  runner.CheckReadAfterWrite, // the tag is not echoed
			"GET /owners/{ownerId}/pets/{petId}": runner.CheckReadAfterWrite, // the replica lags
		}
	}
	for _, r := range out.results {
		key := r.Method + " " + r.Path
		want, isDeliberate := deliberate[key]
		switch {
		case isDeliberate && (r.Outcome != runner.Failed || !slices.ContainsFunc(r.Failures, func(f runner.Failure) bool { return f.Check == want })):
			surprises = append(surprises, fmt.Sprintf("run: %s %s, want the deliberate %s failure", key, r.Outcome, want))
		case !isDeliberate && r.Outcome != runner.Passed:
			surprises = append(surprises, fmt.Sprintf("run: %s %s", key, r.Outcome))
		}
	}
	if res := out.opts.Resources; res == nil || res.Created == 0 || res.Created != res.Deleted || len(res.Left) > 0 {
		surprises = append(surprises, fmt.Sprintf("run: resources %+v, want every created resource deleted", res))
	}
	want := map[string]diff.Verdict{
		"GET /pets/{petId}":                  diff.Regression,
		"GET /owners/{ownerId}/pets/{petId}": diff.Regression,
		"GET /stats":                         diff.Fixed,
	}
	for _, op := range rep.Operations {
		key := op.Method + " " + op.Path
		if v, ok := want[key]; ok {
			if op.Verdict != v {
				surprises = append(surprises, fmt.Sprintf("diff: %s %s, want %s", key, op.Verdict, v))
			}
			continue
		}
		if !slices.Contains([]diff.Verdict{diff.Parity, diff.Noise}, op.Verdict) {
			surprises = append(surprises, fmt.Sprintf("diff: %s %s", key, op.Verdict))
		}
	}
	if res := rep.Resources; res == nil || len(res.Old.Left)+len(res.New.Left) > 0 {
		surprises = append(surprises, "diff: a side left resources behind")
	}
	return surprises
}

func formatExt(format string) string {
	switch format {
	case "junit":
		return "xml"
	case "markdown":
		return "md"
	case "text":
		return "txt"
	}
	return format
}
