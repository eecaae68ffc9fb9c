package ddemu

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// RunRequest is the default Outcome: it sends the test's request when its
// URL is on loopback, as a Datadog location would, and evaluates the
// status code, header and response time assertions ("passed" or
// "failed"). A test whose URL is not on loopback passes without being
// sent: the emulator never leaves the machine. JSON schema assertions are
// not evaluated.
func RunRequest(t StoredTest) string {
	var test struct {
		Config struct {
			Request struct {
				Method  string            `json:"method"`
				URL     string            `json:"url"`
				Headers map[string]string `json:"headers"`
				Body    string            `json:"body"`
				Timeout float64           `json:"timeout"`
			} `json:"request"`
			Assertions []struct {
				Type     string `json:"type"`
				Operator string `json:"operator"`
				Property string `json:"property"`
				Target   any    `json:"target"`
			} `json:"assertions"`
		} `json:"config"`
	}
	if err := json.Unmarshal(t.JSON, &test); err != nil {
		return "failed"
	}
	r := test.Config.Request
	u, err := url.Parse(r.URL)
	if err != nil {
		return "failed"
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "passed"
	}
	req, err := http.NewRequest(r.Method, r.URL, strings.NewReader(r.Body))
	if err != nil {
		return "failed"
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	timeout := time.Duration(r.Timeout * float64(time.Second))
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
		return "failed"
	}
	resp.Body.Close()
	elapsed := time.Since(start)
	for _, a := range test.Config.Assertions {
		var actual string
		switch a.Type {
		case "statusCode":
			actual = strconv.Itoa(resp.StatusCode)
		case "header":
			actual = resp.Header.Get(a.Property)
		case "responseTime":
			actual = strconv.FormatInt(elapsed.Milliseconds(), 10)
		default:
			continue
		}
		if !holds(a.Operator, actual, a.Target) {
			return "failed"
		}
	}
	return "passed"
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
