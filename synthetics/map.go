package synthetics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"

	"github.com/smoke-dev/smoke/generator"
)

// DefaultLocation is where tests run when Options.Locations is empty.
const DefaultLocation = "aws:us-east-1"

// Options says how checks become Synthetics tests. The zero value is
// usable once Service and BaseURL are set. Validate checks every value
// against what Datadog accepts.
type Options struct {
	// Service names the service: in test names, and in the
	// smoke-service tag that scopes every sync.
	Service string
	// BaseURL is joined with each check's relative URL, keeping the base
	// URL's path prefix.
	BaseURL string
	// Locations run the tests; default DefaultLocation.
	Locations []string
	// TickEvery is how often each test runs; default DefaultTickEvery.
	// Datadog accepts MinTickEvery to MaxTickEvery.
	TickEvery time.Duration
	// Schedule overrides TickEvery for matching checks, or publishes
	// them for CI only.
	Schedule []Schedule
	// Timeout is the request timeout of each test; default
	// DefaultTimeout, at most MaxTimeout.
	Timeout time.Duration
	// MaxResponseTime adds a response-time assertion when positive.
	MaxResponseTime time.Duration
	// Retries is how many times Datadog retries a failed run before
	// alerting (at most MaxRetries); RetryInterval the pause between
	// (default DefaultRetryInterval, at most MaxRetryInterval).
	Retries       int
	RetryInterval time.Duration
	// MinFailureDuration is how long a test must fail before it alerts.
	MinFailureDuration time.Duration
	// MinLocationFailed is how many locations must fail; default 1.
	MinLocationFailed int
	// RenotifyInterval re-sends the alert while the test keeps failing;
	// zero never re-notifies.
	RenotifyInterval time.Duration
	// Message is the monitor message (notification handles go here). An
	// empty message names the check.
	Message string
	// Tags are added to the identity tags, normalised as Datadog stores
	// them (NormalizeTag).
	Tags []string
	// Paused publishes every test paused instead of live.
	Paused bool
	// Variables maps an environment variable named in a secret (its Env
	// or a ${VAR} of its Template) to the Datadog global variable that
	// holds it. Unmapped variables get VariableName's name.
	Variables map[string]string
}

// Test is one check as a Datadog Synthetics API test. Its JSON form is
// the payload smoke sends.
type Test struct {
	// CheckID is the ID of the check the test was made from.
	CheckID string
	// Name is the test name, "[service] METHOD /path".
	Name string
	// Variables are the global variables the test refers to, sorted by
	// name.
	Variables []Variable
	// Notes say what of the check the test leaves out, and why (a
	// response schema larger than Datadog accepts).
	Notes []string
	// Steps are the IDs of the checks a multistep test runs, in order;
	// nil for the HTTP test of one check. Its CheckID is then the first
	// step's, prefixed with "chain-".
	Steps []string

	api datadogV1.SyntheticsAPITest
}

// Variable is a Datadog global variable a test refers to as {{ NAME }}.
type Variable struct {
	// Name is the global variable's name in Datadog.
	Name string `json:"name"`
	// Env is the environment variable that holds its value.
	Env string `json:"env"`
}

// MarshalJSON returns the Datadog payload of the test.
func (t Test) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.api)
}

// RunsPerMonth is how many runs Datadog schedules for the test in 30
// days: one per location every tick_every; none when paused (a paused
// test runs only when triggered).
func (t Test) RunsPerMonth() int64 {
	return runsPerMonth(string(t.api.GetStatus()), t.api.Options.GetTickEvery(), len(t.api.Locations))
}

func runsPerMonth(status string, tickEvery int64, locations int) int64 {
	if status == string(datadogV1.SYNTHETICSTESTPAUSESTATUS_PAUSED) || tickEvery <= 0 {
		return 0
	}
	return int64(locations) * (secondsPerMonth / tickEvery)
}

// ErrSecret means a secret could not be referred to through a global
// variable; smoke never inlines it instead.
var ErrSecret = errors.New("secret cannot be mapped to a Datadog global variable")

// ErrTooLarge means a check's request is larger than Datadog accepts.
var ErrTooLarge = errors.New("larger than Datadog accepts")

// Map turns checks into Synthetics API tests, in the order of checks. It
// fails, before anything is sent, on any value Datadog would refuse.
func Map(checks []generator.Check, opts Options) ([]Test, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("map checks: %w", err)
	}
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("map checks: %w", err)
	}
	sched, err := compileSchedule(opts.Schedule)
	if err != nil {
		return nil, fmt.Errorf("map checks: %w", err)
	}
	names := newVariableNames(opts.Variables)
	out := make([]Test, 0, len(checks))
	// Checks a chain links become one multistep test, at the place of
	// its first step (see multistep.go).
	groups, member := chainGroups(checks)
	// build maps one check to its HTTP test, dynamic values as local
	// variables; a chain's steps are built the same way.
	build := func(c generator.Check) (Test, error) {
		return mapDynamic(c, func(c generator.Check) (Test, error) {
			m := &mapper{c: c, base: base, opts: opts, names: names, schedule: sched.forCheck(c)}
			return m.test()
		})
	}
	for _, c := range checks {
		if k, ok := member[c.ID]; ok {
			g := groups[k]
			if first(g) != c.ID {
				continue
			}
			for i, part := range g.parts {
				t, err := mapChain(part, build, opts)
				if err != nil {
					return nil, fmt.Errorf("map chain %s %s: %w", c.Method, c.Path, err)
				}
				if i == 0 {
					t.Notes = append(t.Notes, g.notes()...)
				}
				t.Notes = append(t.Notes, leaks(part.steps)...)
				out = append(out, t)
			}
			continue
		}
		t, err := build(c)
		if err != nil {
			return nil, fmt.Errorf("map %s %s: %w", c.Method, c.Path, err)
		}
		t.Notes = append(t.Notes, leaks([]generator.Check{c})...)
		out = append(out, t)
	}
	return out, nil
}

// leaks says, for each create among steps whose delete is not a later
// step, that every scheduled run leaves a resource behind: Datadog runs
// the test every few minutes, forever (the delete is missing from the
// spec, or filtered out).
func leaks(steps []generator.Check) []string {
	deleted := map[string]bool{}
	for _, c := range steps {
		if c.Chain != nil && c.Chain.Role == generator.RoleDelete {
			deleted[c.Chain.Group] = true
		}
	}
	var notes []string
	for _, c := range steps {
		if c.Chain != nil && c.Chain.Role == generator.RoleCreate && !deleted[c.ID] {
			notes = append(notes, fmt.Sprintf("%s %s creates a resource no step deletes: every run leaves one behind", c.Method, c.Path))
		}
	}
	return notes
}

// Export writes the payloads of tests as one indented JSON array. The
// global variables a test refers to are declared among its config
// variables by name, without the id only the account knows: whoever
// creates the test from the file sets it (publish does, from the
// account's list of global variables).
func Export(w io.Writer, tests []Test) error {
	out := make([]Test, len(tests))
	for i, t := range tests {
		out[i] = declareGlobals(t, nil)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("export tests: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("export tests: %w", err)
	}
	return nil
}

func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("a base URL is required")
	}
	u, err := generator.ParseBaseURL(s)
	if err != nil {
		return nil, err
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL %q: credentials in the URL would be stored in every test; use auth in smoke.yaml", s)
	}
	return u, nil
}

// TestName is the name of a check's test.
func TestName(service string, c generator.Check) string {
	return fmt.Sprintf("[%s] %s %s", service, strings.ToUpper(c.Method), c.Path)
}

// mapper builds the test of one check, collecting the global variables
// and secret values it refers to. Each part of the payload has its own
// method, so a new kind of request value (dynamic values, steps of a
// multistep test) is one more method, not a longer function.
type mapper struct {
	c        generator.Check
	base     *url.URL
	opts     Options
	names    *variableNames
	schedule Schedule

	vars    map[string]string // Datadog name -> env
	secrets []secret
	notes   []string
}

func (m *mapper) test() (Test, error) {
	req, err := m.request()
	if err != nil {
		return Test{}, err
	}
	asserts, notes := assertions(m.c, m.opts)
	m.notes = append(m.notes, notes...)
	cfg := datadogV1.SyntheticsAPITestConfig{}
	cfg.SetRequest(req)
	cfg.SetAssertions(asserts)

	name := TestName(m.opts.Service, m.c)
	opts := m.options()
	if needsHTTP1(req) {
		// A single test's HTTP version is an option
		// (terraform-provider-datadog reads options_list.http_version).
		opts.SetHttpVersion(datadogV1.SYNTHETICSTESTOPTIONSHTTPVERSION_HTTP1)
	}
	api := *datadogV1.NewSyntheticsAPITest(cfg, m.locations(), m.message(), name, opts, datadogV1.SYNTHETICSAPITESTTYPE_API)
	api.SetSubtype(datadogV1.SYNTHETICSTESTDETAILSSUBTYPE_HTTP)
	api.SetStatus(m.status())
	api.SetTags(m.tags())

	t := Test{CheckID: m.c.ID, Name: name, Variables: m.variables(), Notes: m.notes, api: api}
	if err := m.checkNoSecret(t); err != nil {
		return Test{}, err
	}
	return t, nil
}

// request builds the request: URL, method, timeout, headers, cookies,
// credentials and body. Redirects are not followed: a single-step test
// says so in its options only (request.follow_redirects is for the
// steps of a multistep test, as terraform-provider-datadog sends it).
func (m *mapper) request() (datadogV1.SyntheticsTestRequest, error) {
	req := datadogV1.SyntheticsTestRequest{}
	req.SetMethod(strings.ToUpper(m.c.Method))
	u, err := m.url()
	if err != nil {
		return req, err
	}
	req.SetUrl(u)
	req.SetTimeout(orDuration(m.opts.Timeout, DefaultTimeout).Seconds())
	headers, err := m.headers(&req)
	if err != nil {
		return req, err
	}
	if err := m.body(&req, headers); err != nil {
		return req, err
	}
	if len(headers) > 0 {
		req.SetHeaders(headers)
	}
	return req, nil
}

// needsHTTP1 reports whether req carries a payload (a body, form fields
// or files) with a method whose body Datadog sends only over HTTP/1.1:
// terraform-provider-datadog leaves the body of a GET, HEAD or DELETE
// out ("`request_definition.body` is not valid for %s requests. It will
// be ignored.") unless the HTTP version is http1 (#2492). A DELETE that
// documents a body (GitHub's DELETE /user/emails, Gitea's DELETE of a
// file's contents) is then sent with it.
func needsHTTP1(req datadogV1.SyntheticsTestRequest) bool {
	switch strings.ToUpper(req.GetMethod()) {
	case "GET", "HEAD", "DELETE":
		return req.GetBody() != "" || len(req.GetForm()) > 0 || len(req.GetFiles()) > 0
	}
	return false
}

// headers maps the check's headers and cookies; HTTP basic credentials
// go to the request's basicAuth.
func (m *mapper) headers(req *datadogV1.SyntheticsTestRequest) (map[string]string, error) {
	headers := map[string]string{}
	for _, h := range m.c.Request.Headers {
		if h.IsSecret() && strings.EqualFold(h.Name, "Authorization") && strings.HasPrefix(h.Value, "Basic ") {
			ba, err := m.basicAuth(h)
			if err != nil {
				return nil, err
			}
			req.SetBasicAuth(ba)
			continue
		}
		v, err := m.value(h)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", h.Name, err)
		}
		headers[h.Name] = v
	}
	if len(m.c.Request.Cookies) > 0 {
		parts := make([]string, 0, len(m.c.Request.Cookies))
		for _, ck := range m.c.Request.Cookies {
			v, err := m.value(ck)
			if err != nil {
				return nil, fmt.Errorf("cookie %s: %w", ck.Name, err)
			}
			parts = append(parts, ck.Name+"="+v)
		}
		headers["Cookie"] = strings.Join(parts, "; ")
	}
	return headers, nil
}

// options are the test's scheduling, retry and alerting options.
func (m *mapper) options() datadogV1.SyntheticsTestOptions {
	o := datadogV1.SyntheticsTestOptions{}
	o.SetTickEvery(int64(m.tickEvery() / time.Second))
	o.SetFollowRedirects(false)
	o.SetMinFailureDuration(int64(m.opts.MinFailureDuration / time.Second))
	o.SetMinLocationFailed(int64(max(m.opts.MinLocationFailed, 1)))
	retry := datadogV1.SyntheticsTestOptionsRetry{}
	retry.SetCount(int64(max(m.opts.Retries, 0)))
	retry.SetInterval(float64(orDuration(m.opts.RetryInterval, DefaultRetryInterval) / time.Millisecond))
	o.SetRetry(retry)
	mo := datadogV1.SyntheticsTestOptionsMonitorOptions{}
	mo.SetRenotifyInterval(int64(m.opts.RenotifyInterval / time.Minute))
	o.SetMonitorOptions(mo)
	return o
}

func (m *mapper) tickEvery() time.Duration {
	if m.schedule.TickEvery > 0 {
		return m.schedule.TickEvery
	}
	return orDuration(m.opts.TickEvery, DefaultTickEvery)
}

func (m *mapper) status() datadogV1.SyntheticsTestPauseStatus {
	if m.opts.Paused || m.schedule.CIOnly {
		return datadogV1.SYNTHETICSTESTPAUSESTATUS_PAUSED
	}
	return datadogV1.SYNTHETICSTESTPAUSESTATUS_LIVE
}

func (m *mapper) locations() []string {
	if len(m.opts.Locations) == 0 {
		return []string{DefaultLocation}
	}
	return sortedUnique(m.opts.Locations)
}

// tags are the identity tags, then the user's, all as Datadog stores
// them.
func (m *mapper) tags() []string {
	return append(IdentityTags(m.opts.Service, m.c.ID), userTags(m.opts.Tags)...)
}

func (m *mapper) message() string {
	if m.opts.Message != "" {
		return m.opts.Message
	}
	what := strings.ToUpper(m.c.Method) + " " + m.c.Path
	if m.c.OperationID != "" {
		what += " (" + m.c.OperationID + ")"
	}
	return fmt.Sprintf("smoke check %s of service %s failed.", what, m.opts.Service)
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func sortedUnique(in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// secret is a secret value and the text of its template around the
// variables ("Bearer "), which is no secret.
type secret struct {
	value, literal string
}

func (m *mapper) addSecret(p generator.Param) {
	m.secrets = append(m.secrets, secret{value: p.Value, literal: envRef.ReplaceAllString(p.Template, "\x00")})
}

// ref returns the {{ NAME }} reference to the global variable holding
// env.
func (m *mapper) ref(env string) (string, error) {
	n, err := m.names.name(env)
	if err != nil {
		return "", err
	}
	if m.vars == nil {
		m.vars = map[string]string{}
	}
	m.vars[n] = env
	return "{{ " + n + " }}", nil
}

// render replaces the ${VAR}s of a template with references.
func (m *mapper) render(tmpl string) (string, error) {
	var err error
	out := envRef.ReplaceAllStringFunc(tmpl, func(s string) string {
		r, e := m.ref(s[2 : len(s)-1])
		if e != nil && err == nil {
			err = e
		}
		return r
	})
	return out, err
}

func (m *mapper) variables() []Variable {
	out := make([]Variable, 0, len(m.vars))
	for n, e := range m.vars {
		out = append(out, Variable{Name: n, Env: e})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(out) == 0 {
		return nil
	}
	return out
}

// value renders a request value; a secret becomes a reference to a
// global variable, never its value.
func (m *mapper) value(p generator.Param) (string, error) {
	if !p.IsSecret() {
		return p.Value, nil
	}
	m.addSecret(p)
	switch {
	case p.Template != "" && envRef.MatchString(p.Template):
		return m.render(p.Template)
	case p.Env != "":
		return m.ref(p.Env)
	}
	return "", fmt.Errorf("%w: %s has no ${ENV} reference (put it in an environment variable)", ErrSecret, p.Name)
}

// basicAuth maps an HTTP basic credential whose parts are ${VAR}
// references to Datadog's basicAuth with variables.
func (m *mapper) basicAuth(p generator.Param) (datadogV1.SyntheticsBasicAuth, error) {
	m.addSecret(p)
	if p.Basic == nil || !envRef.MatchString(p.Basic.Username) || !envRef.MatchString(p.Basic.Password) {
		return datadogV1.SyntheticsBasicAuth{}, fmt.Errorf("%w: basic credentials need ${VAR} references for username and password", ErrSecret)
	}
	u, err := m.render(p.Basic.Username)
	if err != nil {
		return datadogV1.SyntheticsBasicAuth{}, err
	}
	pw, err := m.render(p.Basic.Password)
	if err != nil {
		return datadogV1.SyntheticsBasicAuth{}, err
	}
	web := datadogV1.NewSyntheticsBasicAuthWeb()
	web.SetUsername(u)
	web.SetPassword(pw)
	return datadogV1.SyntheticsBasicAuthWebAsSyntheticsBasicAuth(web), nil
}

// checkNoSecret is the last line of defence: no secret value may appear
// anywhere in the payload.
func (m *mapper) checkNoSecret(t Test) error {
	if len(m.secrets) == 0 {
		return nil
	}
	b, err := json.Marshal(t.api)
	if err != nil {
		return err
	}
	for _, s := range m.secrets {
		for _, form := range []string{s.value, url.QueryEscape(s.value), strings.TrimPrefix(s.value, "Bearer ")} {
			// The template's own text ("Bearer " with the variable unset)
			// is no secret.
			if len(form) >= 4 && !strings.Contains(s.literal, form) && bytes.Contains(b, []byte(form)) {
				return fmt.Errorf("%w: a secret value would be inlined in the test", ErrSecret)
			}
		}
	}
	return nil
}

// url builds the test's URL, rebuilding the query so that secret query
// parameters become variable references.
func (m *mapper) url() (string, error) {
	r := m.c.Request
	path, query, _ := strings.Cut(r.URL, "?")
	hasSecret := false
	for _, q := range r.Query {
		hasSecret = hasSecret || q.IsSecret()
	}
	if hasSecret {
		parts := make([]string, 0, len(r.Query))
		for _, q := range r.Query {
			v, err := m.value(q)
			if err != nil {
				return "", fmt.Errorf("query %s: %w", q.Name, err)
			}
			if !q.IsSecret() {
				v = url.QueryEscape(v)
			}
			parts = append(parts, url.QueryEscape(q.Name)+"="+v)
		}
		query = strings.Join(parts, "&")
	}
	return joinURL(m.base, path, query), nil
}

// joinURL joins the base URL, a check's path and its query by
// generator's rule, keeping Datadog's {{ VAR }} references raw (JoinURL
// would escape them).
func joinURL(base *url.URL, path, query string) string {
	u := (&url.URL{Scheme: base.Scheme, Host: base.Host}).String() + generator.JoinPath(base.EscapedPath(), path)
	if query != "" {
		u += "?" + query
	}
	return u
}
