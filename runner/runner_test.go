package runner

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
)

// hostileTimeout is the per-request timeout of tests whose server never
// finishes: short, so the suite stays quick, and the runner must end on
// its own.
const hostileTimeout = 300 * time.Millisecond

// okCheck documents one 200 JSON answer without schema.
func okCheck(id, method, url string) generator.Check {
	return generator.Check{
		ID: id, Method: method, Path: url, Safe: generator.IsSafe(method),
		Request: generator.Request{URL: url},
		Expect: generator.Expect{
			Status:    []string{"200"},
			Responses: []generator.Response{{Status: "200", Content: []generator.Content{{MediaType: "application/json"}}}},
		},
	}
}

func newRunner(t testing.TB, opts Options) *Runner {
	t.Helper()
	r, err := New(opts)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return r
}

func runOne(t *testing.T, opts Options, c generator.Check) Result {
	t.Helper()
	res, err := newRunner(t, opts).Run(t.Context(), []generator.Check{c})
	if err != nil && !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Run() error = %v", err)
	}
	return res[0]
}

func jsonHandler(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

func TestRunRequest(t *testing.T) {
	type seen struct {
		uri, ua, auth, env, cookie, ct, body string
	}
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.URL.RequestURI(), r.UserAgent(), r.Header.Get("Authorization"), r.Header.Get("X-Env"),
			r.Header.Get("Cookie"), r.Header.Get("Content-Type"), string(b)}
		jsonHandler(`{}`)(w, r)
	}))
	defer srv.Close()

	c := okCheck("c1", "POST", "/pets/1?limit=2&q=a%20b")
	c.Request.Headers = []generator.Param{{Name: "X-Env", Value: "from-spec"}, {Name: "Authorization", Value: "Bearer spec-token", Secret: true}}
	c.Request.Cookies = []generator.Param{{Name: "session", Value: "s1"}, {Name: "theme", Value: "dark"}}
	c.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"name":"Rex"}`}
	opts := Options{
		BaseURL: srv.URL + "/api/v2/",
		Headers: http.Header{"X-Env": {"staging"}},
	}
	res := runOne(t, opts, c)
	if res.Outcome != Passed {
		t.Fatalf("Run() outcome = %s %v, want passed", res.Outcome, res.Failures)
	}
	want := seen{"/api/v2/pets/1?limit=2&q=a%20b", "smoke", "Bearer spec-token", "staging", "session=s1; theme=dark", "application/json", `{"name":"Rex"}`}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(seen{})); diff != "" {
		t.Errorf("request mismatch (-want +got):\n%s", diff)
	}
	if wantURL := srv.URL + "/api/v2/pets/1?limit=2&q=a%20b"; res.URL != wantURL {
		t.Errorf("Result.URL = %q, want %q", res.URL, wantURL)
	}
}

func TestJoinURL(t *testing.T) {
	tests := []struct{ base, rel, want string }{
		{"http://h", "/pets", "http://h/pets"},
		{"http://h/", "/pets", "http://h/pets"},
		{"http://h/api/v2", "/pets/1?x=1", "http://h/api/v2/pets/1?x=1"},
		{"http://h/api/v2/", "pets", "http://h/api/v2/pets"},
		{"http://h/api", "//evil.example/x", "http://h/api//evil.example/x"},
		{"http://h", "/@evil.example/x", "http://h/@evil.example/x"},
		{"http://h", "/files/a%2Fb", "http://h/files/a%2Fb"},
		{"http://h", "/search?q=caf%C3%A9&tag=a&tag=b", "http://h/search?q=caf%C3%A9&tag=a&tag=b"},
	}
	for _, tt := range tests {
		base, err := parseBaseURL(tt.base)
		if err != nil {
			t.Fatal(err)
		}
		u, err := joinURL(base, tt.rel)
		if err != nil {
			t.Fatalf("joinURL(%q, %q) error = %v", tt.base, tt.rel, err)
		}
		if got := u.String(); got != tt.want || u.Host != "h" {
			t.Errorf("joinURL(%q, %q) = %q (host %q), want %q", tt.base, tt.rel, got, u.Host, tt.want)
		}
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{"/api/v2", "ftp://h", "http://", "http://h/?x=1", "::"} {
		if _, err := New(Options{BaseURL: base}); err == nil {
			t.Errorf("New(BaseURL: %q) = nil error, want error", base)
		}
	}
}

func TestRunOutcomes(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", jsonHandler(`{"a":1}`))
	mux.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database is down", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	checks := []generator.Check{okCheck("a", "GET", "/ok"), okCheck("b", "GET", "/boom"), okCheck("c", "DELETE", "/ok")}
	var calls []string
	r := newRunner(t, Options{BaseURL: srv.URL, Concurrency: 2, OnResult: func(res Result) {
		calls = append(calls, res.CheckID) // the race detector proves one goroutine
	}})
	results, err := r.Run(t.Context(), checks)
	if err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	var got []string
	for _, res := range results {
		got = append(got, fmt.Sprintf("%s %s %d", res.CheckID, res.Outcome, res.StatusCode))
	}
	want := []string{"a passed 200", "b failed 500", "c passed 200"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Run() results mismatch (-want +got):\n%s", diff)
	}
	if len(calls) != len(checks) {
		t.Errorf("OnResult called %d times, want %d", len(calls), len(checks))
	}
	if s := Summarize(results); s != (Summary{Total: 3, Passed: 2, Failed: 1, Exercised: 2, NotExercised: ReasonCounts{Other: 1}}) {
		t.Errorf("Summarize() = %+v, want 3 total, 2 passed, 1 failed; 2 exercised, 1 not (other)", s)
	}
}

func TestRunHostile(t *testing.T) {
	// A 64 MiB body of zeros compresses to about 64 KiB.
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write(make([]byte, 64<<20))
	zw.Close()

	other := &atomic.Int32{}
	otherSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		jsonHandler(`{}`)(w, r)
	}))
	defer otherSrv.Close()

	const maxBody = 1 << 20
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(c *generator.Check)
		outcome Outcome
		status  int
		message string // a substring of the first failure
	}{
		{
			name: "never answers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			outcome: Errored, message: "timed out after 300ms: no answer",
		},
		{
			name: "headers then silence",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(200)
				io.WriteString(w, `{"partial":`)
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
			outcome: Errored, message: "timed out after 300ms while reading the body",
		},
		{
			name: "endless body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				chunk := bytes.Repeat([]byte("x"), 32<<10)
				for r.Context().Err() == nil {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			},
			outcome: Errored, status: 200, message: "response body larger than the 1 MiB limit",
		},
		{
			name: "gzip bomb",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(bomb.Bytes())
			},
			outcome: Errored, status: 200, message: "response body larger than the 1 MiB limit",
		},
		{
			name: "gzip bomb with explicit Accept-Encoding",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(bomb.Bytes())
			},
			check: func(c *generator.Check) {
				c.Request.Headers = []generator.Param{{Name: "Accept-Encoding", Value: "gzip"}}
			},
			outcome: Errored, status: 200, message: "response body larger than the 1 MiB limit",
		},
		{
			name: "redirect to another host",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, otherSrv.URL+"/steal", http.StatusFound)
			},
			outcome: Failed, status: 302, message: "status 302 Found is not documented (documented: 200); redirect to " + otherSrv.URL + "/steal was not followed",
		},
		{
			name: "redirect loop",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusMovedPermanently)
			},
			outcome: Failed, status: 301, message: "redirect to /x was not followed",
		},
		{
			name:    "malformed JSON",
			handler: jsonHandler(`{"a": [1, 2`),
			outcome: Failed, status: 200, message: "body is not valid JSON under Content-Type application/json: unexpected end of JSON input",
		},
		{
			name: "connection reset",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err != nil {
					return
				}
				conn.(*net.TCPConn).SetLinger(0) // close with RST
				conn.Close()
			},
			outcome: Errored, message: "connection reset by the server",
		},
		{
			name: "truncated answer",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := w.(http.Hijacker).Hijack()
				if err != nil {
					return
				}
				buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
				buf.Flush()
				conn.Close()
			},
			outcome: Errored, message: "connection closed before a complete answer",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := okCheck("h", "GET", "/x")
			if tt.check != nil {
				tt.check(&c)
			}
			res := runOne(t, Options{BaseURL: srv.URL, Timeout: hostileTimeout, MaxBodyBytes: maxBody}, c)
			if res.Outcome != tt.outcome || res.StatusCode != tt.status {
				t.Fatalf("Run() = %s %d %v, want %s %d", res.Outcome, res.StatusCode, res.Failures, tt.outcome, tt.status)
			}
			if len(res.Failures) == 0 || !strings.Contains(res.Failures[0].Message, tt.message) {
				t.Errorf("Run() failures = %v, want a message containing %q", res.Failures, tt.message)
			}
			if res.Response != nil && len(res.Response.Body) > maxBody {
				t.Errorf("captured body = %d bytes, want at most %d", len(res.Response.Body), maxBody)
			}
		})
	}
	if n := other.Load(); n != 0 {
		t.Errorf("the other host got %d requests, want 0", n)
	}
}

func TestRunUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	r := newRunner(t, Options{BaseURL: "http://" + addr})
	results, err := r.Run(t.Context(), []generator.Check{okCheck("a", "GET", "/a"), okCheck("b", "GET", "/b")})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Run() error = %v, want ErrUnreachable", err)
	}
	for _, res := range results {
		if res.Outcome != Errored || !strings.Contains(res.Failures[0].Message, "connection refused") {
			t.Errorf("Run() %s = %s %v, want errored with connection refused", res.CheckID, res.Outcome, res.Failures)
		}
	}
}

func TestRunCancel(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	checks := []generator.Check{okCheck("a", "GET", "/a"), okCheck("b", "GET", "/b"), okCheck("c", "GET", "/c")}
	r := newRunner(t, Options{BaseURL: srv.URL, Concurrency: 1})
	results, err := r.Run(ctx, checks)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run() error = %v, want context.Canceled", err)
	}
	if len(results) != len(checks) {
		t.Fatalf("Run() = %d results, want %d", len(results), len(checks))
	}
	for i, res := range results {
		if res.CheckID != checks[i].ID || res.Outcome != Skipped {
			t.Errorf("Run()[%d] = %s %s, want %s skipped", i, res.CheckID, res.Outcome, checks[i].ID)
		}
	}
}

func TestRunRetries(t *testing.T) {
	tests := []struct {
		name    string
		retries int
		first   int // status of the first answer; the second is 200
		hits    int32
		outcome Outcome
	}{
		{"503 retried", 2, 503, 2, Passed},
		{"429 retried", 1, 429, 2, Passed},
		{"500 not retried", 2, 500, 1, Failed},
		{"no retries by default", 0, 503, 1, Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(tt.first)
					return
				}
				jsonHandler(`{}`)(w, r)
			}))
			defer srv.Close()
			res := runOne(t, Options{BaseURL: srv.URL, Retries: tt.retries}, okCheck("a", "GET", "/a"))
			if res.Outcome != tt.outcome || hits.Load() != tt.hits {
				t.Errorf("Run() = %s after %d requests, want %s after %d", res.Outcome, hits.Load(), tt.outcome, tt.hits)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	withHeader := func(v string) *Response {
		return &Response{StatusCode: 429, Header: http.Header{"Retry-After": {v}}}
	}
	tests := []struct {
		name    string
		attempt int
		resp    *Response
		want    time.Duration
	}{
		{"first", 0, nil, 250 * time.Millisecond},
		{"third", 2, nil, time.Second},
		{"capped", 20, nil, 10 * time.Second},
		{"retry-after seconds", 0, withHeader("3"), 3 * time.Second},
		{"retry-after date", 0, withHeader(now.Add(2 * time.Second).Format(http.TimeFormat)), 2 * time.Second},
		{"retry-after past", 0, withHeader(now.Add(-time.Hour).Format(http.TimeFormat)), 0},
		{"retry-after capped", 0, withHeader("3600"), 10 * time.Second},
		{"retry-after garbage", 1, withHeader("soon"), 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoff(tt.attempt, tt.resp, now); got != tt.want {
				t.Errorf("backoff(%d) = %s, want %s", tt.attempt, got, tt.want)
			}
		})
	}
}

func TestMasking(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A careless service echoes credentials in its error.
		http.Error(w, "bad auth "+r.Header.Get("Authorization")+" key="+r.URL.Query().Get("api_key")+" cfg=hunter22",
			http.StatusInternalServerError)
	}))
	defer srv.Close()
	c := okCheck("a", "GET", "/a?api_key=query-secret-1")
	c.Request.Query = []generator.Param{{Name: "api_key", Value: "query-secret-1", Secret: true}}
	r := newRunner(t, Options{
		BaseURL: srv.URL,
		Headers: http.Header{"Authorization": {"Bearer header-token-1"}},
		Secrets: []string{"hunter22"},
	})
	results, err := r.Run(t.Context(), []generator.Check{c})
	if err != nil {
		t.Fatal(err)
	}
	res := results[0]
	all := res.URL
	for _, f := range res.Failures {
		all += "\n" + f.Message
	}
	for _, secret := range []string{"header-token-1", "query-secret-1", "hunter22"} {
		if strings.Contains(all, secret) {
			t.Errorf("result shows secret %q:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, generator.Mask) {
		t.Errorf("result has no mask:\n%s", all)
	}
	curl := r.Curl("", c)
	want := "curl -sS -i '" + srv.URL + "/a?api_key=********' -H 'Authorization: ********'"
	if curl != want {
		t.Errorf("Curl() = %s, want %s", curl, want)
	}
}

func TestCurl(t *testing.T) {
	c := okCheck("a", "POST", "/pets")
	c.Request.Headers = []generator.Param{{Name: "X-Env", Value: "it's"}}
	c.Request.Cookies = []generator.Param{{Name: "s", Value: "cookie-value"}}
	c.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"name":"O'Neil"}`}
	r := newRunner(t, Options{BaseURL: "http://127.0.0.1:9/api", Insecure: true})
	want := `curl -sS -i -X POST --insecure 'http://127.0.0.1:9/api/pets' -H 'X-Env: it'\''s' -H 'Cookie: ********' -H 'Content-Type: application/json' --data-raw '{"name":"O'\''Neil"}'`
	if got := r.Curl("", c); got != want {
		t.Errorf("Curl() =\n%s\nwant\n%s", got, want)
	}
}

func TestSend(t *testing.T) {
	srv := httptest.NewServer(jsonHandler(`{"ok":true}`))
	defer srv.Close()
	r := newRunner(t, Options{})
	resp, err := r.Send(t.Context(), srv.URL, okCheck("a", "GET", "/a"))
	if err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if resp.StatusCode != 200 || string(resp.Body) != `{"ok":true}` {
		t.Errorf("Send() = %d %q, want 200 {\"ok\":true}", resp.StatusCode, resp.Body)
	}
	if _, err := r.Run(t.Context(), nil); err == nil {
		t.Error("Run() without base URL = nil error, want error")
	}
}

// TestDebugLog checks that each exchange's phases reach a debug logger,
// and that no credential does.
func TestDebugLog(t *testing.T) {
	srv := httptest.NewServer(jsonHandler(`{}`))
	defer srv.Close()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := okCheck("a", "GET", "/a?token=query-secret-9")
	c.Request.Query = []generator.Param{{Name: "token", Value: "query-secret-9", Secret: true}}
	runOne(t, Options{BaseURL: srv.URL, Logger: log}, c)
	out := buf.String()
	for _, want := range []string{"msg=timing", "ttfb=", "connect=", "reused=false", "status=200"} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "query-secret-9") {
		t.Errorf("debug log shows a secret:\n%s", out)
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(jsonHandler(`{}`))
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options
		outcome Outcome
		message string
	}{
		{"unknown authority", Options{}, Errored, "certificate"},
		{"insecure", Options{Insecure: true}, Passed, ""},
		{"CA file", Options{CAFile: caFile}, Passed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.BaseURL = srv.URL
			res := runOne(t, tt.opts, okCheck("a", "GET", "/a"))
			if res.Outcome != tt.outcome {
				t.Fatalf("Run() = %s %v, want %s", res.Outcome, res.Failures, tt.outcome)
			}
			if tt.message != "" && !strings.Contains(res.Failures[0].Message, tt.message) {
				t.Errorf("Run() failure = %q, want it to mention %q", res.Failures[0].Message, tt.message)
			}
		})
	}
	if _, err := New(Options{CAFile: filepath.Join(t.TempDir(), "missing.pem")}); err == nil {
		t.Error("New(CAFile: missing) = nil error, want error")
	}
}

func TestGetWithBody(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		jsonHandler(`{}`)(w, r)
	}))
	defer srv.Close()
	c := okCheck("a", "GET", "/search")
	c.Request.Body = &generator.Body{ContentType: "application/json", Text: `{"q":"x"}`}
	runOne(t, Options{BaseURL: srv.URL}, c)
	if got != `{"q":"x"}` {
		t.Errorf("GET body received = %q, want %q", got, `{"q":"x"}`)
	}
}

// TestBodylessFraming checks how a check without a body goes out: sized
// (Content-Length 0 where net/http sends one), never chunked.
func TestBodylessFraming(t *testing.T) {
	type framing struct {
		length  int64
		chunked bool
	}
	got := map[string]framing{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got[r.Method] = framing{r.ContentLength, slices.Contains(r.TransferEncoding, "chunked")}
		jsonHandler(`{}`)(w, r)
	}))
	defer srv.Close()
	r := newRunner(t, Options{BaseURL: srv.URL, Concurrency: 1})
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	var checks []generator.Check
	for _, m := range methods {
		checks = append(checks, okCheck(m, m, "/x"))
	}
	if _, err := r.Run(t.Context(), checks); err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	for _, m := range methods {
		if want := (framing{0, false}); got[m] != want {
			t.Errorf("%s without body: framing = %+v, want %+v", m, got[m], want)
		}
	}
}
