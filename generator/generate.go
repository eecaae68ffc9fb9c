package generator

import (
	"encoding/base64"
	"fmt"
	"maps"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/spec"
)

// Options tune Generate. The zero value generates checks from the document
// alone, with the service named after info.title.
type Options struct {
	// Service names the service in check IDs (and in Datadog tags). Empty
	// means a slug of the document's info.title.
	Service string
	// Operations are smoke.yaml's per-operation settings (fixtures, skip,
	// expected status, assertions), keyed by "METHOD /path/template" or by
	// operationId as the user wrote them. Generate matches the keys to
	// operations: a key naming nothing is a plan warning, an ambiguous key
	// an error.
	Operations map[string]Operation
	// Parameters are values for parameters by name, in every operation
	// that has one (smoke.yaml's parameters:); an operation's own
	// fixture wins. A value that matches no parameter of the document is
	// a plan warning.
	Parameters []ParamFixture
	// Headers are sent with every check (from smoke.yaml or --header).
	Headers []Param
	// Credentials are values for the document's security schemes, keyed by
	// scheme name.
	Credentials map[string]Credential
}

// ParamFixture is a user-chosen value for a parameter wherever it
// appears: server_id of every /servers/{server_id}/... operation. It
// counts as a fixture (it wins over examples and over inferred
// bindings).
type ParamFixture struct {
	// In is path, query, header or cookie; empty matches any.
	In   string
	Name string
	// Value is sent as written (header names match case-insensitively).
	Value string
	// Where names the place it was written ("smoke.yaml:12").
	Where string
}

// matches reports whether f gives a value to p.
func (f ParamFixture) matches(p *openapi3.Parameter) bool {
	if f.In != "" && f.In != p.In {
		return false
	}
	if p.In == openapi3.ParameterInHeader {
		return strings.EqualFold(f.Name, p.Name)
	}
	return f.Name == p.Name
}

// paramFixture returns the value Options.Parameters gives p: an entry
// that names p's location first, then one that names any.
func (b builder) paramFixture(p *openapi3.Parameter) (string, bool) {
	for _, wild := range []bool{false, true} {
		for _, f := range b.opts.Parameters {
			if (f.In == "") == wild && f.matches(p) {
				return f.Value, true
			}
		}
	}
	return "", false
}

// parameterWarnings names the entries of Options.Parameters that match
// no parameter of any operation: a typo would otherwise do nothing.
func parameterWarnings(ops []spec.Operation, params []ParamFixture) []string {
	var out []string
	for _, f := range params {
		used := false
		for _, op := range ops {
			for _, p := range mergeParams(op.PathItem.Parameters, op.Operation.Parameters) {
				if used = f.matches(p); used {
					break
				}
			}
			if used {
				break
			}
		}
		if !used {
			key := f.Name
			if f.In != "" {
				key = f.In + "." + f.Name
			}
			where := "parameters: "
			if f.Where != "" {
				where = f.Where + ": parameters: "
			}
			out = append(out, fmt.Sprintf("%s%q matches no parameter of the spec", where, key))
		}
	}
	return out
}

// Fixture holds user-chosen values for one operation. They win over
// everything the document says.
type Fixture struct {
	Path    map[string]string
	Query   map[string]string
	Headers map[string]string
	Cookies map[string]string
	// Body is the request body as a JSON-compatible value; it is sent when
	// HasBody is true (so a fixture can ask for a null body).
	Body    any
	HasBody bool
	// ContentType picks the request media type when the operation has
	// several.
	ContentType string
}

// Credential is the value of one security scheme. Token serves bearer,
// API key, OAuth2 and OpenID Connect schemes; Username and Password serve
// HTTP basic.
type Credential struct {
	Token    string
	Username string
	Password string
	// The templates are the parts as configured, with their ${VAR}
	// references ("${API_TOKEN}"); empty for a part written inline. A
	// backend that must not copy secrets (Datadog) refers to the variables
	// instead.
	TokenTemplate    string
	UsernameTemplate string
	PasswordTemplate string
	// Env names the first environment variable the credential uses.
	Env string
}

// Plan is the result of Generate: one check per operation.
type Plan struct {
	Spec   SpecInfo `json:"spec"`
	Checks []Check  `json:"checks"`
	// Skipped lists the operations ("GET /pets") smoke.yaml skips.
	Skipped []string `json:"skipped,omitempty"`
	// Warnings are the document's load warnings followed by generation
	// warnings.
	Warnings []string `json:"warnings,omitempty"`
	// Graph is what the checks' bindings make of them: order and groups.
	Graph Graph `json:"graph,omitzero"`
	// Support are the checks filters left out that the checks still need
	// (see Support): producers of their values, deletes of what they
	// create. Set by Select; a run sends them only when needed.
	Support []Check `json:"support,omitempty"`
}

// Select keeps the checks f matches, with the checks they need as
// Support, and the graph restricted to them: a group whose create is
// left out is dropped, and members neither kept nor support leave their
// group. It returns how many checks there were before.
func (p *Plan) Select(f Filter) int {
	all := p.Checks
	p.Checks = f.Apply(all)
	p.Support = nil
	if len(p.Checks) < len(all) {
		p.Support = Support(all, p.Checks)
		p.Graph = p.Graph.restrict(p.Checks, p.Support)
	}
	return len(all)
}

// SpecInfo describes the document a plan was made from.
type SpecInfo struct {
	Title      string   `json:"title"`
	Version    string   `json:"version"`
	OpenAPI    string   `json:"openapi"`
	Service    string   `json:"service"`
	Servers    []string `json:"servers,omitempty"`
	Operations int      `json:"operations"`
}

// Generate builds one check per path × method of doc. It is deterministic:
// the same document and options give byte-identical plans.
func Generate(doc *spec.Document, opts Options) (*Plan, error) {
	if doc == nil || doc.T == nil {
		return nil, fmt.Errorf("generate: no document")
	}
	service := opts.Service
	if service == "" {
		service = Slug(doc.Title())
	}
	ops := doc.Operations()
	plan := &Plan{
		Spec: SpecInfo{
			Title:      doc.Title(),
			Version:    doc.APIVersion(),
			OpenAPI:    doc.Version,
			Service:    service,
			Servers:    doc.Servers(),
			Operations: len(ops),
		},
		Checks:   make([]Check, 0, len(ops)),
		Warnings: append([]string(nil), doc.Warnings...),
	}
	pol, warnings, err := matchOperations(ops, opts.Operations)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	plan.Warnings = append(plan.Warnings, warnings...)
	plan.Warnings = append(plan.Warnings, parameterWarnings(ops, opts.Parameters)...)
	var components openapi3.Schemas
	if doc.T.Components != nil {
		components = doc.T.Components.Schemas
	}
	b := builder{doc: doc, opts: opts, is31: doc.Is31(), policy: pol, cache: newSchemaCache(components)}
	kept := make([]spec.Operation, 0, len(ops))
	for _, op := range ops {
		set, _ := pol.forOp(op)
		if set.Skip {
			plan.Skipped = append(plan.Skipped, op.Method+" "+op.Path)
			continue
		}
		c := b.check(service, op)
		set.apply(&c)
		plan.Checks = append(plan.Checks, c)
		kept = append(kept, op)
	}
	if err := chain(plan, kept, pol); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return plan, nil
}

var slugRe = regexp.MustCompile(`[^a-z0-9]+`)

// Slug lower-cases s and joins its words with dashes ("Swagger Petstore"
// becomes "swagger-petstore"); "api" when nothing is left.
func Slug(s string) string {
	s = strings.Trim(slugRe.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" {
		return "api"
	}
	return s
}

type builder struct {
	doc    *spec.Document
	opts   Options
	is31   bool
	policy policy
	cache  *schemaCache // merged schemas and patterns, shared by every check
}

func (b builder) fixture(op spec.Operation) (Fixture, bool) {
	s, ok := b.policy.forOp(op)
	return s.Fixture, ok
}

func (b builder) check(service string, op spec.Operation) Check {
	o := op.Operation
	c := Check{
		ID:          CheckID(service, op.Method, op.Path),
		Method:      op.Method,
		Path:        op.Path,
		OperationID: o.OperationID,
		Tags:        append([]string(nil), o.Tags...),
		Summary:     strings.TrimSpace(o.Summary),
		Deprecated:  o.Deprecated,
		Safe:        IsSafe(op.Method),
	}
	fx, _ := b.fixture(op)
	g := newValueGen(b.cache)

	pathValues := map[string]string{}
	var query []Param
	for _, p := range mergeParams(op.PathItem.Parameters, o.Parameters) {
		b.param(&c, g, fx, p, pathValues, &query)
	}
	c.Request.Query = query
	c.Request.URL = substitutePath(op.Path, pathValues) + encodeQuery(query)

	for _, h := range b.opts.Headers {
		setParam(&c.Request.Headers, h)
	}
	b.security(&c, op)
	bodyTemplate := b.body(&c, g, fx, op)
	c.Notes = append(c.Notes, g.notes...)
	finishDynamic(&c, bodyTemplate)
	c.Expect = b.expect(o)
	return c
}

// finishDynamic marks a request that holds placeholders Dynamic. Values
// were written as template text (see Vars); config headers and
// credentials, and a JSON body without dynamic values, were written as
// they are. A dynamic request gets those escaped; any other request gets
// its template text back to plain text, so that it is sent, and planned,
// exactly as before dynamic values existed.
func finishDynamic(c *Check, bodyTemplate bool) {
	r := &c.Request
	dyn := HasPlaceholder(r.URL) || r.Body != nil && bodyTemplate && HasPlaceholder(r.Body.Text)
	for _, list := range [][]Param{r.Path, r.Query, r.Headers, r.Cookies} {
		for _, p := range list {
			dyn = dyn || !literalSource(p.Source) && HasPlaceholder(p.Value)
		}
	}
	for _, list := range [][]Param{r.Path, r.Query, r.Headers, r.Cookies} {
		for i := range list {
			switch p := &list[i]; {
			case dyn && literalSource(p.Source):
				p.Value = Escape(p.Value)
			case !dyn && !literalSource(p.Source):
				p.Value = unescape(p.Value)
			}
		}
	}
	if r.Body != nil {
		switch {
		case dyn && !bodyTemplate:
			r.Body.Text = Escape(r.Body.Text)
		case !dyn && bodyTemplate:
			r.Body.Text = unescape(r.Body.Text)
		}
	}
	r.Dynamic = dyn
}

// literalSource reports whether values of this source are written as
// they are rather than as template text.
func literalSource(s Source) bool { return s == SourceConfig || s == SourceSecret }

// mergeParams applies OpenAPI's rule: an operation parameter overrides the
// path-level one with the same name and location.
func mergeParams(pathLevel, opLevel openapi3.Parameters) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	seen := map[string]int{}
	add := func(ps openapi3.Parameters) {
		for _, ref := range ps {
			if ref == nil || ref.Value == nil {
				continue
			}
			p := ref.Value
			key := p.In + "\x00" + p.Name
			if p.In == openapi3.ParameterInHeader {
				key = p.In + "\x00" + strings.ToLower(p.Name)
			}
			if i, ok := seen[key]; ok {
				out[i] = p
				continue
			}
			seen[key] = len(out)
			out = append(out, p)
		}
	}
	add(pathLevel)
	add(opLevel)
	return out
}

func (b builder) param(c *Check, g *valueGen, fx Fixture, p *openapi3.Parameter, pathValues map[string]string, query *[]Param) {
	var fixtures map[string]string
	switch p.In {
	case openapi3.ParameterInPath:
		fixtures = fx.Path
	case openapi3.ParameterInQuery:
		fixtures = fx.Query
	case openapi3.ParameterInHeader:
		fixtures = fx.Headers
	case openapi3.ParameterInCookie:
		fixtures = fx.Cookies
	default:
		return
	}
	if p.In == openapi3.ParameterInHeader && reservedHeader(p.Name) {
		// Accept, Content-Type and Authorization are described by other
		// parts of the document (OpenAPI 3.0.3 §4.7.12.1).
		return
	}
	if v, ok := fixtures[p.Name]; ok {
		b.emit(c, p, v, SourceFixture, pathValues, query)
		return
	}
	if v, ok := b.paramFixture(p); ok {
		b.emit(c, p, v, SourceFixture, pathValues, query)
		return
	}
	value, src, ok := paramValue(p)
	required := p.Required || p.In == openapi3.ParameterInPath
	if !required && !(ok && src == SourceExample) {
		// Optional values are sent only when the document shows one.
		return
	}
	if !ok {
		var schema *openapi3.Schema
		if p.Schema != nil {
			schema = p.Schema.Value
		} else if mt := firstMedia(p.Content); mt != nil && mt.Schema != nil {
			schema = mt.Schema.Value
		}
		g.start()
		value, src = g.value(schema, c.Method+" "+c.Path+" "+p.In+" "+p.Name, name(p.Name), 0)
	}
	if p.Content != nil {
		// A parameter described by content is serialised by its media
		// type; smoke supports JSON.
		raw, templated := marshalValue(value)
		if !templated {
			raw = Escape(raw)
		}
		b.emit(c, p, raw, src, pathValues, query)
		return
	}
	b.emitValue(c, p, value, src, pathValues, query)
}

// paramValue returns the value the document gives for a parameter: its
// example, first named example, then its schema's example, default or
// enum. An example that does not validate against the parameter's schema
// is passed over, as documented() does.
func paramValue(p *openapi3.Parameter) (any, Source, bool) {
	var schema *openapi3.Schema
	if p.Schema != nil {
		schema = p.Schema.Value
	}
	valid := func(v any) bool { return schema == nil || validates(schema, v) }
	if p.Example != nil && valid(p.Example) {
		return p.Example, SourceExample, true
	}
	for _, name := range slices.Sorted(maps.Keys(p.Examples)) {
		if e := p.Examples[name]; e != nil && e.Value != nil && e.Value.Value != nil && valid(e.Value.Value) {
			return e.Value.Value, SourceExample, true
		}
	}
	if p.Schema != nil {
		if v, src, ok := documented(p.Schema.Value); ok {
			return v, src, true
		}
	}
	if mt := firstMedia(p.Content); mt != nil {
		if mt.Example != nil {
			return mt.Example, SourceExample, true
		}
		if mt.Schema != nil {
			if v, src, ok := documented(mt.Schema.Value); ok {
				return v, src, true
			}
		}
	}
	return nil, "", false
}

func firstMedia(c openapi3.Content) *openapi3.MediaType {
	for _, k := range slices.Sorted(maps.Keys(c)) {
		if c[k] != nil {
			return c[k]
		}
	}
	return nil
}

func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "accept", "content-type", "authorization":
		return true
	}
	return false
}

// emitValue serialises a structured value by the parameter's style and
// explode settings.
func (b builder) emitValue(c *Check, p *openapi3.Parameter, v any, src Source, pathValues map[string]string, query *[]Param) {
	style := p.Style
	explode := false
	switch p.In {
	case openapi3.ParameterInQuery, openapi3.ParameterInCookie:
		if style == "" {
			style = "form"
		}
		explode = style == "form"
	default:
		if style == "" {
			style = "simple"
		}
	}
	if p.Explode != nil {
		explode = *p.Explode
	}

	if p.In == openapi3.ParameterInQuery {
		for _, kv := range queryPairs(p.Name, v, style, explode) {
			*query = append(*query, Param{Name: kv[0], Value: kv[1], Source: src})
		}
		return
	}
	shown := serialise(p.Name, v, style, explode, func(s string) string { return s })
	if p.In == openapi3.ParameterInPath {
		// Values are escaped element by element, so the separators the
		// style adds ("," ";" "=" ".") stay literal, as RFC 6570 has it.
		// Placeholders stay as they are (see Vars).
		pathValues[p.Name] = serialise(p.Name, v, style, explode, func(s string) string { return escapeTemplate(s, url.PathEscape) })
	}
	b.emit(c, p, shown, src, pathValues, query)
}

func (b builder) emit(c *Check, p *openapi3.Parameter, v string, src Source, pathValues map[string]string, query *[]Param) {
	param := Param{Name: p.Name, Value: v, Source: src}
	switch p.In {
	case openapi3.ParameterInPath:
		if _, done := pathValues[p.Name]; !done {
			pathValues[p.Name] = escapeTemplate(v, url.PathEscape)
		}
		c.Request.Path = append(c.Request.Path, param)
	case openapi3.ParameterInQuery:
		*query = append(*query, param)
	case openapi3.ParameterInHeader:
		setParam(&c.Request.Headers, param)
	case openapi3.ParameterInCookie:
		c.Request.Cookies = append(c.Request.Cookies, param)
	}
}

// setParam sets a header, replacing one of the same name.
func setParam(list *[]Param, p Param) {
	for i := range *list {
		if strings.EqualFold((*list)[i].Name, p.Name) {
			(*list)[i] = p
			return
		}
	}
	*list = append(*list, p)
}

// serialise renders a path, header or cookie value (styles simple, label,
// matrix, form).
func serialise(name string, v any, style string, explode bool, esc func(string) string) string {
	var parts []string
	sep := ","
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			parts = append(parts, esc(text(e)))
		}
		if explode {
			switch style {
			case "label":
				sep = "."
			case "matrix":
				sep = ";" + name + "="
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if explode {
				parts = append(parts, esc(Escape(k))+"="+esc(text(x[k])))
			} else {
				parts = append(parts, esc(Escape(k)), esc(text(x[k])))
			}
		}
		if explode && style == "label" {
			sep = "."
		} else if explode && style == "matrix" {
			sep = ";"
		}
	default:
		parts = []string{esc(text(v))}
	}
	s := strings.Join(parts, sep)
	switch style {
	case "label":
		return "." + s
	case "matrix":
		if _, isMap := v.(map[string]any); isMap && explode {
			return ";" + s
		}
		return ";" + name + "=" + s
	}
	return s
}

// queryPairs renders a query parameter as name/value pairs (styles form,
// spaceDelimited, pipeDelimited, deepObject).
func queryPairs(name string, v any, style string, explode bool) [][2]string {
	switch x := v.(type) {
	case []any:
		if explode && style == "form" {
			var out [][2]string
			for _, e := range x {
				out = append(out, [2]string{name, text(e)})
			}
			return out
		}
		sep := ","
		switch style {
		case "spaceDelimited":
			sep = " "
		case "pipeDelimited":
			sep = "|"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = text(e)
		}
		return [][2]string{{name, strings.Join(parts, sep)}}
	case map[string]any:
		var out [][2]string
		if style == "deepObject" {
			for _, k := range slices.Sorted(maps.Keys(x)) {
				out = append(out, [2]string{name + "[" + k + "]", text(x[k])})
			}
			return out
		}
		if explode {
			for _, k := range slices.Sorted(maps.Keys(x)) {
				out = append(out, [2]string{k, text(x[k])})
			}
			return out
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, k, text(x[k]))
		}
		return [][2]string{{name, strings.Join(parts, ",")}}
	}
	return [][2]string{{name, text(v)}}
}

var pathParamRe = regexp.MustCompile(`\{([^}]+)\}`)

// substitutePath fills a path template with escaped segment values; a
// parameter with no value keeps its braces, which the runner reports
// rather than sends.
func substitutePath(template string, values map[string]string) string {
	return pathParamRe.ReplaceAllStringFunc(template, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := values[name]
		if !ok {
			return m
		}
		return v
	})
}

func encodeQuery(q []Param) string {
	if len(q) == 0 {
		return ""
	}
	var b strings.Builder
	for i, p := range q {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.Name))
		b.WriteByte('=')
		b.WriteString(escapeTemplate(p.Value, url.QueryEscape))
	}
	return b.String()
}

// security applies the first security requirement smoke has credentials
// for, or notes which scheme lacks one.
func (b builder) security(c *Check, op spec.Operation) {
	reqs := b.doc.T.Security
	if op.Operation.Security != nil {
		reqs = *op.Operation.Security
	}
	if len(reqs) == 0 {
		return
	}
	var schemes openapi3.SecuritySchemes
	if b.doc.T.Components != nil {
		schemes = b.doc.T.Components.SecuritySchemes
	}
	// An empty requirement ({}) makes authentication optional.
	for _, req := range reqs {
		if len(req) == 0 {
			return
		}
	}
	for _, req := range reqs {
		names := slices.Sorted(maps.Keys(req))
		complete := true
		for _, n := range names {
			if _, ok := b.opts.Credentials[n]; !ok {
				complete = false
			}
		}
		if !complete {
			continue
		}
		for _, n := range names {
			ref := schemes[n]
			if ref == nil || ref.Value == nil {
				c.Notes = append(c.Notes, fmt.Sprintf("security scheme %q is not defined in components", n))
				continue
			}
			applyCredential(c, ref.Value, b.opts.Credentials[n])
		}
		return
	}
	names := slices.Sorted(maps.Keys(reqs[0]))
	c.Notes = append(c.Notes, fmt.Sprintf("needs credentials for security scheme %s (set auth in smoke.yaml)", strings.Join(quoteAll(names), " + ")))
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

func applyCredential(c *Check, s *openapi3.SecurityScheme, cred Credential) {
	p := Param{Source: SourceSecret, Secret: true, Env: cred.Env}
	withScheme := func(scheme string) {
		p.Value = scheme + " " + cred.Token
		if cred.TokenTemplate != "" {
			p.Template = scheme + " " + cred.TokenTemplate
		}
	}
	switch strings.ToLower(s.Type) {
	case "http":
		p.Name = "Authorization"
		if strings.EqualFold(s.Scheme, "basic") {
			p.Value = "Basic " + base64.StdEncoding.EncodeToString([]byte(cred.Username+":"+cred.Password))
			p.Basic = &BasicCredential{Username: cred.UsernameTemplate, Password: cred.PasswordTemplate}
		} else {
			scheme := s.Scheme
			if scheme == "" || strings.EqualFold(scheme, "bearer") {
				scheme = "Bearer"
			}
			withScheme(scheme)
		}
		setParam(&c.Request.Headers, p)
	case "apikey":
		p.Name, p.Value, p.Template = s.Name, cred.Token, cred.TokenTemplate
		switch s.In {
		case "query":
			c.Request.Query = append(c.Request.Query, p)
			c.Request.URL = appendQuery(c.Request.URL, p)
		case "cookie":
			c.Request.Cookies = append(c.Request.Cookies, p)
		default:
			setParam(&c.Request.Headers, p)
		}
	default: // oauth2, openIdConnect, mutualTLS: a bearer token if one is given
		if cred.Token == "" {
			return
		}
		p.Name = "Authorization"
		withScheme("Bearer")
		setParam(&c.Request.Headers, p)
	}
}

func appendQuery(u string, p Param) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + url.QueryEscape(p.Name) + "=" + url.QueryEscape(p.Value)
}

// mediaPreference ranks request media types smoke can build bodies for.
func mediaPreference(mt string) int {
	base, _, err := mime.ParseMediaType(mt)
	if err != nil {
		base = strings.ToLower(mt)
	}
	switch {
	case base == "application/json":
		return 0
	case strings.HasSuffix(base, "+json") || strings.HasSuffix(base, "/json"):
		return 1
	case base == "application/x-www-form-urlencoded":
		return 2
	case base == "multipart/form-data":
		return 3
	case strings.HasPrefix(base, "text/"):
		return 4
	case base == "*/*":
		return 5
	}
	return 6
}

const multipartBoundary = "smoke-boundary-7MA4YWxkTrZu0gW"

// body sets the request body. It reports whether the body text is
// template text (see finishDynamic).
func (b builder) body(c *Check, g *valueGen, fx Fixture, op spec.Operation) (template bool) {
	rb := op.Operation.RequestBody
	if rb == nil || rb.Value == nil || len(rb.Value.Content) == 0 {
		if fx.HasBody {
			c.Request.Body, template = jsonBody(fixtureTree(fx.Body), SourceFixture, "application/json")
		}
		return template
	}
	types := slices.Sorted(maps.Keys(rb.Value.Content))
	sort.SliceStable(types, func(i, j int) bool { return mediaPreference(types[i]) < mediaPreference(types[j]) })
	mt := types[0]
	if fx.ContentType != "" {
		mt = fx.ContentType
	}
	media := rb.Value.Content[mt]
	if media == nil {
		media = &openapi3.MediaType{}
	}
	var schema *openapi3.Schema
	if media.Schema != nil {
		schema = media.Schema.Value
	}
	// An example is used only if it validates against the body's schema,
	// as documented() has it for schema examples.
	valid := func(v any) bool { return schema == nil || validates(schema, v) }

	var (
		value any
		src   Source
	)
	switch {
	case fx.HasBody:
		value, src = fixtureTree(fx.Body), SourceFixture
	case media.Example != nil && valid(media.Example):
		value, src = media.Example, SourceExample
	default:
		for _, name := range slices.Sorted(maps.Keys(media.Examples)) {
			if e := media.Examples[name]; e != nil && e.Value != nil && e.Value.Value != nil && valid(e.Value.Value) {
				value, src = e.Value.Value, SourceExample
				break
			}
		}
	}
	// The document shows a body, even if its example is not valid: the
	// operation is meant to get one.
	shown := media.Example != nil || len(media.Examples) > 0
	if src == "" {
		if v, s, ok := documented(schema); ok {
			value, src = v, s
		} else if !rb.Value.Required && !shown && (schema == nil || !requiresFields(g, schema)) {
			// An optional body is sent only when the document shows one,
			// or when its schema has required fields (Swagger 2.0
			// formData converts to a body that is not marked required).
			return false
		} else if schema == nil && mediaPreference(mt) > 3 {
			c.Notes = append(c.Notes, fmt.Sprintf("request body %s: no example or schema; sent empty", mt))
			c.Request.Body = &Body{ContentType: mt, Source: SourceGenerated}
			return false
		} else {
			g.start()
			g.create = c.Method == "POST"
			value, src = g.value(schema, c.Method+" "+c.Path+" body", "", 0)
			g.create = false
		}
	}

	base, _, _ := mime.ParseMediaType(mt)
	switch pref := mediaPreference(mt); {
	case pref <= 1:
		c.Request.Body, template = jsonBody(value, src, mt)
		return template
	case pref == 2:
		c.Request.Body = &Body{ContentType: mt, Text: formEncode(value), Source: src}
	case pref == 3:
		c.Request.Body = &Body{
			ContentType: "multipart/form-data; boundary=" + multipartBoundary,
			Text:        multipartEncode(value, media),
			Source:      src,
		}
	default:
		switch value.(type) {
		case string, dynamic:
		default:
			if !strings.HasPrefix(base, "text/") && base != "*/*" {
				c.Notes = append(c.Notes, fmt.Sprintf("request body %s: smoke builds JSON, form and multipart bodies; this one was not generated (give an example or a fixture)", mt))
				c.Request.Body = &Body{ContentType: mt, Source: SourceGenerated}
				return false
			}
		}
		c.Request.Body = &Body{ContentType: mt, Text: text(value), Source: src}
	}
	return true
}

// requiresFields reports whether a body schema, its allOf merged, has
// required properties.
func requiresFields(g *valueGen, s *openapi3.Schema) bool {
	if len(s.AllOf) > 0 {
		s = g.cache.merge(s)
	}
	return len(s.Required) > 0
}

// jsonBody writes v as a JSON body; template reports whether the text is
// template text (v held dynamic values).
func jsonBody(v any, src Source, mt string) (body *Body, template bool) {
	raw, template := marshalValue(v)
	return &Body{ContentType: mt, Text: raw, Source: src}, template
}

func formEncode(v any) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return escapeTemplate(text(v), url.QueryEscape)
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if arr, ok := obj[k].([]any); ok {
			for _, e := range arr {
				parts = append(parts, url.QueryEscape(k)+"="+escapeTemplate(text(e), url.QueryEscape))
			}
			continue
		}
		parts = append(parts, url.QueryEscape(k)+"="+escapeTemplate(text(obj[k]), url.QueryEscape))
	}
	return strings.Join(parts, "&")
}

func multipartEncode(v any, media *openapi3.MediaType) string {
	obj, ok := v.(map[string]any)
	if !ok {
		obj = map[string]any{"file": v}
	}
	var props openapi3.Schemas
	if media.Schema != nil && media.Schema.Value != nil {
		props = media.Schema.Value.Properties
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		b.WriteString("--" + multipartBoundary + "\r\n")
		binary := false
		if p := props[k]; p != nil && p.Value != nil {
			binary = p.Value.Format == "binary" || p.Value.ContentMediaType != "" || p.Value.Format == "byte"
		}
		if binary {
			fmt.Fprintf(&b, "Content-Disposition: form-data; name=%q; filename=%q\r\nContent-Type: application/octet-stream\r\n\r\n", k, k+".bin")
		} else {
			fmt.Fprintf(&b, "Content-Disposition: form-data; name=%q\r\n\r\n", k)
		}
		b.WriteString(text(obj[k]))
		b.WriteString("\r\n")
	}
	b.WriteString("--" + multipartBoundary + "--\r\n")
	return b.String()
}

func (b builder) expect(o *openapi3.Operation) Expect {
	var e Expect
	if o.Responses == nil {
		return e
	}
	m := o.Responses.Map()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStatuses(keys)
	for _, k := range keys {
		ref := m[k]
		if ref == nil || ref.Value == nil {
			continue
		}
		status := k
		if strings.EqualFold(k, "default") {
			status = "default"
		} else {
			status = strings.ToUpper(k)
		}
		e.Status = append(e.Status, status)
		r := Response{Status: status}
		if ref.Value.Description != nil {
			r.Description = strings.TrimSpace(*ref.Value.Description)
		}
		for _, mt := range slices.Sorted(maps.Keys(ref.Value.Content)) {
			media := ref.Value.Content[mt]
			ct := Content{MediaType: mt, JSONSchema2020: b.is31}
			if media != nil && media.Schema != nil && media.Schema.Value != nil {
				ct.Schema = media.Schema.Value
				ct.SchemaRef = media.Schema.Ref
				if ct.SchemaRef == "" {
					ct.SchemaRef = "inline"
				}
			}
			r.Content = append(r.Content, ct)
		}
		for _, name := range slices.Sorted(maps.Keys(ref.Value.Headers)) {
			if h := ref.Value.Headers[name]; h != nil && h.Value != nil && h.Value.Required {
				r.Headers = append(r.Headers, name)
			}
		}
		types := make([]string, len(r.Content))
		for i, ct := range r.Content {
			types[i] = ct.MediaType
		}
		r.Stream = StreamKind(r.Description, types)
		e.Responses = append(e.Responses, r)
	}
	return e
}
