package synthetics

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Bounds Datadog enforces on a test although its public document does
// not say so. Each is checked before any call (see Options.Validate and
// the Check functions), so a value Datadog would refuse is a usage error,
// never a 400 half-way through a publish. docs/datadog.md lists them with
// their sources and the tests that prove them.
const (
	// MaxRetries is the largest retry count of an API test: "Maximum
	// value: 3 for api tests" (terraform-provider-datadog,
	// resource_datadog_synthetics_test_.go, options_list.retry.count).
	MaxRetries = 3
	// MaxRetryInterval bounds the pause between retries: "Maximum value:
	// 5000" ms (same file, options_list.retry.interval).
	MaxRetryInterval = 5 * time.Second
	// MaxTimeout bounds the request timeout: it defaults to 60 s and a
	// run is cut at 60.5 s (DataDog/documentation
	// content/en/synthetics/api_tests/http_tests.md, "TIMEOUT").
	MaxTimeout = 60 * time.Second
	// MinTickEvery and MaxTickEvery bound how often a test runs: "Valid
	// range is 30-604800 for API tests" (terraform-provider-datadog,
	// options_list.tick_every; the v1 document's minimum and maximum),
	// in whole seconds.
	MinTickEvery = 30 * time.Second
	MaxTickEvery = 7 * 24 * time.Hour
	// MaxBodyBytes bounds a request body: "The request body is limited to
	// a maximum size of 50 kilobytes" (http_tests.md, "Request Body").
	MaxBodyBytes = 50 << 10
	// MaxAssertions bounds the assertions of a test: "up to 20 assertions
	// per API test" (http_tests.md, "Define assertions").
	MaxAssertions = 20
	// MaxSchemaChars bounds the JSON Schema of a validatesJSONSchema
	// assertion: the server refuses a target longer than 51,200
	// characters (issue 13; the public document states no limit).
	MaxSchemaChars = 51200
	// MaxTagLength bounds a tag: "Tags can be up to 200 characters long"
	// (DataDog/documentation content/en/getting_started/tagging/_index.md).
	MaxTagLength = 200
)

// Defaults of Options.
const (
	DefaultTickEvery     = 5 * time.Minute
	DefaultTimeout       = 30 * time.Second
	DefaultRetryInterval = 300 * time.Millisecond
)

// secondsPerMonth is the month of the cost estimate: 30 days.
const secondsPerMonth = 30 * 24 * 3600

// Schedule sets how often the tests of matching checks run. Rules are
// tried in order; the first that matches a check wins; a check no rule
// matches runs every Options.TickEvery.
type Schedule struct {
	// Match selects checks with the forms of --include: METHOD,
	// /path/glob, "METHOD /glob", tag:T, op:ID. Empty matches every
	// check.
	Match []string
	// TickEvery is how often the tests run.
	TickEvery time.Duration
	// CIOnly publishes the tests paused: Datadog never runs them on a
	// schedule, only when smoke trigger (or datadog-ci) runs them.
	CIOnly bool
}

// CheckRetries checks a retry count against Datadog's bounds.
func CheckRetries(n int) error {
	if n < 0 || n > MaxRetries {
		return fmt.Errorf("%d retries: Datadog allows 0 to %d for API tests", n, MaxRetries)
	}
	return nil
}

// CheckRetryInterval checks the pause between retries.
func CheckRetryInterval(d time.Duration) error {
	if d < 0 || d > MaxRetryInterval || d%time.Millisecond != 0 {
		return fmt.Errorf("retry interval %s: Datadog allows 0 to %s in whole milliseconds", d, MaxRetryInterval)
	}
	return nil
}

// CheckTimeout checks a request timeout.
func CheckTimeout(d time.Duration) error {
	if d <= 0 || d > MaxTimeout {
		return fmt.Errorf("timeout %s: Datadog allows more than 0s and at most %s", d, MaxTimeout)
	}
	return nil
}

// CheckTickEvery checks how often a test runs.
func CheckTickEvery(d time.Duration) error {
	if d < MinTickEvery || d > MaxTickEvery || d%time.Second != 0 {
		return fmt.Errorf("tick every %s: Datadog allows %s to %s in whole seconds", d, MinTickEvery, MaxTickEvery)
	}
	return nil
}

// CheckMaxPruneShare checks the prune safety cap.
func CheckMaxPruneShare(f float64) error {
	if math.IsNaN(f) || f <= 0 || f > 1 {
		return fmt.Errorf("max prune share %v: want a share above 0 and at most 1", f)
	}
	return nil
}

// CheckLocation checks a location name: Datadog's managed locations are
// "provider:region" ("aws:eu-west-1"); private locations are
// "pl:name-id".
func CheckLocation(l string) error {
	p, r, ok := strings.Cut(l, ":")
	if !ok || p == "" || r == "" || strings.ContainsAny(l, " \t") {
		return fmt.Errorf("location %q: want a Datadog location such as aws:us-east-1", l)
	}
	return nil
}

// Validate checks every value of o against what Datadog accepts. Map
// calls it; callers that resolve options from several sources call the
// Check functions on each value to name the source in the error.
func (o Options) Validate() error {
	var errs []error
	if strings.TrimSpace(o.Service) == "" {
		errs = append(errs, errors.New("a service name is required"))
	} else if _, err := CheckTag(tagService + o.Service); err != nil {
		errs = append(errs, fmt.Errorf("service %q: %w", o.Service, err))
	}
	if _, err := parseBaseURL(o.BaseURL); err != nil {
		errs = append(errs, err)
	}
	if o.TickEvery != 0 {
		errs = append(errs, CheckTickEvery(o.TickEvery))
	}
	if o.Timeout != 0 {
		errs = append(errs, CheckTimeout(o.Timeout))
	}
	errs = append(errs, CheckRetries(o.Retries))
	if o.RetryInterval != 0 {
		errs = append(errs, CheckRetryInterval(o.RetryInterval))
	}
	for _, l := range o.Locations {
		errs = append(errs, CheckLocation(l))
	}
	if o.MinLocationFailed < 0 || (o.MinLocationFailed > 0 && o.MinLocationFailed > max(len(o.Locations), 1)) {
		errs = append(errs, fmt.Errorf("min locations failed %d: want 1 to the number of locations", o.MinLocationFailed))
	}
	for _, t := range o.Tags {
		if _, err := CheckTag(t); err != nil {
			errs = append(errs, err)
		}
	}
	for env, name := range o.Variables {
		if err := CheckVariableName(name); err != nil {
			errs = append(errs, fmt.Errorf("variable %s: %w", env, err))
		}
	}
	for i, s := range o.Schedule {
		if !s.CIOnly {
			if err := CheckTickEvery(s.TickEvery); err != nil {
				errs = append(errs, fmt.Errorf("schedule rule %d: %w", i+1, err))
			}
		}
	}
	return errors.Join(errs...)
}
