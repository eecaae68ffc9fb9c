package diff

import (
	"mime"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
)

// maxComposition bounds how deep allOf/oneOf/anyOf are searched, so a
// recursive schema cannot loop.
const maxComposition = 6

// responseSchema returns the documented schema of the response with the
// given status and content type, or nil.
func responseSchema(c generator.Check, status int, contentType string) *openapi3.Schema {
	r, ok := c.Expect.Match(status)
	if !ok {
		return nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = ""
	}
	var fallback *openapi3.Schema
	for _, ct := range r.Content {
		if ct.Schema == nil {
			continue
		}
		if strings.EqualFold(ct.MediaType, mt) {
			return ct.Schema
		}
		if fallback == nil && (generator.IsJSON(ct.MediaType) || ct.MediaType == "*/*") {
			fallback = ct.Schema
		}
	}
	return fallback
}

// childSchema returns the schema of property key of an object schema.
func childSchema(s *openapi3.Schema, key string) *openapi3.Schema {
	return findSchema(s, 0, func(s *openapi3.Schema) *openapi3.Schema {
		if r := s.Properties[key]; r != nil && r.Value != nil {
			return r.Value
		}
		if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
			return ap.Value
		}
		return nil
	})
}

// itemSchema returns the schema of the elements of an array schema.
func itemSchema(s *openapi3.Schema) *openapi3.Schema {
	return findSchema(s, 0, func(s *openapi3.Schema) *openapi3.Schema {
		if s.Items != nil && s.Items.Value != nil {
			return s.Items.Value
		}
		return nil
	})
}

// schemaFormat returns the format of a schema, looking through
// composition.
func schemaFormat(s *openapi3.Schema) string {
	var f string
	findSchema(s, 0, func(s *openapi3.Schema) *openapi3.Schema {
		if s.Format != "" {
			f = s.Format
			return s
		}
		return nil
	})
	return f
}

// schemaUnique reports whether an array schema has uniqueItems.
func schemaUnique(s *openapi3.Schema) bool {
	return findSchema(s, 0, func(s *openapi3.Schema) *openapi3.Schema {
		if s.UniqueItems {
			return s
		}
		return nil
	}) != nil
}

// findSchema applies get to s, then to its allOf, oneOf and anyOf
// members, and returns the first non-nil answer.
func findSchema(s *openapi3.Schema, depth int, get func(*openapi3.Schema) *openapi3.Schema) *openapi3.Schema {
	if s == nil || depth > maxComposition {
		return nil
	}
	if r := get(s); r != nil {
		return r
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, ref := range group {
			if ref == nil {
				continue
			}
			if r := findSchema(ref.Value, depth+1, get); r != nil {
				return r
			}
		}
	}
	return nil
}

// formatOnly lists the string formats whose values are compared by
// presence, type and format, never by value: they name moments and
// identities that differ between deployments by design.
var formatOnly = map[string]bool{"date-time": true, "date": true, "time": true, "uuid": true}

// validFormat reports whether s is a valid value of the format.
func validFormat(format, s string) bool {
	switch format {
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
		return err == nil
	case "date":
		_, err := time.Parse(time.DateOnly, s)
		return err == nil
	case "time":
		for _, layout := range []string{"15:04:05.999999999Z07:00", "15:04:05.999999999"} {
			if _, err := time.Parse(layout, strings.ToUpper(s)); err == nil {
				return true
			}
		}
		return false
	case "uuid":
		return validUUID(s)
	}
	return false
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
