package runner

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-openapi/jsonpointer"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// OpenAPI 3.1 schemas are JSON Schema 2020-12. kin-openapi validates them
// by converting the schema to JSON and compiling it with
// santhosh-tekuri/jsonschema on every call to VisitJSON (25 to 40 times
// the cost of the validation itself in BenchmarkEvaluate31), and offers no
// way to keep the compiled schema. The cache below keeps, per schema, what that call would do:
//
//   - compiled: kin-openapi would validate with the compiled schema. The
//     cache compiles it once, the same way (same JSON, same draft, same
//     format checks), and converts its errors the same way.
//   - legacy: kin-openapi would fall back to its own OpenAPI 3.0 validator
//     (a schema that refers to components and uses no 2020-12 keyword).
//     VisitJSON without the 2020-12 option runs that validator; the only
//     setting that differs, nullable, is checked absent.
//   - kin: anything else (a schema that did not compile, 2020-12 keywords
//     next to component references, nullable): VisitJSON as before.
//
// TestSchema2020CacheMatchesKin compares the cache with VisitJSON on real
// documents.

type mode2020 int

const (
	mode2020Kin mode2020 = iota
	mode2020Compiled
	mode2020Legacy
)

// validator2020 is the cached validation of one schema.
type validator2020 struct {
	mode     mode2020
	root     *openapi3.Schema
	compiled *jsonschema.Schema
}

// validators2020 caches a validator2020 per schema; safe for concurrent use.
type validators2020 struct{ m sync.Map } // *openapi3.Schema → *validator2020

// Options of the legacy mode: validate2020 without EnableJSONSchema2020.
var validateLegacy2020 = []openapi3.SchemaValidationOption{openapi3.VisitAsResponse(), openapi3.MultiErrors()}

// each validates v against s as VisitJSON(v, validate2020...) would, and
// calls f with each leaf error eachSchemaErr would find in its error.
func (vs *validators2020) each(s *openapi3.Schema, v any, f func(schemaErr)) {
	val, ok := vs.m.Load(s)
	if !ok {
		val, _ = vs.m.LoadOrStore(s, newValidator2020(s))
	}
	vd := val.(*validator2020)
	var err error
	switch vd.mode {
	case mode2020Compiled:
		err = vd.compiled.Validate(v)
		if verr, ok := errors.AsType[*jsonschema.ValidationError](err); ok {
			vd.leaves(verr, "", v, f)
			return
		}
	case mode2020Legacy:
		err = s.VisitJSON(v, validateLegacy2020...)
	default:
		err = s.VisitJSON(v, validate2020...)
	}
	if err != nil {
		eachSchemaErr(err, f)
	}
}

// newValidator2020 decides how s is validated and compiles it when it can,
// following kin-openapi's useJSONSchema2020 and newJSONSchemaValidator.
func newValidator2020(s *openapi3.Schema) *validator2020 {
	kin := &validator2020{mode: mode2020Kin, root: s}
	if s == nil {
		return kin
	}
	usesFeatures := usesJSONSchema2020Features(s)
	b, err := json.Marshal(s)
	if err != nil {
		return kin
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return kin
	}
	if containsInternalSchemaRef(doc) {
		// kin-openapi copies the referenced components into $defs, from
		// parts of its references that are not exported; unless it then
		// falls back to its 3.0 validator, leave it to kin-openapi.
		if usesFeatures || hasNullable(s) {
			return kin
		}
		return &validator2020{mode: mode2020Legacy, root: s}
	}
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020)
	docMap, _ := doc.(map[string]any)
	formats := make(map[string]struct{})
	collectFormats(docMap, formats)
	if len(formats) > 0 {
		for format := range formats {
			compiler.RegisterFormat(&jsonschema.Format{Name: format, Validate: formatValidator(format)})
		}
		compiler.AssertFormat()
	}
	const url = "https://example.com/schema.json"
	if err := compiler.AddResource(url, doc); err != nil {
		return kin
	}
	compiled, err := compiler.Compile(url)
	if err != nil {
		return kin // kin-openapi falls back, or reports, per call
	}
	return &validator2020{mode: mode2020Compiled, root: s, compiled: compiled}
}

// leaves converts a validation error as kin-openapi's
// formatValidationError does, then flattens it as eachSchemaErr
// does: one schemaErr per error without causes (whose failing value and
// schema are its own).
func (vd *validator2020) leaves(verr *jsonschema.ValidationError, parentPath string, root any, f func(schemaErr)) {
	path := "/" + strings.Join(verr.InstanceLocation, "/")
	if parentPath != "" && path != "/" {
		path = parentPath + path
	} else if path == "/" {
		path = parentPath
	}
	if len(verr.Causes) > 0 {
		for _, cause := range verr.Causes {
			vd.leaves(cause, path, root, f)
		}
		return
	}
	msg := verr.Error()
	if path != "" {
		msg = `error at "` + path + `": ` + msg
	}
	value, _ := valueAt(root, verr.InstanceLocation)
	field := ""
	if keywords := verr.ErrorKind.KeywordPath(); len(keywords) > 0 {
		field = keywords[len(keywords)-1]
	}
	f(schemaErr{
		reason: leafReason(msg, field),
		value:  value,
		schema: vd.schemaAt(verr.SchemaURL),
		path:   verr.InstanceLocation,
	})
}

// schemaAt is kin-openapi's jsonSchemaValidator.schemaAt for a schema
// without copied components.
func (vd *validator2020) schemaAt(schemaURL string) *openapi3.Schema {
	_, fragment, _ := strings.Cut(schemaURL, "#")
	if strings.HasPrefix(fragment, "/$defs/") {
		return nil
	}
	ptr, err := jsonpointer.New(fragment)
	if err != nil {
		return nil
	}
	found, _, err := ptr.Get(vd.root)
	if err != nil {
		return nil
	}
	s, _ := found.(*openapi3.Schema)
	return s
}

// valueAt is the value at location (unescaped JSON pointer tokens) in root.
func valueAt(root any, location []string) (any, bool) {
	value := root
	for _, token := range location {
		switch v := value.(type) {
		case map[string]any:
			next, ok := v[token]
			if !ok {
				return nil, false
			}
			value = next
		case []any:
			i, err := strconv.Atoi(token)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			value = v[i]
		default:
			return nil, false
		}
	}
	return value, true
}

// usesJSONSchema2020Features is kin-openapi's
// schemaUsesJSONSchema2020Features: a keyword that makes it keep the
// 2020-12 validator.
func usesJSONSchema2020Features(s *openapi3.Schema) bool {
	found := errors.New("found")
	err := openapi3.NewSchemaRef("", s).WalkSubtree(func(_ string, ref *openapi3.SchemaRef) error {
		x := ref.Value
		if x.Const != nil ||
			len(x.PrefixItems) != 0 || x.Contains != nil ||
			len(x.PatternProperties) != 0 ||
			len(x.DependentSchemas) != 0 || x.PropertyNames != nil ||
			x.UnevaluatedItems.Has != nil || x.UnevaluatedItems.Schema != nil ||
			x.UnevaluatedProperties.Has != nil || x.UnevaluatedProperties.Schema != nil ||
			x.If != nil || x.Then != nil || x.Else != nil ||
			len(x.DependentRequired) != 0 || len(x.Defs) != 0 ||
			x.ContentSchema != nil {
			return found
		}
		return nil
	})
	return errors.Is(err, found)
}

// hasNullable reports a nullable keyword anywhere in s, the one thing the
// 3.0 validator reads differently when asked for 2020-12.
func hasNullable(s *openapi3.Schema) bool {
	found := errors.New("found")
	err := openapi3.NewSchemaRef("", s).WalkSubtree(func(_ string, ref *openapi3.SchemaRef) error {
		if ref.Value.Nullable {
			return found
		}
		return nil
	})
	return err != nil
}

// containsInternalSchemaRef reports a reference to a component schema.
func containsInternalSchemaRef(node any) bool {
	switch node := node.(type) {
	case map[string]any:
		if ref, ok := node["$ref"].(string); ok && strings.HasPrefix(ref, "#/components/schemas/") {
			return true
		}
		for _, value := range node {
			if containsInternalSchemaRef(value) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(node, containsInternalSchemaRef)
	}
	return false
}

func collectFormats(node any, formats map[string]struct{}) {
	switch node := node.(type) {
	case map[string]any:
		if format, ok := node["format"].(string); ok && format != "" {
			formats[format] = struct{}{}
		}
		for _, value := range node {
			collectFormats(value, formats)
		}
	case []any:
		for _, value := range node {
			collectFormats(value, formats)
		}
	}
}

// formatValidator checks a format with kin-openapi's registered format
// validators, as kin-openapi does for the 2020-12 validator.
func formatValidator(format string) func(any) error {
	return func(value any) error {
		switch value := value.(type) {
		case string:
			if f, ok := openapi3.SchemaStringFormats[format]; ok {
				return f.Validate(value)
			}
		case json.Number:
			if number, err := value.Float64(); err == nil {
				return validateNumberFormat(format, number)
			}
		case float64:
			return validateNumberFormat(format, value)
		case float32:
			return validateNumberFormat(format, float64(value))
		case int:
			return validateNumberFormat(format, float64(value))
		case int32:
			return validateNumberFormat(format, float64(value))
		case int64:
			return validateNumberFormat(format, float64(value))
		}
		return nil
	}
}

func validateNumberFormat(format string, value float64) error {
	if value == math.Trunc(value) && !math.IsInf(value, 0) {
		if f, ok := openapi3.SchemaIntegerFormats[format]; ok {
			return f.Validate(int64(value))
		}
	}
	if f, ok := openapi3.SchemaNumberFormats[format]; ok {
		return f.Validate(value)
	}
	return nil
}
