package main

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// requestOptions are the flags of every command that sends requests (run,
// diff): extra headers and the limits of the runner.
type requestOptions struct {
	Headers     []string
	Timeout     time.Duration
	Concurrency int
	Rate        float64
	Retries     int
	Insecure    bool
	CAFile      string
	MaxBody     int64

	cmd *cobra.Command
}

// addRequestFlags adds the request flags to cmd.
func addRequestFlags(cmd *cobra.Command, o *requestOptions) {
	f := cmd.Flags()
	f.StringArrayVarP(&o.Headers, "header", "H", nil, "extra request header 'Name: value' (repeatable; replaces a spec or config header of the same name)")
	f.DurationVar(&o.Timeout, "timeout", runner.DefaultTimeout, "per-request timeout, reading the body included")
	f.IntVar(&o.Concurrency, "concurrency", runner.DefaultConcurrency, "requests in flight at once")
	f.Float64Var(&o.Rate, "rate", 0, "at most this many requests per second (0: unlimited)")
	f.IntVar(&o.Retries, "retries", 0, "retry connection errors, 429 and 503 this many times, with backoff")
	f.BoolVar(&o.Insecure, "insecure", false, "skip TLS certificate verification")
	f.StringVar(&o.CAFile, "ca-file", "", "PEM file of extra certificate authorities to trust")
	f.Int64Var(&o.MaxBody, "max-body-bytes", runner.DefaultMaxBodyBytes, "read at most this many bytes of each response body")
	o.cmd = cmd
}

func (o *requestOptions) changed(name string) bool {
	return o.cmd != nil && o.cmd.Flags().Changed(name)
}

// runnerOptions resolves flags over smoke.yaml's run section (flags win
// when given) into runner options for checks. BaseURL, Logger and
// OnResult are left for the caller. Errors are usage errors.
func (o *requestOptions) runnerOptions(cfg *config.Config, checks []generator.Check) (runner.Options, error) {
	if cfg == nil {
		cfg = &config.Config{}
	}
	rc := cfg.Run
	// An explicit zero would otherwise fall back to the default below and
	// silently mean something else than the user wrote.
	if o.changed("concurrency") && o.Concurrency < 1 {
		return runner.Options{}, usageErrf("--concurrency %d: must be at least 1", o.Concurrency)
	}
	if o.changed("timeout") && o.Timeout <= 0 {
		return runner.Options{}, usageErrf("--timeout %s: must be positive", o.Timeout)
	}
	opts := runner.Options{
		Timeout:      pick(o.changed("timeout"), o.Timeout, time.Duration(rc.Timeout)),
		Concurrency:  pick(o.changed("concurrency"), o.Concurrency, rc.Concurrency),
		Rate:         pick(o.changed("rate"), o.Rate, rc.Rate),
		Retries:      pick(o.changed("retries"), o.Retries, rc.Retries),
		Insecure:     o.Insecure || rc.Insecure,
		CAFile:       pick(o.changed("ca-file"), o.CAFile, rc.CAFile),
		MaxBodyBytes: pick(o.changed("max-body-bytes"), o.MaxBody, rc.MaxBodyBytes),
	}
	// Unset config values fall back to the flag defaults.
	if opts.Timeout == 0 {
		opts.Timeout = o.Timeout
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = o.Concurrency
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = o.MaxBody
	}
	switch {
	case opts.Timeout < 0:
		return opts, usageErrf("--timeout %s: must be positive", opts.Timeout)
	case opts.Concurrency < 0:
		return opts, usageErrf("--concurrency %d: must be positive", opts.Concurrency)
	case opts.Rate < 0:
		return opts, usageErrf("--rate %g: must not be negative", opts.Rate)
	case opts.Retries < 0:
		return opts, usageErrf("--retries %d: must not be negative", opts.Retries)
	case opts.MaxBodyBytes < 0:
		return opts, usageErrf("--max-body-bytes %d: must be positive", opts.MaxBodyBytes)
	}
	h, err := parseHeaders(o.Headers)
	if err != nil {
		return opts, usageErr(err)
	}
	opts.Headers = h
	for name, vals := range h {
		if generator.IsCredentialName(name) {
			opts.Secrets = append(opts.Secrets, vals...)
		}
	}

	opts.Assertions = runner.Assertions{
		Skip:    rc.SkipAssertions,
		Latency: time.Duration(rc.LatencyMS) * time.Millisecond,
	}
	for _, c := range checks {
		op, ok := operationConfig(cfg, c)
		if !ok || (len(op.SkipAssertions) == 0 && op.LatencyMS == 0) {
			continue
		}
		if opts.Assertions.ByCheck == nil {
			opts.Assertions.ByCheck = map[string]runner.Assertions{}
		}
		opts.Assertions.ByCheck[c.ID] = runner.Assertions{
			Skip:    op.SkipAssertions,
			Latency: time.Duration(op.LatencyMS) * time.Millisecond,
		}
	}
	return opts, nil
}

// pick returns flag when the flag was given, else the config value.
func pick[T any](changed bool, flag, cfg T) T {
	if changed {
		return flag
	}
	return cfg
}

// parseHeaders reads repeated --header 'Name: value' flags.
func parseHeaders(raw []string) (http.Header, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	h := http.Header{}
	for _, kv := range raw {
		name, value, ok := strings.Cut(kv, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("--header %q: want 'Name: value'", kv)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}
