package main

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// Every command turns its flags, the environment and smoke.yaml into one
// validated settings struct, in one function, before anything is loaded
// or sent (resolveRun, resolveDiff, resolvePlan ...). Precedence is flag >
// environment > file > the flag's default. Each value is checked once,
// by the same rule wherever it came from, and an error names where the
// refused value was written: the flag, the variable, or file:line.

// sources are the places one command line takes its settings from.
type sources struct {
	cmd *cobra.Command
	env *Env
	cfg *config.Config
}

// origin says where a value came from, for error messages.
type origin struct {
	name  string // "--rate", "SMOKE_BASE_URL", "run.rate"
	where string // "smoke.yaml:7" for a value of the file
	flag  bool
}

func (o origin) String() string {
	if o.where != "" {
		return o.where + ": " + o.name
	}
	return o.name
}

// invalid is the usage error for the value v of the setting: "--rate NaN:
// must be ..." or "smoke.yaml:7: run.rate -1: must be ...". A refused flag
// adds the usage hint.
func (o origin) invalid(v any, format string, args ...any) error {
	err := usageErrf("%s %v: %s", o, v, fmt.Sprintf(format, args...))
	if o.flag {
		return &flagError{err}
	}
	return err
}

// wrap is invalid for an error that already says what is wrong.
func (o origin) wrap(err error) error {
	err = usageErrf("%s: %v", o, err)
	if o.flag {
		return &flagError{err}
	}
	return err
}

func (s sources) changed(flag string) bool {
	return s.cmd != nil && s.cmd.Flags().Changed(flag)
}

func flagOrigin(name string) origin { return origin{name: "--" + name, flag: true} }

func (s sources) fileOrigin(key string) origin {
	return origin{name: key, where: s.cfg.Where(key)}
}

// pick resolves one setting: the flag when given, else the file when it
// sets key, else the flag's default value.
func pick[T any](s sources, flag string, flagV T, key string, fileV T) (T, origin) {
	if s.changed(flag) {
		return flagV, flagOrigin(flag)
	}
	if key != "" && s.cfg.Has(key) {
		return fileV, s.fileOrigin(key)
	}
	return flagV, flagOrigin(flag)
}

// pickEnv is pick with an environment variable between flag and file.
func pickEnv(s sources, flag, flagV, variable, key, fileV string) (string, origin) {
	if s.changed(flag) || flagV != "" {
		return flagV, flagOrigin(flag)
	}
	if v := s.env.Getenv(variable); v != "" {
		return v, origin{name: variable}
	}
	if s.cfg.Has(key) {
		return fileV, s.fileOrigin(key)
	}
	return "", flagOrigin(flag)
}

// secretPolicy says what an unset ${VAR} in a configured value means to
// a command.
type secretPolicy int

const (
	// secretsWarn: the value is only shown (plan): warn and go on.
	secretsWarn secretPolicy = iota
	// secretsNeeded: the value is sent (run, diff): an error.
	secretsNeeded
	// secretsByReference: the reference is passed on, not the value
	// (publish without --create-variables): nobody's concern here.
	secretsByReference
)

// loadSettings are what every spec-reading command resolves before it
// loads the spec.
type loadSettings struct {
	Spec              string
	Strict            bool
	AllowExternalRefs bool
	Filter            generator.Filter
	Generator         generator.Options
	Config            *config.Config
}

// resolveLoad reads smoke.yaml and resolves the common flags into load
// settings; it also returns the sources for the command's own settings.
func resolveLoad(env *Env, cmd *cobra.Command, o commonOptions, secrets secretPolicy) (loadSettings, sources, error) {
	cfg, err := loadConfig(env, &o)
	if err != nil {
		return loadSettings{}, sources{}, err
	}
	s := sources{cmd: cmd, env: env, cfg: cfg}
	ls := loadSettings{Config: cfg, Strict: o.Strict, AllowExternalRefs: o.AllowExternalRefs}

	loc, from := pickEnv(s, "spec", o.Spec, "SMOKE_SPEC", "spec", cfg.Spec)
	if from.where != "" && !filepath.IsAbs(loc) && !strings.Contains(loc, "://") && cfg.File != "" && loc != "-" {
		loc = filepath.Join(filepath.Dir(cfg.File), loc) // relative to smoke.yaml
	}
	if loc == "" {
		return ls, s, withHint(usageErrf("no spec given"), "Pass --spec PATH|URL|- or set spec: in smoke.yaml.")
	}
	ls.Spec = loc

	if ls.Filter, err = resolveFilter(s, o); err != nil {
		return ls, s, err
	}
	if ls.Generator, err = resolveGenerator(s, o.Service, secrets); err != nil {
		return ls, s, err
	}
	return ls, s, nil
}

// resolveFilter builds the filter: --include/--exclude replace the
// file's lists; --read-only or read_only: true keeps safe methods.
func resolveFilter(s sources, o commonOptions) (generator.Filter, error) {
	include, incFrom := pick(s, "include", o.Include, "include", s.cfg.Include)
	exclude, excFrom := pick(s, "exclude", o.Exclude, "exclude", s.cfg.Exclude)
	f, err := generator.NewFilter(include, exclude, o.ReadOnly || s.cfg.ReadOnly)
	if pe, ok := errors.AsType[*generator.PatternError](err); ok {
		from := incFrom
		if pe.Exclude {
			from = excFrom
		}
		if from.where != "" {
			from = s.fileOrigin(fmt.Sprintf("%s.%d", from.name, pe.Index))
		}
		return f, from.invalid(fmt.Sprintf("%q", pe.Pattern), "%v", pe.Err)
	}
	return f, err
}

// resolveGenerator maps smoke.yaml's headers, credentials and operations
// to generator options, resolving ${VAR} references.
func resolveGenerator(s sources, service string, secrets secretPolicy) (generator.Options, error) {
	cfg := s.cfg
	opts := generator.Options{Service: service}
	if opts.Service == "" {
		opts.Service = cfg.Service
	}
	expand := func(key, v string) (generator.Expanded, error) {
		x, err := generator.ExpandEnv(v, s.env.Getenv)
		if err == nil {
			return x, nil
		}
		switch secrets {
		case secretsNeeded:
			return x, s.fileOrigin(key).wrap(err)
		case secretsWarn:
			fmt.Fprintf(s.env.Stderr, "smoke: warning: %s: %v\n", s.fileOrigin(key), err)
		}
		return x, nil
	}
	// template keeps a value as written only when it refers to variables:
	// an inline secret must not travel on as its "template".
	template := func(x generator.Expanded) string {
		if len(x.Env) == 0 {
			return ""
		}
		return x.Template
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Headers)) {
		x, err := expand("headers."+name, cfg.Headers[name])
		if err != nil {
			return opts, err
		}
		p := generator.Param{Name: name, Value: x.Value, Source: generator.SourceConfig}
		if len(x.Env) > 0 || generator.IsCredentialName(name) {
			p.Secret, p.Template = true, template(x)
			if len(x.Env) > 0 {
				p.Env = x.Env[0]
			}
		}
		opts.Headers = append(opts.Headers, p)
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Auth)) {
		if opts.Credentials == nil {
			opts.Credentials = map[string]generator.Credential{}
		}
		a := cfg.Auth[name]
		var cred generator.Credential
		for _, part := range []struct {
			key        string
			src        string
			value, tpl *string
		}{
			{"token", a.Token, &cred.Token, &cred.TokenTemplate},
			{"username", a.Username, &cred.Username, &cred.UsernameTemplate},
			{"password", a.Password, &cred.Password, &cred.PasswordTemplate},
		} {
			if part.src == "" {
				continue
			}
			x, err := expand("auth."+name+"."+part.key, part.src)
			if err != nil {
				return opts, err
			}
			*part.value, *part.tpl = x.Value, template(x)
			if cred.Env == "" && len(x.Env) > 0 {
				cred.Env = x.Env[0]
			}
		}
		opts.Credentials[name] = cred
	}
	for _, key := range slices.Sorted(maps.Keys(cfg.Parameters)) {
		f, err := resolveParameter(s, key, cfg.Parameters[key])
		if err != nil {
			return opts, err
		}
		opts.Parameters = append(opts.Parameters, f)
	}
	for _, key := range slices.Sorted(maps.Keys(cfg.Operations)) {
		op, err := resolveOperation(s, key, cfg.Operations[key])
		if err != nil {
			return opts, err
		}
		if opts.Operations == nil {
			opts.Operations = map[string]generator.Operation{}
		}
		opts.Operations[key] = op
	}
	return opts, nil
}

// resolveOperation checks one operations entry of smoke.yaml and maps it
// to the generator's per-operation settings.
func resolveOperation(s sources, key string, op config.Operation) (generator.Operation, error) {
	at := func(field string) origin { return s.fileOrigin("operations." + key + "." + field) }
	for _, st := range op.Expect {
		if _, err := generator.StatusKey(st); err != nil {
			return generator.Operation{}, at("expect_status").wrap(err)
		}
	}
	if err := runner.CheckAssertionNames(op.SkipAssertions); err != nil {
		return generator.Operation{}, at("skip_assertions").wrap(err)
	}
	if op.LatencyMS < 0 {
		return generator.Operation{}, at("latency_ms").invalid(op.LatencyMS, "must not be negative")
	}
	binds, err := resolveBinds(s, key, op.Bind)
	if err != nil {
		return generator.Operation{}, err
	}
	return generator.Operation{
		Bind:    binds,
		NoChain: op.Chain != nil && !*op.Chain,
		Fixture: generator.Fixture{
			Path:        stringMap(op.Path),
			Query:       stringMap(op.Query),
			Headers:     stringMap(op.Headers),
			Cookies:     stringMap(op.Cookies),
			Body:        op.Body,
			HasBody:     op.HasBody,
			ContentType: op.ContentType,
		},
		Skip:       op.Skip,
		Expect:     op.Expect,
		Assertions: generator.Assertions{Skip: op.SkipAssertions, LatencyMS: op.LatencyMS},
		Where:      s.cfg.Where("operations." + key),
	}, nil
}

// resolveParameter checks one entry of smoke.yaml's parameters: a name,
// or LOCATION.name, and a scalar value.
func resolveParameter(s sources, key string, v any) (generator.ParamFixture, error) {
	at := s.fileOrigin("parameters." + key)
	f := generator.ParamFixture{Name: key, Where: at.where}
	if in, name, ok := strings.Cut(key, "."); ok && slices.Contains([]string{"path", "query", "header", "cookie"}, in) {
		f.In, f.Name = in, name
	}
	if f.Name == "" {
		return f, at.invalid(fmt.Sprintf("%q", key), "needs a parameter name (server_id, or path.server_id)")
	}
	switch x := v.(type) {
	case string:
		f.Value = x
	case bool, int, int64, uint64, float64:
		f.Value = fmt.Sprint(x)
	default:
		return f, at.invalid(fmt.Sprintf("%q", key), "needs a single value: a string or a number")
	}
	return f, nil
}

// resolveBinds checks an operation's bind entries (smoke.yaml:
// operations.KEY.bind) and maps them to the generator's; an entry naming
// an operation that does not exist is reported by the generator, with
// the same place.
func resolveBinds(s sources, key string, bind map[string]string) ([]generator.Rebind, error) {
	var out []generator.Rebind
	for _, target := range slices.Sorted(maps.Keys(bind)) {
		at := s.fileOrigin("operations." + key + ".bind." + target)
		rb, err := generator.ParseRebind(target, bind[target])
		if err != nil {
			return nil, at.wrap(err)
		}
		rb.Where = at.where
		out = append(out, rb)
	}
	return out, nil
}

// maxBodyCap bounds --max-body-bytes: past 1 GiB a "bounded" body is not
// bounded in any useful sense, and the runner's arithmetic stays far from
// overflow.
const maxBodyCap int64 = 1 << 30

// maxConcurrency bounds --concurrency: more requests in flight than this
// is a load test, not a smoke test, and each worker holds a connection.
const maxConcurrency = 1024

// maxRetries bounds --retries: with backoff capped at 10 s, more would
// keep one check waiting for minutes.
const maxRetries = 10

// resolveRequest resolves the request flags over smoke.yaml's run section
// into runner options (BaseURL, Logger and OnResult are the caller's).
func resolveRequest(s sources, o requestOptions) (runner.Options, error) {
	rc := s.cfg.Run
	timeout, tFrom := pick(s, "timeout", o.Timeout, "run.timeout", time.Duration(rc.Timeout))
	concurrency, cFrom := pick(s, "concurrency", o.Concurrency, "run.concurrency", rc.Concurrency)
	rate, rFrom := pick(s, "rate", o.Rate, "run.rate", rc.Rate)
	retries, reFrom := pick(s, "retries", o.Retries, "run.retries", rc.Retries)
	caFile, caFrom := pick(s, "ca-file", o.CAFile, "run.ca_file", rc.CAFile)
	maxBody, mFrom := pick(s, "max-body-bytes", o.MaxBody, "run.max_body_bytes", rc.MaxBodyBytes)
	latency := time.Duration(rc.LatencyMS) * time.Millisecond
	switch {
	case timeout <= 0:
		return runner.Options{}, tFrom.invalid(timeout, "must be positive")
	case concurrency < 1:
		return runner.Options{}, cFrom.invalid(concurrency, "must be at least 1")
	case concurrency > maxConcurrency:
		return runner.Options{}, cFrom.invalid(concurrency, "must be at most %d", maxConcurrency)
	case math.IsNaN(rate) || math.IsInf(rate, 0) || rate < 0:
		return runner.Options{}, rFrom.invalid(rate, "must be a number of requests per second, 0 for unlimited")
	case retries < 0:
		return runner.Options{}, reFrom.invalid(retries, "must not be negative")
	case retries > maxRetries:
		return runner.Options{}, reFrom.invalid(retries, "must be at most %d", maxRetries)
	case maxBody < 1:
		return runner.Options{}, mFrom.invalid(maxBody, "must be positive")
	case maxBody > maxBodyCap:
		return runner.Options{}, mFrom.invalid(maxBody, "must be at most %d (1 GiB)", maxBodyCap)
	case rc.LatencyMS < 0:
		return runner.Options{}, s.fileOrigin("run.latency_ms").invalid(rc.LatencyMS, "must not be negative")
	}
	if err := runner.CheckAssertionNames(rc.SkipAssertions); err != nil {
		return runner.Options{}, s.fileOrigin("run.skip_assertions").wrap(err)
	}
	if caFile != "" {
		if _, err := os.Stat(caFile); err != nil {
			return runner.Options{}, caFrom.wrap(unwrapPathErr(err))
		}
	}
	opts := runner.Options{
		Timeout:      timeout,
		Concurrency:  concurrency,
		Rate:         rate,
		Retries:      retries,
		Insecure:     o.Insecure || rc.Insecure,
		CAFile:       caFile,
		MaxBodyBytes: maxBody,
		Assertions:   runner.Assertions{Skip: rc.SkipAssertions, Latency: latency},
	}
	h, bad := parseHeaders(o.Headers)
	if bad != "" {
		return opts, flagOrigin("header").invalid(fmt.Sprintf("%q", bad), "want 'Name: value'")
	}
	opts.Headers = h
	for name, vals := range h {
		if generator.IsCredentialName(name) {
			opts.Secrets = append(opts.Secrets, vals...)
		}
	}
	return opts, nil
}

// parseHeaders reads repeated --header 'Name: value' flags; bad is the
// first value that is not a header.
func parseHeaders(raw []string) (h http.Header, bad string) {
	if len(raw) == 0 {
		return nil, ""
	}
	h = http.Header{}
	for _, kv := range raw {
		name, value, ok := strings.Cut(kv, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, kv
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, ""
}

// target is a deployment a command sends to: a base URL and the headers
// of the smoke.yaml environment it was named by.
type target struct {
	URL     string
	Headers http.Header
	Secrets []string
	from    origin
}

// resolveTarget turns a base URL setting into a target: a URL, or the
// name of an environment of smoke.yaml (whose base_url and headers may use
// ${VAR}). An empty value is an empty target.
func resolveTarget(s sources, v string, from origin) (target, error) {
	u, uFrom, env, err := targetURL(s, v, from)
	t := target{URL: u, from: uFrom}
	if err != nil || u == "" {
		return t, err
	}
	if env != "" {
		e := s.cfg.Environments[env]
		for _, h := range slices.Sorted(maps.Keys(e.Headers)) {
			x, err := generator.ExpandEnv(e.Headers[h], s.env.Getenv)
			if err != nil {
				return t, s.fileOrigin("environments." + env + ".headers." + h).wrap(err)
			}
			if t.Headers == nil {
				t.Headers = http.Header{}
			}
			t.Headers.Set(h, x.Value)
			if len(x.Env) > 0 || generator.IsCredentialName(h) {
				t.Secrets = append(t.Secrets, x.Value)
			}
		}
	}
	// Credentials in the URL are sent by the runner as a masked header:
	// they are secrets wherever the URL could show.
	_, _, secrets := generator.Userinfo(t.URL)
	t.Secrets = append(t.Secrets, secrets...)
	return t, nil
}

// targetURL resolves the URL of a target setting: a URL (a value of the
// file may use ${VAR}), or the name of an environment of smoke.yaml,
// returned as env. The URL is checked and loses a trailing slash; "" stays
// "".
func targetURL(s sources, v string, from origin) (u string, uFrom origin, env string, err error) {
	if v == "" {
		return "", from, "", nil
	}
	u, uFrom = v, from
	if e, ok := s.cfg.Environments[v]; ok {
		key := "environments." + v
		if e.BaseURL == "" {
			return "", from, "", s.fileOrigin(key).invalid(v, "the environment has no base_url")
		}
		u, uFrom, env = e.BaseURL, s.fileOrigin(key+".base_url"), v
	}
	if uFrom.where != "" {
		x, err := generator.ExpandEnv(u, s.env.Getenv)
		if err != nil {
			return "", uFrom, "", uFrom.wrap(err)
		}
		u = x.Value
	}
	if _, err := generator.ParseBaseURL(u); err != nil {
		return "", uFrom, "", uFrom.wrap(err)
	}
	return strings.TrimSuffix(u, "/"), uFrom, env, nil
}

// withTarget returns runner options for t: its headers join the
// configured ones (--header wins) and its secrets are masked.
func withTarget(ro runner.Options, t target) runner.Options {
	ro.BaseURL = t.URL
	if len(t.Headers) > 0 {
		h := ro.Headers.Clone()
		if h == nil {
			h = http.Header{}
		}
		for name, vals := range t.Headers {
			if h.Get(name) == "" {
				h[name] = vals
			}
		}
		ro.Headers = h
	}
	ro.Secrets = slices.Concat(ro.Secrets, t.Secrets)
	return ro
}

// checkFormat refuses a --format value a command does not write.
func checkFormat(format string, formats []string) error {
	if slices.Contains(formats, format) {
		return nil
	}
	want := "one of " + strings.Join(formats, ", ")
	if len(formats) == 2 {
		want = formats[0] + " or " + formats[1]
	}
	return flagOrigin("format").invalid(fmt.Sprintf("%q", format), "want %s", want)
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
