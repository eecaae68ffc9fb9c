package ddemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// maxBody bounds the response body RunRequest reads.
const maxBody = 4 << 20

// RunRequest is the default Outcome: it sends the test's request when its
// URL is on loopback, as a Datadog location would, and evaluates the
// status code, header, response time and JSON Schema (draft-07/06, with
// an independent validator) assertions: "passed" or "failed". A test
// whose URL is not on loopback passes without being sent: the emulator
// never leaves the machine.
func RunRequest(t StoredTest) string {
	outcome, _ := Run(t)
	return outcome
}

// Run is RunRequest that also says why a run failed. A multistep test
// (subtype multi) runs its steps in order (see multistep.go). The test's
// config variables of type text are rendered from their patterns once
// for the run, as a Datadog location does (see patterns.go), and
// substituted wherever the request refers to them.
func Run(t StoredTest) (outcome, reason string) {
	return runTest(t, newRunEnv(t))
}

// newRunEnv is the environment of one run of t: now, and a result id.
func newRunEnv(t StoredTest) *patternEnv {
	env := &patternEnv{now: time.Now().UTC(), publicID: t.PublicID}
	env.resultID = strconv.FormatInt(env.now.UnixNano(), 10)
	return env
}

func runTest(t StoredTest, env *patternEnv) (outcome, reason string) {
	var kind struct {
		Subtype string `json:"subtype"`
	}
	if json.Unmarshal(t.JSON, &kind) == nil && kind.Subtype == "multi" {
		return runSteps(t.JSON, env)
	}
	var test struct {
		Config struct {
			Request         request          `json:"request"`
			Assertions      []assertion      `json:"assertions"`
			ConfigVariables []configVariable `json:"configVariables"`
		} `json:"config"`
	}
	if err := json.Unmarshal(t.JSON, &test); err != nil {
		return "failed", err.Error()
	}
	vars, err := localValues(test.Config.ConfigVariables, env)
	if err != nil {
		return "failed", err.Error()
	}
	req, err := test.Config.Request.build(vars, env)
	if err != nil {
		return "failed", err.Error()
	}
	if !onLoopback(req.URL) {
		return "passed", ""
	}
	ex, err := send(req, test.Config.Request.Timeout)
	if err != nil {
		return "failed", err.Error()
	}
	if why := check(test.Config.Assertions, ex, req.Method+" "+req.URL.String()); why != "" {
		return "failed", why
	}
	return "passed", ""
}

// request is the request of a test or of one of its steps.
type request struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	// Query is added to the URL's query.
	Query     map[string]any `json:"query"`
	Body      string         `json:"body"`
	BasicAuth *struct {
		Type     string `json:"type"`
		Username string `json:"username"`
		Password string `json:"password"`
	} `json:"basicAuth"`
	Timeout float64 `json:"timeout"` // seconds; 10 when unset
}

// build makes the HTTP request r describes, with the variables of the
// run substituted in its URL, query, headers, body and credentials.
func (r request) build(vars map[string]string, env *patternEnv) (*http.Request, error) {
	var firstErr error
	sub := func(s string) string {
		out, err := substitute(s, vars, env)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return out
	}
	u, err := url.Parse(sub(r.URL))
	if err != nil {
		return nil, err
	}
	if len(r.Query) > 0 {
		q := u.Query()
		for k, v := range r.Query {
			q.Set(k, sub(fmt.Sprint(v)))
		}
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequest(r.Method, u.String(), strings.NewReader(sub(r.Body)))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Headers {
		req.Header.Set(k, sub(v))
	}
	if a := r.BasicAuth; a != nil {
		if a.Type != "" && a.Type != "web" {
			return nil, fmt.Errorf("basicAuth of type %q is not emulated", a.Type)
		}
		req.SetBasicAuth(sub(a.Username), sub(a.Password))
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return req, nil
}

// assertion is one of a test's or a step's assertions.
type assertion struct {
	Type     string `json:"type"`
	Operator string `json:"operator"`
	Property string `json:"property"`
	Target   any    `json:"target"`
}

// exchange is an answer as the assertions see it.
type exchange struct {
	resp    *http.Response // its body already read and closed
	body    []byte         // at most maxBody bytes
	elapsed time.Duration  // from sending to the end of the body
}

// onLoopback reports whether u names this machine: the emulator sends
// nothing anywhere else.
func onLoopback(u *url.URL) bool {
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
}

// send sends req as a Datadog location does: no redirect followed, and
// the test's timeout in seconds (10 when unset). It reads at most maxBody
// bytes of the answer.
func send(req *http.Request, timeoutSeconds float64) (exchange, error) {
	timeout := time.Duration(timeoutSeconds * float64(time.Second))
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	client := &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return exchange{}, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return exchange{}, err
	}
	return exchange{resp: resp, body: b, elapsed: time.Since(start)}, nil
}

// check evaluates assertions against ex; it returns why the first that
// does not hold fails, naming the request as what, or "".
func check(as []assertion, ex exchange, what string) string {
	for _, a := range as {
		var actual string
		switch a.Type {
		case "statusCode":
			actual = strconv.Itoa(ex.resp.StatusCode)
		case "header":
			actual = ex.resp.Header.Get(a.Property)
		case "responseTime":
			actual = strconv.FormatInt(ex.elapsed.Milliseconds(), 10)
		case "body":
			if a.Operator != "validatesJSONSchema" {
				continue
			}
			if err := validateSchema(a.Target, ex.body); err != nil {
				return fmt.Sprintf("%s: body does not validate: %v", what, err)
			}
			continue
		default:
			continue
		}
		if !holds(a.Operator, actual, a.Target) {
			return fmt.Sprintf("%s: %s %s %v, got %q", what, a.Type, a.Operator, a.Target, actual)
		}
	}
	return ""
}

// validateSchema validates body against the jsonSchema of a
// validatesJSONSchema target.
func validateSchema(target any, body []byte) error {
	m, _ := target.(map[string]any)
	src, _ := m["jsonSchema"].(string)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return sch.Validate(v)
}

func holds(op, actual string, target any) bool {
	want := ""
	switch v := target.(type) {
	case string:
		want = v
	case float64:
		want = strconv.FormatFloat(v, 'f', -1, 64)
	}
	switch op {
	case "is":
		return actual == want
	case "isNot":
		return actual != want
	case "contains":
		return strings.Contains(actual, want)
	case "doesNotContain":
		return !strings.Contains(actual, want)
	case "matches", "doesNotMatch":
		re, err := regexp.Compile(want)
		if err != nil {
			return false
		}
		return re.MatchString(actual) == (op == "matches")
	case "lessThan":
		a, err1 := strconv.ParseFloat(actual, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		return err1 == nil && err2 == nil && a < w
	}
	return true
}
