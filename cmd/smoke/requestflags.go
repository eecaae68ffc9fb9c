package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/runner"
)

// requestOptions are the flags of every command that sends requests (run,
// diff): extra headers and the limits of the runner. resolveRequest turns
// them, with smoke.yaml's run section, into runner options.
type requestOptions struct {
	Headers     []string
	Timeout     time.Duration
	Concurrency int
	Rate        float64
	Retries     int
	Insecure    bool
	CAFile      string
	MaxBody     int64
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
}
