package runner_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/runner"
	"github.com/smoke-dev/smoke/spec"
)

// canned is the answer the catch-all server gives to one check.
type canned struct {
	status int
	ct     string
	body   []byte
}

// githubBench holds the GitHub REST API's checks and, per check, the
// documented example of its first 2xx answer, so the server's answers are
// realistic and schema validation does real work.
type githubBench struct {
	checks  []generator.Check
	answers map[string]canned // "METHOD /request/uri"
}

var (
	githubOnce sync.Once
	github     githubBench
)

func loadGitHub(b *testing.B) githubBench {
	b.Helper()
	path := testenv.Spec(b, "github-api.github.com-octokit-openapi-23.0.2.json")
	githubOnce.Do(func() {
		doc, err := spec.Load(b.Context(), path, spec.Options{})
		if err != nil {
			b.Fatal(err)
		}
		plan, err := generator.Generate(doc, generator.Options{})
		if err != nil {
			b.Fatal(err)
		}
		github.checks = plan.Checks
		github.answers = make(map[string]canned, len(plan.Checks))
		for _, c := range plan.Checks {
			op := doc.T.Paths.Value(c.Path).GetOperation(c.Method)
			github.answers[c.Method+" "+c.Request.URL] = cannedAnswer(op)
		}
	})
	if github.checks == nil {
		b.Fatal("GitHub spec did not load")
	}
	return github
}

// cannedAnswer picks the first documented 2xx status and its JSON example.
func cannedAnswer(op *openapi3.Operation) canned {
	return cannedAnswerOf(op, "2")
}

// cannedAnswerOf picks the first documented status starting with prefix
// and its JSON example.
func cannedAnswerOf(op *openapi3.Operation, prefix string) canned {
	codes := make([]string, 0)
	for code := range op.Responses.Map() {
		if strings.HasPrefix(code, prefix) {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	for _, code := range codes {
		status, err := strconv.Atoi(code)
		if err != nil {
			status = 200
		}
		resp := op.Responses.Value(code)
		if resp == nil || resp.Value == nil {
			continue
		}
		for mt, media := range resp.Value.Content {
			if !strings.Contains(mt, "json") || media == nil {
				continue
			}
			ex := media.Example
			if ex == nil {
				for _, e := range media.Examples {
					if e != nil && e.Value != nil {
						ex = e.Value.Value
						break
					}
				}
			}
			if ex == nil {
				continue
			}
			body, err := json.Marshal(ex)
			if err != nil {
				continue
			}
			return canned{status: status, ct: mt, body: body}
		}
		return canned{status: status}
	}
	return canned{status: http.StatusNoContent}
}

// catchAll is the answer of the catch-all server: one small JSON object
// for every request.
var catchAll = canned{status: http.StatusOK, ct: "application/json", body: []byte(`{"id":1,"name":"smoke","ok":true}`)}

// server answers every check with its documented example (examples true)
// or with the same small JSON object (a catch-all).
func (g githubBench) server(examples bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		a, ok := catchAll, true
		if examples {
			a, ok = g.answers[r.Method+" "+r.URL.RequestURI()]
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		if a.ct != "" {
			w.Header().Set("Content-Type", a.ct)
		}
		w.WriteHeader(a.status)
		w.Write(a.body)
	}))
}

const benchConcurrency = 4

// The benchmarks send every check of the GitHub REST API spec (1223
// operations) to a local server, at the same concurrency, either through
// smoke's runner (every assertion on, schema validation included) or
// through a bare net/http loop, the floor for a Go client: same requests,
// same keep-alive, bodies read and dropped. The server answers either with
// one small JSON object (catch-all) or with each operation's documented
// example (2.2 MB of JSON per pass), where validation dominates.

func BenchmarkGitHub(b *testing.B) {
	g := loadGitHub(b)
	for _, server := range []struct {
		name     string
		examples bool
	}{{"catch-all", false}, {"examples", true}} {
		b.Run(server.name+"/smoke", func(b *testing.B) {
			srv := g.server(server.examples)
			defer srv.Close()
			r, err := runner.New(runner.Options{BaseURL: srv.URL, Concurrency: benchConcurrency})
			if err != nil {
				b.Fatal(err)
			}
			var errored int
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				results, err := r.Run(b.Context(), g.checks)
				if err != nil {
					b.Fatal(err)
				}
				errored = runner.Summarize(results).Errored
			}
			b.ReportMetric(float64(b.N*len(g.checks))/time.Since(start).Seconds(), "req/s")
			if errored > 0 {
				b.Errorf("%d checks errored, want none", errored)
			}
		})
		b.Run(server.name+"/bare", func(b *testing.B) {
			srv := g.server(server.examples)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchConcurrency}}
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				bareLoop(b, b.Context(), client, srv.URL, g.checks)
			}
			b.ReportMetric(float64(b.N*len(g.checks))/time.Since(start).Seconds(), "req/s")
		})
	}
}

func bareLoop(b *testing.B, ctx context.Context, client *http.Client, base string, checks []generator.Check) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchConcurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(checks) {
					return
				}
				c := checks[i]
				var body io.Reader
				if c.Request.Body != nil {
					body = strings.NewReader(c.Request.Body.Text)
				}
				req, err := http.NewRequestWithContext(ctx, c.Method, base+c.Request.URL, body)
				if err != nil {
					b.Error(err)
					return
				}
				for _, h := range c.Request.Headers {
					req.Header.Add(h.Name, h.Value)
				}
				if c.Request.Body != nil {
					req.Header.Set("Content-Type", c.Request.Body.ContentType)
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
}

// BenchmarkGitHubEvaluate isolates the judging of the examples run: every
// assertion on each documented example, no network.
func BenchmarkGitHubEvaluate(b *testing.B) {
	g := loadGitHub(b)
	r, err := runner.New(runner.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, examples := range []bool{false, true} {
		name := "catch-all"
		if examples {
			name = "examples"
		}
		b.Run(name, func(b *testing.B) {
			resps := make([]*runner.Response, len(g.checks))
			for i, c := range g.checks {
				a := catchAll
				if examples {
					a = g.answers[c.Method+" "+c.Request.URL]
				}
				h := http.Header{}
				if a.ct != "" {
					h.Set("Content-Type", a.ct)
				}
				resps[i] = &runner.Response{StatusCode: a.status, Header: h, Body: a.body}
			}
			b.ReportAllocs()
			for b.Loop() {
				for i, c := range g.checks {
					r.Evaluate(c, resps[i])
				}
			}
		})
	}
}

// BenchmarkEvaluate31 judges answers under OpenAPI 3.1 documents, whose
// schemas go through kin-openapi's JSON Schema 2020-12 validator: the
// example service's answers (captured once from the service) and the
// documented examples of Adyen's Account API.
func BenchmarkEvaluate31(b *testing.B) {
	b.Run("petstore", func(b *testing.B) {
		dir := b.TempDir()
		path, err := petstore.WriteSpec(dir)
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(petstore.New(petstore.Options{Version: 2}))
		defer srv.Close()
		evaluate31(b, path, func(r *runner.Runner, c generator.Check, _ *openapi3.Operation) *runner.Response {
			resp, err := r.Send(b.Context(), srv.URL, c)
			if err != nil {
				b.Fatal(err)
			}
			return resp
		})
	})
	b.Run("adyen-account", func(b *testing.B) {
		path := testenv.Spec(b, "apisguru-adyen-AccountService-v6.yaml")
		evaluate31(b, path, func(_ *runner.Runner, _ generator.Check, op *openapi3.Operation) *runner.Response {
			// Only its error answers have documented examples.
			a := cannedAnswerOf(op, "4")
			h := http.Header{}
			if a.ct != "" {
				h.Set("Content-Type", a.ct)
			}
			return &runner.Response{StatusCode: a.status, Header: h, Body: a.body}
		})
	})
}

// evaluate31 judges, in a loop, the answers answer gives to the checks of
// the 3.1 document at path.
func evaluate31(b *testing.B, path string, answer func(*runner.Runner, generator.Check, *openapi3.Operation) *runner.Response) {
	doc, err := spec.Load(b.Context(), path, spec.Options{})
	if err != nil {
		b.Fatal(err)
	}
	plan, err := generator.Generate(doc, generator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	r, err := runner.New(runner.Options{})
	if err != nil {
		b.Fatal(err)
	}
	resps := make([]*runner.Response, len(plan.Checks))
	validated := 0
	for i, c := range plan.Checks {
		resps[i] = answer(r, c, doc.T.Paths.Value(c.Path).GetOperation(c.Method))
		if len(resps[i].Body) > 0 {
			validated++
		}
	}
	if validated == 0 {
		b.Fatal("no answer has a body to validate")
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, c := range plan.Checks {
			r.Evaluate(c, resps[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(plan.Checks)), "µs/check")
}
