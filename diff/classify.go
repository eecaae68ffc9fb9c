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
	lag      time.Duration // see Sample.Lag
}

func normalise(c generator.Check, s Sample, eval EvaluateFunc, opts Options) normalised {
	r := s.Response
	h := r.Header
	return normalised{
		status:   r.StatusCode,
		headers:  normaliseHeaders(h, opts.IgnoreHeaders),
		body:     normaliseBodyWithin(h, r.Body, r.Truncated, opts.MaxBodyBytes),
		schema:   responseSchema(c, r.StatusCode, h.Get("Content-Type")),
		failures: eval(c, r),
		duration: r.Duration,
		lag:      s.Lag,
	}
}

// compareSamples returns the differences between two normalised samples.
// When the status differs, only the status is reported: headers and body
// of different statuses differ as a consequence.
func compareSamples(a, b normalised, keys map[string]string) []rawDiff {
	return compareWith(a, b, keys, nil)
}

// compareWith is compareSamples with a digest memo shared by every
// comparison of one operation's samples (nil for a fresh one).
func compareWith(a, b normalised, keys map[string]string, digests map[valueID]string) []rawDiff {
	if a.status != b.status {
		return []rawDiff{{kind: KindStatus, old: a.status, new: b.status, hasOld: true, hasNew: true}}
	}
	c := comparer{keys: keys, digests: digests}
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
	key, ancestors := d.at.noiseKeyCuts()
	for _, end := range ancestors { // proper ancestors: any variation
		kinds := n.body[key[:end]]
		for _, k := range []Kind{KindChanged, KindMissing, KindAdded, KindType} {
			if s, ok := kinds[k]; ok {
				return s, true
			}
		}
	}
	kinds := n.body[key]
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
// that some NEW sample fails and no OLD sample fails, counting the NEW
// samples that fail it in the first rounds and in the confirmation.
func contractBreaks(sd sides) []*aggregate {
	key := func(f runner.Failure) string { return f.Check + "\x00" + f.Pointer }
	onOld := map[string]bool{}
	for _, x := range sd.allOld() {
		for _, f := range x.failures {
			onOld[key(f)] = true
		}
	}
	var out []*aggregate
	byKey := map[string]*aggregate{}
	count := func(news []normalised, confirmation bool) {
		for _, x := range news {
			for _, f := range x.failures {
				k := key(f)
				if !contractChecks[f.Check] || onOld[k] {
					continue
				}
				a, ok := byKey[k]
				if !ok {
					a = &aggregate{d: schemaBreak(f)}
					byKey[k] = a
					out = append(out, a)
				}
				if confirmation {
					a.confirm++
				} else {
					a.first++
				}
			}
		}
	}
	count(sd.news, false)
	count(sd.confNews, true)
	return out
}

// schemaBreak is the difference a NEW-only contract failure reports.
func schemaBreak(f runner.Failure) rawDiff {
	toks, _ := generator.SplitPointer(f.Pointer) // a malformed pointer gives the root
	var p jpath
	for _, t := range toks {
		p = p.key(t)
	}
	return rawDiff{at: p, kind: KindSchema, new: f.Message, hasNew: true,
		note: "NEW violates the spec (" + f.Check + ") where OLD did not"}
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

// render turns a raw difference into its reported form, masking secrets.
func render(d rawDiff, count int, class Class, reason string, secrets *generator.Masker) Difference {
	out := Difference{Kind: d.kind, Class: class, Reason: reason, Samples: count, Header: d.header}
	if d.header == "" && d.kind != KindStatus && d.kind != KindLatency {
		// A service may echo a credential as a key.
		out.Pointer, out.Template = secrets.Mask(d.at.Pointer()), secrets.Mask(d.at.Template())
	}
	// Set-Cookie is compared by cookie names, which are not secret.
	if d.header != "" && generator.IsCredentialName(d.header) && !strings.EqualFold(d.header, "Set-Cookie") {
		if d.hasOld {
			out.Old = json.RawMessage(`"` + generator.Mask + `"`)
		}
		if d.hasNew {
			out.New = json.RawMessage(`"` + generator.Mask + `"`)
		}
		return out
	}
	if d.hasOld {
		out.Old = example(d.old, secrets)
	}
	if d.hasNew {
		out.New = example(d.new, secrets)
	}
	return out
}

// example renders a value as bounded JSON with secret values masked,
// masked before it is cut: a secret across the cut would survive in part.
func example(v any, secrets *generator.Masker) json.RawMessage {
	b, err := marshal(v)
	if err != nil {
		b, _ = marshal(err.Error()) // a string always marshals
	}
	if m := secrets.Mask(string(b)); m != string(b) {
		b = []byte(m)
		if !json.Valid(b) {
			// A secret matched across JSON syntax (a number, say): show
			// the masked text as a string.
			b, _ = marshal(m) // a string always marshals
		}
	}
	if len(b) > maxExampleBytes {
		b, _ = marshal(strings.ToValidUTF8(string(b[:maxExampleBytes]), "") + "… (" + strconv.Itoa(len(b)) + " bytes)")
	}
	return json.RawMessage(b)
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
