package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/report"
)

// globalOptions are the flags every command takes.
type globalOptions struct {
	Verbose bool
	Debug   bool
}

// exitStatusHelp ends every command's long help.
const exitStatusHelp = `
EXIT STATUS
  0  everything checked and nothing failed / parity / in sync
  1  findings: a failed check, a regression at or above --fail-on
  2  usage, config or spec error: nothing was sent
  3  incomplete: interrupted, target unreachable, or not every check ran`

func newRootCmd(env *Env) *cobra.Command {
	var g globalOptions
	root := &cobra.Command{
		Use:   "smoke",
		Short: "Smoke-test an API from its OpenAPI document",
		Long: `smoke reads a service's OpenAPI document and builds one check per path and
HTTP method. It sends them to a deployment (run), compares two deployments
(diff), or keeps them as Datadog Synthetics API tests (publish, trigger).` + "\n" + exitStatusHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			level := slog.LevelWarn
			switch {
			case g.Debug:
				level = slog.LevelDebug
			case g.Verbose:
				level = slog.LevelInfo
			}
			env.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
		},
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.PersistentFlags().BoolVarP(&g.Verbose, "verbose", "v", false, "log progress detail to stderr")
	root.PersistentFlags().BoolVar(&g.Debug, "debug", false, "log debug detail to stderr")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{usageErr(err)} })
	root.SetVersionTemplate("smoke {{.Version}}\n")

	root.AddCommand(
		newPlanCmd(env),
		newPublishCmd(env),
		newTriggerCmd(env),
		newRunCmd(env),
		newDiffCmd(env),
		newDemoCmd(env),
		newInitCmd(env),
		newExportCmd(env),
		newVersionCmd(env),
	)
	for _, c := range root.Commands() {
		if c.Long == "" {
			c.Long = c.Short
		}
		if !strings.Contains(c.Long, "EXIT STATUS") && c.Name() != "completion" && c.Name() != "help" {
			c.Long += "\n" + exitStatusHelp
		}
	}
	return root
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, env *Env) int {
	if env.Logger == nil {
		env.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	root := newRootCmd(env)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		if cmd == nil {
			cmd = root
		}
		// cobra reports unknown commands and bad args without our wrapper.
		if exitCode(err) == exitIncomplete && isCobraUsage(err) {
			err = &flagError{usageErr(err)}
		}
		printError(env.Stderr, err, cmd.CommandPath())
	}
	return exitCode(err)
}

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "required flag", "invalid argument", "flag needs an argument", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// version is smoke's version for --version: the module version go
// install stamped, "dev" for a build that has none.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	return buildVersion(bi, ok).Version
}

// versionInfo is what smoke version prints: where this binary came from.
type versionInfo struct {
	Version string `json:"version"`
	// Revision is the VCS commit, from the build's VCS stamp or the
	// module pseudo-version; "" when the build does not say.
	Revision string `json:"revision,omitempty"`
	// Time is the commit's time (RFC 3339), when known.
	Time string `json:"time,omitempty"`
	// Modified says the work tree had uncommitted changes.
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// pseudoVersion matches the commit part of a module pseudo-version
// (v0.0.0-20260102030405-0123456789ab, vX.Y.Z-pre.0.2026...-abc...).
var pseudoVersion = regexp.MustCompile(`[-.](\d{14})-([0-9a-f]{12})(?:\+|$)`)

// buildVersion reads the version, the VCS revision and its time, the
// dirty flag and the Go version from build info: the vcs.* settings of a
// build in a checkout, or the pseudo-version of go install module@ref.
func buildVersion(bi *debug.BuildInfo, ok bool) versionInfo {
	v := versionInfo{Version: "dev", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if !ok || bi == nil {
		return v
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	if mv := bi.Main.Version; mv != "" && mv != "(devel)" {
		v.Version = mv
		if m := pseudoVersion.FindStringSubmatch(mv); m != nil {
			v.Revision = m[2]
			if t, err := time.Parse("20060102150405", m[1]); err == nil {
				v.Time = t.UTC().Format(time.RFC3339)
			}
		}
		v.Modified = strings.HasSuffix(mv, "+dirty")
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func newVersionCmd(env *Env) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print smoke's version, VCS revision and Go version",
		Long: `Print where this smoke binary came from: its module version, the VCS
revision it was built from and that commit's time, whether the work tree
had uncommitted changes, and the Go toolchain and platform. A binary from
go install MODULE@REF carries the revision in its pseudo-version; one
built in a checkout carries Go's VCS stamp.

EXIT STATUS
  0  printed
  2  usage error`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, []string{"text", "json"}); err != nil {
				return err
			}
			bi, ok := debug.ReadBuildInfo()
			return writeVersion(env.Stdout, format, buildVersion(bi, ok))
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func writeVersion(w io.Writer, format string, v versionInfo) error {
	if format == "json" {
		return report.WriteJSON(w, v)
	}
	rev, when := v.Revision, v.Time
	if rev == "" {
		rev = "unknown"
	}
	if when == "" {
		when = "unknown"
	}
	_, err := fmt.Fprintf(w, "smoke %s\nrevision  %s\ntime      %s\nmodified  %t\ngo        %s %s\n", v.Version, rev, when, v.Modified, v.Go, v.Platform)
	return err
}
