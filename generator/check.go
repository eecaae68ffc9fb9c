package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Source says where a request value came from, so a reader of a plan can
// tell a documented example from a value smoke made up.
type Source string

// Value sources, in the order they are tried (config values and secrets
// aside).
const (
	SourceFixture   Source = "fixture"   // smoke.yaml fixture for the operation
	SourceExample   Source = "example"   // parameter or schema example(s)
	SourceDefault   Source = "default"   // schema default
	SourceEnum      Source = "enum"      // first enum value (or const)
	SourceGenerated Source = "generated" // made from type and format
	SourceConfig    Source = "config"    // header from smoke.yaml or --header
	SourceSecret    Source = "secret"    // credential from config/env; always masked
)

// Mask replaces secret values in every rendering of a check.
const Mask = "********"

// Check is one request per path × method, with the expectations the spec
// documents for its answer. It is a plain value: runner, diff and
// synthetics all consume the same Check and refer to it by ID.
type Check struct {
	// ID is stable across runs and machines: a hash of service, method and
	// path template, never of example values.
	ID          string   `json:"id"`
	Method      string   `json:"method"`
	Path        string   `json:"path"` // path template as written in the spec
	OperationID string   `json:"operation_id,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Summary     string   `json:"summary,omitempty"`
	Deprecated  bool     `json:"deprecated,omitempty"`
	// Safe is true for GET, HEAD, OPTIONS and TRACE.
	Safe    bool    `json:"safe"`
	Request Request `json:"request"`
	Expect  Expect  `json:"expect"`
	// Assertions are this check's own assertion settings from smoke.yaml
	// (skipped assertions, latency budget); nil when it has none.
	Assertions *Assertions `json:"assertions,omitempty"`
	// Notes says what the generator could not do for this check (a body of
	// an unsupported media type, a required value it had to invent).
	Notes []string `json:"notes,omitempty"`
	// Bindings are the request values taken from earlier checks'
	// exchanges, in order of preference: of two bindings of one target,
	// the first whose producer gave a value wins. The static value stays
	// in Request as the fallback.
	Bindings []Binding `json:"bindings,omitempty"`
	// Chain places the check in the group of a created resource; nil
	// when it is in none.
	Chain *Role `json:"chain,omitempty"`
}

// Request is the concrete request of a check. URL is relative to the
// target's base URL; a backend joins it to the base URL it was given.
type Request struct {
	// URL is the concrete path with parameters substituted and the query
	// string encoded, e.g. "/pets/42?limit=10".
	URL     string  `json:"url"`
	Path    []Param `json:"path_params,omitempty"`
	Query   []Param `json:"query,omitempty"`
	Headers []Param `json:"headers,omitempty"`
	Cookies []Param `json:"cookies,omitempty"`
	Body    *Body   `json:"body,omitempty"`
	// Dynamic marks a request that holds placeholders (${now+1h},
	// ${run}: see Vars): its URL, values and body are template text,
	// rendered by the backend when the request is sent. Other requests
	// are sent exactly as they are.
	Dynamic bool `json:"dynamic,omitempty"`
}

// Param is one request value with its provenance.
type Param struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source Source `json:"source"`
	// Secret values are masked in every JSON rendering (see MarshalJSON).
	// A value the user supplied for a credential name is masked too (see
	// IsSecret).
	Secret bool `json:"secret,omitempty"`
	// Env names the environment variable a secret was read from, so a
	// backend that must not inline secrets (Datadog) can refer to it.
	Env string `json:"env,omitempty"`
	// Template is the value as configured, with ${VAR} references left in
	// ("Bearer ${API_TOKEN}"): a backend that stores checks elsewhere
	// (Datadog) renders it with its own variable syntax. Empty when the
	// value was written inline, or for HTTP basic (see Basic).
	Template string `json:"template,omitempty"`
	// Basic holds the configured parts of an HTTP basic credential
	// (templates such as "${API_USER}"), so a backend refers to each part
	// instead of splitting the encoded header; nil for other values.
	Basic *BasicCredential `json:"basic,omitempty"`
}

// BasicCredential is an HTTP basic credential as configured: each part a
// template with ${VAR} references, or "" when written inline.
type BasicCredential struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// MarshalJSON masks secret values: a plan, a report or a log never shows a
// credential, whoever renders it.
func (p Param) MarshalJSON() ([]byte, error) {
	type plain Param
	if p.IsSecret() {
		p.Template = maskTemplate(p.Template, p.Value)
		p.Value = Mask
	}
	return json.Marshal(plain(p))
}

// maskTemplate masks the literal parts of a secret's template: only its
// ${VAR} references may show ("Bearer ${TOKEN}"), not a credential
// written into smoke.yaml as it is.
func maskTemplate(template, value string) string {
	if template == "" {
		return ""
	}
	parts := CredentialParts(value)
	slices.SortFunc(parts, func(a, b string) int { return len(b) - len(a) })
	for _, v := range parts {
		if len(v) >= MinSecretLen {
			template = strings.ReplaceAll(template, v, Mask)
		}
	}
	return template
}

// MarshalJSON masks secret query values inside URL as well.
func (r Request) MarshalJSON() ([]byte, error) {
	type plain Request
	r.URL = r.DisplayURL()
	return json.Marshal(plain(r))
}

// DisplayURL returns URL with secret query values masked.
func (r Request) DisplayURL() string {
	u := r.URL
	for _, q := range r.Query {
		if q.IsSecret() && q.Value != "" {
			u = strings.ReplaceAll(u, url.QueryEscape(q.Name)+"="+url.QueryEscape(q.Value), url.QueryEscape(q.Name)+"="+Mask)
		}
	}
	return u
}

// Display returns the value as it may be shown to a person.
func (p Param) Display() string {
	if p.IsSecret() {
		return Mask
	}
	return p.Value
}

// Body is a request body, as the exact text that is sent.
type Body struct {
	// ContentType is the Content-Type header sent with the body (for
	// multipart it carries the boundary).
	ContentType string `json:"content_type"`
	Text        string `json:"text"`
	Source      Source `json:"source"`
}

// Expect holds what the spec documents about the answer.
type Expect struct {
	// Status lists the documented status keys: "200", "2XX", "default".
	Status    []string   `json:"status"`
	Responses []Response `json:"responses,omitempty"`
}

// Response is one documented response.
type Response struct {
	Status      string    `json:"status"` // "200", "2XX" or "default"
	Description string    `json:"description,omitempty"`
	Content     []Content `json:"content,omitempty"`
	// Headers lists the response headers the spec marks required.
	Headers []string `json:"required_headers,omitempty"`
	// Stream is the kind of a streamed body (StreamJSON, StreamSSE):
	// records that may never end. A backend reads the first record and
	// judges the answer on it. Empty for an ordinary body.
	Stream string `json:"stream,omitempty"`
}

// Content is one documented media type of a response.
type Content struct {
	MediaType string `json:"media_type"`
	// SchemaRef names the schema ("#/components/schemas/Pet") or is
	// "inline"; empty when the media type has no schema.
	SchemaRef string `json:"schema,omitempty"`
	// Schema is the resolved schema. It is not serialised: specs hold
	// recursive schemas and plans must stay readable.
	Schema *openapi3.Schema `json:"-"`
	// JSONSchema2020 is true for OpenAPI 3.1 documents, whose schemas are
	// JSON Schema 2020-12 rather than the OpenAPI 3.0 dialect.
	JSONSchema2020 bool `json:"-"`
}

// IsSafe reports whether an HTTP method is safe (RFC 9110 §9.2.1).
func IsSafe(method string) bool {
	switch strings.ToUpper(method) {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// CheckID returns the stable ID of the check for service, method and path
// template: 12 hex digits of a SHA-256.
func CheckID(service, method, path string) string {
	h := sha256.Sum256([]byte(service + "\x00" + strings.ToUpper(method) + "\x00" + path))
	return hex.EncodeToString(h[:6])
}

// Match returns the documented response that covers status: an exact code
// first, then its range ("4XX"), then "default". ok is false when the spec
// documents nothing that covers it.
func (e Expect) Match(status int) (r Response, ok bool) {
	code := strconv.Itoa(status)
	rng := ""
	if status >= 100 && status <= 599 {
		rng = code[:1] + "XX"
	}
	var byRange, byDefault *Response
	for i := range e.Responses {
		key := strings.ToUpper(e.Responses[i].Status)
		switch {
		case key == code:
			return e.Responses[i], true
		case key == rng && byRange == nil:
			byRange = &e.Responses[i]
		case key == "DEFAULT" && byDefault == nil:
			byDefault = &e.Responses[i]
		}
	}
	if byRange != nil {
		return *byRange, true
	}
	if byDefault != nil {
		return *byDefault, true
	}
	return Response{}, false
}

// Documents reports whether status is covered by the documented responses.
func (e Expect) Documents(status int) bool {
	_, ok := e.Match(status)
	return ok
}

// Header returns the first header param named name (case-insensitive).
func (r Request) Header(name string) (Param, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h, true
		}
	}
	return Param{}, false
}

// sortStatuses orders status keys: numeric codes, then ranges, then
// default, so plans are byte-identical across runs.
func sortStatuses(keys []string) {
	rank := func(k string) (int, string) {
		switch {
		case strings.EqualFold(k, "default"):
			return 2, k
		case strings.HasSuffix(strings.ToUpper(k), "XX"):
			return 1, k
		}
		return 0, k
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, ki := rank(keys[i])
		rj, kj := rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return ki < kj
	})
}
