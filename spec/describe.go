package spec

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The document described in plain values, for callers that must not
// handle kin-openapi's types (smoke init writes a smoke.yaml from them).

// Server is one of the document's top-level servers.
type Server struct {
	// URL has its variables replaced by their defaults (see ServerURL).
	URL string
	// Template is the URL as written, {variables} included.
	Template    string
	Description string
	Variables   []ServerVariable
}

// ServerVariable is a variable of a server URL template.
type ServerVariable struct {
	Name    string
	Default string
	Enum    []string
}

// ServerList returns the document's top-level servers with their
// descriptions and variables (variables sorted by name). Unlike Servers,
// it does not resolve relative URLs.
func (d *Document) ServerList() []Server {
	if d == nil || d.T == nil {
		return nil
	}
	var out []Server
	for _, s := range d.T.Servers {
		if s == nil || strings.TrimSpace(s.URL) == "" {
			continue
		}
		srv := Server{URL: ServerURL(s), Template: s.URL, Description: s.Description}
		for _, name := range slices.Sorted(maps.Keys(s.Variables)) {
			if v := s.Variables[name]; v != nil {
				srv.Variables = append(srv.Variables, ServerVariable{Name: name, Default: v.Default, Enum: slices.Clone(v.Enum)})
			}
		}
		out = append(out, srv)
	}
	return out
}

// SecurityScheme is a security scheme of the document's components.
type SecurityScheme struct {
	Name string
	// Type is as written: http, apiKey, oauth2, openIdConnect, mutualTLS.
	Type string
	// Scheme is the HTTP authentication scheme (basic, bearer, ...).
	Scheme       string
	BearerFormat string
	// In and ParamName say where an API key goes: header, query or
	// cookie, and under which name.
	In        string
	ParamName string
}

// SecuritySchemes returns the schemes of components.securitySchemes,
// sorted by name.
func (d *Document) SecuritySchemes() []SecurityScheme {
	if d == nil || d.T == nil || d.T.Components == nil {
		return nil
	}
	defs := d.T.Components.SecuritySchemes
	var out []SecurityScheme
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		ref := defs[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		out = append(out, SecurityScheme{Name: name, Type: s.Type, Scheme: s.Scheme, BearerFormat: s.BearerFormat, In: s.In, ParamName: s.Name})
	}
	return out
}

// Security returns the security requirements of op: alternatives, each
// the sorted names of the schemes it needs together, in the document's
// order. An empty alternative makes authentication optional; nil means
// the operation needs none.
func (d *Document) Security(op Operation) [][]string {
	if d == nil || d.T == nil {
		return nil
	}
	reqs := d.T.Security
	if op.Operation != nil && op.Operation.Security != nil {
		reqs = *op.Operation.Security
	}
	if len(reqs) == 0 {
		return nil
	}
	out := make([][]string, len(reqs))
	for i, r := range reqs {
		out[i] = slices.Sorted(maps.Keys(r))
		if out[i] == nil {
			out[i] = []string{}
		}
	}
	return out
}

// ParamType describes the schema of the operation's parameter name in
// location in ("path", "query", ...): its type and format, such as
// "integer (int64)"; "" when the document does not say. An operation's
// own parameter wins over its path's.
func (op Operation) ParamType(in, name string) string {
	var params openapi3.Parameters
	if op.PathItem != nil {
		params = append(params, op.PathItem.Parameters...)
	}
	if op.Operation != nil {
		params = append(params, op.Operation.Parameters...)
	}
	var found *openapi3.Parameter
	for _, ref := range params {
		if ref != nil && ref.Value != nil && ref.Value.In == in && ref.Value.Name == name {
			found = ref.Value
		}
	}
	if found == nil || found.Schema == nil || found.Schema.Value == nil {
		return ""
	}
	s := found.Schema.Value
	var t string
	if s.Type != nil {
		t = strings.Join(*s.Type, " or ")
	}
	if s.Format != "" {
		if t == "" {
			return s.Format
		}
		t += " (" + s.Format + ")"
	}
	return t
}
