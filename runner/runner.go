package runner

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/smoke-dev/smoke/generator"
)

// Defaults used when an Options field is zero.
const (
	DefaultConcurrency        = 4
	DefaultTimeout            = 10 * time.Second
	DefaultMaxBodyBytes int64 = 4 << 20
	DefaultUserAgent          = "smoke"
)

// ErrUnreachable is returned by Run, wrapped, when every check that was
// sent failed to connect: the target is down or the base URL is wrong, and
// the results say nothing about the service.
var ErrUnreachable = errors.New("target unreachable")

// Options configures a Runner. The zero value is usable for Send; Run
// also needs BaseURL.
type Options struct {
	// BaseURL is the target every check of Run is sent to, e.g.
	// "https://staging.example.com" or "http://127.0.0.1:8080/api/v2". A
	// check's relative URL is appended to it, path prefix included. User
	// information ("https://user:password@host") is sent as HTTP Basic
	// authentication in the Authorization header, never in a URL, and is
	// masked like any credential; an Authorization header in Headers wins.
	BaseURL string
	// Headers are sent with every request and replace check headers of
	// the same name (--header, auth from config).
	Headers http.Header
	// Timeout bounds one exchange, reading the body included. Zero means
	// DefaultTimeout.
	Timeout time.Duration
	// Concurrency is the number of checks in flight. Zero means
	// DefaultConcurrency.
	Concurrency int
	// Rate caps requests per second across all workers, retries
	// included. Zero means unlimited.
	Rate float64
	// Retries is how many times an exchange is repeated after a failure
	// to connect (refused, unreachable, DNS), a 429 or a 503, with backoff
	// (Retry-After is honoured). A request that may have reached the
	// service (reset, timeout) is never repeated. Zero means no retries.
	Retries int
	// MaxBodyBytes bounds the (decompressed) response body that is read;
	// the rest is discarded and the check errors. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Insecure skips TLS certificate verification.
	Insecure bool
	// CAFile names a PEM file of extra trusted certificate authorities.
	CAFile string
	// Assertions selects assertions and sets the latency budget.
	Assertions Assertions
	// Secrets are values to mask in every result, besides each check's
	// own credentials (generator.Check.SecretValues) and those of Headers
	// (by generator.IsCredentialName).
	Secrets []string
	// UserAgent is sent unless a header sets one. Empty means
	// DefaultUserAgent.
	UserAgent string
	// Logger receives one debug record per exchange. Nil discards.
	Logger *slog.Logger
	// OnResult is called once per check, in completion order, always
	// from the same goroutine, before Run returns. Progress bars use it.
	OnResult func(Result)
	// CleanupTimeout bounds the deletes sent at the end of a run for what
	// it created and did not delete yet, independently of the run's
	// context (an interrupted run still cleans up). Zero means
	// DefaultCleanupTimeout.
	CleanupTimeout time.Duration
	// Transport replaces the HTTP transport; tests and benchmarks use it.
	// When set, Insecure, CAFile and proxy settings are ignored.
	Transport http.RoundTripper
	// Now is the clock dynamic values (${now+1h}) are rendered with at
	// send time. Nil means time.Now.
	Now func() time.Time
	// RunToken is what ${run} renders to in every request of this
	// Runner. Empty means a fresh generator.NewRunToken.
	RunToken string
}

// Runner sends checks and evaluates their answers. It is safe for
// concurrent use; one Runner keeps one connection pool.
type Runner struct {
	opts     Options
	base     *url.URL      // nil when Options.BaseURL is empty; no user information
	auth     string        // Authorization from the user information of Options.BaseURL
	client   *resty.Client // for requests that may carry a body
	bodiless *resty.Client // for GET, HEAD and OPTIONS without a body
	// plainHeader is the request header of a bodiless check without
	// headers or cookies of its own; nil when there is none to share.
	plainHeader http.Header
	limiter     *rate.Limiter // nil when unlimited
	log         *slog.Logger
	asserts     assertionSet
	masker      *generator.Masker // Options.Secrets and the credentials of Options.Headers and BaseURL
	maskers     sync.Map          // the secrets a check adds (joined) → *generator.Masker
	sleep       func(ctx context.Context, d time.Duration) error
	v2020       validators2020 // compiled OpenAPI 3.1 schemas
	runToken    string         // ${run} of dynamic requests
}

// New returns a Runner for opts. It fails on an invalid base URL, an
// unreadable CA file or an unknown assertion name.
func New(opts Options) (*Runner, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	r := &Runner{opts: opts, log: opts.Logger, sleep: sleepCtx, runToken: opts.RunToken}
	if r.runToken == "" {
		r.runToken = generator.NewRunToken()
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.masker = secretMasker(opts)
	if opts.BaseURL != "" {
		u, auth, err := splitBase(opts.BaseURL)
		if err != nil {
			return nil, err
		}
		r.base, r.auth = u, auth
	}
	set, err := newAssertionSet(opts.Assertions)
	if err != nil {
		return nil, err
	}
	r.asserts = set
	if opts.Rate > 0 {
		r.limiter = rate.NewLimiter(rate.Limit(opts.Rate), 1)
	}
	tr := opts.Transport
	if tr == nil {
		t, err := newTransport(opts)
		if err != nil {
			return nil, err
		}
		tr = t
	}
	hc := &http.Client{
		Transport: tr,
		// Redirects are reported, never followed: the 3xx is the answer.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	// Two resty clients share the connection pool. The one for requests
	// that may carry a body sends it as the spec describes it, even on
	// GET, and sizes it: otherwise resty hands net/http an unsized empty
	// body for a check without one, so POST and PUT went out chunked and
	// net/http probed that body with a goroutine and a timer. The other,
	// for GET, HEAD and OPTIONS without a body, gives net/http no body at
	// all, the cheapest request resty builds.
	r.client = newRestyClient(hc, r.log, r.masker).
		SetContentLength(true).
		SetAllowGetMethodPayload(true)
	r.bodiless = newRestyClient(hc, r.log, r.masker)
	// The headers of a check with no headers, cookies or body of its own
	// are the same for every such check. Resty writes to a request's
	// headers only to add Accept next to a JSON Content-Type, or the
	// User-Agent if it is empty; neither happens to this header.
	if h := r.requestHeader(http.Header{}, generator.Check{}); h.Get("Content-Type") == "" && h.Get("User-Agent") != "" {
		r.plainHeader = h
	}
	return r, nil
}

func newRestyClient(hc *http.Client, log *slog.Logger, m *generator.Masker) *resty.Client {
	return resty.NewWithClient(hc).
		SetLogger(restyLogger{log, m}).
		SetDisableWarn(true).
		SetDoNotParseResponse(true)
}

// newTransport builds the keep-alive transport: proxy from the
// environment, TLS options, one idle connection per worker.
func newTransport(opts Options) (*http.Transport, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.Insecure {
		tlsConf.InsecureSkipVerify = true // the user asked for it with --insecure
	}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %q: no PEM certificates found", opts.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConf,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          opts.Concurrency * 2,
		MaxIdleConnsPerHost:   opts.Concurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   opts.Timeout,
		ExpectContinueTimeout: time.Second,
	}, nil
}

// Run sends every check once to Options.BaseURL and returns one Result
// per check, in the order of checks. A failed check is a Result, never an
// error. Checks with bindings run as a chain (see RunChains); what they
// create is deleted before Run returns. When ctx is cancelled, Run stops
// sending, waits for the requests in flight, marks the unsent checks
// Skipped and returns the results with ctx.Err(). When every sent check
// failed to connect, the error wraps ErrUnreachable.
func (r *Runner) Run(ctx context.Context, checks []generator.Check) ([]Result, error) {
	results, _, err := r.RunChains(ctx, checks, nil)
	return results, err
}

// reporter feeds Options.OnResult from one goroutine of its own; wait
// returns once every reported result has been handed over.
func (r *Runner) reporter(results []Result) (report func(i int), wait func()) {
	if r.opts.OnResult == nil {
		return func(int) {}, func() {}
	}
	done := make(chan int, r.opts.Concurrency)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for i := range done {
			r.opts.OnResult(results[i])
		}
	}()
	return func(i int) { done <- i }, func() { close(done); <-collected }
}

// runFree sends checks that wait for nothing: a fixed pool of workers
// takes them in order. Long-lived goroutines keep their grown stacks,
// which matters at thousands of checks.
func (r *Runner) runFree(ctx context.Context, checks []generator.Check, results []Result, refused []bool, report func(int)) {
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Concurrency)
	for range min(r.opts.Concurrency, len(checks)) {
		g.Go(func() error {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(checks) {
					return nil
				}
				if gctx.Err() != nil {
					results[i] = skipped(checks[i], "not sent: run interrupted")
				} else {
					results[i], refused[i] = r.check(gctx, checks[i])
				}
				report(i)
			}
		})
	}
	_ = g.Wait() // workers never return errors: a failed check is a Result
}

// runErr is the error of a finished run: the context's, or
// ErrUnreachable when every check that was sent failed to connect.
func (r *Runner) runErr(ctx context.Context, results []Result, refused []bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sent, down := 0, 0
	for i := range results {
		if results[i].Outcome != Skipped {
			sent++
		}
		if refused[i] {
			down++
		}
	}
	if sent > 0 && down == sent {
		return fmt.Errorf("%s: %w: every request failed to connect", r.base.Redacted(), ErrUnreachable)
	}
	return nil
}

// check sends one check to the base URL and evaluates the answer. refused
// reports a connection failure.
func (r *Runner) check(ctx context.Context, c generator.Check) (res Result, refused bool) {
	res = Result{
		CheckID:     c.ID,
		Method:      c.Method,
		Path:        c.Path,
		OperationID: c.OperationID,
		Reason:      ReasonNoAnswer, // until an answer says otherwise
	}
	if note := generator.Untouchable(c); note != "" {
		res = skipped(c, "not sent: it would write to resources this run did not create (see notes)")
		res.Reason = ReasonNoValue
		res.Notes = []string{r.maskerFor(c).Mask(note)}
		return res, false
	}
	if c.Request.Dynamic {
		c = r.render(c)
		res.Sent = &generator.Check{ID: c.ID, Method: c.Method, Path: c.Path, Request: c.Request}
	}
	c = withAuth(c, r.auth)
	m := r.maskerFor(c)
	u, err := generator.JoinURL(r.base, c.Request.URL)
	if err != nil {
		res.Outcome = Errored
		res.Failures = []Failure{{Check: CheckRequest, Message: m.Mask(err.Error())}}
		return res, false
	}
	target := u.String()
	res.URL = m.Mask(target)
	start := time.Now()
	resp, err := r.send(ctx, target, c)
	res.DurationMS = ms(time.Since(start))
	switch {
	case err != nil && ctx.Err() != nil:
		res.Outcome = Skipped
		res.Failures = []Failure{{Check: CheckRequest, Message: "interrupted before an answer came"}}
		return res, false
	case err != nil:
		res.Outcome = Errored
		res.Failures = []Failure{{Check: CheckRequest, Message: m.Mask(describe(err, r.opts.Timeout))}}
		if r.debug(ctx) {
			r.log.Debug("exchange", "method", c.Method, "url", res.URL, "error", res.Failures[0].Message)
		}
		return res, isConnError(err)
	}
	res.Response = resp
	res.StatusCode = resp.StatusCode
	res.DurationMS = ms(resp.Duration)
	if resp.Stream != "" {
		res.Notes = append(res.Notes, "a stream, as the spec documents it: judged on its first record, the rest not read")
	}
	if r.debug(ctx) {
		r.log.Debug("exchange", "method", c.Method, "url", res.URL, "status", resp.StatusCode,
			"duration", resp.Duration, "bytes", len(resp.Body))
	}
	if resp.Truncated {
		res.Outcome = Errored
		res.Failures = []Failure{{Check: CheckRequest, Message: fmt.Sprintf(
			"response body larger than the %s limit: read the first %s, discarded the rest",
			ByteSize(r.opts.MaxBodyBytes), ByteSize(r.opts.MaxBodyBytes))}}
		return res, false
	}
	if res.Exercised, res.Reason = Exercised(resp.StatusCode, c.Expect); !res.Exercised {
		res.Snippet = snippet(m, resp.Body)
	}
	res.Assertions = r.asserts.forCheck(c).names()
	res.Failures, res.Undocumented = r.evaluate(c, resp, m)
	if u := res.Undocumented; u != nil {
		for i, f := range u.Fields {
			u.Fields[i] = m.Mask(f) // a key is the server's text
		}
	}
	res.Outcome = Passed
	if len(res.Failures) > 0 {
		res.Outcome = Failed
	}
	return res, false
}

// debug reports whether debug records are kept. Checked before building
// a record: its arguments cost allocations even when the handler drops it.
func (r *Runner) debug(ctx context.Context) bool {
	return r.log.Enabled(ctx, slog.LevelDebug)
}

func skipped(c generator.Check, why string) Result {
	return Result{
		CheckID:     c.ID,
		Method:      c.Method,
		Path:        c.Path,
		OperationID: c.OperationID,
		Outcome:     Skipped,
		Reason:      ReasonNoAnswer,
		Failures:    []Failure{{Check: CheckRequest, Message: why}},
	}
}

func ms(d time.Duration) float64 {
	return float64(d.Round(10*time.Microsecond)) / float64(time.Millisecond)
}

// Summary counts results by outcome, and by whether they exercised
// their operation.
type Summary struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Errored int `json:"errored"`
	Skipped int `json:"skipped"`
	// Exercised counts the checks that reached a documented success;
	// NotExercised counts the others by reason.
	Exercised    int          `json:"exercised"`
	NotExercised ReasonCounts `json:"not_exercised"`
}

// ReasonCounts counts checks by the reason they did not exercise their
// operation.
type ReasonCounts struct {
	NotFound     int `json:"not_found,omitempty"`
	Rejected     int `json:"rejected,omitempty"`
	Unauthorized int `json:"unauthorized,omitempty"`
	Conflict     int `json:"conflict,omitempty"`
	NotAllowed   int `json:"not_allowed,omitempty"`
	NoValue      int `json:"no_value,omitempty"`
	Other        int `json:"other,omitempty"`
	NoAnswer     int `json:"no_answer,omitempty"`
}

// Get returns the count for reason.
func (c ReasonCounts) Get(reason Reason) int {
	if p := c.field(reason); p != nil {
		return *p
	}
	return 0
}

func (c *ReasonCounts) field(reason Reason) *int {
	switch reason {
	case ReasonNotFound:
		return &c.NotFound
	case ReasonRejected:
		return &c.Rejected
	case ReasonUnauthorized:
		return &c.Unauthorized
	case ReasonConflict:
		return &c.Conflict
	case ReasonNotAllowed:
		return &c.NotAllowed
	case ReasonNoValue:
		return &c.NoValue
	case ReasonOther:
		return &c.Other
	case ReasonNoAnswer:
		return &c.NoAnswer
	}
	return nil
}

// Add counts one more check for reason (an unknown reason counts as
// other).
func (c *ReasonCounts) Add(reason Reason) {
	p := c.field(reason)
	if p == nil {
		p = &c.Other
	}
	*p++
}

// Unexercised is the number of checks that did not exercise their
// operation.
func (s Summary) Unexercised() int { return s.Total - s.Exercised }

// Summarize counts results by outcome and by exercise.
func Summarize(results []Result) Summary {
	s := Summary{Total: len(results)}
	for _, r := range results {
		if r.Exercised {
			s.Exercised++
		} else {
			reason := r.Reason
			if reason == "" {
				reason = ReasonNoAnswer
			}
			s.NotExercised.Add(reason)
		}
		switch r.Outcome {
		case Passed:
			s.Passed++
		case Failed:
			s.Failed++
		case Errored:
			s.Errored++
		case Skipped:
			s.Skipped++
		}
	}
	return s
}

// secretMasker masks what Options marks secret: configured secrets, the
// credentials in extra headers and the user information of the base URL.
func secretMasker(opts Options) *generator.Masker {
	out := slices.Clone(opts.Secrets)
	for name, vals := range opts.Headers {
		if !generator.IsCredentialName(name) {
			continue
		}
		for _, v := range vals {
			out = append(out, generator.CredentialParts(v)...)
		}
	}
	_, _, userinfo := generator.Userinfo(opts.BaseURL)
	return generator.NewMasker(append(out, userinfo...)...)
}
