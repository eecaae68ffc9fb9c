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
	"slices"
	"sort"
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
	// APIKey and AppKey, when set, are the only keys accepted; otherwise
	// any non-empty pair is accepted. A missing or wrong key is answered
	// 403, as Datadog does.
	APIKey, AppKey string
	// Outcome decides the result of a triggered test run: "passed" or
	// "failed". Nil means RunRequest: a test whose URL is on loopback is
	// really run, any other passes.
	Outcome func(t StoredTest) string
	// PendingPolls is the number of batch polls answered "in_progress"
	// before a batch reports its results.
	PendingPolls int
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
}

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
	// ResetSeconds is sent as X-RateLimit-Reset with a 429.
	ResetSeconds int
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
	variables  []map[string]any
	batches    map[string]*batch
	calls      map[string]int
	faults     []*Fault
	violations []string
}

type batch struct {
	polls   int
	results []map[string]any
}

type route struct {
	method, path, op string
}

// routes are the operations the emulator implements, with their paths in
// Datadog's v1 document.
var routes = []route{
	{http.MethodGet, "/api/v1/synthetics/tests", "ListTests"},
	{http.MethodPost, "/api/v1/synthetics/tests/api", "CreateSyntheticsAPITest"},
	{http.MethodGet, "/api/v1/synthetics/tests/api/{public_id}", "GetAPITest"},
	{http.MethodPut, "/api/v1/synthetics/tests/api/{public_id}", "UpdateAPITest"},
	{http.MethodPost, "/api/v1/synthetics/tests/delete", "DeleteTests"},
	{http.MethodPost, "/api/v1/synthetics/tests/trigger/ci", "TriggerCITests"},
	{http.MethodGet, "/api/v1/synthetics/ci/batch/{batch_id}", "GetSyntheticsCIBatch"},
	{http.MethodGet, "/api/v1/synthetics/variables", "ListGlobalVariables"},
	{http.MethodPost, "/api/v1/synthetics/variables", "CreateGlobalVariable"},
}

// writeOps are the operations that change state.
var writeOps = map[string]bool{
	"CreateSyntheticsAPITest": true,
	"UpdateAPITest":           true,
	"DeleteTests":             true,
	"CreateGlobalVariable":    true,
}

var (
	docsMu sync.Mutex
	docs   = map[string]*openapi3.T{}
)

// loadDoc loads Datadog's document once per process: it is 1.7 MB and
// takes a noticeable time to parse.
func loadDoc(path string) (*openapi3.T, error) {
	docsMu.Lock()
	defer docsMu.Unlock()
	if d, ok := docs[path]; ok {
		return d, nil
	}
	l := openapi3.NewLoader()
	d, err := l.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load Datadog spec %q: %w", path, err)
	}
	for _, r := range routes {
		if op := operation(d, r); op == nil || op.OperationID != r.op {
			return nil, fmt.Errorf("load Datadog spec %q: no operation %s %s (%s)", path, r.method, r.path, r.op)
		}
	}
	docs[path] = d
	return d, nil
}

func operation(d *openapi3.T, r route) *openapi3.Operation {
	pi := d.Paths.Value(r.path)
	if pi == nil {
		return nil
	}
	return pi.GetOperation(r.method)
}

// NewServer returns an emulator as an http.Handler, for use outside a
// test (serve it with httptest.NewServer). Violations are reported by
// Violations only.
func NewServer(opts Options) (*Server, error) {
	if opts.SpecPath == "" {
		return nil, errors.New("ddemu: Options.SpecPath is required")
	}
	d, err := loadDoc(opts.SpecPath)
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
		batches: map[string]*batch{},
		calls:   map[string]int{},
	}, nil
}

// New starts an emulator on a loopback port for the duration of t. It
// fails t at cleanup when any request or response did not validate
// against Datadog's document.
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

// Calls returns the number of calls received per operationId, faulted
// calls included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Writes returns the number of calls received to operations that change
// state (create, update, delete, create variable).
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
// against Datadog's document.
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
		t := s.tests[id]
		b, err := json.Marshal(t)
		if err != nil {
			// The stored value came from JSON; it always marshals.
			continue
		}
		st := StoredTest{PublicID: id, JSON: b}
		st.Name, _ = t["name"].(string)
		st.Tags = stringList(t["tags"])
		out = append(out, st)
	}
	return out
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

// ServeHTTP answers one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, params, ok := match(r.Method, r.URL.Path)
	if !ok {
		writeJSON(w, http.StatusNotFound, nil, errorBody("Not found"))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, nil, errorBody(err.Error()))
		return
	}
	s.log.Debug("ddemu", "op", rt.op, "method", r.Method, "path", r.URL.Path)

	s.mu.Lock()
	s.calls[rt.op]++
	fault := s.fault(rt.op)
	s.mu.Unlock()

	if fault != nil && fault.Latency > 0 {
		select {
		case <-time.After(fault.Latency):
		case <-r.Context().Done():
			return
		}
	}

	input := &openapi3filter.RequestValidationInput{
		Request:    r.Clone(r.Context()),
		PathParams: params,
		Route:      s.route(rt),
		Options: &openapi3filter.Options{
			MultiError:         true,
			AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
		},
	}
	input.Request.Body = io.NopCloser(bytes.NewReader(body))

	var status int
	var header http.Header
	var resp any
	switch {
	case !s.authorized(r):
		status, resp = http.StatusForbidden, errorBody("Forbidden")
	case fault != nil && fault.Status != 0 && !fault.AfterStore:
		status, header, resp = faultAnswer(fault)
	default:
		if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
			msg := fmt.Sprintf("request %s %s does not validate: %v", r.Method, r.URL.Path, err)
			s.violate(msg)
			status, resp = http.StatusBadRequest, errorBody(msg)
			break
		}
		s.mu.Lock()
		status, resp = s.handle(rt.op, params, r.URL.Query(), body)
		s.mu.Unlock()
		if fault != nil && fault.Status != 0 && fault.AfterStore {
			status, header, resp = faultAnswer(fault)
		}
	}

	out, err := json.Marshal(resp)
	if err != nil {
		s.violate(fmt.Sprintf("%s: marshal response: %v", rt.op, err))
		status, out = http.StatusInternalServerError, []byte(`{"errors":["emulator"]}`)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	maps.Copy(h, header)
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 status,
		Header:                 h,
		Options:                &openapi3filter.Options{MultiError: true},
	}
	check := out
	if rt.op == "GetSyntheticsCIBatch" {
		// Datadog answers "in_progress" while a batch runs, but its v1
		// document's SyntheticsBatchStatus enum lacks that value. The
		// emulator behaves like Datadog and validates the rest.
		check = bytes.ReplaceAll(out, []byte(`"status":"in_progress"`), []byte(`"status":"passed"`))
	}
	rin.SetBodyBytes(check)
	if err := openapi3filter.ValidateResponse(r.Context(), rin); err != nil {
		s.violate(fmt.Sprintf("response %d to %s %s does not validate: %v", status, r.Method, r.URL.Path, err))
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(out) // the client going away is not the emulator's problem
}

func writeJSON(w http.ResponseWriter, status int, h http.Header, v any) {
	for k, vs := range h {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // see ServeHTTP
}

func errorBody(msgs ...string) map[string]any {
	return map[string]any{"errors": msgs}
}

func faultAnswer(f *Fault) (int, http.Header, any) {
	msgs := f.Errors
	if len(msgs) == 0 {
		msgs = []string{http.StatusText(f.Status)}
	}
	var h http.Header
	if f.Status == http.StatusTooManyRequests {
		h = http.Header{
			"X-Ratelimit-Limit":     {"1000"},
			"X-Ratelimit-Period":    {"60"},
			"X-Ratelimit-Remaining": {"0"},
			"X-Ratelimit-Reset":     {strconv.Itoa(f.ResetSeconds)},
		}
	}
	return f.Status, h, errorBody(msgs...)
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

func (s *Server) route(rt route) *routers.Route {
	pi := s.doc.Paths.Value(rt.path)
	return &routers.Route{
		Spec:      s.doc,
		Path:      rt.path,
		PathItem:  pi,
		Method:    rt.method,
		Operation: pi.GetOperation(rt.method),
	}
}

// match finds the route of a request and its path parameters.
func match(method, path string) (route, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, rt := range routes {
		if rt.method != method {
			continue
		}
		tsegs := strings.Split(strings.Trim(rt.path, "/"), "/")
		if len(tsegs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, ts := range tsegs {
			if strings.HasPrefix(ts, "{") {
				if segs[i] == "" {
					ok = false
					break
				}
				params[strings.Trim(ts, "{}")] = segs[i]
				continue
			}
			if ts != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt, params, true
		}
	}
	return route{}, nil, false
}

// handle runs one validated call. The caller holds s.mu.
func (s *Server) handle(op string, params map[string]string, q map[string][]string, body []byte) (int, any) {
	var in map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return http.StatusBadRequest, errorBody("JSON format is wrong: " + err.Error())
		}
	}
	switch op {
	case "ListTests":
		return s.list(q)
	case "CreateSyntheticsAPITest":
		if in["type"] != "api" {
			return http.StatusBadRequest, errorBody("test type must be api")
		}
		id := s.store("", in)
		return http.StatusOK, s.tests[id]
	case "GetAPITest":
		t, ok := s.tests[params["public_id"]]
		if !ok || t["type"] != "api" {
			return http.StatusNotFound, errorBody("Test can't be found")
		}
		return http.StatusOK, t
	case "UpdateAPITest":
		id := params["public_id"]
		old, ok := s.tests[id]
		if !ok {
			return http.StatusNotFound, errorBody("Test can't be found")
		}
		if old["subtype"] != in["subtype"] {
			return http.StatusBadRequest, errorBody("Updating sub-type is forbidden")
		}
		s.store(id, in)
		return http.StatusOK, s.tests[id]
	case "DeleteTests":
		ids := stringList(in["public_ids"])
		for _, id := range ids {
			if _, ok := s.tests[id]; !ok {
				return http.StatusNotFound, errorBody("Tests to be deleted can't be found")
			}
		}
		var deleted []any
		for _, id := range ids {
			delete(s.tests, id)
			s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
			deleted = append(deleted, map[string]any{"public_id": id, "deleted_at": "2026-01-01T00:00:00+00:00"})
		}
		return http.StatusOK, map[string]any{"deleted_tests": deleted}
	case "TriggerCITests":
		return s.trigger(in)
	case "GetSyntheticsCIBatch":
		return s.batch(params["batch_id"])
	case "ListGlobalVariables":
		vars := make([]any, 0, len(s.variables))
		for _, v := range s.variables {
			vars = append(vars, v)
		}
		return http.StatusOK, map[string]any{"variables": vars}
	case "CreateGlobalVariable":
		for _, v := range s.variables {
			if v["name"] == in["name"] {
				return http.StatusConflict, errorBody("a variable with this name already exists")
			}
		}
		s.seq++
		v := maps.Clone(in)
		v["id"] = fmt.Sprintf("00000000-0000-0000-0000-%012d", s.seq)
		if val, ok := v["value"].(map[string]any); ok && val["secure"] == true {
			v["value"] = map[string]any{"secure": true}
		}
		s.variables = append(s.variables, v)
		return http.StatusOK, v
	}
	return http.StatusNotFound, errorBody("Not found")
}

// store saves a test under id (a new id when empty) and fills in the
// fields Datadog fills in, so clients see realistic answers. The caller
// holds s.mu.
func (s *Server) store(id string, t map[string]any) string {
	t = maps.Clone(t)
	var monitor float64
	if id == "" {
		s.seq++
		id = fmt.Sprintf("smk-%03d-%03d", s.seq/1000, s.seq%1000)
		monitor = float64(100000 + s.seq)
		s.order = append(s.order, id)
	} else {
		monitor, _ = s.tests[id]["monitor_id"].(float64)
	}
	t["public_id"] = id
	t["monitor_id"] = monitor
	if _, ok := t["status"]; !ok {
		t["status"] = "live"
	}
	opts, _ := t["options"].(map[string]any)
	opts = maps.Clone(opts)
	if opts == nil {
		opts = map[string]any{}
	}
	if _, ok := opts["min_location_failed"]; !ok {
		opts["min_location_failed"] = float64(1)
	}
	if _, ok := opts["httpVersion"]; !ok {
		opts["httpVersion"] = "any"
	}
	t["options"] = opts
	s.tests[id] = t
	return id
}

func (s *Server) list(q map[string][]string) (int, any) {
	size, number := 100, 0
	if v := first(q["page_size"]); v != "" {
		size, _ = strconv.Atoi(v) // validated as int64 by the document
	}
	if v := first(q["page_number"]); v != "" {
		number, _ = strconv.Atoi(v)
	}
	if size <= 0 {
		size = 100
	}
	tests := []any{}
	for i := number * size; i < len(s.order) && i < (number+1)*size; i++ {
		t := maps.Clone(s.tests[s.order[i]])
		t["creator"] = map[string]any{"email": "someone@example.com", "handle": "someone@example.com", "name": "Someone"}
		tests = append(tests, t)
	}
	return http.StatusOK, map[string]any{"tests": tests}
}

func (s *Server) trigger(in map[string]any) (int, any) {
	list, _ := in["tests"].([]any)
	if len(list) == 0 {
		return http.StatusBadRequest, errorBody("no tests to trigger")
	}
	s.seq++
	bid := fmt.Sprintf("batch-%d", s.seq)
	b := &batch{}
	var results, triggered []any
	for _, x := range list {
		m, _ := x.(map[string]any)
		id, _ := m["public_id"].(string)
		t, ok := s.tests[id]
		if !ok {
			return http.StatusBadRequest, errorBody("test " + id + " not found")
		}
		name, _ := t["name"].(string)
		st := StoredTest{PublicID: id, Name: name, Tags: stringList(t["tags"])}
		st.JSON, _ = json.Marshal(t) // the stored value came from JSON
		outcome := ""
		if s.opts.Outcome != nil {
			outcome = s.opts.Outcome(st)
		} else {
			var why string
			outcome, why = Run(st)
			if why != "" {
				s.log.Info("ddemu: run failed", "test", name, "reason", why)
			}
		}
		locs := stringList(t["locations"])
		if len(locs) == 0 {
			locs = []string{"aws:us-east-1"}
		}
		for i, loc := range locs {
			s.seq++
			rid := strconv.Itoa(s.seq)
			results = append(results, map[string]any{"public_id": id, "result_id": rid, "location": float64(i + 1)})
			b.results = append(b.results, map[string]any{
				"test_public_id": id, "test_name": name, "test_type": "api", "result_id": rid,
				"location": loc, "status": outcome, "execution_rule": "blocking",
				"duration": float64(120), "retries": float64(0),
			})
		}
		triggered = append(triggered, id)
	}
	s.batches[bid] = b
	return http.StatusOK, map[string]any{"batch_id": bid, "results": results, "triggered_check_ids": triggered}
}

func (s *Server) batch(id string) (int, any) {
	b, ok := s.batches[id]
	if !ok {
		return http.StatusNotFound, errorBody("Batch does not exist")
	}
	b.polls++
	status := "passed"
	var results []any
	for _, r := range b.results {
		r = maps.Clone(r)
		if b.polls <= s.opts.PendingPolls {
			r["status"] = "in_progress"
		}
		if r["status"] == "failed" && r["execution_rule"] == "blocking" {
			status = "failed"
		}
		if r["status"] == "in_progress" {
			status = "in_progress"
		}
		results = append(results, r)
	}
	return http.StatusOK, map[string]any{"data": map[string]any{"status": status, "results": results}}
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
	sort.Strings(out)
	return out
}
