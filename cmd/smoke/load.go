package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/spec"
)

// commonOptions are the flags every spec-reading command shares.
type commonOptions struct {
	Spec     string
	Config   string
	Include  []string
	Exclude  []string
	ReadOnly bool
	Strict   bool
	// AllowExternalRefs lifts spec.RefError's rules on $refs and spec
	// URL redirects.
	AllowExternalRefs bool
	// Service names the service in check IDs; publish sets it from
	// --service, the others take it from smoke.yaml or info.title.
	Service string
	// NeedSecrets makes an unset ${ENV} in auth or headers an error
	// (commands that send requests); plan only warns.
	NeedSecrets bool
	// SecretsByReference is set by commands that pass ${ENV} references
	// on instead of values (publish without --create-variables): an unset
	// variable is then nobody's concern here.
	SecretsByReference bool

	cmd *cobra.Command
}

func addCommonFlags(cmd *cobra.Command, o *commonOptions) {
	f := cmd.Flags()
	f.StringVarP(&o.Spec, "spec", "s", "", "OpenAPI document: file, http(s) URL, or - for stdin (env SMOKE_SPEC)")
	f.StringVarP(&o.Config, "config", "c", "", "config file (default ./smoke.yaml when present; env SMOKE_CONFIG)")
	f.StringArrayVar(&o.Include, "include", nil, "keep only matching checks: METHOD, /path/glob, 'METHOD /glob', tag:T, op:ID (repeatable)")
	f.StringArrayVar(&o.Exclude, "exclude", nil, "drop matching checks, same forms as --include (repeatable)")
	f.BoolVar(&o.ReadOnly, "read-only", false, "safe methods only (GET, HEAD, OPTIONS, TRACE)")
	f.BoolVar(&o.Strict, "strict", false, "treat spec validation warnings as errors")
	f.BoolVar(&o.AllowExternalRefs, "allow-external-refs", false, "follow $refs outside the spec's directory (file spec) or origin (URL spec), and spec URL redirects to other origins")
	o.cmd = cmd
}

// changed reports whether a flag was set on the command line.
func (o *commonOptions) changed(name string) bool {
	return o.cmd != nil && o.cmd.Flags().Changed(name)
}

// loaded is what every spec-reading command starts from.
type loaded struct {
	Doc    *spec.Document
	Config *config.Config
	// Plan holds the checks after filters and skips.
	Plan *generator.Plan
	// Total is the number of checks before filtering.
	Total int
}

// loadConfig reads --config, SMOKE_CONFIG, or ./smoke.yaml when present.
func loadConfig(env *Env, o *commonOptions) (*config.Config, error) {
	path := o.Config
	explicit := path != ""
	if !explicit {
		if p := env.Getenv("SMOKE_CONFIG"); p != "" {
			path, explicit = p, true
		}
	}
	if !explicit {
		if _, err := os.Stat("smoke.yaml"); err != nil {
			return &config.Config{}, nil
		}
		path = "smoke.yaml"
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, usageErr(err)
	}
	return cfg, nil
}

// load loads the spec and generates the plan the settings describe.
// Every error it returns is a usage error (exit 2), but cancellation.
func load(ctx context.Context, env *Env, ls loadSettings) (*loaded, error) {
	doc, err := spec.Load(ctx, ls.Spec, spec.Options{Strict: ls.Strict, Stdin: env.Stdin, Logger: env.Logger, SkipValidation: true, AllowExternalRefs: ls.AllowExternalRefs})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		if _, ok := errors.AsType[*spec.RefError](err); ok {
			return nil, withHint(usageErr(err), "Pass --allow-external-refs if you trust the document and what it refers to.")
		}
		return nil, usageErr(err)
	}
	// Validation only reads the document: overlap it with generation
	// (on GitHub's 13 MB description each takes a tenth of a second).
	var problems []string
	validated := make(chan struct{})
	if ls.Strict {
		close(validated) // Load validated already
	} else {
		go func() {
			defer close(validated)
			problems = doc.Validate(ctx)
		}()
	}
	plan, err := generator.Generate(doc, ls.Generator)
	<-validated
	if err := ctx.Err(); err != nil {
		return nil, err // interrupted while generating: nothing more to do
	}
	if err != nil {
		warnSpec(env, append(doc.Warnings, problems...))
		return nil, usageErr(err)
	}
	plan.Warnings = append(plan.Warnings, problems...)
	warnSpec(env, plan.Warnings)

	total := plan.Select(ls.Filter)
	if total > 0 && len(plan.Checks) == 0 {
		env.Logger.Warn("filters left no checks", "total", total)
		fmt.Fprintf(env.Stderr, "smoke: warning: the filters match none of the %d checks\n", total)
	}
	return &loaded{Doc: doc, Config: ls.Config, Plan: plan, Total: total}, nil
}

// loadChecks resolves the common flags and loads: for commands whose own
// settings need nothing else from the sources.
func loadChecks(ctx context.Context, env *Env, o commonOptions) (*loaded, error) {
	secrets := secretsWarn
	switch {
	case o.NeedSecrets:
		secrets = secretsNeeded
	case o.SecretsByReference:
		secrets = secretsByReference
	}
	ls, _, err := resolveLoad(env, o.cmd, o, secrets)
	if err != nil {
		return nil, err
	}
	return load(ctx, env, ls)
}

// warnSpec prints a short warning summary on stderr: the first few
// problems and a count, all of them with -v.
func warnSpec(env *Env, warnings []string) {
	const show = 3
	for i, w := range warnings {
		if i == show && !env.Logger.Enabled(context.Background(), -4) {
			fmt.Fprintf(env.Stderr, "smoke: warning: … %d more (run with -v to see all)\n", len(warnings)-show)
			return
		}
		fmt.Fprintf(env.Stderr, "smoke: warning: %s\n", report.EscapeTerminal(w)) // the spec's own text
	}
}
