package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/smoke-dev/smoke/generator"
)

// Writes in a k6 script (DESIGN.md, "Chains", safety). k6 sends every
// request of the script on every iteration of every virtual user, so a
// write of the plan's static values — DELETE /pets/3, PUT /pets/1 —
// would change data smoke did not create, fifty times a second. A script
// therefore sends writes only inside chains (generator.Chains, the
// grouping Datadog's multistep tests use too): each iteration creates its
// own resources, passes their ids from step to step, and deletes them at
// the end of its group whatever failed before. A write whose id did not
// come is not sent; a read falls back to its static value, as smoke run
// does.

// Reasons a script leaves a check out, or warns about one it sends.
const (
	// K6ReasonWrites: the script was written without AllowWrites.
	K6ReasonWrites = "writes: k6 would send it on every iteration; pass --allow-writes to include it"
	// K6ReasonUnchained: with AllowWrites, a write that no create of the
	// script gives its ids (K6Left.Detail says which).
	K6ReasonUnchained = "it would change data smoke did not create"
	// K6ReasonLeak: a create the script sends with no delete of what it
	// makes.
	K6ReasonLeak = "every iteration leaves one behind: the script has no delete of what it creates"
)

// K6Export says what a k6 script sends on each iteration and what it
// leaves out.
type K6Export struct {
	// Checks is the number of checks the script sends, Chains the number
	// of ordered groups they form.
	Checks, Chains int
	// Left are the checks the script does not send, in plan order.
	Left []K6Left
	// Leaks are the creates it sends whose resources no delete of the
	// script removes.
	Leaks []K6Left
}

// K6Left is a check a script leaves out, or sends with a warning.
type K6Left struct {
	CheckID string
	Method  string
	Path    string
	// Reason is one of the K6Reason constants; Detail says more, or is
	// empty.
	Reason string
	Detail string
}

// selectK6 returns the checks a script sends, in the order of checks,
// and those it leaves out: without allowWrites every write; with it the
// writes whose resource this iteration does not create — in no chain, or
// with a path parameter no earlier step of its chain gives, or a bound
// value that cannot be put in its request. Leaving a write out can unlink
// another (a create whose only consumer it was), so the choice repeats
// until it holds.
func selectK6(checks []generator.Check, allowWrites bool) (kept []generator.Check, left []K6Left) {
	why := map[string]string{}
	for _, c := range checks {
		if !c.Safe && !allowWrites {
			why[c.ID] = K6ReasonWrites
		}
	}
	details := map[string]string{}
	for {
		kept = kept[:0]
		for _, c := range checks {
			if why[c.ID] == "" {
				kept = append(kept, c)
			}
		}
		chs, member := generator.Chains(kept)
		dropped := false
		for _, c := range kept {
			if c.Safe {
				continue
			}
			var binds []generator.Binding
			k, in := member[c.ID]
			if in {
				binds = chs[k].Binds[slices.IndexFunc(chs[k].Steps, func(s generator.Check) bool { return s.ID == c.ID })]
			}
			detail := unbound(c, binds)
			if detail == "" && !in && !isCreate(c) {
				detail = "no create of the script gives the resource it writes"
			}
			if detail == "" {
				detail = unboundPath(c, binds)
			}
			if detail == "" {
				if _, err := planStep(c, binds, "zzk6m"); err != nil {
					detail = err.Error()
				}
			}
			if detail != "" {
				why[c.ID], details[c.ID] = K6ReasonUnchained, detail
				dropped = true
			}
		}
		if !dropped {
			break
		}
	}
	for _, c := range checks {
		if r := why[c.ID]; r != "" {
			left = append(left, K6Left{CheckID: c.ID, Method: c.Method, Path: c.Path, Reason: r, Detail: details[c.ID]})
		}
	}
	return kept, left
}

// isCreate reports a write that makes a resource: the create of a group,
// or a POST that documents 201 Created.
func isCreate(c generator.Check) bool {
	if c.Chain != nil && c.Chain.Role == generator.RoleCreate {
		return true
	}
	return c.Method == "POST" && slices.Contains(c.Expect.Status, "201")
}

// unbound names the first value of a write bound in the plan that no
// step of its chain gives: its producer is not in the script (filtered
// out, or a read: a write takes only what this iteration created), and
// k6 would send the plan's static value instead.
func unbound(c generator.Check, binds []generator.Binding) string {
	for _, b := range c.Bindings {
		if !slices.ContainsFunc(binds, func(x generator.Binding) bool { return x.Target() == b.Target() }) {
			return fmt.Sprintf("%s would be the plan's static value: %s is not a write of the script", b.In+":"+b.Name, b.Operation)
		}
	}
	return ""
}

// unboundPath names the first path parameter of a write that no binding
// of its chain gives, unless the resource it names lies under one this
// iteration created (/things/{id}/parts/{part}, id bound): the write
// would address a resource by the plan's static value, one smoke did not
// create (generator.ForeignPath, with the chain's bindings).
func unboundPath(c generator.Check, binds []generator.Binding) string {
	name, v, foreign := generator.ForeignPath(c, func(name string) bool {
		return slices.ContainsFunc(binds, func(b generator.Binding) bool { return b.In == generator.InPath && b.Name == name })
	})
	if !foreign {
		return ""
	}
	if _, declared := paramValue(c.Request.Path, name); !declared {
		v = "********" // a secret path value is never written out
	}
	return fmt.Sprintf("path %s is the plan's %q, not an id this iteration created", name, v)
}

// leaksK6 lists the creates among kept whose group has no delete in kept.
func leaksK6(kept []generator.Check) []K6Left {
	deleted := map[string]bool{}
	for _, c := range kept {
		if c.Chain != nil && c.Chain.Role == generator.RoleDelete {
			deleted[c.Chain.Group] = true
		}
	}
	var out []K6Left
	for _, c := range kept {
		if !c.Safe && isCreate(c) && !deleted[c.ID] {
			out = append(out, K6Left{CheckID: c.ID, Method: c.Method, Path: c.Path, Reason: K6ReasonLeak})
		}
	}
	return out
}

// boundTarget is one request value of a step that comes from an earlier
// step: where the marker stands in the step's request, how the value is
// encoded there, and the static value a read falls back to.
type boundTarget struct {
	b      generator.Binding
	marker string // as it stands in the request text (a JSON body's with its quotes)
	encode string // pathEscape, queryEscape, String or asJSON
	kind   string // for asJSON: the JSON type of the static value (number, string, boolean) or ""
	// static is the fallback: the raw value (or, for a JSON body, its
	// JSON text), template text in a dynamic request; ok false when the
	// request has none.
	static   string
	staticOK bool
}

// planStep puts a marker where each binding of c goes (generator's
// WithValue, as the runner puts the value itself) and says how each is
// encoded. It fails when a bound value cannot be put in the request.
func planStep(c generator.Check, binds []generator.Binding, prefix string) (stepPlan, error) {
	sp := stepPlan{marked: c}
	for k, b := range binds {
		marker := fmt.Sprintf("%s%dzz", prefix, k)
		t := boundTarget{b: b, marker: marker}
		switch b.In {
		case generator.InPath:
			t.encode = "pathEscape"
			t.static, t.staticOK = paramValue(c.Request.Path, b.Name)
		case generator.InQuery:
			t.encode = "queryEscape"
			t.static, t.staticOK = paramValue(c.Request.Query, b.Name)
		case generator.InHeader:
			t.encode = "String"
			if p, ok := c.Request.Header(b.Name); ok && !p.IsSecret() {
				t.static, t.staticOK = p.Value, true
			}
		case generator.InCookie:
			t.encode = "String"
			t.static, t.staticOK = paramValue(c.Request.Cookies, b.Name)
		case generator.InBody:
			body := c.Request.Body
			if body == nil {
				return sp, fmt.Errorf("body %s: the request has no body to put its value in", b.Name)
			}
			if generator.MediaType(body.ContentType) == "application/x-www-form-urlencoded" {
				t.encode = "queryEscape"
				if vals, err := url.ParseQuery(body.Text); err == nil && vals.Has(strings.TrimPrefix(b.Name, "/")) {
					t.static, t.staticOK = vals.Get(strings.TrimPrefix(b.Name, "/")), true
				}
				break
			}
			t.encode, t.marker = "asJSON", `"`+marker+`"`
			t.kind, t.static, t.staticOK = jsonStatic(body.Text, c.Request.Dynamic, b.Name)
		}
		next, err := withMarker(sp.marked, b, marker)
		if err != nil {
			return sp, fmt.Errorf("%s: %v", b.Target(), err)
		}
		sp.marked = next
		sp.targets = append(sp.targets, t)
	}
	return sp, nil
}

// stepPlan is a step's request with markers where bound values go.
type stepPlan struct {
	marked  generator.Check
	targets []boundTarget
}

func paramValue(ps []generator.Param, name string) (string, bool) {
	for _, p := range ps {
		if p.Name == name && !p.IsSecret() {
			return p.Value, true
		}
	}
	return "", false
}

// withMarker is WithValue for a marker. A dynamic JSON body is template
// text that may not parse (a Unix time is an unquoted ${unix}): its
// placeholders stand in as numbers while the value goes in.
func withMarker(c generator.Check, b generator.Binding, marker string) (generator.Check, error) {
	if b.In != generator.InBody || c.Request.Body == nil || !c.Request.Dynamic {
		return c.WithValue(b.In, b.Name, marker)
	}
	body := *c.Request.Body
	text, back := sentinels(body.Text)
	body.Text = text
	c.Request.Body = &body
	next, err := c.WithValue(b.In, b.Name, marker)
	if err != nil {
		return c, err
	}
	nb := *next.Request.Body
	nb.Text = back(nb.Text)
	next.Request.Body = &nb
	return next, nil
}

// sentinels replaces each placeholder of template text with a number of
// 16 digits found nowhere else in it, valid JSON quoted or not; back
// restores them.
func sentinels(text string) (string, func(string) string) {
	prefix := "77"
	for strings.Contains(text, prefix+"0000") {
		prefix += "7"
	}
	var b strings.Builder
	var pairs []string
	for _, seg := range generator.Split(text) {
		if seg.Placeholder == nil {
			b.WriteString(generator.Escape(seg.Literal))
			continue
		}
		s := prefix + fmt.Sprintf("%0*d", 16-len(prefix), len(pairs)/2+1)
		pairs = append(pairs, s, seg.Placeholder.Text)
		b.WriteString(s)
	}
	if len(pairs) == 0 {
		return text, func(s string) string { return s }
	}
	r := strings.NewReplacer(pairs...)
	return b.String(), r.Replace
}

// jsonStatic returns the JSON type and text of the value at pointer in a
// JSON body (template text in a dynamic request).
func jsonStatic(text string, dynamic bool, pointer string) (kind, static string, ok bool) {
	back := func(s string) string { return s }
	if dynamic {
		text, back = sentinels(text)
	}
	doc, err := generator.DecodeJSON([]byte(text))
	if err != nil {
		return "", "", false
	}
	v, found := generator.Lookup(doc, pointer)
	if !found {
		return "", "", false
	}
	switch v.(type) {
	case json.Number:
		kind = "number"
	case string:
		kind = "string"
	case bool:
		kind = "boolean"
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return kind, "", false
	}
	return kind, back(string(raw)), true
}

// k6Value is a JavaScript variable of a chain holding a value one step
// gives later ones, and how the producer's exchange gives it.
type k6Value struct {
	name    string
	comment string
	// expr computes it in the producer's block, from its answer r<i>
	// (or the parsed body "doc") or from what it sent.
	expr string
	body bool // expr reads the parsed body
	// now and uuid: expr uses the producer's placeholder constants.
	now, uuid bool
}

// scoped runs f, which renders template text, and says whether what it
// rendered uses the request's placeholder constants, leaving those of
// the request being rendered as they were.
func (s *k6Script) scoped(f func() string) (code string, now, uuid bool) {
	n, u := s.checkNow, s.checkUUID
	s.checkNow, s.checkUUID = false, false
	code = f()
	now, uuid = s.checkNow, s.checkUUID
	s.checkNow, s.checkUUID = n, u
	return code, now, uuid
}

// k6Chain renders one chain as one group() of the default function.
type k6Chain struct {
	s     *k6Script
	ch    generator.Chain
	index map[string]int // check ID → its index among the script's checks
	names map[string]bool
	// vars are the values, by producer ID + expression (+ the consumer's
	// path and parameter for a Location), in declaration order.
	vars  map[string]*k6Value
	order []*k6Value
	// extract[i] are the values step i gives later steps.
	extract [][]*k6Value
	plans   []stepPlan
	// uses[i][k] is the variable of step i's k-th bound target.
	uses [][]*k6Value
}

var jsIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,39}$`)

// varName hands out $name variables, unique in the chain, named after the
// target when it is a plain identifier ($petId), else $value: $ never
// starts a name of the script or of JavaScript.
func (k *k6Chain) varName(target string) string {
	base := strings.TrimPrefix(target, "/")
	if !jsIdent.MatchString(base) {
		base = "value"
	}
	name := "$" + base
	for n := 2; k.names[name]; n++ {
		name = "$" + base + strconv.Itoa(n)
	}
	k.names[name] = true
	return name
}

// prepare plans every step and the values that flow between them.
func (k *k6Chain) prepare() error {
	steps := k.ch.Steps
	pos := make(map[string]int, len(steps))
	text := ""
	for i, c := range steps {
		pos[c.ID] = i
		raw, _ := json.Marshal(c.Request) // a request always marshals
		text += string(raw)
	}
	// Markers must not occur in any request of the chain.
	prefix := "zzk6m"
	for strings.Contains(text, prefix) {
		prefix += "q"
	}
	k.extract = make([][]*k6Value, len(steps))
	k.plans = make([]stepPlan, len(steps))
	k.uses = make([][]*k6Value, len(steps))
	for i, c := range steps {
		sp, err := planStep(c, k.ch.Binds[i], prefix+strconv.Itoa(i)+"x")
		if err != nil {
			if !c.Safe {
				return fmt.Errorf("%s %s: %w", c.Method, c.Path, err)
			}
			// A read keeps its static values, as the runner does when a
			// value does not fit.
			sp = stepPlan{marked: c}
		}
		k.plans[i] = sp
		for _, t := range sp.targets {
			v, err := k.value(c, t.b, steps[pos[t.b.Producer]], pos[t.b.Producer])
			if err != nil {
				return fmt.Errorf("%s %s: %s: %w", c.Method, c.Path, t.b.Target(), err)
			}
			k.uses[i] = append(k.uses[i], v)
		}
	}
	return nil
}

// value returns the variable that holds what binding b of consumer takes
// from producer (step p), declaring it on first use.
func (k *k6Chain) value(consumer generator.Check, b generator.Binding, producer generator.Check, p int) (*k6Value, error) {
	x, err := generator.ParseExpr(b.From)
	if err != nil {
		return nil, err
	}
	key := b.Producer + "\x00" + x.String()
	location := x.Source == "response" && x.Part == "header" && strings.EqualFold(x.Name, "Location") && b.In == generator.InPath
	if location {
		// The segment a Location gives depends on the consumer's path
		// up to the parameter: consumers that agree share the value.
		key += "\x00" + locationSegments(consumer.Path, b.Name)
	}
	if v, ok := k.vars[key]; ok {
		return v, nil
	}
	r := fmt.Sprintf("r%d", k.index[producer.ID])
	v := &k6Value{comment: producer.Method + " " + producer.Path + " " + generator.ShortExpr(b.From)}
	switch {
	case x.Source == "response" && x.Part == "body":
		toks, err := generator.SplitPointer(x.Pointer)
		if err != nil {
			return nil, err
		}
		v.expr, v.body = "pick(doc, "+jsonArray(toks)+")", true
	case location:
		v.expr = "fromLocation(header(" + r + ", \"Location\"), " + locationSegments(consumer.Path, b.Name) + ")"
	case x.Source == "response" && x.Part == "header":
		v.expr = "value(header(" + r + ", " + jsLit(x.Name) + "))"
	default:
		var alias *k6Value
		v.expr, v.now, v.uuid = k.s.scoped(func() string {
			var expr string
			expr, alias, err = k.requestValue(p, x)
			return expr
		})
		if err != nil {
			return nil, err
		}
		if alias != nil {
			// What the producer sent there is itself a value of the
			// chain: the consumer takes the same variable.
			k.vars[key] = alias
			return alias, nil
		}
	}
	v.name = k.varName(b.Name)
	k.vars[key] = v
	k.order = append(k.order, v)
	k.extract[p] = append(k.extract[p], v)
	return v, nil
}

// requestValue is the expression of a value step p sent ($request.…):
// its static value, rendered as it was sent, or the variable of a value
// it took itself.
func (k *k6Chain) requestValue(p int, x generator.Expr) (expr string, alias *k6Value, err error) {
	sp := k.plans[p]
	c := sp.marked
	var text string
	var ok bool
	switch x.Part {
	case "path":
		text, ok = paramValue(c.Request.Path, x.Name)
	case "query":
		text, ok = paramValue(c.Request.Query, x.Name)
	case "header":
		if h, found := c.Request.Header(x.Name); found && !h.IsSecret() {
			text, ok = h.Value, true
		}
	case "body":
		if c.Request.Body == nil {
			return "", nil, fmt.Errorf("%s: the producer sends no body", x)
		}
		if generator.MediaType(c.Request.Body.ContentType) == "application/x-www-form-urlencoded" {
			vals, perr := url.ParseQuery(c.Request.Body.Text)
			name := strings.TrimPrefix(x.Pointer, "/")
			if perr == nil && vals.Has(name) {
				text, ok = vals.Get(name), true
			}
			break
		}
		kind, static, found := jsonStatic(c.Request.Body.Text, c.Request.Dynamic, x.Pointer)
		if !found {
			break
		}
		for k2, t := range sp.targets {
			if static == t.marker {
				return "", k.uses[p][k2], nil
			}
		}
		switch kind {
		case "string":
			var s string
			if json.Unmarshal([]byte(static), &s) != nil {
				break
			}
			return k.s.text(s, c.Request.Dynamic).String(), nil, nil
		case "number", "boolean":
			if c.Request.Dynamic && generator.HasPlaceholder(static) {
				return "Number(" + k.s.text(static, true).String() + ")", nil, nil
			}
			return static, nil, nil
		}
		return "", nil, fmt.Errorf("%s is not a value the producer sends", x)
	}
	if !ok {
		return "", nil, fmt.Errorf("%s: the producer sends no such value", x)
	}
	for k2, t := range sp.targets {
		if text == t.marker {
			return "", k.uses[p][k2], nil
		}
	}
	return k.s.text(text, c.Request.Dynamic).String(), nil, nil
}

// locationSegments is the consumer's path template up to the parameter
// a Location gives, as fromLocation reads it: static segments as text,
// parameters as null (generator.PathValue's alignment).
func locationSegments(template, param string) string {
	segs := strings.Split(strings.Trim(template, "/"), "/")
	i := slices.Index(segs, "{"+param+"}")
	if i < 0 {
		return "[]"
	}
	parts := make([]string, i+1)
	for j, s := range segs[:i+1] {
		if len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' && !strings.ContainsAny(s[1:len(s)-1], "{}") {
			parts[j] = "null"
		} else {
			parts[j] = jsLit(s)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// render writes the chain: its values declared, then its steps in order,
// the deletes in a finally block so that they run whatever an earlier
// step did.
func (k *k6Chain) render(b *bytes.Buffer) error {
	steps := k.ch.Steps
	name := chainName(steps)
	fmt.Fprintf(b, "  // The %s:\n", jsComment(name))
	b.WriteString("  // each iteration creates its own resources and passes their ids from\n")
	b.WriteString("  // step to step; a write whose id did not come is not sent, a read\n")
	b.WriteString("  // falls back to its static value.\n")
	var deletes, rest []int
	for i, c := range steps {
		if c.Chain != nil && c.Chain.Role == generator.RoleDelete {
			deletes = append(deletes, i)
		} else {
			rest = append(rest, i)
		}
	}
	if len(deletes) > 0 {
		b.WriteString("  // Its deletes run at the end, whatever failed before them.\n")
	}
	fmt.Fprintf(b, "  group(%s, function () {\n", jsLit(strings.ReplaceAll(name, "::", ": :")))
	for _, v := range k.order {
		b.WriteString("    /** @type {Value} */\n")
		fmt.Fprintf(b, "    let %s; // %s\n", v.name, jsComment(v.comment))
	}
	ind := "    "
	wrap := len(deletes) > 0 && len(rest) > 0
	if wrap {
		b.WriteString("    try {\n")
		ind = "      "
	}
	for _, i := range rest {
		if err := k.step(b, i, ind); err != nil {
			return err
		}
	}
	if wrap {
		b.WriteString("    } finally {\n")
	}
	for _, i := range deletes {
		if err := k.step(b, i, ind); err != nil {
			return err
		}
	}
	if wrap {
		b.WriteString("    }\n")
	}
	b.WriteString("  });\n")
	return nil
}

// chainName names a chain by its first and last step, as Datadog's
// multistep test of it is named.
func chainName(steps []generator.Check) string {
	first, last := steps[0], steps[len(steps)-1]
	name := "chain " + first.Method + " " + first.Path
	if len(steps) > 1 {
		name += " → " + last.Method + " " + last.Path
		if len(steps) > 2 {
			name += fmt.Sprintf(" (%d steps)", len(steps))
		}
	}
	return name
}

// step writes step i of the chain: the values it needs in place, sent
// only when a write has them all; what it gives later steps.
func (k *k6Chain) step(b *bytes.Buffer, i int, ind string) error {
	c := k.ch.Steps[i]
	sp := k.plans[i]
	r := fmt.Sprintf("r%d", k.index[c.ID])
	marks := map[string]string{}
	var needed []string
	var comments []string
	o := k6Request{indent: ind}
	for _, v := range k.extract[i] {
		o.now, o.uuid = o.now || v.now, o.uuid || v.uuid
	}
	for j, t := range sp.targets {
		v := k.uses[i][j]
		comments = append(comments, t.b.Short())
		x := v.name
		if c.Safe && t.staticOK {
			fallback, now, uuid := k.s.scoped(func() string { return k.s.text(t.static, c.Request.Dynamic).String() })
			o.now, o.uuid = o.now || now, o.uuid || uuid
			if t.encode == "asJSON" {
				marks[t.marker] = fmt.Sprintf("(%s !== undefined ? asJSON(%s, %s) : %s)", x, x, jsLit(t.kind), fallback)
				continue
			}
			x = fmt.Sprintf("%s !== undefined ? %s : %s", x, x, fallback)
		} else if !slices.Contains(needed, v.name) {
			needed = append(needed, v.name)
		}
		if t.encode == "asJSON" {
			marks[t.marker] = fmt.Sprintf("asJSON(%s, %s)", x, jsLit(t.kind))
		} else {
			marks[t.marker] = t.encode + "(" + x + ")"
		}
	}
	guard := ""
	for j, n := range needed {
		if j > 0 {
			guard += " && "
		}
		guard += n + " !== undefined"
	}
	var after []string
	// Read-after-write: the read of what the chain's create just made
	// must find it (the failure mode of a lagging read replica).
	if c.Chain != nil && c.Chain.Role == generator.RoleRead && !slices.Contains(k.s.skip(c), "read_after_write") {
		for j, t := range sp.targets {
			if t.b.Producer != c.Chain.Group {
				continue
			}
			create := k.ch.Steps[slices.IndexFunc(k.ch.Steps, func(s generator.Check) bool { return s.ID == c.Chain.Group })]
			label := fmt.Sprintf("%s %s: read right after %s %s created it", c.Method, c.Path, create.Method, create.Path)
			v := k.uses[i][j].name
			after = append(after,
				fmt.Sprintf("if (%s !== undefined) {", v),
				fmt.Sprintf("  check(%s, { %s: (res) => exercised(res, %s) });", r, jsLit(label), redirects(c)),
				"}")
			break
		}
	}
	if ex := k.extract[i]; len(ex) > 0 {
		after = append(after, fmt.Sprintf("if (exercised(%s, %s)) {", r, redirects(c)))
		if slices.ContainsFunc(ex, func(v *k6Value) bool { return v.body }) {
			after = append(after, fmt.Sprintf("  const doc = answer(%s);", r))
		}
		for _, v := range ex {
			after = append(after, fmt.Sprintf("  %s = %s;", v.name, v.expr))
		}
		after = append(after, "}")
	}
	readsBody := slices.ContainsFunc(k.extract[i], func(v *k6Value) bool { return v.body })
	k.s.marks = marks
	defer func() { k.s.marks = nil }()
	o.guard, o.text, o.comments, o.after = guard, readsBody, comments, after
	return k.s.request(b, k.index[c.ID], sp.marked, o)
}

// redirects says which 3XX answers of c are documented successes, for
// exercised(): true for all of them (3XX or default documented), else the
// documented codes.
func redirects(c generator.Check) string {
	var codes []string
	for _, st := range c.Expect.Status {
		switch k := strings.ToUpper(st); {
		case k == "3XX" || k == "DEFAULT":
			return "true"
		case len(k) == 3 && k[0] == '3':
			if _, err := strconv.Atoi(k); err == nil {
				codes = append(codes, k)
			}
		}
	}
	return "[" + strings.Join(codes, ", ") + "]"
}

// markRe finds the markers planStep put where bound values go.
var markRe = regexp.MustCompile(`"?zzk6m[a-z0-9]*?zz"?`)

// fill replaces the markers in literal text with the code of the values
// that go there.
func (s *k6Script) fill(lit string) jsString {
	if len(s.marks) == 0 || !strings.Contains(lit, "zzk6m") {
		return jsString{{lit: lit}}
	}
	var out jsString
	last := 0
	for _, loc := range markRe.FindAllStringIndex(lit, -1) {
		m := lit[loc[0]:loc[1]]
		code, ok := s.marks[m]
		start, end := loc[0], loc[1]
		if !ok {
			// A quote next to a marker that is not a JSON body's.
			inner := strings.Trim(m, `"`)
			if code, ok = s.marks[inner]; !ok {
				continue
			}
			start += strings.Index(m, inner)
			end = start + len(inner)
		}
		if start > last {
			out = append(out, jsPart{lit: lit[last:start]})
		}
		out = append(out, jsPart{raw: code})
		last = end
	}
	if last < len(lit) {
		out = append(out, jsPart{lit: lit[last:]})
	}
	if len(out) == 0 {
		return jsString{{lit: ""}}
	}
	return out
}

const k6ChainHelpers = `
/**
 * @typedef {string | number | boolean | undefined} Value
 */

/**
 * exercised reports whether an answer is a success that exercised its
 * operation, as smoke run says: any 2XX, or a documented 3XX.
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 * @param {boolean | number[]} redirects every 3XX (true) or the documented ones
 * @returns {boolean}
 */
function exercised(res, redirects) {
  const s = res.status;
  return (s >= 200 && s < 300) || (s >= 300 && s < 400 && (redirects === true || (redirects !== false && redirects.includes(s))));
}

/**
 * answer parses an answer's body as JSON; undefined when it is not.
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 * @returns {unknown}
 */
function answer(res) {
  try {
    return JSON.parse(typeof res.body === "string" ? res.body : "");
  } catch (e) {
    return undefined;
  }
}

/**
 * pick returns the value at a JSON pointer (its unescaped tokens) of a
 * parsed body: a string, number or boolean that is not empty.
 * @param {unknown} doc
 * @param {string[]} tokens
 * @returns {Value}
 */
function pick(doc, tokens) {
  /** @type {unknown} */
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t)) {
        return undefined;
      }
      cur = cur[Number(t)];
    } else if (cur !== null && typeof cur === "object" && Object.prototype.hasOwnProperty.call(cur, t)) {
      cur = /** @type {{ [key: string]: unknown }} */ (cur)[t];
    } else {
      return undefined;
    }
  }
  return value(cur);
}

/**
 * value keeps a string, number or boolean that is not empty.
 * @param {unknown} v
 * @returns {Value}
 */
function value(v) {
  if ((typeof v === "string" && v !== "") || typeof v === "boolean" || (typeof v === "number" && isFinite(v))) {
    return v;
  }
  return undefined;
}

/**
 * fromLocation returns the path parameter a Location names: the
 * consumer's template up to the parameter (static segments, null for
 * parameters) aligned with the end of the Location's path, the static
 * segments matching.
 * @param {string} location
 * @param {(string | null)[]} want
 * @returns {Value}
 */
function fromLocation(location, want) {
  let p = location.replace(/^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#]*/, "");
  p = p.split(/[?#]/)[0].replace(/^\/+|\/+$/g, "");
  const target = want.length - 1;
  if (p === "" || target < 0) {
    return undefined;
  }
  const have = p.split("/");
  const off = have.length - want.length;
  if (off + target < 0 || (target > 0 && off + target - 1 < 0)) {
    return undefined;
  }
  for (let i = target - 1; i >= 0 && i + off >= 0; i--) {
    const w = want[i];
    if (w !== null && w.toLowerCase() !== have[i + off].toLowerCase()) {
      return undefined;
    }
  }
  try {
    return value(decodeURIComponent(have[target + off]));
  } catch (e) {
    return undefined;
  }
}

/**
 * pathEscape escapes a path segment as smoke run does (Go's
 * url.PathEscape).
 * @param {string | number | boolean} v
 * @returns {string}
 */
function pathEscape(v) {
  return encodeURIComponent(String(v))
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%(24|26|2B|3A|3D|40)/g, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * queryEscape escapes a query or form value as smoke run does (Go's
 * url.QueryEscape).
 * @param {string | number | boolean} v
 * @returns {string}
 */
function queryEscape(v) {
  return encodeURIComponent(String(v))
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

/**
 * asJSON writes a value into a JSON body with the type of the static
 * value it replaces, as smoke run does: "42" replacing a number is 42,
 * 42 replacing a string is "42".
 * @param {string | number | boolean} v
 * @param {string} kind number, string, boolean, or "" (the value's own)
 * @returns {string}
 */
function asJSON(v, kind) {
  const text = String(v);
  if (kind === "number" && /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) {
    return text;
  }
  if (kind === "string") {
    return JSON.stringify(text);
  }
  if (kind === "boolean") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) {
      return "true";
    }
    if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) {
      return "false";
    }
  }
  return JSON.stringify(v);
}
`
