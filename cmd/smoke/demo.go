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
version 2), and version 2 drops a field of GET /pets/{petId} (a regression).
The demo checks that smoke finds exactly these, and exits 0 when it does.
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

func runDemo(ctx context.Context, env *Env, opts demoOptions) error {
	if !validFormat(opts.Format) {
		return &flagError{usageErrf("--format %q: want one of %s", opts.Format, strings.Join(runFormats, ", "))}
	}
	if opts.Dir != "" {
		if fi, err := os.Stat(opts.Dir); err != nil || !fi.IsDir() {
			return usageErrf("--dir %s: not a directory", opts.Dir)
		}
	}
	runVersion := 1
	if opts.V2 {
		runVersion = 2
	}
	v1, stop1, err := serveExample(env, 1)
	if err != nil {
		return err
	}
	defer stop1()
	v2, stop2, err := serveExample(env, 2)
	if err != nil {
		return err
	}
	defer stop2()
	target := map[int]string{1: v1, 2: v2}[runVersion]

	if opts.Serve {
		fmt.Fprintf(env.Stdout, "example service (version %d) at %s\nspec: %s%s\n", runVersion, target, target, petstore.SpecPath)
		fmt.Fprintln(env.Stderr, "smoke: serving until interrupted (Ctrl-C)")
		<-ctx.Done()
		return nil
	}

	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "smoke-demo-"); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	specURL := target + petstore.SpecPath
	// The demo ignores any smoke.yaml of the current directory: an empty
	// config file stands in for it.
	common := commonOptions{Spec: specURL, Config: os.DevNull}

	// 1. plan
	l, err := loadChecks(ctx, env, common)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "1/3 smoke plan: %d checks from %s\n", len(l.Plan.Checks), specURL)
	for _, c := range l.Plan.Checks {
		fmt.Fprintf(env.Stdout, "    %-7s %-16s %s\n", c.Method, c.Path, valueSources(c))
	}

	// 2. run
	fmt.Fprintf(env.Stdout, "\n2/3 ")
	out, err := executeRun(ctx, env, runOptions{
		common:  common,
		BaseURL: target,
		req:     requestOptions{Timeout: runner.DefaultTimeout, Concurrency: runner.DefaultConcurrency, MaxBody: runner.DefaultMaxBodyBytes},
	})
	if err != nil {
		return err
	}
	if err := writeRunReport(env.Stdout, "text", out, env.Color(env.StdoutTTY)); err != nil {
		return err
	}
	runPath := filepath.Join(dir, "smoke-run."+formatExt(opts.Format))
	if err := writeOutput(env, runPath, func(w io.Writer) error {
		return writeRunReport(w, opts.Format, out, false)
	}); err != nil {
		return err
	}
	if err := out.exitErr(); err != nil && !errors.Is(err, errFindings) {
		return err
	}

	// 3. diff
	fmt.Fprintf(env.Stdout, "\n3/3 smoke diff: %s (version 1) → %s (version 2)\n", v1, v2)
	htmlPath := filepath.Join(dir, "smoke-diff.html")
	dout, err := demoDiff(ctx, env, v1+petstore.SpecPath, v1, v2, htmlPath)
	if err != nil {
		return err
	}
	if err := report.WriteDiffText(env.Stdout, dout.report, withColor(dout.opts, env.Color(env.StdoutTTY))); err != nil {
		return err
	}
	if err := dout.exitErr(); err != nil && !errors.Is(err, errFindings) {
		return err
	}

	fmt.Fprintf(env.Stderr, "smoke: run report written to %s\n", runPath)
	fmt.Fprintf(env.Stderr, "smoke: parity report written to %s\n", htmlPath)
	if unexpected := demoSurprises(runVersion, out.results, dout.report); len(unexpected) > 0 {
		for _, u := range unexpected {
			fmt.Fprintf(env.Stderr, "smoke: unexpected: %s\n", u)
		}
		return errFindings
	}
	fmt.Fprintln(env.Stderr, "smoke: the demo found exactly the example's deliberate faults (see examples/petstore/README.md)")
	return nil
}

func withColor(o report.DiffOptions, color bool) report.DiffOptions {
	o.Color = color
	return o
}

// demoSurprises compares what smoke found with what the example service
// is built to show (examples/petstore/README.md): the demo doubles as a
// self-check of smoke on a known service.
func demoSurprises(runVersion int, results []runner.Result, rep *diff.Report) []string {
	var out []string
	for _, r := range results {
		deliberate := runVersion == 1 && r.Method == "GET" && r.Path == "/stats"
		switch {
		case deliberate && r.Outcome != runner.Failed:
			out = append(out, fmt.Sprintf("run: GET /stats %s, want the deliberate 500 failure", r.Outcome))
		case !deliberate && r.Outcome != runner.Passed:
			out = append(out, fmt.Sprintf("run: %s %s %s", r.Method, r.Path, r.Outcome))
		}
	}
	want := map[string]diff.Verdict{"GET /pets/{petId}": diff.Regression, "GET /stats": diff.Fixed}
	for _, op := range rep.Operations {
		key := op.Method + " " + op.Path
		if v, ok := want[key]; ok {
			if op.Verdict != v {
				out = append(out, fmt.Sprintf("diff: %s %s, want %s", key, op.Verdict, v))
			}
			continue
		}
		if !slices.Contains([]diff.Verdict{diff.Parity, diff.Noise}, op.Verdict) {
			out = append(out, fmt.Sprintf("diff: %s %s", key, op.Verdict))
		}
	}
	return out
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
