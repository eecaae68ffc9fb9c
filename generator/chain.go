package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Chains (DESIGN.md, "Depth"): real ids flow from the checks that produce
// them to the checks that need them. A Binding on a check says that one
// of its request values comes from an earlier check's exchange; the
// check keeps its static value as the fallback. The runner resolves
// bindings against a per-target store, diff keeps one store per side,
// and synthetics renders them as Datadog variables: no backend invents
// its own.

// Binding targets: where in a request a bound value goes.
const (
	InPath   = "path"
	InQuery  = "query"
	InHeader = "header"
	InCookie = "cookie"
	InBody   = "body"
)

// Binding origins, strongest first: a cycle of inferred bindings is
// broken by dropping the weakest binding in it.
const (
	OriginConfig   = "config"   // smoke.yaml operations.*.bind
	OriginLinks    = "links"    // an OpenAPI links object
	OriginLocation = "location" // the Location header of a create's 201
	OriginInferred = "inferred" // matched by name in the document
)

// Chain roles: a check's place in its group.
const (
	RoleCreate = "create" // makes the resource; its answer names it
	RoleRead   = "read"   // GET of the created item: read-after-write
	RoleUpdate = "update" // PUT or PATCH of the created item
	RoleUse    = "use"    // any other check bound to the created resource
	RoleDelete = "delete" // removes the created resource
)

// Binding says that one request value of a check comes from an earlier
// check's exchange.
type Binding struct {
	// In is where the value goes: path, query, header, cookie or body.
	In string `json:"in"`
	// Name is the parameter's name, or for In body a JSON pointer into
	// the request body ("/ID", "/owner/id").
	Name string `json:"name"`
	// Producer is the ID of the check whose exchange gives the value,
	// and Operation names it ("POST /silences") for readers.
	Producer  string `json:"producer"`
	Operation string `json:"operation"`
	// From is an OpenAPI runtime expression evaluated on the producer's
	// exchange: $response.body#/silenceID, $response.header.Location,
	// $request.body#/name, $request.path.id.
	From string `json:"from"`
	// Origin says where the binding comes from: config, links, location
	// or inferred.
	Origin string `json:"origin"`
}

// Target renders where the value goes, as smoke.yaml writes it:
// "path.silenceID", "body#/ID".
func (b Binding) Target() string {
	if b.In == InBody {
		return "body#" + b.Name
	}
	return b.In + "." + b.Name
}

// Short renders the binding for a plan table: "path:silenceID ← POST
// /silences /silenceID" (a body pointer alone; a header as
// header:Location; a request value as request:/name).
func (b Binding) Short() string {
	target := b.In + ":" + b.Name
	return target + " ← " + b.Operation + " " + ShortExpr(b.From)
}

// ShortExpr renders a runtime expression compactly: the pointer of a
// response body, "header:NAME" for a response header, "request:…" for a
// value of the producer's own request.
func ShortExpr(expr string) string {
	e, err := ParseExpr(expr)
	if err != nil {
		return expr
	}
	switch {
	case e.Source == "response" && e.Part == "body":
		if e.Pointer == "" {
			return "(body)"
		}
		return e.Pointer
	case e.Source == "response" && e.Part == "header":
		return "header:" + e.Name
	case e.Part == "body":
		return "request:" + e.Pointer
	}
	return "request:" + e.Part + "." + e.Name
}

// Role places a check in a create → read/update → delete group.
type Role struct {
	// Group is the ID of the check that creates the group's resource.
	Group string `json:"group"`
	// Role is create, read, update, use or delete.
	Role string `json:"role"`
	// Instance, on a create that Instances added, is the ID of the
	// create it repeats. Never in a plan.
	Instance string `json:"-"`
}

// Graph is what a plan's bindings make of its checks: the order they
// run in, and the groups of checks around each created resource.
type Graph struct {
	// Order lists the IDs of the checks that take part in a chain,
	// producers before their consumers, deletes after every other check
	// of their group. Checks outside every chain are free to run in any
	// order and are not listed.
	Order []string `json:"order,omitempty"`
	// Groups are the resources checks create, each with the checks that
	// read, update, use and delete it.
	Groups []Group `json:"groups,omitempty"`
	// Broken says which inferred bindings were dropped to break a cycle,
	// and why.
	Broken []string `json:"broken,omitempty"`
}

// Group is one created resource and the checks around it.
type Group struct {
	// Create is the ID of the check that creates the resource;
	// Operation names it.
	Create    string `json:"create"`
	Operation string `json:"operation"`
	// Read is the GET bound to the created item, checked right after the
	// create (read-after-write).
	Read   string   `json:"read,omitempty"`
	Update []string `json:"update,omitempty"`
	Use    []string `json:"use,omitempty"`
	// Delete is the check that removes what Create made: the one the
	// runner sends again at cleanup if the resource is still there.
	// Empty when the spec documents no way to delete it.
	Delete string `json:"delete,omitempty"`
	// Again are the group's other deletes. Each is sent after Delete,
	// on a resource created again for it (see Instances): on the first
	// it would always find nothing left.
	Again []string `json:"again,omitempty"`
}

// Expr is a parsed OpenAPI runtime expression (OpenAPI 3.1 §4.8.20.4),
// the part smoke evaluates: values of a producer's request or response.
type Expr struct {
	// Source is "request" or "response".
	Source string
	// Part is body, header, path or query (path and query for requests
	// only).
	Part string
	// Name is the header or parameter name (empty for body).
	Name string
	// Pointer is the JSON pointer into the body ("" for the whole body).
	Pointer string
}

// ErrExpr is wrapped by the errors of ParseExpr.
var ErrExpr = errors.New("unsupported runtime expression")

// ParseExpr parses a runtime expression such as $response.body#/id or
// $response.header.Location. A link parameter may wrap the expression in
// braces ("{$response.body#/id}"), which are removed.
func ParseExpr(s string) (Expr, error) {
	raw := s
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		s = s[1 : len(s)-1]
	}
	var e Expr
	switch {
	case strings.HasPrefix(s, "$response."):
		e.Source, s = "response", strings.TrimPrefix(s, "$response.")
	case strings.HasPrefix(s, "$request."):
		e.Source, s = "request", strings.TrimPrefix(s, "$request.")
	default:
		return e, fmt.Errorf("%w %q: want $response.body#/pointer, $response.header.NAME or $request.(body#/pointer|path.NAME|query.NAME|header.NAME)", ErrExpr, raw)
	}
	switch {
	case s == "body" || strings.HasPrefix(s, "body#"):
		e.Part = "body"
		if ptr, ok := strings.CutPrefix(s, "body#"); ok {
			ptr, err := url.PathUnescape(ptr) // a fragment may be percent-encoded
			if err != nil {
				return e, fmt.Errorf("%w %q: %v", ErrExpr, raw, err)
			}
			if _, err := SplitPointer(ptr); err != nil {
				return e, fmt.Errorf("%w %q: %v", ErrExpr, raw, err)
			}
			e.Pointer = ptr
		}
		return e, nil
	case strings.HasPrefix(s, "header."):
		e.Part, e.Name = "header", strings.TrimPrefix(s, "header.")
	case e.Source == "request" && strings.HasPrefix(s, "path."):
		e.Part, e.Name = "path", strings.TrimPrefix(s, "path.")
	case e.Source == "request" && strings.HasPrefix(s, "query."):
		e.Part, e.Name = "query", strings.TrimPrefix(s, "query.")
	default:
		return e, fmt.Errorf("%w %q: want $response.body#/pointer, $response.header.NAME or $request.(body#/pointer|path.NAME|query.NAME|header.NAME)", ErrExpr, raw)
	}
	if e.Name == "" {
		return e, fmt.Errorf("%w %q: no name", ErrExpr, raw)
	}
	return e, nil
}

// String renders the expression back in its canonical form.
func (e Expr) String() string {
	if e.Part == "body" {
		if e.Pointer == "" {
			return "$" + e.Source + ".body"
		}
		return "$" + e.Source + ".body#" + e.Pointer
	}
	return "$" + e.Source + "." + e.Part + "." + e.Name
}

// ParseTarget parses a binding target as smoke.yaml writes it:
// "path.NAME", "query.NAME", "header.NAME", "cookie.NAME" or
// "body#/pointer". It returns In and Name of a Binding.
func ParseTarget(s string) (in, name string, err error) {
	s = strings.TrimSpace(s)
	if ptr, ok := strings.CutPrefix(s, "body#"); ok {
		if ptr == "" {
			return "", "", fmt.Errorf("target %q: a body target needs a JSON pointer (body#/field)", s)
		}
		if _, err := SplitPointer(ptr); err != nil {
			return "", "", fmt.Errorf("target %q: %w", s, err)
		}
		return InBody, ptr, nil
	}
	in, name, ok := strings.Cut(s, ".")
	switch {
	case !ok || name == "":
		return "", "", fmt.Errorf("target %q: want path.NAME, query.NAME, header.NAME, cookie.NAME or body#/pointer", s)
	case in == InPath, in == InQuery, in == InHeader, in == InCookie:
		return in, name, nil
	}
	return "", "", fmt.Errorf("target %q: %q is not path, query, header, cookie or body", s, in)
}

// Scalar turns a value read from a JSON document into the text a path,
// query, header or cookie carries. Only strings, numbers and booleans are
// values; null, objects and arrays are not (ok is false).
func Scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// Lookup returns the value at a JSON pointer in a decoded JSON document
// (objects as map[string]any, arrays as []any).
func Lookup(doc any, pointer string) (any, bool) {
	toks, err := SplitPointer(pointer)
	if err != nil {
		return nil, false
	}
	cur := doc
	for _, t := range toks {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[t]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) || (len(t) > 1 && t[0] == '0') {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// DecodeJSON decodes a JSON document keeping numbers exact
// (json.Number), as every comparison and rewrite of smoke needs.
func DecodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// PathValue extracts the value of path parameter param of template
// (/owners/{ownerId}/pets/{petId}) from a URL or path that names the
// resource, such as a Location header ("/api/v2/owners/3/pets/7", an
// absolute URL, or "/pets/7"): the template, cut after the parameter, is
// aligned with the end of the path; the static segments that overlap must
// match, and the parameter's segment is the value.
func PathValue(template, param, location string) (string, bool) {
	p := location
	if u, err := url.Parse(location); err == nil {
		p = u.EscapedPath()
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return "", false
	}
	have := strings.Split(p, "/")
	want := strings.Split(strings.Trim(template, "/"), "/")
	target := slices.Index(want, "{"+param+"}")
	if target < 0 {
		return "", false
	}
	want = want[:target+1]
	off := len(have) - len(want)
	if off+target < 0 || (target > 0 && off+target-1 < 0) {
		return "", false // a bare id: nothing confirms it names this resource
	}
	for i := target - 1; i >= 0 && i+off >= 0; i-- {
		if !isParamSegment(want[i]) && !strings.EqualFold(want[i], have[i+off]) {
			return "", false
		}
	}
	v, err := url.PathUnescape(have[target+off])
	if err != nil || v == "" {
		return "", false
	}
	return v, true
}

func isParamSegment(s string) bool {
	return len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' && !strings.ContainsAny(s[1:len(s)-1], "{}")
}

// Support returns the checks of all that the checks of selected need
// without being selected themselves (filters, --read-only): the safe
// producers of their bindings (and theirs, in turn), whose values they
// take, and the deletes of the resources selected creates make, sent
// only to clean up. A write is never a support producer: a run that
// filtered out a create creates nothing. Checks keep the order of all.
func Support(all, selected []Check) []Check {
	in := make(map[string]bool, len(selected))
	for _, c := range selected {
		in[c.ID] = true
	}
	byID := make(map[string]int, len(all))
	for i, c := range all {
		byID[c.ID] = i
	}
	want := map[int]bool{}
	queue := slices.Clone(selected)
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, b := range c.Bindings {
			i, ok := byID[b.Producer]
			if !ok || in[b.Producer] || want[i] || !all[i].Safe {
				continue
			}
			want[i] = true
			queue = append(queue, all[i])
		}
	}
	creates := map[string]bool{}
	for _, c := range selected {
		if c.Chain != nil && c.Chain.Role == RoleCreate {
			creates[c.ID] = true
		}
	}
	for i, c := range all {
		if !in[c.ID] && c.Chain != nil && c.Chain.Role == RoleDelete && creates[c.Chain.Group] {
			want[i] = true
		}
	}
	out := make([]Check, 0, len(want))
	for _, i := range slices.Sorted(maps.Keys(want)) {
		out = append(out, all[i])
	}
	return out
}
