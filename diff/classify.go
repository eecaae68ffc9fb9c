package diff

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// maxExampleBytes bounds one example value in a report.
const maxExampleBytes = 2048

// normalised is one sample made comparable.
type normalised struct {
	status   int
	headers  map[string]string
	body     body
	schema   *openapi3.Schema
	failures []runner.Failure
	duration time.Duration
}

func normalise(c generator.Check, r *runner.Response, eval EvaluateFunc, presence []string) normalised {
	h := r.Header
	return normalised{
		status:   r.StatusCode,
		headers:  normaliseHeaders(h, presence),
		body:     normaliseBody(h, r.Body, r.Truncated),
		schema:   responseSchema(c, r.StatusCode, h.Get("Content-Type")),
		failures: eval(c, r),
		duration: r.Duration,
	}
}

// compareSamples returns the differences between two normalised samples.
// When the status differs, only the status is reported: headers and body
// of different statuses differ as a consequence.
func compareSamples(a, b normalised, keys map[string]string) []rawDiff {
	if a.status != b.status {
		return []rawDiff{{kind: KindStatus, old: a.status, new: b.status, hasOld: true, hasNew: true}}
	}
	c := comparer{keys: keys}
	c.headers(a.headers, b.headers)
	c.bodies(a.body, b.body, a.schema)
	return c.diffs
}

// noiseSet records what differs between samples of the same side.
type noiseSet struct {
	status  string
	headers map[string]string          // lower-case name → side
	body    map[string]map[Kind]string // pointer → kinds → side
}

func (n *noiseSet) add(side string, diffs []rawDiff) {
	for _, d := range diffs {
		switch {
		case d.kind == KindStatus:
			n.status = joinSide(n.status, side)
		case d.header != "":
			k := strings.ToLower(d.header)
			n.headers[k] = joinSide(n.headers[k], side)
		default:
			p := d.at.noiseKey()
			if n.body[p] == nil {
				n.body[p] = map[Kind]string{}
			}
			n.body[p][d.kind] = joinSide(n.body[p][d.kind], side)
		}
	}
}

// noiseReason explains a noise-class difference.
func noiseReason(side string) string {
	if side == bothSides {
		return "also differs between two OLD samples and between two NEW samples"
	}
	return "also differs between two " + side + " samples"
}

// bothSides marks noise seen on OLD and on NEW.
const bothSides = "both"

func joinSide(have, side string) string {
	if have == "" || have == side {
		return side
	}
	return bothSides
}

// cancels reports whether d is noise: it, or the value holding it,
// also differs between two samples of one side. A value that varies
// cancels a changed value, not a field that is consistently missing on
// NEW or changes type.
func (n *noiseSet) cancels(d rawDiff) (side string, ok bool) {
	switch {
	case d.kind == KindStatus:
		return n.status, n.status != ""
	case d.kind == KindLatency || d.kind == KindSchema:
		return "", false
	case d.header != "":
		s, ok := n.headers[strings.ToLower(d.header)]
		return s, ok
	}
	for l := 0; l < len(d.at); l++ { // proper ancestors: any variation
		kinds := n.body[d.at[:l].noiseKey()]
		for _, k := range []Kind{KindChanged, KindMissing, KindAdded, KindType} {
			if s, ok := kinds[k]; ok {
				return s, true
			}
		}
	}
	kinds := n.body[d.at.noiseKey()]
	if s, ok := kinds[KindChanged]; ok && d.kind == KindChanged {
		return s, true
	}
	for _, k := range []Kind{KindMissing, KindAdded, KindType} {
		if s, ok := kinds[k]; ok {
			return s, true
		}
	}
	return "", false
}

// aggregate is one difference seen in one or more sample pairs.
type aggregate struct {
	d     rawDiff
	count int
}

func compareOperation(s Samples, opts Options, rules *ruleSet) Operation {
	c := s.Check
	want := 2 * opts.Rounds
	op := Operation{CheckID: c.ID, Method: c.Method, Path: c.Path, OperationID: c.OperationID,
		Samples: want, Differences: []Difference{}}
	scope := rules.forCheck(c)
	rules.markScoped(scope)
	op.Errors = append(sampleErrors("OLD", s.Old, want), sampleErrors("NEW", s.New, want)...)
	op.OldStatus, op.NewStatus = firstStatus(s.Old), firstStatus(s.New)
	if len(op.Errors) > 0 {
		op.Verdict = Error
		return op
	}
	eval := opts.Evaluate
	if eval == nil {
		eval = statusEvaluate
	}
	olds, news := make([]normalised, len(s.Old)), make([]normalised, len(s.New))
	for i, x := range s.Old {
		olds[i] = normalise(c, x.Response, eval, opts.IgnoreHeaders)
	}
	for i, x := range s.New {
		news[i] = normalise(c, x.Response, eval, opts.IgnoreHeaders)
	}

	noise := noiseSet{headers: map[string]string{}, body: map[string]map[Kind]string{}}
	for k := 1; k < len(olds); k++ {
		noise.add("OLD", compareSamples(olds[0], olds[k], opts.ArrayKeys))
	}
	for k := 1; k < len(news); k++ {
		noise.add("NEW", compareSamples(news[0], news[k], opts.ArrayKeys))
	}

	var order []string
	agg := map[string]*aggregate{}
	for i := range min(len(olds), len(news)) {
		for _, d := range compareSamples(olds[i], news[i], opts.ArrayKeys) {
			k := d.key()
			if a, ok := agg[k]; ok {
				a.count++
				continue
			}
			agg[k] = &aggregate{d: d, count: 1}
			order = append(order, k)
		}
	}

	oldFails, newPasses := true, true
	for _, x := range olds {
		oldFails = oldFails && len(x.failures) > 0
	}
	for _, x := range news {
		newPasses = newPasses && len(x.failures) == 0
	}
	fixed := oldFails && newPasses

	secrets := secretValues(c, opts.Secrets)
	add := func(d rawDiff, count int, class Class, reason string) {
		if r, ok := rules.match(scope, d); ok {
			rules.markUsed(r)
			class, reason = ClassIgnored, r.Reason
			if r.Action == Expect {
				class = ClassExpected
			}
		}
		op.Differences = append(op.Differences, render(d, count, class, reason, secrets))
	}

	for _, v := range contractBreaks(olds, news) {
		add(v, 1, ClassRegression, v.note)
	}
	for _, k := range order {
		a := agg[k]
		class, reason := classify(a.d, &noise)
		if fixed {
			class, reason = ClassFixed, "OLD failed the spec's checks, NEW passes them"
		}
		add(a.d, a.count, class, reason)
	}

	if !opts.Latency.Disabled {
		op.Latency = compareLatency(durations(olds), durations(news), opts.Latency)
		if op.Latency != nil && op.Latency.Slower {
			add(rawDiff{kind: KindLatency, old: op.Latency.OldMS, new: op.Latency.NewMS, hasOld: true, hasNew: true},
				op.Latency.NewSamples, ClassRegression, "")
		}
	}

	sortDifferences(op.Differences)
	switch {
	case fixed:
		op.Verdict = Fixed
	case op.Count(ClassRegression) > 0:
		op.Verdict = Regression
	case op.Count(ClassNoise) > 0:
		op.Verdict = Noise
	default:
		op.Verdict = Parity
	}
	return op
}

// classify decides the class of a difference found between OLD and NEW
// before rules apply.
func classify(d rawDiff, noise *noiseSet) (Class, string) {
	if d.format != "" {
		return ClassNoise, "format " + d.format + ": compared by presence, type and format, not value"
	}
	if side, ok := noise.cancels(d); ok {
		return ClassNoise, noiseReason(side)
	}
	if d.note != "" && d.kind != KindType {
		return ClassRegression, d.note
	}
	switch {
	case d.kind == KindAdded && !d.element:
		return ClassAddition, "field added on NEW"
	case d.kind == KindHeader && d.hasNew && !d.hasOld:
		return ClassAddition, "header added on NEW"
	}
	return ClassRegression, d.note
}

// contractChecks are the assertions whose NEW-only failures are
// reported as schema differences; status failures show as status
// differences already.
var contractChecks = map[string]bool{"response_schema": true, "content_type": true, "required_headers": true, "read_after_write": true}

// contractBreaks returns a schema difference for each contract assertion
// that some NEW sample fails and no OLD sample fails.
func contractBreaks(olds, news []normalised) []rawDiff {
	key := func(f runner.Failure) string { return f.Check + "\x00" + f.Pointer }
	seen := map[string]bool{}
	for _, x := range olds {
		for _, f := range x.failures {
			seen[key(f)] = true
		}
	}
	var out []rawDiff
	for _, x := range news {
		for _, f := range x.failures {
			if !contractChecks[f.Check] || seen[key(f)] {
				continue
			}
			seen[key(f)] = true
			toks, _ := SplitPointer(f.Pointer) // a malformed pointer gives the root
			var p jpath
			for _, t := range toks {
				p = p.key(t)
			}
			out = append(out, rawDiff{at: p, kind: KindSchema, new: f.Message, hasNew: true,
				note: "NEW violates the spec (" + f.Check + ") where OLD did not"})
		}
	}
	return out
}

// statusEvaluate is the evaluation used without Options.Evaluate: a
// server error, or a status the spec does not document, is a failure.
func statusEvaluate(c generator.Check, r *runner.Response) []runner.Failure {
	var out []runner.Failure
	if r.StatusCode >= 500 {
		out = append(out, runner.Failure{Check: "not_server_error", Message: "status " + strconv.Itoa(r.StatusCode)})
	}
	if len(c.Expect.Responses) > 0 && !c.Expect.Documents(r.StatusCode) {
		out = append(out, runner.Failure{Check: "status_documented", Message: "status " + strconv.Itoa(r.StatusCode) + " is not documented"})
	}
	return out
}

func firstStatus(samples []Sample) int {
	for _, s := range samples {
		if s.Err == nil && s.Response != nil {
			return s.Response.StatusCode
		}
	}
	return 0
}

func durations(ns []normalised) []time.Duration {
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = n.duration
	}
	return out
}

// render turns a raw difference into its reported form, masking secrets.
func render(d rawDiff, count int, class Class, reason string, secrets []string) Difference {
	out := Difference{Kind: d.kind, Class: class, Reason: reason, Samples: count, Header: d.header}
	if d.header == "" && d.kind != KindStatus && d.kind != KindLatency {
		out.Pointer, out.Template = d.at.Pointer(), d.at.Template()
	}
	mask := secrets
	if d.header != "" && matchName(secretHeaders, d.header) {
		mask = nil
		if d.hasOld {
			out.Old = json.RawMessage(`"` + generator.Mask + `"`)
		}
		if d.hasNew {
			out.New = json.RawMessage(`"` + generator.Mask + `"`)
		}
		return out
	}
	if d.hasOld {
		out.Old = example(d.old, mask)
	}
	if d.hasNew {
		out.New = example(d.new, mask)
	}
	return out
}

// example renders a value as bounded JSON with secret values masked.
func example(v any, secrets []string) json.RawMessage {
	b, err := marshal(v)
	if err != nil {
		b, _ = marshal(err.Error()) // a string always marshals
	}
	if len(b) > maxExampleBytes {
		b, _ = marshal(strings.ToValidUTF8(string(b[:maxExampleBytes]), "") + "… (" + strconv.Itoa(len(b)) + " bytes)")
	}
	s := string(b)
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, generator.Mask)
	}
	return json.RawMessage(s)
}

// marshal encodes v as compact JSON without escaping <, > and &: reports
// escape for their own format.
func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// secretValues returns the secret request values of a check, in the form
// they would take inside a JSON string, longest first.
func secretValues(c generator.Check, extra []string) []string {
	var out []string
	addValue := func(v string) {
		if len(v) < 4 {
			return
		}
		b, _ := marshal(v) // a string always marshals
		out = append(out, string(b[1:len(b)-1]))
	}
	for _, v := range extra {
		addValue(v)
	}
	r := c.Request
	for _, group := range [][]generator.Param{r.Path, r.Query, r.Headers, r.Cookies} {
		for _, p := range group {
			if p.Secret || matchName(secretHeaders, p.Name) {
				addValue(p.Value)
				if _, tok, ok := strings.Cut(p.Value, " "); ok {
					addValue(tok)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

var classRank = map[Class]int{ClassRegression: 0, ClassFixed: 1, ClassAddition: 2, ClassNoise: 3, ClassExpected: 4, ClassIgnored: 5}
var kindRank = map[Kind]int{KindSchema: 0, KindStatus: 1, KindLatency: 2, KindMissing: 3, KindType: 4, KindChanged: 5, KindAdded: 6, KindHeader: 7}

// sortDifferences orders the most severe first: regressions, schema
// breaks and status changes at the top.
func sortDifferences(ds []Difference) {
	slices.SortStableFunc(ds, func(a, b Difference) int {
		if c := classRank[a.Class] - classRank[b.Class]; c != 0 {
			return c
		}
		if c := kindRank[a.Kind] - kindRank[b.Kind]; c != 0 {
			return c
		}
		if c := strings.Compare(a.Header, b.Header); c != 0 {
			return c
		}
		return strings.Compare(a.Pointer, b.Pointer)
	})
}
