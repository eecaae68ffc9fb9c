package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// K6 script defaults: a short ramp to a small load, the shape of a first
// load test on a migrated service, not of a stress test.
const (
	DefaultK6VUs        = 10
	DefaultK6Duration   = 2 * time.Minute
	DefaultK6Pause      = time.Second
	DefaultK6Percentile = 95
)

// K6Options say how checks become a k6 script. The zero value gives a
// script with the defaults above and no target but BASE_URL.
type K6Options struct {
	// Title names the API in the script's first comment.
	Title string
	// Script is the file name the comment's k6 run line shows (default
	// script.js).
	Script string
	// BaseURL is the target when k6 runs without -e BASE_URL=...
	BaseURL string
	// Headers are sent with every request and replace a check's header of
	// the same name (a smoke.yaml environment's headers). A secret one
	// must carry a ${VAR} Template, as a check's credentials do.
	Headers []generator.Param
	// VUs is the number of virtual users at full load (default 10).
	VUs int
	// Duration is the whole test, ramps included (default 2m).
	Duration time.Duration
	// Ramp is the ramp-up and the ramp-down time each; zero holds VUs
	// for the whole Duration. Callers choose it (smoke export k6 takes a
	// sixth of the duration).
	Ramp time.Duration
	// Pause ends each iteration (think time); zero sends back to back.
	Pause time.Duration
	// Timeout is the per-request timeout; zero keeps k6's (60s).
	Timeout time.Duration
	// Latency is the run's latency budget (run.latency_ms): a check
	// without its own gets it. Zero: none.
	Latency time.Duration
	// Percentile of http_req_duration that a budget bounds (default 95;
	// 100 bounds the maximum).
	Percentile float64
	// Skip names assertions not to check anywhere (run.skip_assertions).
	Skip []string
	// Insecure turns off TLS certificate verification.
	Insecure bool
	// CAFile is a CA bundle smoke.yaml trusts; k6 cannot be told one, so
	// the script says how to pass it.
	CAFile string
	// AllowWrites sends writes, in chains only: each iteration creates
	// its own resources and deletes them (see selectK6). Without it the
	// script sends safe methods only.
	AllowWrites bool
}

// ErrK6Secret means a secret has no ${VAR} reference to read it from:
// smoke never writes a credential into a script.
var ErrK6Secret = errors.New("secret cannot be read from the environment")

// WriteK6 writes a k6 load test (JavaScript) from checks: one request per
// check with the same method, URL, headers, cookies and body; credentials
// read from environment variables (__ENV), never inlined; check()s for a
// server error, a documented status, the documented media type and the
// required headers; thresholds that every check passes and that each
// latency budget holds at the chosen percentile; a ramp-up, hold,
// ramp-down load shape. Every literal is JSON-encoded, and text from the
// spec reaches comments on one line.
//
// Writes are sent only with Options.AllowWrites, and then only in chains
// (see selectK6): the checks bindings link run as one ordered group() per
// iteration, ids flowing from the create's answer to the later steps, the
// deletes at the end whatever failed. The K6Export says what was left out
// and which creates leave a resource behind on every iteration.
func WriteK6(w io.Writer, checks []generator.Check, opts K6Options) (K6Export, error) {
	if err := opts.defaults(); err != nil {
		return K6Export{}, fmt.Errorf("k6 script: %w", err)
	}
	kept, left := selectK6(checks, opts.AllowWrites)
	exp := K6Export{Checks: len(kept), Left: left, Leaks: leaksK6(kept)}
	s := &k6Script{opts: opts, env: map[string]bool{}, secrets: map[string]bool{}, parts: map[[2]string][]string{}}
	for _, h := range opts.Headers {
		v, err := s.value(h)
		if err != nil {
			return K6Export{}, fmt.Errorf("k6 script: header %s: %w", h.Name, err)
		}
		s.headers = append(s.headers, k6Header{name: h.Name, value: v})
	}
	index := make(map[string]int, len(kept))
	for i, c := range kept {
		index[c.ID] = i
	}
	chs, member := generator.Chains(kept)
	for _, ch := range chs {
		// A step that is no check of the script (a create repeated for
		// a second delete: generator.Instances) gets its own number.
		for _, c := range ch.Steps {
			if _, ok := index[c.ID]; !ok {
				index[c.ID] = len(index)
			}
		}
	}
	exp.Chains = len(chs)
	var body bytes.Buffer
	for i, c := range kept {
		k, chained := member[c.ID]
		if !chained {
			if err := s.request(&body, i, c, k6Request{indent: "  "}); err != nil {
				return K6Export{}, fmt.Errorf("k6 script: %s %s: %w", c.Method, c.Path, err)
			}
			continue
		}
		if chs[k].Steps[0].ID != c.ID {
			continue // rendered with its chain, at the place of its first step
		}
		kc := &k6Chain{s: s, ch: chs[k], index: index, names: map[string]bool{}, vars: map[string]*k6Value{}}
		if err := kc.prepare(); err != nil {
			return K6Export{}, fmt.Errorf("k6 script: %s: %w", chainName(chs[k].Steps), err)
		}
		if err := kc.render(&body); err != nil {
			return K6Export{}, fmt.Errorf("k6 script: %w", err)
		}
		s.chains = true
	}
	var out bytes.Buffer
	s.header(&out, exp)
	s.options(&out, kept)
	out.WriteString("export default function () {\n")
	if s.usesRun {
		out.WriteString("  // ${run} of smoke's plan: new for every iteration of every virtual user,\n")
		out.WriteString("  // the same for its requests.\n")
		out.WriteString("  const run = runToken();\n")
	}
	out.Write(body.Bytes())
	if opts.Pause > 0 {
		fmt.Fprintf(&out, "  sleep(%s);\n", strconv.FormatFloat(opts.Pause.Seconds(), 'f', -1, 64))
	}
	out.WriteString("}\n")
	out.WriteString(k6Judge)
	if s.chains {
		out.WriteString(k6ChainHelpers)
	}
	if s.usesAt {
		out.WriteString(k6At)
	}
	if s.usesRun {
		out.WriteString(k6RunToken)
	}
	if s.usesUUID {
		out.WriteString(k6UUID)
	}
	if err := s.checkNoSecret(out.Bytes()); err != nil {
		return K6Export{}, err
	}
	if _, err := w.Write(out.Bytes()); err != nil {
		return K6Export{}, err
	}
	return exp, nil
}

func (o *K6Options) defaults() error {
	if o.VUs == 0 {
		o.VUs = DefaultK6VUs
	}
	if o.Duration == 0 {
		o.Duration = DefaultK6Duration
	}
	if o.Percentile == 0 {
		o.Percentile = DefaultK6Percentile
	}
	switch {
	case o.VUs < 1:
		return fmt.Errorf("%d virtual users: want at least 1", o.VUs)
	case o.Duration < time.Second:
		return fmt.Errorf("duration %s: want at least 1s", o.Duration)
	case o.Ramp < 0 || 2*o.Ramp >= o.Duration:
		return fmt.Errorf("ramp %s: want at least 0 and less than half the duration %s", o.Ramp, o.Duration)
	case o.Pause < 0 || o.Timeout < 0 || o.Latency < 0:
		return errors.New("pause, timeout and latency must not be negative")
	case math.IsNaN(o.Percentile) || o.Percentile <= 0 || o.Percentile > 100:
		return fmt.Errorf("percentile %v: want more than 0 and at most 100", o.Percentile)
	}
	return runner.CheckAssertionNames(o.Skip)
}

type k6Header struct {
	name  string
	value jsString
}

// k6Script collects what the script needs while its steps are rendered:
// the environment variables and the secret values to look for.
type k6Script struct {
	opts    K6Options
	headers []k6Header
	env     map[string]bool
	basic   bool
	// dynamic placeholders used anywhere (helpers to write) and in the
	// check being rendered (per-request constants to declare).
	usesAt, usesRun, usesUUID bool
	checkNow, checkUUID       bool
	// chains is set when a chain was rendered (its helpers are written);
	// marks maps the markers of the chain step being rendered to the
	// code of the values that go there.
	chains bool
	marks  map[string]string
	// secrets are the values known at export time that the script must
	// not contain, each once: every check carries the same credentials.
	secrets map[string]bool
	// parts memoises secretParts by template and value.
	parts map[[2]string][]string
}

// secret records the values template holds in value.
func (s *k6Script) secret(template, value string) {
	key := [2]string{template, value}
	parts, ok := s.parts[key]
	if !ok {
		parts = secretParts(template, value)
		s.parts[key] = parts
	}
	for _, p := range parts {
		s.secrets[p] = true
	}
}

// k6Request is how one request is placed in the default function.
type k6Request struct {
	indent string // of the request's comment and block
	// guard is a condition the request is sent under ("" always): a
	// write of a chain needs every value it takes.
	guard string
	// text keeps the answer's body: a later step reads a value in it.
	text bool
	// comments go after the request's name (a chain step's bindings);
	// after are lines of code after its judgement, inside its block.
	comments, after []string
	// now and uuid declare the request's placeholder constants even
	// when only code of after (or a fallback) uses them.
	now, uuid bool
}

// request renders one check: its request, bound to r<i>, and its
// judgement. It is the one place a check becomes a k6 request.
func (s *k6Script) request(b *bytes.Buffer, i int, c generator.Check, o k6Request) error {
	name := c.Method + " " + c.Path
	comment := name
	if c.OperationID != "" {
		comment += " (" + c.OperationID + ")"
	}
	s.checkNow, s.checkUUID = o.now, o.uuid
	u, err := s.url(c.Request)
	if err != nil {
		return err
	}
	headers, err := s.requestHeaders(c)
	if err != nil {
		return err
	}
	body := "null"
	if c.Request.Body != nil {
		body = s.text(c.Request.Body.Text, c.Request.Dynamic).String()
	}
	skip := s.skip(c)
	ind, in := o.indent, o.indent+"  "
	fmt.Fprintf(b, "%s// %s\n", ind, jsComment(comment))
	for _, n := range c.Notes {
		fmt.Fprintf(b, "%s// note: %s\n", ind, jsComment(n))
	}
	for _, n := range o.comments {
		fmt.Fprintf(b, "%s// %s\n", ind, jsComment(n))
	}
	if o.guard != "" {
		fmt.Fprintf(b, "%sif (%s) {\n", ind, o.guard)
	} else {
		fmt.Fprintf(b, "%s{\n", ind)
	}
	if s.checkNow {
		fmt.Fprintf(b, "%sconst now = Date.now(); // the send time of this request's placeholders\n", in)
	}
	if s.checkUUID {
		fmt.Fprintf(b, "%sconst uuid = uuidv4(); // one per request, as smoke run renders it\n", in)
	}
	fmt.Fprintf(b, "%sconst r%d = http.request(%s, BASE_URL + %s, %s, {\n", in, i, jsLit(c.Method), u, body)
	if len(headers) > 0 {
		fmt.Fprintf(b, "%s  headers: {\n", in)
		for _, h := range headers {
			fmt.Fprintf(b, "%s    %s: %s,\n", in, jsLit(h.name), h.value)
		}
		fmt.Fprintf(b, "%s  },\n", in)
	}
	fmt.Fprintf(b, "%s  tags: { name: %s, smoke_check: %s },\n", in, jsLit(name), jsLit(c.ID))
	if s.opts.Timeout > 0 {
		fmt.Fprintf(b, "%s  timeout: %s,\n", in, jsLit(k6Duration(s.opts.Timeout)))
	}
	if o.text {
		fmt.Fprintf(b, "%s  responseType: \"text\", // a later step reads a value in it\n", in)
	}
	fmt.Fprintf(b, "%s  responseCallback: http.expectedStatuses(%s),\n", in, expectedStatuses(c, skip))
	fmt.Fprintf(b, "%s});\n", in)
	fmt.Fprintf(b, "%sjudge(r%d, %s, %s, %s);\n", in, i, jsLit(name), documented(c, in), jsonArray(skip))
	for _, l := range o.after {
		fmt.Fprintf(b, "%s%s\n", in, l)
	}
	fmt.Fprintf(b, "%s}\n", ind)
	return nil
}

// skip is the assertions not checked for c: the run's and its own.
func (s *k6Script) skip(c generator.Check) []string {
	skip := slices.Clone(s.opts.Skip)
	if c.Assertions != nil {
		skip = append(skip, c.Assertions.Skip...)
	}
	slices.Sort(skip)
	return slices.Compact(skip)
}

// url is the check's URL as an expression to append to BASE_URL: the
// plan's URL, or, when a query value is secret, the path and a query
// rebuilt in the same order with secrets read from the environment.
func (s *k6Script) url(r generator.Request) (jsString, error) {
	secret := slices.ContainsFunc(r.Query, func(q generator.Param) bool { return q.IsSecret() })
	if !secret {
		return s.text(r.URL, r.Dynamic), nil
	}
	path, _, _ := strings.Cut(r.URL, "?")
	out := s.text(path, r.Dynamic)
	for i, q := range r.Query {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		out = append(out, jsPart{lit: sep + url.QueryEscape(q.Name) + "="})
		if !q.IsSecret() {
			for _, p := range s.text(q.Value, r.Dynamic) {
				if p.raw == "" {
					p.lit = url.QueryEscape(p.lit) // a placeholder's value needs no escaping
				}
				out = append(out, p)
			}
			continue
		}
		v, err := s.value(q)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", q.Name, err)
		}
		out = append(out, jsPart{raw: "encodeURIComponent(" + v.String() + ")"})
	}
	return out, nil
}

// requestHeaders are the headers runner sends for c, in its order: the
// check's own, its cookies as one Cookie header, the body's Content-Type,
// then Options.Headers replacing those of the same name.
func (s *k6Script) requestHeaders(c generator.Check) ([]k6Header, error) {
	var out []k6Header
	set := func(h k6Header) {
		for i := range out {
			if strings.EqualFold(out[i].name, h.name) {
				out[i] = h
				return
			}
		}
		out = append(out, h)
	}
	for _, h := range c.Request.Headers {
		v, err := s.checkValue(h, c.Request.Dynamic)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", h.Name, err)
		}
		set(k6Header{name: h.Name, value: v})
	}
	if len(c.Request.Cookies) > 0 {
		var v jsString
		for i, ck := range c.Request.Cookies {
			if i > 0 {
				v = append(v, jsPart{lit: "; "})
			}
			cv, err := s.checkValue(ck, c.Request.Dynamic)
			if err != nil {
				return nil, fmt.Errorf("cookie %s: %w", ck.Name, err)
			}
			v = append(v, jsPart{lit: ck.Name + "="})
			v = append(v, cv...)
		}
		set(k6Header{name: "Cookie", value: v})
	}
	if c.Request.Body != nil && c.Request.Body.ContentType != "" {
		set(k6Header{name: "Content-Type", value: jsString{{lit: c.Request.Body.ContentType}}})
	}
	for _, h := range s.headers {
		set(h)
	}
	return out, nil
}

// checkValue is value for a value of a check's request: in a dynamic
// request, a value that is not a secret is template text.
func (s *k6Script) checkValue(p generator.Param, dynamic bool) (jsString, error) {
	if dynamic && !p.IsSecret() {
		return s.text(p.Value, true), nil
	}
	return s.value(p)
}

// text renders a string of a check's request: literal, or for a dynamic
// request template text whose placeholders are computed when the request
// is sent, as smoke run renders them (generator.Render).
func (s *k6Script) text(v string, dynamic bool) jsString {
	if !dynamic {
		return s.fill(v)
	}
	var out jsString
	for _, seg := range generator.Split(v) {
		p := seg.Placeholder
		if p == nil {
			out = append(out, s.fill(seg.Literal)...)
			continue
		}
		switch p.Word {
		case generator.WordRun:
			s.usesRun = true
			out = append(out, jsPart{raw: "run"})
		case generator.WordUUID:
			s.usesUUID, s.checkUUID = true, true
			out = append(out, jsPart{raw: "uuid"})
		default:
			s.usesAt, s.checkNow = true, true
			out = append(out, jsPart{raw: fmt.Sprintf("at(now, %d, %s)", int64(p.Offset/time.Second), jsLit(p.Word))})
		}
	}
	if len(out) == 0 {
		out = jsString{{lit: ""}}
	}
	return out
}

// value renders a request value: a literal, or for a secret (the one
// rule: generator's Param.IsSecret) an expression that reads the
// variables of its template (HTTP basic: of its parts) from the
// environment.
func (s *k6Script) value(p generator.Param) (jsString, error) {
	if !p.IsSecret() {
		return s.fill(p.Value), nil
	}
	if p.Basic != nil && strings.HasPrefix(p.Value, "Basic ") {
		return s.basicValue(p)
	}
	if p.Template == "" || len(generator.EnvRefs(p.Template)) == 0 {
		return nil, fmt.Errorf("%w: its value is written inline in smoke.yaml; write it as ${VAR} and set VAR", ErrK6Secret)
	}
	s.secret(p.Template, p.Value)
	return s.template(p.Template)
}

// basicValue renders "Basic " + base64(user:password) from the parts'
// templates. A user name written inline is not a secret and is kept; the
// password must come from the environment.
func (s *k6Script) basicValue(p generator.Param) (jsString, error) {
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(p.Value, "Basic "))
	user, pass, _ := strings.Cut(string(raw), ":")
	if len(generator.EnvRefs(p.Basic.Password)) == 0 {
		return nil, fmt.Errorf("%w: the HTTP basic password is written inline in smoke.yaml; write it as ${VAR} and set VAR", ErrK6Secret)
	}
	u := jsString{{lit: user}}
	if len(generator.EnvRefs(p.Basic.Username)) > 0 {
		var err error
		if u, err = s.template(p.Basic.Username); err != nil {
			return nil, err
		}
		s.secret(p.Basic.Username, user)
	}
	pw, err := s.template(p.Basic.Password)
	if err != nil {
		return nil, err
	}
	s.secret(p.Basic.Password, pass)
	if pass != "" {
		s.secrets[string(raw)] = true
		s.secrets[strings.TrimPrefix(p.Value, "Basic ")] = true
	}
	s.basic = true
	inner := slices.Concat(u, jsString{{lit: ":"}}, pw)
	return jsString{{lit: "Basic "}, {raw: "encoding.b64encode(" + inner.String() + ")"}}, nil
}

// template turns "Bearer ${TOKEN}" into "Bearer " + env["TOKEN"].
func (s *k6Script) template(t string) (jsString, error) {
	const mark = "\x00"
	if strings.Contains(t, mark) {
		return nil, fmt.Errorf("%w: a NUL character in its template", ErrK6Secret)
	}
	var out jsString
	for i, seg := range strings.Split(generator.ReplaceEnvRefs(t, func(name string) string { return mark + name + mark }), mark) {
		if i%2 == 0 {
			if seg != "" {
				out = append(out, jsPart{lit: seg})
			}
			continue
		}
		s.env[seg] = true
		out = append(out, jsPart{raw: "env[" + jsLit(seg) + "]"})
	}
	return out, nil
}

// secretParts returns the values value holds for the references of
// template: what must not appear in the script.
func secretParts(template, value string) []string {
	segs := strings.Split(generator.ReplaceEnvRefs(template, func(string) string { return "\x00" }), "\x00")
	for i := range segs {
		segs[i] = regexp.QuoteMeta(segs[i])
	}
	re, err := regexp.Compile("(?s)^" + strings.Join(segs, "(.*?)") + "$")
	if err != nil {
		return nil
	}
	m := re.FindStringSubmatch(value)
	if m == nil {
		return nil
	}
	return m[1:]
}

// checkNoSecret is the last line of defence: no secret value known at
// export time may appear in the script, raw or encoded.
func (s *k6Script) checkNoSecret(script []byte) error {
	for v := range s.secrets {
		if len(v) < generator.MinSecretLen {
			continue
		}
		j, _ := json.Marshal(v)
		for _, form := range []string{v, string(j[1 : len(j)-1]), url.QueryEscape(v), url.PathEscape(v), base64.StdEncoding.EncodeToString([]byte(v))} {
			if bytes.Contains(script, []byte(form)) {
				return fmt.Errorf("k6 script: %w: a secret value would be written into the script", ErrK6Secret)
			}
		}
	}
	return nil
}

// header writes the script's opening comment, imports and variables.
func (s *k6Script) header(b *bytes.Buffer, exp K6Export) {
	title := s.opts.Title
	if title == "" {
		title = "the API"
	}
	vars := make([]string, 0, len(s.env))
	for v := range s.env {
		vars = append(vars, v)
	}
	slices.Sort(vars)
	fmt.Fprintf(b, "// k6 load test of %s, written by smoke export k6.\n", jsComment(strconv.Quote(title)))
	fmt.Fprintf(b, "// One request per check (%s), judged as smoke run judges it: no\n", plural(exp.Checks, "check", "checks"))
	b.WriteString("// server error, a documented status, the documented media type, the\n")
	b.WriteString("// required headers (response schemas are smoke run's alone).\n")
	if exp.Chains > 0 {
		fmt.Fprintf(b, "// %s: a group per iteration that creates its own resources, passes\n", plural(exp.Chains, "chain", "chains"))
		b.WriteString("// their ids from step to step and deletes them at its end.\n")
	}
	writes := 0
	for _, l := range exp.Left {
		if l.Reason == K6ReasonWrites {
			writes++
		}
	}
	switch {
	case writes > 0:
		fmt.Fprintf(b, "// Safe methods only: %s left out (smoke export k6 --allow-writes\n", plural(writes, "write", "writes"))
		b.WriteString("// sends them in chains that delete what each iteration creates).\n")
	case len(exp.Left) > 0:
		fmt.Fprintf(b, "// %s left out: %s.\n", plural(len(exp.Left), "write", "writes"), K6ReasonUnchained)
	}
	for _, l := range exp.Leaks {
		fmt.Fprintf(b, "// Warning: %s: %s.\n", jsComment(l.Method+" "+l.Path), K6ReasonLeak)
	}
	b.WriteString("//\n")
	b.WriteString("//   k6 run -e BASE_URL=https://staging.example.com")
	for _, v := range vars {
		fmt.Fprintf(b, " -e %s=...", v)
	}
	script := s.opts.Script
	if script == "" {
		script = "script.js"
	}
	fmt.Fprintf(b, " %s\n//\n", jsComment(script))
	if len(vars) > 0 {
		fmt.Fprintf(b, "// Credentials come from the environment: %s.\n", strings.Join(vars, ", "))
	}
	if s.opts.CAFile != "" {
		fmt.Fprintf(b, "// smoke.yaml trusts the certificate authorities of %s: k6 reads\n", jsComment(strconv.Quote(s.opts.CAFile)))
		b.WriteString("// them from SSL_CERT_FILE (SSL_CERT_FILE=that-file k6 run ...).\n")
	}
	b.WriteString("import http from \"k6/http\";\n")
	k6 := []string{"check"}
	if s.chains {
		k6 = append(k6, "group")
	}
	if s.opts.Pause > 0 {
		k6 = append(k6, "sleep")
	}
	fmt.Fprintf(b, "import { %s } from \"k6\";\n", strings.Join(k6, ", "))
	if s.usesRun {
		b.WriteString("import exec from \"k6/execution\";\n")
	}
	if s.basic {
		b.WriteString("import encoding from \"k6/encoding\";\n")
	}
	b.WriteString("\n")
	if len(vars) > 0 || s.opts.BaseURL == "" {
		b.WriteString(strings.TrimPrefix(k6Need, "\n"))
	}
	if s.opts.BaseURL == "" {
		b.WriteString("// The spec names no absolute server: the target must be given.\n")
		b.WriteString("const BASE_URL = need(\"BASE_URL\", __ENV.BASE_URL).replace(/\\/+$/, \"\");\n")
	} else {
		fmt.Fprintf(b, "const BASE_URL = (__ENV.BASE_URL || %s).replace(/\\/+$/, \"\");\n", jsLit(s.opts.BaseURL))
	}
	if len(vars) > 0 {
		b.WriteString("const env = {\n")
		for _, v := range vars {
			// A variable name is [A-Za-z_][A-Za-z0-9_]*: __ENV.NAME is
			// valid JavaScript for every one.
			fmt.Fprintf(b, "  %s: need(%s, __ENV.%s),\n", jsLit(v), jsLit(v), v)
		}
		b.WriteString("};\n")
	}
	b.WriteString("\n")
}

// options writes the load shape and the thresholds.
func (s *k6Script) options(b *bytes.Buffer, checks []generator.Check) {
	o := s.opts
	b.WriteString("/** @type {import(\"k6/options\").Options} */\n")
	b.WriteString("export const options = {\n")
	if o.Ramp > 0 {
		b.WriteString("  stages: [\n")
		fmt.Fprintf(b, "    { duration: %s, target: %d },\n", jsLit(k6Duration(o.Ramp)), o.VUs)
		fmt.Fprintf(b, "    { duration: %s, target: %d },\n", jsLit(k6Duration(o.Duration-2*o.Ramp)), o.VUs)
		fmt.Fprintf(b, "    { duration: %s, target: 0 },\n", jsLit(k6Duration(o.Ramp)))
		b.WriteString("  ],\n")
	} else {
		fmt.Fprintf(b, "  vus: %d,\n  duration: %s,\n", o.VUs, jsLit(k6Duration(o.Duration)))
	}
	b.WriteString("  // smoke reports redirects; it never follows them.\n")
	b.WriteString("  maxRedirects: 0,\n")
	if s.chains {
		b.WriteString("  // No check reads a body, and a chain's step whose answer gives an id\n")
		b.WriteString("  // asks for its own (responseType): keep the others out of memory.\n")
	} else {
		b.WriteString("  // No check reads a body: keep them out of memory under load.\n")
	}
	b.WriteString("  discardResponseBodies: true,\n")
	if o.Insecure {
		b.WriteString("  insecureSkipTLSVerify: true,\n")
	}
	b.WriteString("  thresholds: {\n")
	b.WriteString("    // Every check passes, as in smoke run.\n")
	b.WriteString("    checks: [\"rate==1\"],\n")
	stat := "p(" + strconv.FormatFloat(o.Percentile, 'f', -1, 64) + ")"
	if o.Percentile == 100 {
		stat = "max"
	}
	first := true
	for _, c := range checks {
		budget := o.Latency
		if c.Assertions != nil && c.Assertions.LatencyMS > 0 {
			budget = c.Assertions.Latency()
		}
		if budget <= 0 || slices.Contains(s.skip(c), runner.CheckLatency) {
			continue
		}
		if first {
			fmt.Fprintf(b, "    // Latency budgets of smoke.yaml, at the %s of each check's requests.\n", stat)
			first = false
		}
		ms := strconv.FormatFloat(float64(budget)/float64(time.Millisecond), 'f', -1, 64)
		fmt.Fprintf(b, "    %s: [%s], // %s\n", jsLit("http_req_duration{smoke_check:"+c.ID+"}"), jsLit(stat+"<"+ms), jsComment(c.Method+" "+c.Path))
	}
	b.WriteString("  },\n};\n\n")
}

// k6Duration writes d as k6 reads it (Go's syntax), without zero units
// at the end: "2m", "1m30s", "1h", "250ms".
func k6Duration(d time.Duration) string {
	s := d.String()
	s, _ = strings.CutSuffix(s, "m0s")
	if len(s) < len(d.String()) {
		s += "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// expectedStatuses lists the statuses k6 counts as a success of c (its
// http_req_failed metric): the documented ones, without 5xx unless
// not_server_error is skipped.
func expectedStatuses(c generator.Check, skip []string) string {
	top := 599
	if !slices.Contains(skip, runner.CheckNotServerError) {
		top = 499
	}
	var ranges [][2]int
	documented := len(c.Expect.Status) > 0 && !slices.Contains(skip, runner.CheckStatusDocumented)
	if !documented {
		ranges = [][2]int{{100, top}}
	}
	if documented {
		for _, k := range c.Expect.Status {
			k = strings.ToUpper(k)
			switch {
			case k == "DEFAULT":
				ranges = append(ranges, [2]int{100, 599})
			case len(k) == 3 && strings.HasSuffix(k, "XX"):
				lo := int(k[0]-'0') * 100
				ranges = append(ranges, [2]int{lo, lo + 99})
			default:
				if n, err := strconv.Atoi(k); err == nil {
					ranges = append(ranges, [2]int{n, n})
				}
			}
		}
	}
	var kept [][2]int
	for _, r := range ranges {
		if r[0] <= top {
			kept = append(kept, [2]int{r[0], min(r[1], top)})
		}
	}
	if len(kept) == 0 {
		kept = ranges // only 5xx documented: k6 counts what the spec says
	}
	slices.SortFunc(kept, func(a, b [2]int) int { return a[0] - b[0] })
	var merged [][2]int
	for _, r := range kept {
		if n := len(merged); n > 0 && r[0] <= merged[n-1][1]+1 {
			merged[n-1][1] = max(merged[n-1][1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	parts := make([]string, len(merged))
	for i, r := range merged {
		if r[0] == r[1] {
			parts[i] = strconv.Itoa(r[0])
		} else {
			parts[i] = fmt.Sprintf("{ min: %d, max: %d }", r[0], r[1])
		}
	}
	return strings.Join(parts, ", ")
}

// documented writes what judge needs of c's documented responses: per
// status key, the media types and the required headers; indent is that of
// the line the object starts on.
func documented(c generator.Check, indent string) string {
	if len(c.Expect.Responses) == 0 {
		return "{}"
	}
	var b strings.Builder
	b.WriteString("{\n")
	for _, r := range c.Expect.Responses {
		fmt.Fprintf(&b, "%s  %s: {", indent, jsLit(r.Status))
		var fields []string
		if len(r.Content) > 0 {
			types := make([]string, len(r.Content))
			for i, ct := range r.Content {
				types[i] = generator.MediaType(ct.MediaType)
			}
			fields = append(fields, " types: "+jsonArray(types))
		}
		if len(r.Headers) > 0 {
			fields = append(fields, " headers: "+jsonArray(r.Headers))
		}
		b.WriteString(strings.Join(fields, ","))
		if len(fields) > 0 {
			b.WriteString(" ")
		}
		b.WriteString("},\n")
	}
	b.WriteString(indent + "}")
	return b.String()
}

// jsString is a string-valued JavaScript expression: literal text and
// code (an environment reference, a call) joined with +.
type jsString []jsPart

type jsPart struct {
	lit string // literal text, JSON-encoded when written
	raw string // code, when not empty
}

func (s jsString) String() string {
	var parts []string
	var lit strings.Builder
	pending := false
	flush := func() {
		if pending {
			parts = append(parts, jsLit(lit.String()))
			lit.Reset()
			pending = false
		}
	}
	for _, p := range s {
		if p.raw != "" {
			flush()
			parts = append(parts, p.raw)
			continue
		}
		lit.WriteString(p.lit)
		pending = true
	}
	flush()
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " + ")
}

// jsLit is a JavaScript string literal of s: its JSON encoding, which is
// valid JavaScript (U+2028 and U+2029 included, which JSON escapes).
// Strings that are not UTF-8 are encoded as JSON does, with U+FFFD.
func jsLit(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // <, > and & need no escape in a script file
	enc.Encode(s)            // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func jsonArray(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = jsLit(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// jsComment makes text safe inside a // comment: line terminators
// (JavaScript's: LF, CR, U+2028, U+2029) and other control characters
// become spaces.
func jsComment(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

const k6Need = `
/**
 * need returns a variable of the environment, and stops the test at its
 * start when it is not set.
 * @param {string} name
 * @param {string | undefined} value
 * @returns {string}
 */
function need(name, value) {
  if (!value) {
    throw new Error("environment variable " + name + " is not set: k6 run -e " + name + "=...");
  }
  return value;
}

`

const k6Judge = `
/**
 * @typedef {{ types?: string[], headers?: string[] }} Documented
 */

/**
 * judge checks one answer as smoke run does, as k6 checks named after the
 * operation: no server error (nor no answer), a documented status, one of
 * the documented media types, the required headers.
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 * @param {string} name
 * @param {{ [status: string]: Documented }} documented
 * @param {string[]} skip
 */
function judge(res, name, documented, skip) {
  const status = res.status;
  const code = String(status);
  const doc = documented[code] || documented[code.charAt(0) + "XX"] || documented["default"];
  /** @type {{ [name: string]: () => boolean }} */
  const sets = {};
  if (!skip.includes("not_server_error")) {
    sets[name + ": no server error"] = () => status > 0 && status < 500;
  }
  const keys = Object.keys(documented);
  if (!skip.includes("status_documented") && keys.length > 0) {
    sets[name + ": status documented (" + keys.join(", ") + ")"] = () => status > 0 && doc !== undefined;
  }
  if (doc !== undefined && status > 0) {
    const bodyless = res.request.method === "HEAD" || status === 204 || status === 304 || status < 200;
    const types = doc.types || [];
    if (!skip.includes("content_type") && !bodyless && types.length > 0) {
      const got = mediaType(header(res, "Content-Type"));
      sets[name + ": content type " + types.join(" or ")] = () => matchesType(types, got);
    }
    if (!skip.includes("required_headers")) {
      for (const h of doc.headers || []) {
        sets[name + ": header " + h] = () => header(res, h) !== "";
      }
    }
  }
  check(res, sets);
}

/**
 * header returns a response header, whatever the case of its name.
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 * @param {string} name
 * @returns {string}
 */
function header(res, name) {
  const want = name.toLowerCase();
  for (const k of Object.keys(res.headers)) {
    if (k.toLowerCase() === want) {
      return res.headers[k];
    }
  }
  return "";
}

/**
 * mediaType returns the lower-case type/subtype of a Content-Type value.
 * @param {string} value
 * @returns {string}
 */
function mediaType(value) {
  return value.split(";")[0].trim().toLowerCase();
}

/**
 * matchesType reports whether got is one of the documented media types,
 * or falls in a documented range such as text/* (or any type).
 * @param {string[]} types
 * @param {string} got
 * @returns {boolean}
 */
function matchesType(types, got) {
  if (got === "") {
    return false;
  }
  const range = got.split("/")[0] + "/*";
  return types.some((t) => t === got || t === range || t === "*/*");
}
`

const k6At = `
/**
 * at renders a time placeholder of smoke's plan (${now+1h}, ${date},
 * ${time}, ${unix}, ${unixms}): the send time plus an offset, in UTC.
 * @param {number} now the send time, milliseconds since the epoch
 * @param {number} offset seconds
 * @param {string} word now, date, time, unix or unixms
 * @returns {string}
 */
function at(now, offset, word) {
  const t = now + offset * 1000;
  const iso = new Date(t).toISOString(); // 2025-06-01T12:00:00.000Z
  switch (word) {
    case "date":
      return iso.slice(0, 10);
    case "time":
      return iso.slice(11, 19) + "Z";
    case "unix":
      return String(Math.floor(t / 1000));
    case "unixms":
      return String(t);
  }
  return iso.slice(0, 19) + "Z";
}
`

const k6RunToken = `
/**
 * runToken returns a token for values that must be unique (names, keys),
 * shaped as smoke run's: 8 lower-case letters and digits, starting with a
 * letter. Two random characters, then the virtual user's number in the
 * whole test and its iteration, three base-36 digits each: no two
 * iterations of different virtual users share one, and one user's
 * iterations repeat only after 46,656 of them.
 * @returns {string}
 */
function runToken() {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const alnum = letters + "0123456789";
  /** @param {number} n */
  const b36 = (n) => (n % 46656).toString(36).padStart(3, "0");
  return letters.charAt(Math.floor(Math.random() * letters.length)) +
    alnum.charAt(Math.floor(Math.random() * alnum.length)) +
    b36(exec.vu.idInTest) + b36(exec.vu.iterationInScenario);
}
`

const k6UUID = `
/**
 * uuidv4 returns a random version 4 UUID.
 * @returns {string}
 */
function uuidv4() {
  const hex = "0123456789abcdef";
  let out = "";
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      out += "-";
    } else if (i === 14) {
      out += "4";
    } else if (i === 19) {
      out += hex.charAt(8 + Math.floor(Math.random() * 4));
    } else {
      out += hex.charAt(Math.floor(Math.random() * 16));
    }
  }
  return out;
}
`
