package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
)

// Assertion names, as users select or skip them in smoke.yaml, and as
// Failure.Check reports them. CheckRequest names the reason a check
// errored or was skipped; it is not an assertion and cannot be skipped.
const (
	CheckNotServerError   = "not_server_error"
	CheckStatusDocumented = "status_documented"
	CheckContentType      = "content_type"
	CheckResponseSchema   = "response_schema"
	CheckRequiredHeaders  = "required_headers"
	CheckLatency          = "latency"
	// CheckReadAfterWrite: the GET bound to a create is exercised right
	// after it, and echoes the fields that were sent.
	CheckReadAfterWrite = "read_after_write"
	CheckRequest        = "request"
)

// AssertionNames lists every assertion, in evaluation order.
func AssertionNames() []string {
	return []string{CheckNotServerError, CheckStatusDocumented, CheckContentType,
		CheckResponseSchema, CheckRequiredHeaders, CheckLatency, CheckReadAfterWrite}
}

// maxSchemaFailures bounds the schema errors listed for one check; the
// rest are counted.
const maxSchemaFailures = 5

// Assertions chooses which assertions run. The zero value runs them all,
// with no latency budget. A check's own settings (generator.Check's
// Assertions, from smoke.yaml) refine them: its Skip adds to Skip, its
// latency budget replaces Latency.
type Assertions struct {
	// Select, when not empty, names the only assertions that run.
	Select []string
	// Skip names assertions that do not run.
	Skip []string
	// Latency is the budget for one exchange; zero means no budget (the
	// latency assertion then never fails).
	Latency time.Duration
}

// CheckAssertionNames reports the first name that is not an assertion:
// the one rule for names in flags, smoke.yaml and checks.
func CheckAssertionNames(names []string) error {
	known := AssertionNames()
	for _, n := range names {
		if !slices.Contains(known, n) {
			return fmt.Errorf("unknown assertion %q (known: %s)", n, strings.Join(known, ", "))
		}
	}
	return nil
}

type assertionSet struct {
	base    Assertions
	on      map[string]bool
	latency time.Duration
}

func newAssertionSet(a Assertions) (assertionSet, error) {
	if err := CheckAssertionNames(slices.Concat(a.Select, a.Skip)); err != nil {
		return assertionSet{}, err
	}
	return flatAssertionSet(a), nil
}

func flatAssertionSet(a Assertions) assertionSet {
	names := AssertionNames()
	s := assertionSet{base: a, on: make(map[string]bool, len(names)), latency: a.Latency}
	for _, n := range names {
		s.on[n] = (len(a.Select) == 0 || slices.Contains(a.Select, n)) && !slices.Contains(a.Skip, n)
	}
	return s
}

// names lists the assertions the set evaluates, in evaluation order:
// latency only with a budget.
func (s assertionSet) names() []string {
	var out []string
	for _, n := range AssertionNames() {
		if s.on[n] && (n != CheckLatency || s.latency > 0) {
			out = append(out, n)
		}
	}
	return out
}

// forCheck returns the assertions that apply to check c. Names a check
// carries that are not assertions are ignored: the CLI refuses them when
// it reads smoke.yaml.
func (s assertionSet) forCheck(c generator.Check) assertionSet {
	if c.Assertions == nil {
		return s
	}
	merged := s.base
	merged.Skip = slices.Concat(s.base.Skip, c.Assertions.Skip)
	if d := c.Assertions.Latency(); d > 0 {
		merged.Latency = d
	}
	return flatAssertionSet(merged)
}

// Evaluate runs the enabled assertions of check c on a captured response
// and returns the failures, nil when the response honours the spec.
// Messages say what was expected, what came and where; secrets are masked.
func (r *Runner) Evaluate(c generator.Check, resp *Response) []Failure {
	out, _ := r.evaluate(c, resp, r.maskerFor(c))
	return out
}

// evaluate is Evaluate with the Masker of c. It also returns the fields
// of the body its documented schema does not name (see undocumented),
// found while validating it.
func (r *Runner) evaluate(c generator.Check, resp *Response, m *generator.Masker) (out []Failure, extra *Undocumented) {
	add := func(check, pointer, format string, args ...any) {
		out = append(out, Failure{Check: check, Pointer: pointer, Message: m.Mask(fmt.Sprintf(format, args...))})
	}
	status := resp.StatusCode
	set := r.asserts.forCheck(c)
	on := set.on

	if on[CheckNotServerError] && status >= 500 {
		add(CheckNotServerError, "", "status %s: a server error (expected no 5xx)%s", statusText(status), bodyHint(m, resp))
	}
	documented, ok := c.Expect.Match(status)
	if on[CheckStatusDocumented] && !ok && len(c.Expect.Responses) > 0 {
		msg := fmt.Sprintf("status %s is not documented (documented: %s)", statusText(status), strings.Join(statusKeys(c.Expect), ", "))
		if status >= 300 && status < 400 {
			if loc := resp.Header.Get("Location"); loc != "" {
				msg += "; redirect to " + loc + " was not followed"
			}
		}
		add(CheckStatusDocumented, "", "%s", msg)
	}
	bodyless := c.Method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified || status < 200
	if ok && !bodyless && len(documented.Content) > 0 {
		got := generator.MediaType(resp.Header.Get("Content-Type"))
		content, matched := matchContent(documented.Content, got)
		if on[CheckContentType] && !matched {
			want := make([]string, len(documented.Content))
			for i, ct := range documented.Content {
				want[i] = ct.MediaType
			}
			shown := "Content-Type " + got
			if got == "" {
				shown = "no Content-Type"
			}
			add(CheckContentType, "", "%s for status %d, expected %s", shown, status, strings.Join(want, " or "))
		}
		if on[CheckResponseSchema] && matched {
			var v any
			out, v = r.schemaFailures(out, m, content, got, resp.Body, resp.Stream == generator.StreamJSON)
			if v != nil && content.Schema != nil {
				extra = undocumented(v, content.Schema)
			}
		}
	}
	if on[CheckRequiredHeaders] && ok {
		for _, h := range documented.Headers {
			if resp.Header.Get(h) == "" {
				add(CheckRequiredHeaders, "", "required header %s missing from the %d response", h, status)
			}
		}
	}
	if on[CheckLatency] && set.latency > 0 && resp.Duration > set.latency {
		add(CheckLatency, "", "took %s, budget %s", resp.Duration.Round(time.Millisecond), set.latency)
	}
	return out, extra
}

// schemaFailures validates a JSON body (or the first record of a JSON
// stream, whatever its media type: NDJSON, JSON Lines) against the
// documented schema and appends the failures to out. It returns the body
// as decoded, nil when it is not JSON.
func (r *Runner) schemaFailures(out []Failure, m *generator.Masker, content generator.Content, got string, body []byte, jsonRecord bool) ([]Failure, any) {
	if !generator.IsJSON(got) && !jsonRecord {
		return out, nil // only JSON bodies are validated
	}
	fail := func(pointer, format string, args ...any) Failure {
		return Failure{Check: CheckResponseSchema, Pointer: pointer, Message: m.Mask(fmt.Sprintf(format, args...))}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if content.Schema == nil {
			return out, nil
		}
		return append(out, fail("", "empty body under Content-Type %s, expected JSON matching the %s", got, schemaName(content))), nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return append(out, fail("", "body is not valid JSON under Content-Type %s: %v (body starts %s)", got, err, excerpt(m, body))), nil
	}
	if content.Schema == nil {
		return out, v
	}
	// The first maxSchemaFailures errors are shown, the rest counted.
	shown, more := 0, 0
	each := func(se schemaErr) {
		if shown == maxSchemaFailures {
			more++
			return
		}
		shown++
		if se.schema == nil {
			out = append(out, fail("", "body does not match the %s: %s", schemaName(content), oneLine(se.text)))
			return
		}
		// Concatenated, not formatted: a body can fail many times over.
		// Masked piece by piece before oneLine: a secret holding a line
		// break would no longer match once folded.
		p := m.Mask(se.pointer())
		out = append(out, Failure{Check: CheckResponseSchema, Pointer: p, Message: m.Mask(
			"body at " + displayPointer(p) + ": " + oneLine(m.Mask(se.reason)) + " (value " + excerptValue(m, se.value) + "; " + schemaName(content) + ")")})
	}
	if content.JSONSchema2020 {
		r.v2020.each(content.Schema, v, each)
	} else if err := content.Schema.VisitJSON(v, validate30...); err != nil {
		eachSchemaErr(err, each)
	}
	if more > 0 {
		out = append(out, fail("", "%d more schema errors", more))
	}
	return out, v
}

// Validation options, built once. Messages are made from Reason and the
// pointer; without DisableSchemaErrorDetails kin-openapi renders every
// schema it rejects (anyOf branches included) as JSON, which costs more
// than the validation. The JSON Schema 2020-12 validator refuses that
// option, and needs none.
var (
	validate30   = []openapi3.SchemaValidationOption{openapi3.VisitAsResponse(), openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails()}
	validate2020 = []openapi3.SchemaValidationOption{openapi3.VisitAsResponse(), openapi3.MultiErrors(), openapi3.EnableJSONSchema2020()}
)

type schemaErr struct {
	reason, text string
	value        any
	schema       *openapi3.Schema
	err          *openapi3.SchemaError // nil for errors of other types
	path         []string              // of the failing value, when err is nil
}

// pointer is the JSON pointer of the failing value, built on demand:
// only the first few errors of a body are shown.
func (e schemaErr) pointer() string {
	if e.err == nil {
		return generator.JoinPointer(e.path...)
	}
	return generator.JoinPointer(e.err.JSONPointer()...)
}

// eachSchemaErr calls f with each leaf of kin-openapi's error tree, with a
// JSON pointer each.
func eachSchemaErr(err error, f func(schemaErr)) {
	// kin-openapi returns the two types unwrapped: check them before
	// errors.As, whose reflection costs more than the rest of the walk.
	me, ok := err.(openapi3.MultiError)
	if !ok && !isSchemaError(err) {
		me, ok = asMultiError(err)
	}
	if ok {
		for _, e := range me {
			eachSchemaErr(e, f)
		}
		return
	}
	se, ok := err.(*openapi3.SchemaError)
	if !ok {
		se, ok = errors.AsType[*openapi3.SchemaError](err)
	}
	if !ok {
		f(schemaErr{text: err.Error()})
		return
	}
	// The JSON Schema 2020-12 validator nests its leaf errors in Origin.
	if me, ok := asMultiError(se.Origin); ok {
		for _, e := range me {
			eachSchemaErr(e, f)
		}
		return
	}
	f(schemaErr{reason: leafReason(se.Reason, se.SchemaField), value: se.Value, schema: se.Schema, err: se})
}

// leafReason is the reason shown for a schema error: its Reason without
// the location the JSON Schema 2020-12 validator puts in front, or the
// failing keyword.
func leafReason(reason, field string) string {
	if reason == "" {
		reason = fmt.Sprintf("doesn't match schema keyword %q", field)
	}
	for _, prefix := range []string{"error at \"", "at '"} {
		if strings.HasPrefix(reason, prefix) {
			if i := strings.Index(reason, ": "); i > 0 {
				reason = reason[i+2:]
			}
		}
	}
	return reason
}

// asMultiError is errors.As for a MultiError, in a function of its own so
// that its target escapes only when it is called.
func asMultiError(err error) (openapi3.MultiError, bool) {
	if err == nil {
		return nil, false
	}
	var me openapi3.MultiError
	ok := errors.As(err, &me)
	return me, ok
}

func isSchemaError(err error) bool {
	_, ok := err.(*openapi3.SchemaError)
	return ok
}

func displayPointer(p string) string {
	if p == "" {
		return "the root"
	}
	return p
}

func schemaName(c generator.Content) string {
	if c.SchemaRef != "" && c.SchemaRef != "inline" {
		return "schema " + c.SchemaRef
	}
	return "inline schema"
}

// matchContent finds the documented media type that covers got: exact
// first, then type/* and */* wildcards.
func matchContent(cs []generator.Content, got string) (generator.Content, bool) {
	if got == "" {
		return generator.Content{}, false
	}
	typ, _, _ := strings.Cut(got, "/")
	var wild *generator.Content
	for i := range cs {
		want := generator.MediaType(cs[i].MediaType)
		switch want {
		case got:
			return cs[i], true
		case typ + "/*", "*/*":
			if wild == nil {
				wild = &cs[i]
			}
		}
	}
	if wild != nil {
		return *wild, true
	}
	return generator.Content{}, false
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

func statusKeys(e generator.Expect) []string {
	if len(e.Status) > 0 {
		return e.Status
	}
	keys := make([]string, len(e.Responses))
	for i, r := range e.Responses {
		keys[i] = r.Status
	}
	return keys
}

// bodyHint quotes the start of an error body, which often names the cause.
func bodyHint(m *generator.Masker, resp *Response) string {
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		return ""
	}
	return "; body: " + excerpt(m, resp.Body)
}

const excerptLen = 120

// excerpt quotes the start of a body, secrets masked before it is cut:
// cut first, a secret across the cut would survive in part.
func excerpt(m *generator.Masker, b []byte) string {
	// Masked before trimming and folding too: either can change a secret
	// that begins or ends with a space or holds a line break.
	return fmt.Sprintf("%q", m.Cut(oneLine(strings.TrimSpace(m.Mask(string(b)))), excerptLen))
}

// excerptValue shows a scalar as JSON and a container by its size:
// rendering a large object for every error would cost more than
// validating it.
func excerptValue(m *generator.Masker, v any) string {
	switch x := v.(type) {
	case map[string]any:
		return fmt.Sprintf("an object of %d fields", len(x))
	case []any:
		return fmt.Sprintf("an array of %d items", len(x))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return m.Cut(string(b), excerptLen)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}
