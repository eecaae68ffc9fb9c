package synthetics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"

	"github.com/smoke-dev/smoke/generator"
)

// Identity tags. Only tests carrying TagManagedBy and the service's
// TagService are ever updated or deleted; TagCheck matches a test to its
// check.
const (
	TagManagedBy = "managed-by:smoke"
	tagService   = "smoke-service:"
	tagCheck     = "smoke-check:"
)

// DefaultLocation is where tests run when Options.Locations is empty.
const DefaultLocation = "aws:us-east-1"

// Options says how checks become Synthetics tests. The zero value is
// usable once Service and BaseURL are set.
type Options struct {
	// Service names the service: in test names, and in the
	// smoke-service tag that scopes every sync.
	Service string
	// BaseURL is joined with each check's relative URL, keeping the base
	// URL's path prefix.
	BaseURL string
	// Locations run the tests; default DefaultLocation.
	Locations []string
	// TickEvery is how often each test runs; default 5 minutes. Datadog
	// accepts 30 s to 7 days.
	TickEvery time.Duration
	// Timeout is the request timeout of each test; default 30 s.
	Timeout time.Duration
	// MaxResponseTime adds a response-time assertion when positive.
	MaxResponseTime time.Duration
	// Retries is how many times Datadog retries a failed run before
	// alerting; RetryInterval the pause between (default 300 ms).
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
	// Tags are added to the identity tags. Datadog lowercases tags, so
	// smoke does too.
	Tags []string
	// Paused publishes the tests paused instead of live.
	Paused bool
	// Variables maps an environment variable named in a secret (its Env
	// or a ${VAR} of its Template) to the Datadog global variable that
	// holds it. Unmapped variables keep their name, upper-cased.
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

// ErrSecret means a secret could not be referred to through a global
// variable; smoke never inlines it instead.
var ErrSecret = errors.New("secret cannot be mapped to a Datadog global variable")

// Map turns checks into Synthetics API tests, in the order of checks.
func Map(checks []generator.Check, opts Options) ([]Test, error) {
	if strings.TrimSpace(opts.Service) == "" {
		return nil, errors.New("map checks: a service name is required")
	}
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("map checks: %w", err)
	}
	if opts.TickEvery != 0 && (opts.TickEvery < 30*time.Second || opts.TickEvery > 7*24*time.Hour) {
		return nil, fmt.Errorf("map checks: tick every %s is outside Datadog's 30s to 168h", opts.TickEvery)
	}
	out := make([]Test, 0, len(checks))
	// Checks a chain links become one multistep test, at the place of
	// its first step (see multistep.go).
	chs, member := chains(checks)
	for _, c := range checks {
		if k, ok := member[c.ID]; ok {
			if chs[k].steps[0].ID != c.ID {
				continue
			}
			t, err := mapChain(chs[k], base, opts)
			if err != nil {
				return nil, fmt.Errorf("map chain %s %s: %w", c.Method, c.Path, err)
			}
			out = append(out, t)
			continue
		}
		t, err := mapCheck(c, base, opts)
		if err != nil {
			return nil, fmt.Errorf("map %s %s: %w", c.Method, c.Path, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// Export writes the payloads of tests as one indented JSON array.
func Export(w io.Writer, tests []Test) error {
	if tests == nil {
		tests = []Test{}
	}
	b, err := json.MarshalIndent(tests, "", "  ")
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
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: want an absolute http or https URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q: must not have a query or fragment", s)
	}
	return u, nil
}

// IdentityTags returns the tags that tie a test to smoke, a service and a
// check.
func IdentityTags(service, checkID string) []string {
	return []string{TagManagedBy, tagService + tagValue(service), tagCheck + tagValue(checkID)}
}

// tagValue normalises a tag value the way Datadog stores it.
func tagValue(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

func mapCheck(c generator.Check, base *url.URL, opts Options) (Test, error) {
	m := &mapper{opts: opts}
	name := fmt.Sprintf("[%s] %s %s", opts.Service, strings.ToUpper(c.Method), c.Path)

	req := datadogV1.SyntheticsTestRequest{}
	req.SetMethod(strings.ToUpper(c.Method))
	u, err := m.url(base, c.Request)
	if err != nil {
		return Test{}, err
	}
	req.SetUrl(u)
	req.SetFollowRedirects(false)
	req.SetTimeout(orDuration(opts.Timeout, 30*time.Second).Seconds())

	headers := map[string]string{}
	for _, h := range c.Request.Headers {
		if h.Secret && strings.EqualFold(h.Name, "Authorization") && strings.HasPrefix(h.Value, "Basic ") {
			ba, err := m.basicAuth(h)
			if err != nil {
				return Test{}, err
			}
			req.SetBasicAuth(ba)
			continue
		}
		v, err := m.value(h)
		if err != nil {
			return Test{}, fmt.Errorf("header %s: %w", h.Name, err)
		}
		headers[h.Name] = v
	}
	if len(c.Request.Cookies) > 0 {
		parts := make([]string, 0, len(c.Request.Cookies))
		for _, ck := range c.Request.Cookies {
			v, err := m.value(ck)
			if err != nil {
				return Test{}, fmt.Errorf("cookie %s: %w", ck.Name, err)
			}
			parts = append(parts, ck.Name+"="+v)
		}
		headers["Cookie"] = strings.Join(parts, "; ")
	}
	if b := c.Request.Body; b != nil {
		req.SetBody(b.Text)
		if b.ContentType != "" {
			headers["Content-Type"] = b.ContentType
			if bt, ok := bodyType(b.ContentType); ok {
				req.SetBodyType(bt)
			}
		}
	}
	if len(headers) > 0 {
		req.SetHeaders(headers)
	}

	cfg := datadogV1.SyntheticsAPITestConfig{}
	cfg.SetRequest(req)
	cfg.SetAssertions(assertions(c, opts))

	o := datadogV1.SyntheticsTestOptions{}
	o.SetTickEvery(int64(orDuration(opts.TickEvery, 5*time.Minute) / time.Second))
	o.SetFollowRedirects(false)
	o.SetMinFailureDuration(int64(opts.MinFailureDuration / time.Second))
	o.SetMinLocationFailed(int64(max(opts.MinLocationFailed, 1)))
	retry := datadogV1.SyntheticsTestOptionsRetry{}
	retry.SetCount(int64(max(opts.Retries, 0)))
	retry.SetInterval(float64(orDuration(opts.RetryInterval, 300*time.Millisecond) / time.Millisecond))
	o.SetRetry(retry)
	mo := datadogV1.SyntheticsTestOptionsMonitorOptions{}
	mo.SetRenotifyInterval(int64(opts.RenotifyInterval / time.Minute))
	o.SetMonitorOptions(mo)

	locs := opts.Locations
	if len(locs) == 0 {
		locs = []string{DefaultLocation}
	}
	locs = sortedUnique(locs)

	tags := IdentityTags(opts.Service, c.ID)
	for _, t := range opts.Tags {
		t = tagValue(t)
		if t == "" || strings.HasPrefix(t, tagService) || strings.HasPrefix(t, tagCheck) || t == TagManagedBy {
			continue
		}
		tags = append(tags, t)
	}
	tags = append(tags[:3], sortedUnique(tags[3:])...)

	msg := opts.Message
	if msg == "" {
		msg = fmt.Sprintf("smoke check %s %s of service %s failed.", strings.ToUpper(c.Method), c.Path, opts.Service)
		if c.OperationID != "" {
			msg = fmt.Sprintf("smoke check %s %s (%s) of service %s failed.", strings.ToUpper(c.Method), c.Path, c.OperationID, opts.Service)
		}
	}

	api := *datadogV1.NewSyntheticsAPITest(cfg, locs, msg, name, o, datadogV1.SYNTHETICSAPITESTTYPE_API)
	api.SetSubtype(datadogV1.SYNTHETICSTESTDETAILSSUBTYPE_HTTP)
	status := datadogV1.SYNTHETICSTESTPAUSESTATUS_LIVE
	if opts.Paused {
		status = datadogV1.SYNTHETICSTESTPAUSESTATUS_PAUSED
	}
	api.SetStatus(status)
	api.SetTags(tags)

	t := Test{CheckID: c.ID, Name: name, Variables: m.variables(), api: api}
	if err := m.checkNoSecret(t); err != nil {
		return Test{}, err
	}
	return t, nil
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

// mapper collects the global variables and secret values of one check.
type mapper struct {
	opts    Options
	vars    map[string]string // Datadog name -> env
	secrets []string
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// varName is the Datadog global variable name for an environment
// variable: upper case letters, digits and underscores.
func (m *mapper) varName(env string) string {
	if n, ok := m.opts.Variables[env]; ok && n != "" {
		env = n
	}
	return strings.ToUpper(env)
}

func (m *mapper) ref(env string) string {
	if m.vars == nil {
		m.vars = map[string]string{}
	}
	n := m.varName(env)
	m.vars[n] = env
	return "{{ " + n + " }}"
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
	if !p.Secret {
		return p.Value, nil
	}
	m.secrets = append(m.secrets, p.Value)
	switch {
	case p.Template != "" && envRef.MatchString(p.Template):
		return envRef.ReplaceAllStringFunc(p.Template, func(s string) string {
			return m.ref(s[2 : len(s)-1])
		}), nil
	case p.Env != "":
		return m.ref(p.Env), nil
	}
	return "", fmt.Errorf("%w: %s has no ${ENV} reference (put it in an environment variable)", ErrSecret, p.Name)
}

// basicAuth maps an HTTP basic credential whose parts are ${VAR}
// references to Datadog's basicAuth with variables.
func (m *mapper) basicAuth(p generator.Param) (datadogV1.SyntheticsBasicAuth, error) {
	m.secrets = append(m.secrets, p.Value)
	if p.Basic == nil || !envRef.MatchString(p.Basic.Username) || !envRef.MatchString(p.Basic.Password) {
		return datadogV1.SyntheticsBasicAuth{}, fmt.Errorf("%w: basic credentials need ${VAR} references for username and password", ErrSecret)
	}
	render := func(s string) string {
		return envRef.ReplaceAllStringFunc(s, func(r string) string { return m.ref(r[2 : len(r)-1]) })
	}
	web := datadogV1.NewSyntheticsBasicAuthWeb()
	web.SetUsername(render(p.Basic.Username))
	web.SetPassword(render(p.Basic.Password))
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
		for _, form := range []string{s, url.QueryEscape(s), strings.TrimPrefix(s, "Bearer ")} {
			if len(form) >= 4 && bytes.Contains(b, []byte(form)) {
				return fmt.Errorf("%w: a secret value would be inlined in the test", ErrSecret)
			}
		}
	}
	return nil
}

// url joins the base URL and the check's relative URL, rebuilding the
// query so that secret query parameters become variable references.
func (m *mapper) url(base *url.URL, r generator.Request) (string, error) {
	path, query, _ := strings.Cut(r.URL, "?")
	hasSecret := false
	for _, q := range r.Query {
		hasSecret = hasSecret || q.Secret
	}
	if hasSecret {
		parts := make([]string, 0, len(r.Query))
		for _, q := range r.Query {
			v, err := m.value(q)
			if err != nil {
				return "", fmt.Errorf("query %s: %w", q.Name, err)
			}
			if !q.Secret {
				v = url.QueryEscape(v)
			}
			parts = append(parts, url.QueryEscape(q.Name)+"="+v)
		}
		query = strings.Join(parts, "&")
	}
	u := strings.TrimSuffix(base.String(), "/") + "/" + strings.TrimPrefix(path, "/")
	if query != "" {
		u += "?" + query
	}
	return u, nil
}

var bodyTypes = map[string]datadogV1.SyntheticsTestRequestBodyType{
	"text/plain":                        datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_PLAIN,
	"application/json":                  datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_APPLICATION_JSON,
	"text/xml":                          datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_XML,
	"text/html":                         datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_HTML,
	"application/x-www-form-urlencoded": datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_APPLICATION_X_WWW_FORM_URLENCODED,
	"application/octet-stream":          datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_APPLICATION_OCTET_STREAM,
}

// bodyType maps a content type to Datadog's body types. Multipart bodies
// carry their boundary in the Content-Type header and have no body type.
func bodyType(ct string) (datadogV1.SyntheticsTestRequestBodyType, bool) {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", false
	}
	if bt, ok := bodyTypes[mt]; ok {
		return bt, true
	}
	if strings.HasSuffix(mt, "+json") {
		return datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_APPLICATION_JSON, true
	}
	return "", false
}

// assertions maps the documented expectations: status code, content type,
// response time and the response schema.
func assertions(c generator.Check, opts Options) []datadogV1.SyntheticsAssertion {
	var out []datadogV1.SyntheticsAssertion
	out = append(out, statusAssertion(c.Expect))
	if ct, ok := contentType(c.Expect); ok {
		a := datadogV1.NewSyntheticsAssertionTarget(datadogV1.SYNTHETICSASSERTIONOPERATOR_CONTAINS,
			stringTarget(ct), datadogV1.SYNTHETICSASSERTIONTYPE_HEADER)
		a.SetProperty("content-type")
		out = append(out, datadogV1.SyntheticsAssertionTargetAsSyntheticsAssertion(a))
	}
	if opts.MaxResponseTime > 0 {
		ms := float64(opts.MaxResponseTime / time.Millisecond)
		a := datadogV1.NewSyntheticsAssertionTarget(datadogV1.SYNTHETICSASSERTIONOPERATOR_LESS_THAN,
			datadogV1.SyntheticsAssertionTargetValueNumberAsSyntheticsAssertionTargetValue(&ms),
			datadogV1.SYNTHETICSASSERTIONTYPE_RESPONSE_TIME)
		out = append(out, datadogV1.SyntheticsAssertionTargetAsSyntheticsAssertion(a))
	}
	if s, ok := responseSchema(c.Expect); ok {
		tt := datadogV1.SyntheticsAssertionJSONSchemaTargetTarget{}
		tt.SetJsonSchema(s)
		tt.SetMetaSchema(datadogV1.SYNTHETICSASSERTIONJSONSCHEMAMETASCHEMA_DRAFT_07)
		a := datadogV1.NewSyntheticsAssertionJSONSchemaTarget(datadogV1.SYNTHETICSASSERTIONJSONSCHEMAOPERATOR_VALIDATES_JSON_SCHEMA,
			datadogV1.SYNTHETICSASSERTIONTYPE_BODY)
		a.SetTarget(tt)
		out = append(out, datadogV1.SyntheticsAssertionJSONSchemaTargetAsSyntheticsAssertion(a))
	}
	return out
}

func stringTarget(s string) datadogV1.SyntheticsAssertionTargetValue {
	return datadogV1.SyntheticsAssertionTargetValueStringAsSyntheticsAssertionTargetValue(&s)
}

// statusAssertion accepts the documented statuses. A 5xx always fails a
// monitor, documented or not; "default" documents every other status.
func statusAssertion(e generator.Expect) datadogV1.SyntheticsAssertion {
	var exact []int
	var ranges []string
	hasDefault := false
	for _, s := range e.Status {
		switch k := strings.ToUpper(s); {
		case k == "DEFAULT":
			hasDefault = true
		case len(k) == 3 && strings.HasSuffix(k, "XX") && k[0] >= '1' && k[0] <= '4':
			ranges = append(ranges, k[:1])
		default:
			if n, err := strconv.Atoi(k); err == nil && n >= 100 && n < 500 {
				exact = append(exact, n)
			}
		}
	}
	mk := func(op datadogV1.SyntheticsAssertionOperator, target datadogV1.SyntheticsAssertionTargetValue) datadogV1.SyntheticsAssertion {
		return datadogV1.SyntheticsAssertionTargetAsSyntheticsAssertion(
			datadogV1.NewSyntheticsAssertionTarget(op, target, datadogV1.SYNTHETICSASSERTIONTYPE_STATUS_CODE))
	}
	switch {
	case hasDefault || (len(exact) == 0 && len(ranges) == 0):
		return mk(datadogV1.SYNTHETICSASSERTIONOPERATOR_DOES_NOT_MATCH, stringTarget(`^5\d\d$`))
	case len(exact) == 1 && len(ranges) == 0:
		n := float64(exact[0])
		return mk(datadogV1.SYNTHETICSASSERTIONOPERATOR_IS, datadogV1.SyntheticsAssertionTargetValueNumberAsSyntheticsAssertionTargetValue(&n))
	}
	sort.Ints(exact)
	sort.Strings(ranges)
	alts := make([]string, 0, len(exact)+len(ranges))
	for _, n := range exact {
		alts = append(alts, strconv.Itoa(n))
	}
	for _, r := range ranges {
		alts = append(alts, r+`\d\d`)
	}
	return mk(datadogV1.SYNTHETICSASSERTIONOPERATOR_MATCHES, stringTarget("^("+strings.Join(alts, "|")+")$"))
}

// contentType returns the one media type every documented response with
// content shares, if there is one.
func contentType(e generator.Expect) (string, bool) {
	seen := ""
	for _, r := range e.Responses {
		if isServerError(r.Status) {
			continue
		}
		if len(r.Content) == 0 {
			// A response without a body (204, a bare 404) has no
			// content type to assert.
			return "", false
		}
		for _, c := range r.Content {
			mt, _, err := mime.ParseMediaType(c.MediaType)
			if err != nil || strings.Contains(mt, "*") {
				return "", false
			}
			if seen != "" && seen != mt {
				return "", false
			}
			seen = mt
		}
	}
	return seen, seen != ""
}

func isServerError(status string) bool {
	return strings.HasPrefix(status, "5")
}
