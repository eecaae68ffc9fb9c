package spec

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi3"
)

// Methods are the HTTP methods OpenAPI defines operations for, in the order
// smoke lists them.
var Methods = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}

// Operation is one path × method of the document.
type Operation struct {
	Method    string // upper case
	Path      string // template as written, e.g. /pets/{petId}
	PathItem  *openapi3.PathItem
	Operation *openapi3.Operation
}

// Operations lists every operation under "paths" (webhooks and callbacks
// are not operations of the service), ordered by path, then by Methods.
func (d *Document) Operations() []Operation {
	if d == nil || d.T == nil || d.T.Paths == nil {
		return nil
	}
	m := d.T.Paths.Map()
	paths := make([]string, 0, len(m))
	for p := range m {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var ops []Operation
	for _, p := range paths {
		item := m[p]
		if item == nil {
			continue
		}
		for _, method := range Methods {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			ops = append(ops, Operation{Method: method, Path: p, PathItem: item, Operation: op})
		}
	}
	return ops
}

// Is31 reports whether the document is OpenAPI 3.1 or later, whose schemas
// are JSON Schema 2020-12.
func (d *Document) Is31() bool {
	return d != nil && d.T != nil && d.T.IsOpenAPI31OrLater()
}

// Servers returns the document's top-level server URLs with their
// variables substituted by their defaults. A relative server URL (a
// Swagger 2.0 basePath without a host, "/api/v2") is resolved against the
// document's own URL when it was loaded over http(s), as OpenAPI
// specifies; otherwise it comes back relative.
func (d *Document) Servers() []string {
	if d == nil || d.T == nil {
		return nil
	}
	var base *url.URL
	if strings.HasPrefix(d.Location, "http://") || strings.HasPrefix(d.Location, "https://") {
		base, _ = url.Parse(d.Location)
	}
	var out []string
	for _, s := range d.T.Servers {
		if s == nil || s.URL == "" {
			continue
		}
		u := ServerURL(s)
		if base != nil && !strings.Contains(u, "://") {
			if ref, err := url.Parse(u); err == nil {
				u = base.ResolveReference(ref).String()
			}
		}
		out = append(out, u)
	}
	return out
}

// ServerURL substitutes a server's variables with their default values.
func ServerURL(s *openapi3.Server) string {
	u := s.URL
	for name, v := range s.Variables {
		if v == nil {
			continue
		}
		u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
	}
	return u
}

// Title returns info.title, or "" when the document has no info.
func (d *Document) Title() string {
	if d == nil || d.T == nil || d.T.Info == nil {
		return ""
	}
	return d.T.Info.Title
}

// APIVersion returns info.version.
func (d *Document) APIVersion() string {
	if d == nil || d.T == nil || d.T.Info == nil {
		return ""
	}
	return d.T.Info.Version
}

// checkRefs walks every operation and reports a $ref that kin-openapi left
// unresolved: such a reference would otherwise surface as a nil value deep
// inside generation. A cycle of $refs is named as one, and a path item
// written as a $ref that never reaches operations (a cycle, a missing
// target) is an error rather than a path silently left out.
func checkRefs(t *openapi3.T, raw *rawDoc) error {
	w := refWalker{seen: map[*openapi3.Schema]bool{}, raw: raw}
	for _, p := range slices.Sorted(maps.Keys(t.Paths.Map())) {
		item := t.Paths.Value(p)
		if item == nil {
			continue
		}
		if !hasOperation(item) {
			if err := raw.pathItemRef(p); err != nil {
				return err
			}
		}
		where := "paths." + p
		if err := w.params(where, item.Parameters); err != nil {
			return err
		}
		for _, method := range Methods {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			where := where + "." + strings.ToLower(method)
			if err := w.params(where, op.Parameters); err != nil {
				return err
			}
			if rb := op.RequestBody; rb != nil {
				if rb.Value == nil {
					return w.unresolved(where+".requestBody", rb.Ref)
				}
				if err := w.content(where+".requestBody", rb.Value.Content); err != nil {
					return err
				}
			}
			if op.Responses == nil {
				continue
			}
			for code, r := range op.Responses.Map() {
				if r == nil {
					continue
				}
				if r.Value == nil {
					return w.unresolved(where+".responses."+code, r.Ref)
				}
				if err := w.content(where+".responses."+code, r.Value.Content); err != nil {
					return err
				}
				for name, h := range r.Value.Headers {
					if h != nil && h.Value == nil {
						return w.unresolved(where+".responses."+code+".headers."+name, h.Ref)
					}
				}
			}
		}
	}
	return nil
}

// hasOperation reports whether a path item has any operation, without
// building the map PathItem.Operations returns (811 of them on GitHub's
// description).
func hasOperation(item *openapi3.PathItem) bool {
	for _, m := range Methods {
		if item.GetOperation(m) != nil {
			return true
		}
	}
	return false
}

type refWalker struct {
	seen map[*openapi3.Schema]bool
	raw  *rawDoc
}

func (w refWalker) unresolved(where, ref string) error {
	return w.raw.unresolved(where, ref)
}

func (w refWalker) params(where string, ps openapi3.Parameters) error {
	for _, p := range ps {
		if p == nil {
			continue
		}
		if p.Value == nil {
			return w.unresolved(where+".parameters", p.Ref)
		}
		if err := w.schema(where+".parameters."+p.Value.Name, p.Value.Schema); err != nil {
			return err
		}
		if err := w.content(where+".parameters."+p.Value.Name, p.Value.Content); err != nil {
			return err
		}
	}
	return nil
}

func (w refWalker) content(where string, c openapi3.Content) error {
	for mt, m := range c {
		if m != nil {
			if err := w.schema(where+".content."+mt, m.Schema); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w refWalker) schema(where string, s *openapi3.SchemaRef) error {
	if s == nil {
		return nil
	}
	if s.Value == nil {
		return w.unresolved(where, s.Ref)
	}
	v := s.Value
	if w.seen[v] {
		return nil
	}
	w.seen[v] = true
	for _, list := range []openapi3.SchemaRefs{v.AllOf, v.AnyOf, v.OneOf, v.PrefixItems} {
		for _, sub := range list {
			if err := w.schema(where, sub); err != nil {
				return err
			}
		}
	}
	for _, sub := range []*openapi3.SchemaRef{v.Not, v.Items, v.AdditionalProperties.Schema, v.If, v.Then, v.Else, v.Contains} {
		if err := w.schema(where, sub); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(v.Properties)) {
		if err := w.schema(where+"."+name, v.Properties[name]); err != nil {
			return err
		}
	}
	return nil
}

// maxWarnings bounds how many validation problems are kept: the GitHub
// description alone has hundreds, and a summary line says how many.
const maxWarnings = 20

// Validate runs kin-openapi's validation and returns its problems as
// warning lines (at most 20 and a count). Example validation is off: real
// specs (Datadog's own) carry examples that do not match their schemas.
// It only reads the document, so it may run beside generation.
func (d *Document) Validate(ctx context.Context) []string {
	err := d.T.Validate(ctx,
		openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(),
		openapi3.EnableMultiError(),
	)
	if err == nil {
		return nil
	}
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = flatten(me)
	} else {
		errs = []error{err}
	}
	var out []string
	for i, e := range errs {
		if i == maxWarnings {
			out = append(out, fmt.Sprintf("… and %d more validation problems (--strict fails on the first)", len(errs)-maxWarnings))
			break
		}
		out = append(out, "validation: "+oneLine(e.Error()))
	}
	return out
}

func flatten(me openapi3.MultiError) []error {
	var out []error
	for _, e := range me {
		var inner openapi3.MultiError
		if errors.As(e, &inner) && len(inner) > 0 {
			out = append(out, flatten(inner)...)
			continue
		}
		out = append(out, e)
	}
	return out
}

// swagger2Warnings lists Swagger 2.0 constructs the conversion to OpenAPI 3
// cannot keep exactly.
func swagger2Warnings(d *openapi2.T) []string {
	var out []string
	if d.Host == "" && d.BasePath == "" {
		return out
	}
	for _, s := range d.Schemes {
		if s != "http" && s != "https" {
			out = append(out, fmt.Sprintf("swagger 2.0 scheme %q is not http(s); pass --base-url", s))
		}
	}
	return out
}
