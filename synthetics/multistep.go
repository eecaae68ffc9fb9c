package synthetics

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"

	"github.com/smoke-dev/smoke/generator"
)

// Chains become multistep API tests (DESIGN.md, "Chains"): the checks a
// chain links — a create, the read bound to it, its update and its delete,
// or a list and the reads of its items — run as the steps of one test
// (subtype multi), in the order the runner sends them. A step that
// produces a value extracts it into a local variable (extractedValues: a
// JSON path on the body, or a regular expression on a header such as
// Location), and later steps refer to it as {{ VAR }}. Checks that take
// part in no chain stay HTTP tests.

// chainPrefix marks the check ID of a multistep test: the ID of the
// chain's first step, prefixed, so that the test is never mistaken for
// that step's own HTTP test.
const chainPrefix = "chain-"

// chain is the checks of one multistep test, in step order, and the
// bindings each step takes from an earlier one.
type chain struct {
	steps []generator.Check
	// binds[i] are the bindings step i takes from earlier steps: one per
	// target, the first whose producer is in the chain.
	binds [][]generator.Binding
	// head is the ID of the step whose ID names the test ("" for the
	// first step); part and of number the tests of a chain split in
	// several (0 when it was not: see split).
	head     string
	part, of int
}

// chains groups the checks that bindings link into chains
// (generator.Chains: the same grouping as every backend's), as the
// multistep tests' steps and bindings.
func chains(checks []generator.Check) (out []chain, member map[string]int) {
	chs, member := generator.Chains(checks)
	out = make([]chain, len(chs))
	for i, ch := range chs {
		out[i] = chain{steps: ch.Steps, binds: ch.Binds}
	}
	return out, member
}

// id is the check ID the multistep test carries in its identity tag.
func (ch chain) id() string {
	if ch.head != "" {
		return chainPrefix + ch.head
	}
	return chainPrefix + ch.steps[0].ID
}

// name is the multistep test's name: its first and last step, and how
// many steps it has when there are more than two.
func (ch chain) name(service string) string {
	first, last := ch.steps[0], ch.steps[len(ch.steps)-1]
	name := fmt.Sprintf("[%s] chain %s %s", service, first.Method, first.Path)
	if len(ch.steps) > 1 {
		name += fmt.Sprintf(" → %s %s", last.Method, last.Path)
		if len(ch.steps) > 2 {
			name += fmt.Sprintf(" (%d steps)", len(ch.steps))
		}
	}
	if ch.of > 1 {
		name += fmt.Sprintf(" [part %d of %d]", ch.part, ch.of)
	}
	return name
}

// markerRe finds the placeholders mapChain puts where a bound value goes.
var markerRe = regexp.MustCompile(`zzsmokevar([0-9]+)zz`)

// mapChain maps one chain to one multistep API test.
func mapChain(ch chain, build func(generator.Check) (Test, error), opts Options) (Test, error) {
	pos := make(map[string]int, len(ch.steps))
	for i, c := range ch.steps {
		pos[c.ID] = i
	}
	vars := newVarNames()
	// extracted[i] are the values step i extracts for later steps.
	extracted := make([][]datadogV1.SyntheticsParsingOptions, len(ch.steps))
	varOf := map[string]string{} // producer ID + expression → variable
	var steps []datadogV1.SyntheticsAPIStep
	var names []string
	var variables []Variable
	// The steps' local variables (dynamic values) are the test's: a
	// step carries none of its own.
	var locals localSet
	for i, c := range ch.steps {
		// numeric[marker] is true when the placeholder replaces a JSON
		// number: the variable is rendered unquoted.
		numeric := map[string]bool{}
		markers := map[string]string{} // placeholder → {{ VAR }}
		for _, b := range ch.binds[i] {
			p := ch.steps[pos[b.Producer]]
			x, err := generator.ParseExpr(b.From)
			if err != nil {
				return Test{}, fmt.Errorf("step %s %s: %w", c.Method, c.Path, err)
			}
			if x.Source == "request" {
				// What an earlier step sent is known now: the same value.
				v, ok := requestValue(p, x)
				if !ok {
					continue
				}
				if next, err := withRequestValue(c, p, b, v); err == nil {
					c = next
				}
				continue
			}
			po, err := extraction(x, c, b)
			if err != nil {
				return Test{}, fmt.Errorf("step %s %s: %w", c.Method, c.Path, err)
			}
			// One value a producer answers is extracted once, whichever
			// steps take it: a step extracts at most
			// MaxExtractedValues.
			key := b.Producer + "\x00" + extractionKey(po)
			name, ok := varOf[key]
			if !ok {
				name = vars.name(b.Name)
				varOf[key] = name
				po.SetName(name)
				extracted[pos[b.Producer]] = append(extracted[pos[b.Producer]], po)
			}
			marker := fmt.Sprintf("zzsmokevar%dzz", len(markers))
			if b.In == generator.InBody && isNumberAt(c.Request.Body, b.Name) {
				numeric[marker] = true
			}
			next, err := c.WithValue(b.In, b.Name, marker)
			if err != nil {
				continue // the static value stays, as the runner does
			}
			c = next
			markers[marker] = "{{ " + name + " }}"
		}
		// The read bound to a create of the chain must find what was
		// just created: only its documented successes pass
		// (read-after-write).
		if c.Chain != nil && c.Chain.Role == generator.RoleRead {
			if _, ok := pos[c.Chain.Group]; ok {
				c.Expect = successOnly(c.Expect)
			}
		}
		// Each step is the check's own HTTP test, placeholders filled.
		t, err := build(c)
		if err != nil {
			return Test{}, fmt.Errorf("step %s %s: %w", c.Method, c.Path, err)
		}
		req := t.api.Config.GetRequest()
		fill := func(s string) string {
			for m, v := range markers {
				if numeric[m] {
					s = strings.ReplaceAll(s, `"`+m+`"`, v)
				}
				s = strings.ReplaceAll(s, m, v)
			}
			return s
		}
		req.SetUrl(fill(req.GetUrl()))
		if req.Body != nil {
			req.SetBody(fill(req.GetBody()))
		}
		if h := req.GetHeaders(); len(h) > 0 {
			for k, v := range h {
				h[k] = fill(v)
			}
			req.SetHeaders(h)
		}
		if markerRe.MatchString(req.GetUrl() + req.GetBody()) {
			return Test{}, fmt.Errorf("step %s %s: a bound value has no variable", c.Method, c.Path)
		}
		// Datadog reads a step's redirect policy from its request, not
		// from the test's options (those are for single HTTP tests):
		// smoke never follows a redirect, so each step says so.
		req.SetFollowRedirects(false)
		if needsHTTP1(req) {
			req.SetHttpVersion(datadogV1.SYNTHETICSTESTOPTIONSHTTPVERSION_HTTP1)
		}
		stepName := c.Method + " " + c.Path
		if c.Chain != nil && c.Chain.Instance != "" {
			// The create once more, for a second delete of its group
			// (generator.Instances).
			stepName += " again"
		}
		step := datadogV1.NewSyntheticsAPITestStep(t.api.Config.Assertions, stepName, req,
			datadogV1.SYNTHETICSAPITESTSTEPSUBTYPE_HTTP)
		// Every step runs, so that the delete at the end runs even when a
		// read failed; each one still fails the test.
		step.SetAllowFailure(true)
		step.SetIsCritical(true)
		steps = append(steps, datadogV1.SyntheticsAPITestStepAsSyntheticsAPIStep(step))
		names = append(names, stepName)
		variables = append(variables, t.Variables...)
		if err := locals.add(t.api.Config.ConfigVariables); err != nil {
			return Test{}, fmt.Errorf("step %s %s: %w", c.Method, c.Path, err)
		}
	}
	for i, ex := range extracted {
		if len(ex) > MaxExtractedValues {
			c := ch.steps[i]
			return Test{}, fmt.Errorf("step %s %s: later steps take %d values from its answer, Datadog extracts at most %d per step (exclude some of the operations that take them)",
				c.Method, c.Path, len(ex), MaxExtractedValues)
		}
		if len(ex) > 0 {
			steps[i].SyntheticsAPITestStep.SetExtractedValues(ex)
		}
	}

	// The test around the steps: options, locations, tags and message of
	// the first step's test, with the chain's identity.
	first, err := build(ch.steps[0])
	if err != nil {
		return Test{}, err
	}
	api := first.api
	// Each step says its own HTTP version: the first step's test's
	// option is not the chain's.
	api.Options.HttpVersion = nil
	cfg := datadogV1.SyntheticsAPITestConfig{}
	cfg.SetSteps(steps)
	if len(locals.vars) > 0 {
		cfg.SetConfigVariables(locals.vars)
	}
	api.SetConfig(cfg)
	api.SetSubtype(datadogV1.SYNTHETICSTESTDETAILSSUBTYPE_MULTI)
	name := ch.name(opts.Service)
	api.SetName(name)
	tags := api.GetTags()
	tags[2] = NormalizeTag(tagCheck + ch.id())
	api.SetTags(tags)
	if opts.Message == "" {
		api.SetMessage(fmt.Sprintf("smoke chain %s of service %s failed.", strings.Join(names, " → "), opts.Service))
	}
	test := Test{CheckID: ch.id(), Name: name, Variables: uniqueVariables(variables), api: api}
	for _, c := range ch.steps {
		test.Steps = append(test.Steps, c.ID)
	}
	return test, nil
}

// localSet is the union of the local variables of a multistep test's
// steps, in order of first use. A local variable is evaluated once per
// test run, so one variable serves every step that uses it: ${run} is
// the same in every step, as the runner's run token is the same in
// every request of a run, and a later step that repeats what an earlier
// one sent (a $request binding) sends the same value.
type localSet struct {
	vars  []datadogV1.SyntheticsConfigVariable
	index map[string]int
}

// add adds a step's local variables. One name always has one pattern
// (see local); two patterns under one name would make one of the steps
// send another value than its check's.
func (l *localSet) add(vars []datadogV1.SyntheticsConfigVariable) error {
	for _, v := range vars {
		if v.Type != datadogV1.SYNTHETICSCONFIGVARIABLETYPE_TEXT {
			continue // global variables are the test's through Variables
		}
		if i, ok := l.index[v.Name]; ok {
			if l.vars[i].GetPattern() != v.GetPattern() {
				return fmt.Errorf("local variable %s has two patterns, %q and %q", v.Name, l.vars[i].GetPattern(), v.GetPattern())
			}
			continue
		}
		if l.index == nil {
			l.index = map[string]int{}
		}
		l.index[v.Name] = len(l.vars)
		l.vars = append(l.vars, v)
	}
	return nil
}

// withRequestValue sets in c the value v that producer p sent (a
// $request binding). In a dynamic request every string is template text
// (generator.Vars), so v is one when p is dynamic: a value with a
// placeholder (smoke-${run}) makes c dynamic too, so that both steps
// render it from the same local variable; a literal value is escaped
// when it goes into a dynamic request, and unescaped when it comes from
// one.
func withRequestValue(c, p generator.Check, b generator.Binding, v any) (generator.Check, error) {
	s, isString := v.(string)
	switch {
	case !isString:
		return c.WithValue(b.In, b.Name, v)
	case p.Request.Dynamic && generator.HasPlaceholder(s):
		if !c.Request.Dynamic {
			c = templated(c)
		}
		if b.In == generator.InPath {
			return withPathTemplate(c, b.Name, s)
		}
		return c.WithValue(b.In, b.Name, s)
	}
	if p.Request.Dynamic {
		s = generator.Render(s, generator.Vars{}) // no placeholder: "$${" back to "${"
	}
	if c.Request.Dynamic && b.In != generator.InPath {
		// A path value is percent-escaped: no "${" is left to escape.
		s = generator.Escape(s)
	}
	return c.WithValue(b.In, b.Name, s)
}

// templated returns c with a dynamic request that sends what c sends:
// every string escaped as template text.
func templated(c generator.Check) generator.Check {
	r := c.Request
	r.Dynamic = true
	r.URL = generator.Escape(r.URL)
	esc := func(ps []generator.Param) []generator.Param {
		if ps == nil {
			return nil
		}
		out := make([]generator.Param, len(ps))
		for i, p := range ps {
			p.Value = generator.Escape(p.Value)
			out[i] = p
		}
		return out
	}
	r.Path, r.Query, r.Headers, r.Cookies = esc(r.Path), esc(r.Query), esc(r.Headers), esc(r.Cookies)
	if r.Body != nil {
		b := *r.Body
		b.Text = generator.Escape(b.Text)
		r.Body = &b
	}
	c.Request = r
	return c
}

// pathMarker stands for a path value with placeholders while
// generator.Check.WithValue percent-escapes it: "{" and "}" would not
// survive.
const pathMarker = "zzsmoketemplatezz"

// withPathTemplate sets path parameter name of a dynamic request to
// template text: its literal parts percent-escaped, its placeholders
// kept for the local variables to replace.
func withPathTemplate(c generator.Check, name, tmpl string) (generator.Check, error) {
	next, err := c.WithValue(generator.InPath, name, pathMarker)
	if err != nil {
		return c, err
	}
	var b strings.Builder
	for _, seg := range generator.Split(tmpl) {
		if seg.Placeholder != nil {
			b.WriteString(seg.Placeholder.Text)
			continue
		}
		b.WriteString(url.PathEscape(seg.Literal))
	}
	next.Request.URL = strings.Replace(next.Request.URL, pathMarker, b.String(), 1)
	for i, p := range next.Request.Path {
		if p.Name == name {
			next.Request.Path[i].Value = tmpl
		}
	}
	return next, nil
}

// successOnly keeps the documented successes of an expectation (2XX and
// 3XX); with none documented, any 2XX.
func successOnly(e generator.Expect) generator.Expect {
	var out generator.Expect
	for i, st := range e.Status {
		if strings.HasPrefix(st, "2") || strings.HasPrefix(st, "3") {
			out.Status = append(out.Status, st)
			if i < len(e.Responses) {
				out.Responses = append(out.Responses, e.Responses[i])
			}
		}
	}
	if len(out.Status) == 0 {
		out.Status = []string{"2XX"}
		out.Responses = []generator.Response{{Status: "2XX"}}
	}
	return out
}

// MaxExtractedValues is the most values one step of a multistep test
// extracts: "You can extract up to ten variables per test step" (docs:
// Synthetic Monitoring, Multistep API Testing, Extract variables from
// the response).
const MaxExtractedValues = 10

// extraction says how a producer step extracts the value a binding
// takes: a JSON path on its body, or a regular expression on a header
// (for a Location, the segment of the consumer's path parameter). The
// caller names the variable.
func extraction(x generator.Expr, consumer generator.Check, b generator.Binding) (datadogV1.SyntheticsParsingOptions, error) {
	po := datadogV1.NewSyntheticsParsingOptions()
	switch x.Part {
	case "body":
		path, err := jsonPath(x.Pointer)
		if err != nil {
			return *po, err
		}
		po.SetType(datadogV1.SYNTHETICSLOCALVARIABLEPARSINGOPTIONSTYPE_HTTP_BODY)
		parser := datadogV1.NewSyntheticsVariableParser(datadogV1.SYNTHETICSGLOBALVARIABLEPARSERTYPE_JSON_PATH)
		parser.SetValue(path)
		po.SetParser(*parser)
	case "header":
		po.SetType(datadogV1.SYNTHETICSLOCALVARIABLEPARSINGOPTIONSTYPE_HTTP_HEADER)
		po.SetField(strings.ToLower(x.Name))
		if strings.EqualFold(x.Name, "Location") && b.In == generator.InPath {
			parser := datadogV1.NewSyntheticsVariableParser(datadogV1.SYNTHETICSGLOBALVARIABLEPARSERTYPE_REGEX)
			parser.SetValue(locationRegexp(consumer.Path, b.Name))
			po.SetParser(*parser)
		} else {
			po.SetParser(*datadogV1.NewSyntheticsVariableParser(datadogV1.SYNTHETICSGLOBALVARIABLEPARSERTYPE_RAW))
		}
	default:
		return *po, fmt.Errorf("%s cannot be extracted from an answer", x)
	}
	return *po, nil
}

// extractionKey identifies what an extraction parses, whatever its
// name: two bindings to the same value of one answer share it.
func extractionKey(po datadogV1.SyntheticsParsingOptions) string {
	p := po.GetParser()
	return strings.Join([]string{string(po.GetType()), po.GetField(), string(p.GetType()), p.GetValue()}, "\x00")
}

// locationRegexp matches, as its whole match, the segment of a Location
// that holds path parameter param of template: the segment after the
// static one that precedes it.
func locationRegexp(template, param string) string {
	segs := strings.Split(strings.Trim(template, "/"), "/")
	i := slices.Index(segs, "{"+param+"}")
	if i <= 0 || strings.Contains(segs[i-1], "{") {
		return `[^/?#]+(?=[?#]|$)`
	}
	return `(?<=/` + regexp.QuoteMeta(segs[i-1]) + `/)[^/?#]+`
}

// jsonPath renders a JSON pointer as a JSONPath: /items/0/id is
// $.items[0].id, a key that is not an identifier is quoted.
func jsonPath(pointer string) (string, error) {
	toks, err := generator.SplitPointer(pointer)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("$")
	for _, t := range toks {
		if n, err := strconv.Atoi(t); err == nil && n >= 0 && strconv.Itoa(n) == t {
			fmt.Fprintf(&b, "[%d]", n)
			continue
		}
		if identRe.MatchString(t) {
			b.WriteString("." + t)
			continue
		}
		q, _ := json.Marshal(t) // a string always marshals
		b.WriteString("[" + strings.ReplaceAll(string(q), `'`, `\'`) + "]")
	}
	return b.String(), nil
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// requestValue evaluates a $request expression on a step's static
// request: what it sends is what a later step takes.
func requestValue(c generator.Check, x generator.Expr) (any, bool) {
	switch x.Part {
	case "body":
		if c.Request.Body == nil {
			return nil, false
		}
		doc, err := generator.DecodeJSON([]byte(c.Request.Body.Text))
		if err != nil {
			return nil, false
		}
		v, ok := generator.Lookup(doc, x.Pointer)
		if _, scalar := generator.Scalar(v); !ok || !scalar {
			return nil, false
		}
		return v, true
	case "header":
		p, ok := c.Request.Header(x.Name)
		return p.Value, ok && !p.Secret
	}
	list := c.Request.Path
	if x.Part == "query" {
		list = c.Request.Query
	}
	for _, p := range list {
		if p.Name == x.Name && !p.Secret {
			return p.Value, true
		}
	}
	return nil, false
}

func isNumberAt(b *generator.Body, pointer string) bool {
	if b == nil {
		return false
	}
	doc, err := generator.DecodeJSON([]byte(b.Text))
	if err != nil {
		return false
	}
	v, ok := generator.Lookup(doc, pointer)
	_, num := v.(json.Number)
	return ok && num
}

// varNames hands out the names of extracted values: upper case letters,
// digits and underscores, from the bound target's name, valid Datadog
// variable names (variableNameRe), unique within a test.
type varNames struct{ used map[string]bool }

func newVarNames() *varNames { return &varNames{used: map[string]bool{}} }

var nonVar = regexp.MustCompile(`[^A-Z0-9]+`)

func (v *varNames) name(target string) string {
	// camelCase and snake_case both become SNAKE_CASE.
	var b strings.Builder
	for i, r := range target {
		if i > 0 && r >= 'A' && r <= 'Z' {
			prev := rune(target[i-1])
			if prev >= 'a' && prev <= 'z' {
				b.WriteByte('_')
			}
		}
		b.WriteRune(r)
	}
	n := strings.Trim(nonVar.ReplaceAllString(strings.ToUpper(b.String()), "_"), "_")
	if n == "" || n[0] < 'A' || n[0] > 'Z' || len(n) < 3 || strings.HasPrefix(n, localPrefix) {
		// A name starts with a letter and has at least 3 characters
		// (variableNameRe: etcd's {{ ID }} would be refused), and
		// SMOKE_ names the local variables of dynamic values.
		n = "VALUE_" + n
	}
	base := strings.TrimSuffix(n, "_")
	name := base
	for k := 2; v.used[name]; k++ {
		name = fmt.Sprintf("%s_%d", base, k)
	}
	v.used[name] = true
	return name
}

func uniqueVariables(vs []Variable) []Variable {
	slices.SortFunc(vs, func(a, b Variable) int { return strings.Compare(a.Name, b.Name) })
	vs = slices.CompactFunc(vs, func(a, b Variable) bool { return a.Name == b.Name })
	if len(vs) == 0 {
		return nil
	}
	return vs
}

// stepsView is the part of a multistep test's steps smoke owns: what it
// sends and asserts, not the ids Datadog gives steps, so that a
// published chain never shows drift.
type stepsView []stepView

type stepView struct {
	Name            string           `json:"name"`
	Subtype         string           `json:"subtype"`
	AllowFailure    bool             `json:"allowFailure,omitempty"`
	IsCritical      bool             `json:"isCritical,omitempty"`
	Request         json.RawMessage  `json:"request"`
	Assertions      []map[string]any `json:"assertions"`
	ExtractedValues json.RawMessage  `json:"extractedValues,omitempty"`
}

// UnmarshalJSON keeps the owned fields of each step, assertions
// normalised as those of an HTTP test are.
func (s *stepsView) UnmarshalJSON(b []byte) error {
	var raw []stepView
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for i := range raw {
		var req map[string]any
		if err := json.Unmarshal(raw[i].Request, &req); err == nil {
			delete(req, "id")
			raw[i].Request, _ = json.Marshal(req) // it came from JSON
		}
		for k, a := range raw[i].Assertions {
			raw[i].Assertions[k] = normaliseAssertion(a)
		}
	}
	*s = raw
	return nil
}
