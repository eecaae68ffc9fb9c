package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/generator"
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

// loadChecks loads config and spec, generates the plan and applies
// filters. Every error it returns is a usage error (exit 2).
func loadChecks(ctx context.Context, env *Env, o commonOptions) (*loaded, error) {
	cfg, err := loadConfig(env, &o)
	if err != nil {
		return nil, err
	}
	loc := o.Spec
	if loc == "" {
		loc = env.Getenv("SMOKE_SPEC")
	}
	if loc == "" && cfg.Spec != "" {
		loc = cfg.Spec
		if !filepath.IsAbs(loc) && !strings.Contains(loc, "://") && cfg.File != "" {
			loc = filepath.Join(filepath.Dir(cfg.File), loc)
		}
	}
	if loc == "" {
		return nil, withHint(usageErrf("no spec given"), "Pass --spec PATH|URL|- or set spec: in smoke.yaml.")
	}
	doc, err := spec.Load(ctx, loc, spec.Options{Strict: o.Strict, Stdin: env.Stdin, Logger: env.Logger, SkipValidation: true, AllowExternalRefs: o.AllowExternalRefs})
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
	if o.Strict {
		close(validated) // Load validated already
	} else {
		go func() {
			defer close(validated)
			problems = doc.Validate(ctx)
		}()
	}
	gopts, err := generatorOptions(env, cfg, o)
	var plan *generator.Plan
	if err == nil {
		plan, err = generator.Generate(doc, gopts)
	}
	<-validated
	if err := ctx.Err(); err != nil {
		return nil, err // interrupted while generating: nothing more to do
	}
	doc.Warnings = append(doc.Warnings, problems...)
	warnSpec(env, doc.Warnings)
	if err != nil {
		return nil, usageErr(err)
	}
	plan.Warnings = append(plan.Warnings, problems...)
	total := len(plan.Checks)
	for _, key := range unmatchedOperations(cfg, plan.Checks) {
		fmt.Fprintf(env.Stderr, "smoke: warning: %s: operations: %q matches no operation of the spec (use \"METHOD /path\" or an operationId)\n", configName(&loaded{Config: cfg}), key)
	}
	applyOperationConfig(plan, cfg)

	include, exclude := o.Include, o.Exclude
	if !o.changed("include") && len(include) == 0 {
		include = cfg.Include
	}
	if !o.changed("exclude") && len(exclude) == 0 {
		exclude = cfg.Exclude
	}
	f, err := generator.NewFilter(include, exclude, o.ReadOnly || cfg.ReadOnly)
	if err != nil {
		return nil, usageErr(err)
	}
	plan.Checks = f.Apply(plan.Checks)
	if total > 0 && len(plan.Checks) == 0 {
		env.Logger.Warn("filters left no checks", "total", total)
		fmt.Fprintf(env.Stderr, "smoke: warning: the filters match none of the %d checks\n", total)
	}
	return &loaded{Doc: doc, Config: cfg, Plan: plan, Total: total}, nil
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
		fmt.Fprintf(env.Stderr, "smoke: warning: %s\n", w)
	}
}

// generatorOptions maps smoke.yaml to the generator's options.
func generatorOptions(env *Env, cfg *config.Config, o commonOptions) (generator.Options, error) {
	opts := generator.Options{Service: o.Service, Fixtures: map[string]generator.Fixture{}}
	if opts.Service == "" {
		opts.Service = cfg.Service
	}
	expand := func(what, s string) (config.Expanded, error) {
		x, err := config.Expand(s, env.Getenv)
		if err != nil {
			if o.NeedSecrets {
				return x, fmt.Errorf("%s: %w", what, err)
			}
			if !o.SecretsByReference {
				fmt.Fprintf(env.Stderr, "smoke: warning: %s: %v\n", what, err)
			}
		}
		return x, nil
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Headers)) {
		x, err := expand("header "+name, cfg.Headers[name])
		if err != nil {
			return opts, err
		}
		p := generator.Param{Name: name, Value: x.Value, Source: generator.SourceConfig}
		if len(x.Env) > 0 || sensitiveHeader(name) {
			p.Secret, p.Template = true, x.Template
			if len(x.Env) > 0 {
				p.Env = x.Env[0]
			}
		}
		opts.Headers = append(opts.Headers, p)
	}
	if len(cfg.Auth) > 0 {
		opts.Credentials = map[string]generator.Credential{}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Auth)) {
		a := cfg.Auth[name]
		var cred generator.Credential
		var templates []string
		for _, part := range []struct {
			dst *string
			src string
		}{{&cred.Token, a.Token}, {&cred.Username, a.Username}, {&cred.Password, a.Password}} {
			if part.src == "" {
				continue
			}
			x, err := expand("auth "+name, part.src)
			if err != nil {
				return opts, err
			}
			*part.dst = x.Value
			if cred.Env == "" && len(x.Env) > 0 {
				cred.Env = x.Env[0]
			}
			templates = append(templates, x.Template)
		}
		// The template is the token's, or "user:password" for HTTP basic,
		// so a backend can refer to the variables instead of the values.
		cred.Template = strings.Join(templates, ":")
		opts.Credentials[name] = cred
	}
	for key, op := range cfg.Operations {
		opts.Fixtures[normaliseOpKey(key)] = generator.Fixture{
			Path:        stringMap(op.Path),
			Query:       stringMap(op.Query),
			Headers:     stringMap(op.Headers),
			Cookies:     stringMap(op.Cookies),
			Body:        op.Body,
			HasBody:     op.HasBody,
			ContentType: op.ContentType,
		}
	}
	return opts, nil
}

// normaliseOpKey upper-cases the method of a "get /pets" key; an
// operationId is kept as written.
func normaliseOpKey(k string) string {
	if m, p, ok := strings.Cut(strings.TrimSpace(k), " "); ok && strings.HasPrefix(strings.TrimSpace(p), "/") {
		return strings.ToUpper(m) + " " + strings.TrimSpace(p)
	}
	return k
}

// operationConfig finds the smoke.yaml entry for a check.
func operationConfig(cfg *config.Config, c generator.Check) (config.Operation, bool) {
	for key, op := range cfg.Operations {
		k := normaliseOpKey(key)
		if k == c.Method+" "+c.Path || (c.OperationID != "" && k == c.OperationID) {
			return op, true
		}
	}
	return config.Operation{}, false
}

// unmatchedOperations lists the operations keys of smoke.yaml that name
// no check: a typo there would otherwise silently drop a fixture.
func unmatchedOperations(cfg *config.Config, checks []generator.Check) []string {
	var out []string
	for _, key := range slices.Sorted(maps.Keys(cfg.Operations)) {
		k := normaliseOpKey(key)
		found := false
		for _, c := range checks {
			if k == c.Method+" "+c.Path || (c.OperationID != "" && k == c.OperationID) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, key)
		}
	}
	return out
}

// applyOperationConfig drops skipped operations and applies expected
// status overrides.
func applyOperationConfig(plan *generator.Plan, cfg *config.Config) {
	if len(cfg.Operations) == 0 {
		return
	}
	kept := plan.Checks[:0]
	for _, c := range plan.Checks {
		op, ok := operationConfig(cfg, c)
		if ok && op.Skip {
			continue
		}
		if ok && len(op.Expect) > 0 {
			c.Expect = overrideStatus(c.Expect, op.Expect)
		}
		kept = append(kept, c)
	}
	plan.Checks = kept
}

func overrideStatus(e generator.Expect, statuses []string) generator.Expect {
	out := generator.Expect{}
	for _, s := range statuses {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "DEFAULT" {
			s = "default"
		}
		out.Status = append(out.Status, s)
		found := false
		for _, r := range e.Responses {
			if strings.EqualFold(r.Status, s) {
				out.Responses = append(out.Responses, r)
				found = true
			}
		}
		if !found {
			out.Responses = append(out.Responses, generator.Response{Status: s})
		}
	}
	return out
}

func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "authorization" || n == "cookie" || n == "proxy-authorization" {
		return true
	}
	for _, w := range []string{"token", "secret", "key", "password", "auth"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func stringMap(m map[string]any) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case nil:
			out[k] = ""
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}
