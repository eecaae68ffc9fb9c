package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
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

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newVersionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print smoke's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(env.Stdout, "smoke %s\n", version())
			return err
		},
	}
}
