package synthetics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"mime"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
)

// maxSchemaDepth bounds nesting of inline schemas.
const maxSchemaDepth = 64

var errUnfit = errors.New("schema does not fit JSON Schema draft-07")

// responseSchema returns the draft-07 JSON Schema every documented
// non-5xx response body must satisfy: the response's schema when one
// status is documented, anyOf the schemas otherwise. It fits only when
// each such response is JSON with a schema; a Datadog schema assertion
// applies whatever the status, so a response without a schema (a 204, a
// bare 404) leaves the assertion out. A schema longer than Datadog
// accepts (MaxSchemaChars) is left out with a note.
func responseSchema(e generator.Expect) (schema, note string, ok bool) {
	cv := &converter{defs: map[string]any{}, keys: map[string]string{}}
	var alts []any
	for _, r := range e.Responses {
		if isServerError(r.Status) {
			continue
		}
		var c *generator.Content
		for i, x := range r.Content {
			mt, _, err := mime.ParseMediaType(x.MediaType)
			if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) || x.Schema == nil {
				continue
			}
			c = &r.Content[i]
			break
		}
		if c == nil || len(r.Content) != 1 {
			return "", "", false
		}
		var s any
		if strings.HasPrefix(c.SchemaRef, "#") || strings.Contains(c.SchemaRef, "#/") {
			s = cv.ref(c.SchemaRef, c.Schema, 0)
		} else {
			s = cv.schema(c.Schema, 0)
		}
		if cv.err != nil {
			return "", "", false
		}
		alts = append(alts, s)
	}
	if len(alts) == 0 {
		return "", "", false
	}
	alts = dedupe(alts)
	var root map[string]any
	if len(alts) == 1 {
		if m, isMap := alts[0].(map[string]any); isMap && m["$ref"] == nil {
			root = m
		} else {
			root = map[string]any{"allOf": alts}
		}
	} else {
		root = map[string]any{"anyOf": alts}
	}
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	if len(cv.defs) > 0 {
		root["definitions"] = cv.defs
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<" is one character to Datadog, not six
	if err := enc.Encode(root); err != nil {
		return "", "", false
	}
	out := strings.TrimSuffix(b.String(), "\n")
	if n := utf8.RuneCountInString(out); n > MaxSchemaChars {
		return "", fmt.Sprintf("response schema assertion left out: %d characters, Datadog accepts at most %d", n, MaxSchemaChars), false
	}
	return out, "", true
}

func dedupe(in []any) []any {
	var out []any
	seen := map[string]bool{}
	for _, v := range in {
		b, err := json.Marshal(v)
		if err != nil {
			continue
		}
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, v)
		}
	}
	return out
}

// converter turns OpenAPI schemas into JSON Schema draft-07. Named
// schemas become definitions, which is how recursive schemas terminate.
type converter struct {
	defs map[string]any
	keys map[string]string // $ref -> definitions key
	err  error
}

var unsafeKey = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

func (cv *converter) ref(ref string, s *openapi3.Schema, depth int) any {
	key, ok := cv.keys[ref]
	if !ok {
		_, frag, _ := strings.Cut(ref, "#")
		key = unsafeKey.ReplaceAllString(frag[strings.LastIndex(frag, "/")+1:], "_")
		if key == "" {
			key = "schema"
		}
		base := key
		for i := 2; ; i++ {
			if _, taken := cv.defs[key]; !taken {
				break
			}
			key = base + "_" + itoa(i)
		}
		cv.keys[ref] = key
		cv.defs[key] = true // placeholder: a recursive reference sees it
		cv.defs[key] = cv.schema(s, depth+1)
	}
	return map[string]any{"$ref": "#/definitions/" + key}
}

func itoa(i int) string {
	b, err := json.Marshal(i)
	if err != nil {
		return "x"
	}
	return string(b)
}

func (cv *converter) sub(r *openapi3.SchemaRef, depth int) any {
	if r == nil {
		return map[string]any{}
	}
	if r.Ref != "" && r.Value != nil {
		return cv.ref(r.Ref, r.Value, depth)
	}
	return cv.schema(r.Value, depth+1)
}

func (cv *converter) list(rs openapi3.SchemaRefs, depth int) []any {
	out := make([]any, 0, len(rs))
	for _, r := range rs {
		out = append(out, cv.sub(r, depth))
	}
	return out
}

// schema converts one OpenAPI schema. Each group of keywords has its own
// method; a keyword draft-07 does not have makes the schema unfit.
func (cv *converter) schema(s *openapi3.Schema, depth int) any {
	if cv.err != nil {
		return nil
	}
	if s == nil {
		return map[string]any{}
	}
	if depth > maxSchemaDepth {
		cv.err = errUnfit
		return nil
	}
	if s.Always != nil {
		return *s.Always
	}
	if len(s.PrefixItems) > 0 || s.UnevaluatedItems.Has != nil || s.UnevaluatedItems.Schema != nil ||
		s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil ||
		len(s.DependentSchemas) > 0 || s.Contains != nil {
		cv.err = errUnfit
		return nil
	}
	out := map[string]any{}
	typeKeywords(out, s)
	numberKeywords(out, s)
	stringKeywords(out, s)
	cv.arrayKeywords(out, s, depth)
	cv.objectKeywords(out, s, depth)
	cv.combinators(out, s, depth)
	return out
}

// typeKeywords: type (with null for nullable), format, enum, const.
func typeKeywords(out map[string]any, s *openapi3.Schema) {
	if s.Type != nil && len(*s.Type) > 0 {
		types := append([]string(nil), (*s.Type)...)
		if s.Nullable && !s.Type.Includes("null") {
			types = append(types, "null")
		}
		if len(types) == 1 {
			out["type"] = types[0]
		} else {
			out["type"] = types
		}
	}
	format(out, s.Format)
	if len(s.Enum) > 0 {
		enum := append([]any(nil), s.Enum...)
		if s.Nullable && !contains(enum, nil) {
			enum = append(enum, nil)
		}
		out["enum"] = enum
	}
	if s.Const != nil {
		out["const"] = s.Const
	}
}

// draft07Formats are the formats JSON Schema draft-07 defines (section
// 7.3). Validators refuse or ignore others; OpenAPI's own are mapped.
var draft07Formats = map[string]bool{
	"date-time": true, "date": true, "time": true, "email": true, "idn-email": true,
	"hostname": true, "idn-hostname": true, "ipv4": true, "ipv6": true,
	"uri": true, "uri-reference": true, "iri": true, "iri-reference": true,
	"uri-template": true, "json-pointer": true, "relative-json-pointer": true, "regex": true,
}

// format keeps a draft-07 format and maps OpenAPI's: int32 becomes the
// range of a 32-bit integer, byte (base64) becomes contentEncoding;
// int64, float, double, binary, password and unknown formats assert
// nothing a draft-07 validator knows, so they are left out.
func format(out map[string]any, f string) {
	switch {
	case f == "":
	case draft07Formats[f]:
		out["format"] = f
	case f == "int32":
		out["minimum"] = math.MinInt32
		out["maximum"] = math.MaxInt32
	case f == "byte":
		out["contentEncoding"] = "base64"
	}
}

func numberKeywords(out map[string]any, s *openapi3.Schema) {
	if s.Min != nil {
		if s.ExclusiveMin.Bool != nil && *s.ExclusiveMin.Bool {
			out["exclusiveMinimum"] = *s.Min
		} else {
			out["minimum"] = *s.Min
		}
	}
	if s.ExclusiveMin.Value != nil {
		out["exclusiveMinimum"] = *s.ExclusiveMin.Value
	}
	if s.Max != nil {
		if s.ExclusiveMax.Bool != nil && *s.ExclusiveMax.Bool {
			out["exclusiveMaximum"] = *s.Max
		} else {
			out["maximum"] = *s.Max
		}
	}
	if s.ExclusiveMax.Value != nil {
		out["exclusiveMaximum"] = *s.ExclusiveMax.Value
	}
	if s.MultipleOf != nil {
		out["multipleOf"] = *s.MultipleOf
	}
}

func stringKeywords(out map[string]any, s *openapi3.Schema) {
	if s.MinLength > 0 {
		out["minLength"] = s.MinLength
	}
	if s.MaxLength != nil {
		out["maxLength"] = *s.MaxLength
	}
	if s.Pattern != "" {
		out["pattern"] = s.Pattern
	}
}

func (cv *converter) arrayKeywords(out map[string]any, s *openapi3.Schema, depth int) {
	if s.Items != nil {
		out["items"] = cv.sub(s.Items, depth)
	}
	if s.MinItems > 0 {
		out["minItems"] = s.MinItems
	}
	if s.MaxItems != nil {
		out["maxItems"] = *s.MaxItems
	}
	if s.UniqueItems {
		out["uniqueItems"] = true
	}
}

func (cv *converter) objectKeywords(out map[string]any, s *openapi3.Schema, depth int) {
	if len(s.Properties) > 0 {
		props := map[string]any{}
		// Sorted, so that definitions are named in the same order on
		// every run.
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			props[name] = cv.sub(s.Properties[name], depth)
		}
		out["properties"] = props
	}
	// A required writeOnly property is required in requests only: it is
	// never in a response.
	var required []string
	for _, name := range s.Required {
		if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.WriteOnly {
			continue
		}
		required = append(required, name)
	}
	if len(required) > 0 {
		out["required"] = required
	}
	if ap := s.AdditionalProperties; ap.Has != nil {
		out["additionalProperties"] = *ap.Has
	} else if ap.Schema != nil {
		out["additionalProperties"] = cv.sub(ap.Schema, depth)
	}
	if s.MinProps > 0 {
		out["minProperties"] = s.MinProps
	}
	if s.MaxProps != nil {
		out["maxProperties"] = *s.MaxProps
	}
	if s.PropertyNames != nil {
		out["propertyNames"] = cv.sub(s.PropertyNames, depth)
	}
	if len(s.DependentRequired) > 0 {
		deps := map[string]any{}
		for k, v := range s.DependentRequired {
			deps[k] = v
		}
		out["dependencies"] = deps
	}
}

func (cv *converter) combinators(out map[string]any, s *openapi3.Schema, depth int) {
	if len(s.AllOf) > 0 {
		out["allOf"] = cv.list(s.AllOf, depth)
	}
	if len(s.AnyOf) > 0 {
		out["anyOf"] = cv.list(s.AnyOf, depth)
	}
	if len(s.OneOf) > 0 {
		out["oneOf"] = cv.list(s.OneOf, depth)
	}
	for _, k := range []struct {
		key string
		r   *openapi3.SchemaRef
	}{{"not", s.Not}, {"if", s.If}, {"then", s.Then}, {"else", s.Else}} {
		if k.r != nil {
			out[k.key] = cv.sub(k.r, depth)
		}
	}
}

func contains(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
