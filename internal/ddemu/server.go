package ddemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Options configures an emulator. The zero value is usable except for
// SpecPath, which is required.
type Options struct {
	// SpecPath is Datadog's v1 OpenAPI document (testenv.DatadogSpec).
	SpecPath string
	// SpecPathV2 is Datadog's v2 document, which describes test suites;
	// default: SpecPath with its "v1" directory replaced by "v2". It is
	// loaded on the first suite call.
	SpecPathV2 string
	// APIKey and AppKey, when set, are the only keys accepted; otherwise
	// any non-empty pair is accepted. A missing or wrong key is answered
	// 403, as Datadog does.
	APIKey, AppKey string
	// Outcome decides the result of a triggered test run: OutcomePassed,
	// OutcomeFailed, OutcomeTimedOut, OutcomeStuck or OutcomeRetried.
	// Nil means RunRequest: a test whose URL is on loopback is really
	// run, any other passes.
	Outcome func(t StoredTest) string
	// PendingPolls is the number of batch polls answered "in_progress"
	// before a batch reports its results.
	PendingPolls int
	// BatchNotFoundPolls is the number of polls a fresh batch answers
	// 404 before Datadog knows it (datadog-ci retries that 404).
	BatchNotFoundPolls int
	// ListLag hides a newly created test from the next ListLag listing
	// and search calls, as an eventually consistent index does.
	ListLag int
	// IgnorePageNumber makes ListTests answer the first page whatever
	// page_number asks for: a broken server a client must not loop on.
	IgnorePageNumber bool
	// MaxPageSize caps the page size of listings and searches below what
	// the client asks, as servers do: a short page is then not the end.
	MaxPageSize int
	// NoSearch answers SearchTests 404, as a site without the search
	// endpoint would; clients fall back to listing.
	NoSearch bool
	// Lax turns strict mode off: only the public document is enforced.
	// Strict mode (the default) also enforces the server-side rules the
	// document does not state (see strict.go).
	Lax bool
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
}

// Outcomes of a triggered run (Options.Outcome).
const (
	OutcomePassed = "passed"
	OutcomeFailed = "failed"
	// OutcomeTimedOut: the run never reports; once the batch is final
	// its result is still "in_progress" with timed_out true.
	OutcomeTimedOut = "timed_out"
	// OutcomeStuck: the run never reports and the batch does not mark
	// it timed out: the result is still "in_progress" when the batch is
	// final (datadog-ci reports it as incomplete).
	OutcomeStuck = "stuck"
	// OutcomeRetried: the run fails once, is retried by Datadog (a
	// non-final "in_progress" result with retries 1), then passes.
	OutcomeRetried = "retried"
)

// Fault is an injected failure. A fault matches calls to Operation (a
// Datadog operationId such as "CreateSyntheticsAPITest"; empty matches
// every operation); it lets the first Skip matching calls through, then
// fires on the next Times calls (0 means once).
type Fault struct {
	Operation string
	Skip      int
	Times     int
	// Status is the status to answer (429, 500, 400, 403 …). Zero with a
	// Latency only slows the call down.
	Status int
	// AfterStore handles the call normally (a create is stored) and then
	// answers Status instead of the real answer: the case where a client
	// must not retry blindly.
	AfterStore bool
	// ResetSeconds is sent as X-RateLimit-Reset with a 429; NoReset
	// leaves that header out. PeriodSeconds, when positive, is sent as
	// X-RateLimit-Period.
	ResetSeconds  int
	NoReset       bool
	PeriodSeconds int
	// Latency delays the answer (cut short when the client goes away).
	Latency time.Duration
	// Errors is the "errors" list of the answer; default is the status
	// text.
	Errors []string

	seen, fired int
}

// StoredTest is a test as the emulator holds it.
type StoredTest struct {
	PublicID string
	Name     string
	Tags     []string
	// JSON is the test as the API returns it.
	JSON json.RawMessage
}

// Server is the emulator. It is an http.Handler; it is safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the listening server when built with New.
	URL string

	doc  *openapi3.T
	opts Options
	log  *slog.Logger

	mu         sync.Mutex
	seq        int
	tests      map[string]map[string]any
	order      []string
	hidden     map[string]int // public id -> listing calls it stays invisible
	depends    map[string]string
	variables  []map[string]any
	suites     map[string]map[string]any
	suiteOrder []string
	batches    map[string]*batch
	triggers   []map[string]any
	calls      map[string]int
	faults     []*Fault
	violations []string
}

type batch struct {
	polls   int
	results []*run
}

// run is one triggered test at one location.
type run struct {
	result  map[string]any
	outcome string
}

// NewServer returns an emulator as an http.Handler, for use outside a
// test (serve it with httptest.NewServer). Violations are reported by
// Violations only.
func NewServer(opts Options) (*Server, error) {
	if opts.SpecPath == "" {
		return nil, errors.New("ddemu: Options.SpecPath is required")
	}
	if opts.SpecPathV2 == "" {
		dir := filepath.Dir(opts.SpecPath)
		opts.SpecPathV2 = filepath.Join(filepath.Dir(dir), "v2", filepath.Base(opts.SpecPath))
	}
	d, err := loadDoc(opts.SpecPath, "v1")
	if err != nil {
		return nil, err
	}
	lg := opts.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Server{
		doc:     d,
		opts:    opts,
		log:     lg,
		tests:   map[string]map[string]any{},
		hidden:  map[string]int{},
		depends: map[string]string{},
		suites:  map[string]map[string]any{},
		batches: map[string]*batch{},
		calls:   map[string]int{},
	}, nil
}

// New starts an emulator on a loopback port for the duration of t. It
// fails t at cleanup when any request or response did not validate
// against Datadog's document or broke a strict rule.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	s.URL = hs.URL
	t.Cleanup(func() {
		hs.Close()
		for _, v := range s.Violations() {
			t.Errorf("ddemu: %s", v)
		}
	})
	return s
}

// Inject adds a fault. Faults are tried in the order they were added; the
// first that fires answers the call.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// Depend records that another resource (an SLO, a composite monitor)
// depends on a test: deleting it without force_delete_dependencies is
// refused, as Datadog refuses it. what names the dependent, e.g.
// "slos: [abc123,checkout availability]".
func (s *Server) Depend(publicID, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.depends[publicID] = what
}

// Calls returns the number of calls received per operationId, faulted
// calls included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Writes returns the number of calls received to operations that change
// state (create, update, delete, create variable, suite writes).
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for op, c := range s.calls {
		if writeOps[op] {
			n += c
		}
	}
	return n
}

// Total returns the number of calls received.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

// ResetCalls sets every call counter back to zero.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
}

// Violations lists the requests and responses that did not validate
// against Datadog's document, and the requests that broke a strict rule.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Tests returns the stored tests in creation order.
func (s *Server) Tests() []StoredTest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StoredTest, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.stored(id))
	}
	return out
}

// stored returns the test id as a StoredTest. The caller holds s.mu.
func (s *Server) stored(id string) StoredTest {
	t := s.tests[id]
	b, err := json.Marshal(t)
	if err != nil {
		// The stored value came from JSON; it always marshals.
		b = nil
	}
	st := StoredTest{PublicID: id, JSON: b, Tags: stringList(t["tags"])}
	st.Name, _ = t["name"].(string)
	return st
}

// Variables returns the names of the stored global variables.
func (s *Server) Variables() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, v := range s.variables {
		n, _ := v["name"].(string)
		out = append(out, n)
	}
	return out
}

// globalNames maps the id of each stored global variable to its name.
func (s *Server) globalNames() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.variables))
	for _, v := range s.variables {
		id, _ := v["id"].(string)
		name, _ := v["name"].(string)
		out[id] = name
	}
	return out
}

// Suites returns the stored suites (the attributes Datadog answers), in
// creation order.
func (s *Server) Suites() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []json.RawMessage
	for _, id := range s.suiteOrder {
		b, err := json.Marshal(s.suites[id])
		if err == nil {
			out = append(out, b)
		}
	}
	return out
}

// AddTest stores a test directly, without a call, as if someone had
// created it in the Datadog UI. It returns the new public id.
func (s *Server) AddTest(raw []byte) (string, error) {
	var t map[string]any
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", fmt.Errorf("ddemu: add test: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store("", t), nil
}

// ServeHTTP answers one API call: route, authenticate, apply a fault,
// validate the request, handle it, validate the answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, params, ok := match(r.Method, r.URL.Path)
	if !ok {
		writeJSON(w, answer{status: http.StatusNotFound, body: errorBody("Not found")})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, answer{status: http.StatusBadRequest, body: errorBody(err.Error())})
		return
	}
	s.log.Debug("ddemu", "op", rt.op, "method", r.Method, "path", r.URL.Path)
	fault := s.begin(rt.op)
	if fault != nil && fault.Latency > 0 && !delay(r.Context(), fault.Latency) {
		return
	}
	c := &call{r: r, rt: rt, params: params, body: body}
	a := s.answer(c, fault)
	s.checkResponse(c, &a)
	writeJSON(w, a)
}

// call is one request being answered.
type call struct {
	r      *http.Request
	rt     route
	params map[string]string
	body   []byte
	input  *openapi3filter.RequestValidationInput
}

// answer is a response before it is written.
type answer struct {
	status int
	header http.Header
	body   any
}

// begin counts the call and picks the fault that fires for it.
func (s *Server) begin(op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	return s.fault(op)
}

func delay(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// answer decides the response to c: 403 without keys, a fault's status,
// 400 for a request that breaks the document or a strict rule, else the
// handler's answer (replaced by an AfterStore fault's status).
func (s *Server) answer(c *call, fault *Fault) answer {
	if !s.authorized(c.r) {
		return answer{status: http.StatusForbidden, body: errorBody("Forbidden")}
	}
	if fault != nil && fault.Status != 0 && !fault.AfterStore {
		return faultAnswer(fault)
	}
	if msg := s.validateRequest(c); msg != "" {
		s.violate(msg)
		return answer{status: http.StatusBadRequest, body: errorBody(msg)}
	}
	var in map[string]any
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			return answer{status: http.StatusBadRequest, body: errorBody("JSON format is wrong: " + err.Error())}
		}
	}
	if !s.opts.Lax {
		if errs := strictRequest(c.rt.op, in, s.globalNames()); len(errs) > 0 {
			s.violate(fmt.Sprintf("request %s %s breaks Datadog's server-side rules: %s", c.r.Method, c.r.URL.Path, strings.Join(errs, "; ")))
			return answer{status: http.StatusBadRequest, body: errorBody(errs...)}
		}
	}
	s.mu.Lock()
	a := s.handle(c.rt.op, c.params, c.r.URL.Query(), in)
	s.mu.Unlock()
	if fault != nil && fault.Status != 0 && fault.AfterStore {
		return faultAnswer(fault)
	}
	return a
}

// validateRequest validates c against Datadog's document and returns a
// violation, or "".
func (s *Server) validateRequest(c *call) string {
	rt, err := s.route(c.rt)
	if err != nil {
		return err.Error()
	}
	c.input = &openapi3filter.RequestValidationInput{
		Request:    c.r.Clone(c.r.Context()),
		PathParams: c.params,
		Route:      rt,
		Options: &openapi3filter.Options{
			MultiError:         true,
			AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
		},
	}
	c.input.Request.Body = io.NopCloser(bytes.NewReader(c.body))
	if err := openapi3filter.ValidateRequest(c.r.Context(), c.input); err != nil {
		return fmt.Sprintf("request %s %s does not validate: %v", c.r.Method, c.r.URL.Path, err)
	}
	if !s.opts.Lax && len(c.body) > 0 {
		if op := rt.Operation; op.RequestBody != nil && op.RequestBody.Value != nil {
			if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				var v any
				if json.Unmarshal(c.body, &v) == nil {
					if extra := closedObjects([]*openapi3.Schema{mt.Schema.Value}, v, ""); len(extra) > 0 {
						return fmt.Sprintf("request %s %s has properties Datadog's document does not define: %s", c.r.Method, c.r.URL.Path, strings.Join(extra, ", "))
					}
				}
			}
		}
	}
	return ""
}

// checkResponse validates a's body against Datadog's document and
// records a violation when it does not fit. An answer the emulator
// cannot marshal becomes a 500.
func (s *Server) checkResponse(c *call, a *answer) {
	out, err := json.Marshal(a.body)
	if err != nil {
		s.violate(fmt.Sprintf("%s: marshal response: %v", c.rt.op, err))
		a.status, a.body = http.StatusInternalServerError, errorBody("emulator")
		return
	}
	if c.input == nil {
		// Refused before validation (403, a fault): validate the answer
		// against the operation anyway.
		rt, err := s.route(c.rt)
		if err != nil {
			return
		}
		c.input = &openapi3filter.RequestValidationInput{Request: c.r, PathParams: c.params, Route: rt}
	}
	h := http.Header{"Content-Type": {"application/json"}}
	maps.Copy(h, a.header)
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: c.input,
		Status:                 a.status,
		Header:                 h,
		Options:                &openapi3filter.Options{MultiError: true},
	}
	if c.rt.op == "GetSyntheticsCIBatch" {
		// Datadog answers "in_progress" while a batch runs, but its v1
		// document's SyntheticsBatchStatus enum lacks that value. The
		// emulator behaves like Datadog and validates the rest.
		out = bytes.ReplaceAll(out, []byte(`"status":"in_progress"`), []byte(`"status":"passed"`))
	}
	rin.SetBodyBytes(out)
	if err := openapi3filter.ValidateResponse(c.r.Context(), rin); err != nil {
		s.violate(fmt.Sprintf("response %d to %s %s does not validate: %v", a.status, c.r.Method, c.r.URL.Path, err))
	}
}

func writeJSON(w http.ResponseWriter, a answer) {
	for k, vs := range a.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(a.body) // the client going away is not the emulator's problem
}

func errorBody(msgs ...string) map[string]any {
	return map[string]any{"errors": msgs}
}

func faultAnswer(f *Fault) answer {
	msgs := f.Errors
	if len(msgs) == 0 {
		msgs = []string{http.StatusText(f.Status)}
	}
	var h http.Header
	if f.Status == http.StatusTooManyRequests {
		h = http.Header{
			"X-Ratelimit-Limit":     {"1000"},
			"X-Ratelimit-Remaining": {"0"},
		}
		if f.PeriodSeconds > 0 {
			h["X-Ratelimit-Period"] = []string{strconv.Itoa(f.PeriodSeconds)}
		}
		if !f.NoReset {
			h["X-Ratelimit-Reset"] = []string{strconv.Itoa(f.ResetSeconds)}
		}
	}
	return answer{status: f.Status, header: h, body: errorBody(msgs...)}
}

func (s *Server) violate(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, msg)
}

// fault returns the fault that fires for this call of op, if any. The
// caller holds s.mu.
func (s *Server) fault(op string) *Fault {
	for _, f := range s.faults {
		if f.Operation != "" && f.Operation != op {
			continue
		}
		if f.fired >= f.Times {
			continue
		}
		f.seen++
		if f.seen <= f.Skip {
			continue
		}
		f.fired++
		c := *f
		return &c
	}
	return nil
}

func (s *Server) authorized(r *http.Request) bool {
	api, app := r.Header.Get("DD-API-KEY"), r.Header.Get("DD-APPLICATION-KEY")
	if api == "" || app == "" {
		return false
	}
	if s.opts.APIKey != "" && api != s.opts.APIKey {
		return false
	}
	if s.opts.AppKey != "" && app != s.opts.AppKey {
		return false
	}
	return true
}

// route returns the document route of rt, loading the v2 document on
// the first v2 call.
func (s *Server) route(rt route) (*routers.Route, error) {
	doc := s.doc
	if rt.version == "v2" {
		d, err := loadDoc(s.opts.SpecPathV2, "v2")
		if err != nil {
			return nil, err
		}
		doc = d
	}
	pi := doc.Paths.Value(rt.path)
	return &routers.Route{
		Spec:      doc,
		Path:      rt.path,
		PathItem:  pi,
		Method:    rt.method,
		Operation: pi.GetOperation(rt.method),
	}, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
