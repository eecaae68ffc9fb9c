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
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/examples/petstore"
)

type demoOptions struct {
	V2     bool
	Serve  bool
	Format string
	Output string
}

func newDemoCmd(env *Env) *cobra.Command {
	var opts demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run smoke against its bundled example service, on loopback",
		Long: `Start the bundled example service (a small pet store, see
examples/petstore) in-process on a free loopback port, load its OpenAPI 3.1
document from it, and run every check against it, as 'smoke run' would.
The terminal report goes to stdout; a full report is written to a file
whose path is printed on stderr.

Version 1 of the example has one deliberate bug (GET /stats answers 500),
so the demo shows what a failure looks like and exits 1. --v2 runs
against version 2, which fixes it. --serve only starts the service and
prints its URL, for trying smoke's other commands by hand.`,
		Example: `  smoke demo
  smoke demo --v2 --format junit --output demo.xml
  smoke demo --serve      # then: smoke run --spec URL/openapi.yaml --base-url URL`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.V2, "v2", false, "use version 2 of the example service")
	f.BoolVar(&opts.Serve, "serve", false, "only serve the example until interrupted")
	f.StringVarP(&opts.Format, "format", "f", "json", "format of the report file: "+strings.Join(runFormats, ", "))
	f.StringVarP(&opts.Output, "output", "o", "", "report file (default: smoke-demo.<ext> in a new temporary directory)")
	return cmd
}

func runDemo(ctx context.Context, env *Env, opts demoOptions) error {
	if !validFormat(opts.Format) {
		return &flagError{usageErrf("--format %q: want one of %s", opts.Format, strings.Join(runFormats, ", "))}
	}
	if err := checkOutputDir(opts.Output); err != nil {
		return err
	}
	version := 1
	if opts.V2 {
		version = 2
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen on loopback: %w", err)
	}
	srv := &http.Server{
		Handler:           petstore.New(petstore.Options{Version: version, Now: env.Now}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	defer func() {
		srv.Close() // ends Serve; errors after a close are not interesting
		<-served
	}()
	base := "http://" + l.Addr().String()
	env.Logger.Info("demo service", "url", base, "version", version)

	if opts.Serve {
		fmt.Fprintf(env.Stdout, "example service (version %d) at %s\nspec: %s%s\n", version, base, base, petstore.SpecPath)
		fmt.Fprintln(env.Stderr, "smoke: serving until interrupted (Ctrl-C)")
		<-ctx.Done()
		return nil
	}

	ropts := runOptions{
		common:  commonOptions{Spec: base + petstore.SpecPath},
		BaseURL: base,
	}
	// The demo ignores any smoke.yaml of the current directory: an empty
	// config file stands in for it.
	ropts.common.Config = os.DevNull
	ropts.req = requestOptions{Timeout: 10 * time.Second, Concurrency: 4, MaxBody: 4 << 20}

	out, err := executeRun(ctx, env, ropts)
	if err != nil {
		return err
	}
	if err := writeRunReport(env.Stdout, "text", out, env.Color(env.StdoutTTY)); err != nil {
		return err
	}
	path := opts.Output
	if path == "" {
		dir, err := os.MkdirTemp("", "smoke-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		path = filepath.Join(dir, "smoke-demo."+formatExt(opts.Format))
	}
	if err := writeOutput(env, path, func(w io.Writer) error {
		return writeRunReport(w, opts.Format, out, false)
	}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "smoke: report written to %s\n", path)
	runErr := out.exitErr()
	if errors.Is(runErr, errFindings) && version == 1 {
		fmt.Fprintln(env.Stderr, "smoke: the failure of GET /stats is deliberate (see examples/petstore/README.md); 'smoke demo --v2' runs the fixed version")
	}
	return runErr
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
