package synthetics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadog"
	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"
	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV2"
)

// Sites are the Datadog sites DD_SITE may name.
var Sites = []string{
	"datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "ap1.datadoghq.com",
	"ap2.datadoghq.com", "uk1.datadoghq.com", "datadoghq.eu", "ddog-gov.com", "us2.ddog-gov.com",
}

// ClientOptions configures a Client. APIKey and AppKey are required; the
// rest have usable zero values.
type ClientOptions struct {
	APIKey, AppKey string
	// Site is the Datadog site (DD_SITE); default datadoghq.com.
	Site string
	// Host replaces the API base URL (DD_HOST), e.g.
	// "https://api.datadoghq.eu" or an emulator's "http://127.0.0.1:PORT";
	// a trailing "/api" is accepted too (the paths carry it). Plain http
	// is accepted for loopback addresses only.
	Host string
	// HTTPClient sends the calls; default a client with a 60 s timeout.
	HTTPClient *http.Client
	// Logger receives one debug line per call and a line per retry.
	Logger *slog.Logger
	// MaxRetries bounds retries of one call after a 429 or 5xx; default
	// 5.
	MaxRetries int
	// Backoff is the first pause before retrying a 5xx, a network error,
	// or a 429 that says neither when its window resets nor how long it
	// is; it doubles each time. Default 500 ms.
	Backoff time.Duration
	// PageSize is the page size of test listings and searches; default
	// 100.
	PageSize int
	// NoSuite leaves suites alone: publish keeps no suite in sync.
	NoSuite bool
}

// Client talks to Datadog's Synthetics API.
type Client struct {
	api     *datadogV1.SyntheticsApi
	v2      *datadogV2.SyntheticsApi
	keys    map[string]datadog.APIKey
	site    string
	base    string
	log     *slog.Logger
	retries int
	backoff time.Duration
	page    int
	noSuite bool

	mu        sync.Mutex
	calls     int
	pauseTill time.Time
}

// Errors a caller may branch on.
var (
	// ErrCredentials means DD_API_KEY or DD_APP_KEY is missing.
	ErrCredentials = errors.New("DD_API_KEY and DD_APP_KEY must be set")
	// ErrForbidden means Datadog refused the keys (403): wrong keys,
	// keys without Synthetics permissions, or keys of another site.
	ErrForbidden = errors.New("forbidden")
)

// APIError is an error answer from Datadog, with Datadog's own error
// list.
type APIError struct {
	// Operation is the Datadog operation, e.g. "CreateSyntheticsAPITest".
	Operation string
	Status    int
	Errors    []string
	site      string
}

// Error reports the operation, status and Datadog's errors, with a hint
// for a 403.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: %d %s", e.Operation, e.Status, http.StatusText(e.Status))
	if len(e.Errors) > 0 {
		msg += ": " + strings.Join(e.Errors, "; ")
	}
	if e.Status == http.StatusForbidden {
		msg += fmt.Sprintf(" (check DD_API_KEY and DD_APP_KEY, that DD_SITE %q is your account's site, and that the application key has %s)", e.site, Permissions)
	}
	return msg
}

// Permissions are the Datadog permissions smoke needs: tests and suites,
// and global variables for secrets.
const Permissions = "synthetics_read, synthetics_write, synthetics_global_variable_read and synthetics_global_variable_write"

// Is makes errors.Is(err, ErrForbidden) true for a 403.
func (e *APIError) Is(target error) bool {
	return target == ErrForbidden && e.Status == http.StatusForbidden
}

// NewClient returns a client for the site or host of o.
func NewClient(o ClientOptions) (*Client, error) {
	if o.APIKey == "" || o.AppKey == "" {
		return nil, ErrCredentials
	}
	site := o.Site
	if site == "" {
		site = "datadoghq.com"
	}
	base := ""
	if o.Host != "" {
		b, err := hostURL(o.Host)
		if err != nil {
			return nil, err
		}
		base = b
	} else {
		if !slices.Contains(Sites, site) {
			return nil, fmt.Errorf("unknown Datadog site %q (DD_SITE): want one of %s", site, strings.Join(Sites, ", "))
		}
		base = "https://api." + site
	}
	cfg := datadog.NewConfiguration()
	cfg.Servers = datadog.ServerConfigurations{{URL: base}}
	cfg.OperationServers = nil
	cfg.Compress = false
	cfg.RetryConfiguration.EnableRetry = false // smoke retries itself, knowing which calls are safe to repeat
	cfg.HTTPClient = o.HTTPClient
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	cfg.UserAgent = "smoke"
	lg := o.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	apiClient := datadog.NewAPIClient(cfg)
	c := &Client{
		api:     datadogV1.NewSyntheticsApi(apiClient),
		v2:      datadogV2.NewSyntheticsApi(apiClient),
		keys:    map[string]datadog.APIKey{"apiKeyAuth": {Key: o.APIKey}, "appKeyAuth": {Key: o.AppKey}},
		site:    site,
		base:    base,
		log:     lg,
		retries: o.MaxRetries,
		backoff: o.Backoff,
		page:    o.PageSize,
		noSuite: o.NoSuite,
	}
	if c.retries <= 0 {
		c.retries = 5
	}
	if c.backoff <= 0 {
		c.backoff = 500 * time.Millisecond
	}
	if c.page <= 0 {
		c.page = 100
	}
	return c, nil
}

// hostURL validates DD_HOST: a full URL; http only for loopback.
func hostURL(h string) (string, error) {
	if !strings.Contains(h, "://") {
		h = "https://" + h
	}
	u, err := url.Parse(h)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("DD_HOST %q: want a URL such as https://api.datadoghq.eu", h)
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", fmt.Errorf("DD_HOST %q: plain http is only allowed for loopback addresses", h)
		}
	default:
		return "", fmt.Errorf("DD_HOST %q: want an http(s) URL", h)
	}
	// The operation paths start with /api/v1 or /api/v2: a DD_HOST that
	// already ends in /api (as some setups write it) must not double it.
	path := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api")
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+path, "/"), nil
}

// Calls returns the number of API calls the client made, retries
// included.
func (c *Client) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// errRetryable marks a failed call that may or may not have taken effect
// (5xx, network error) on an operation that is unsafe to repeat blindly.
var errRetryable = errors.New("outcome unknown")

// doValue is do for the calls of datadog-api-client, which return a
// value, the HTTP response and an error: it returns the value of the
// attempt that succeeded.
func doValue[T any](ctx context.Context, c *Client, op string, idempotent bool, call func(ctx context.Context) (T, *http.Response, error)) (T, error) {
	var out T
	err := c.do(ctx, op, idempotent, func(ctx context.Context) (r *http.Response, err error) {
		out, r, err = call(ctx)
		return r, err
	})
	return out, err
}

// do runs one API call with smoke's own retry policy: a 429 is retried
// after X-RateLimit-Reset; a 5xx or network error is retried with
// backoff only when the call is idempotent, and otherwise returned
// wrapping errRetryable so the caller can look before retrying.
func (c *Client) do(ctx context.Context, op string, idempotent bool, call func(ctx context.Context) (*http.Response, error)) error {
	ctx = context.WithValue(ctx, datadog.ContextAPIKeys, c.keys)
	backoff := c.backoff
	for attempt := 0; ; attempt++ {
		if err := c.waitPause(ctx); err != nil {
			return err
		}
		c.mu.Lock()
		c.calls++
		c.mu.Unlock()
		resp, err := call(ctx)
		c.observe(resp)
		if err == nil {
			c.log.Debug("datadog call", "op", op, "status", status(resp))
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		if resp == nil {
			// No answer: the request may or may not have reached Datadog.
			if !idempotent {
				return fmt.Errorf("%s: %w: %w", op, errRetryable, err)
			}
			// A wrong DD_HOST or a dead network is not worth a long wait:
			// at most two retries.
			if attempt >= min(c.retries, 2) {
				return fmt.Errorf("%s: %w", op, err)
			}
			c.log.Warn("datadog call failed, retrying", "op", op, "err", err, "in", backoff)
			if err := sleep(ctx, backoff); err != nil {
				return err
			}
			backoff *= 2
			continue
		}
		apiErr := c.apiError(op, resp, err)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests && attempt < c.retries:
			wait := rateLimitWait(resp.Header, c.backoff, attempt)
			c.log.Warn("datadog rate limit, waiting", "op", op, "for", wait)
			c.pause(wait)
			continue
		case resp.StatusCode >= 500 && !idempotent:
			return fmt.Errorf("%w: %w", errRetryable, apiErr)
		case resp.StatusCode >= 500 && attempt < c.retries:
			c.log.Warn("datadog server error, retrying", "op", op, "status", resp.StatusCode, "in", backoff)
			if err := sleep(ctx, backoff); err != nil {
				return err
			}
			backoff *= 2
			continue
		}
		return apiErr
	}
}

func status(r *http.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

func (c *Client) apiError(op string, resp *http.Response, err error) *APIError {
	e := &APIError{Operation: op, Status: resp.StatusCode, site: c.site}
	var oe datadog.GenericOpenAPIError
	if errors.As(err, &oe) {
		var body struct {
			Errors []string `json:"errors"`
		}
		if json.Unmarshal(oe.Body(), &body) == nil {
			e.Errors = body.Errors
		}
	}
	return e
}

// observe keeps the client's own limiter in step with Datadog's
// rate-limit headers: when a window is used up, the next call waits for
// its reset.
func (c *Client) observe(resp *http.Response) {
	if resp == nil {
		return
	}
	rem := resp.Header.Get("X-RateLimit-Remaining")
	if rem == "" || resp.StatusCode == http.StatusTooManyRequests {
		return
	}
	if n, err := strconv.Atoi(rem); err == nil && n <= 0 {
		c.pause(rateLimitWait(resp.Header, c.backoff, 0))
	}
}

// maxRateLimitWait bounds one wait for a rate-limit window.
const maxRateLimitWait = 2 * time.Minute

// rateLimitWait is how long to wait after a 429, from Datadog's
// rate-limit headers (docs.datadoghq.com/api/latest/rate-limits):
// X-RateLimit-Reset is the seconds until the window resets; without it,
// X-RateLimit-Period is the length of the window, so waiting one period
// is always enough; without either, backoff doubled per attempt.
func rateLimitWait(h http.Header, backoff time.Duration, attempt int) time.Duration {
	if d, ok := headerSeconds(h, "X-RateLimit-Reset"); ok {
		if d == 0 {
			return 100 * time.Millisecond
		}
		return min(d, maxRateLimitWait)
	}
	if d, ok := headerSeconds(h, "X-RateLimit-Period"); ok && d > 0 {
		return min(d, maxRateLimitWait)
	}
	return min(backoff<<min(attempt, 16), maxRateLimitWait)
}

func headerSeconds(h http.Header, name string) (time.Duration, bool) {
	n, err := strconv.Atoi(h.Get(name))
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

func (c *Client) pause(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := time.Now().Add(d); t.After(c.pauseTill) {
		c.pauseTill = t
	}
}

func (c *Client) waitPause(ctx context.Context) error {
	c.mu.Lock()
	d := time.Until(c.pauseTill)
	c.mu.Unlock()
	if d <= 0 {
		return nil
	}
	return sleep(ctx, d)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
