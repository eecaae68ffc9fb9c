package runner

import (
	"maps"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
)

// maxUndocumented bounds the fields listed for one answer; the rest are
// counted.
const maxUndocumented = 10

// Undocumented is what an answer carries that its documented schema
// does not name: at most maxUndocumented fields, as JSON pointers with *
// for array elements, and how many more there were.
type Undocumented struct {
	Fields []string `json:"fields"`
	More   int      `json:"more,omitempty"`
}

// undocumented lists the fields of a decoded JSON answer that its
// documented schema does not name, as JSON pointers with * for array
// elements (/items/*/etag). A schema that does not close its objects
// allows them, so they are no failure, but they are worth knowing: the
// spec is behind the service, or NEW returns what OLD did not (dredd#232).
// Objects the schema leaves open on purpose are not judged: no
// properties, additionalProperties given, a oneOf, anyOf or not.
func undocumented(v any, s *openapi3.Schema) *Undocumented {
	var seen map[string]bool // made on the first find: most answers have none
	walkUndocumented(v, s, "", &seen, 0)
	if len(seen) == 0 {
		return nil
	}
	all := slices.Sorted(maps.Keys(seen))
	u := &Undocumented{Fields: all[:min(len(all), maxUndocumented)]}
	u.More = len(all) - len(u.Fields)
	return u
}

// maxWalk bounds the work: nesting depth, and elements looked at per
// array (their fields are usually alike).
const (
	maxWalkDepth = 32
	maxWalkItems = 20
	maxFound     = 200
)

func walkUndocumented(v any, s *openapi3.Schema, p string, seen *map[string]bool, depth int) {
	if s == nil || depth > maxWalkDepth || len(*seen) >= maxFound {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if !closedEnough(s) || !generator.HasProperties(s) {
			return
		}
		for k, e := range x {
			sub, ok := generator.Property(s, k)
			switch {
			case !ok:
				if *seen == nil {
					*seen = map[string]bool{}
				}
				(*seen)[p+"/"+generator.EscapeToken(k)] = true
			case isContainer(e):
				// Paths are built only on the way to something to
				// judge: most values are scalars.
				walkUndocumented(e, sub, p+"/"+generator.EscapeToken(k), seen, depth+1)
			}
		}
	case []any:
		if s.Items == nil || s.Items.Value == nil {
			return
		}
		for _, e := range x[:min(len(x), maxWalkItems)] {
			if isContainer(e) {
				walkUndocumented(e, s.Items.Value, p+"/*", seen, depth+1)
			}
		}
	}
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// closedEnough reports a schema whose properties (its own and its allOf
// branches') are the whole story: nothing there says other keys are
// expected.
func closedEnough(s *openapi3.Schema) bool {
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 || s.Not != nil {
		return false
	}
	if ap := s.AdditionalProperties; ap.Schema != nil || (ap.Has != nil && *ap.Has) {
		return false
	}
	for _, sub := range s.AllOf {
		if sub == nil || sub.Value == nil || !closedEnough(sub.Value) {
			return false
		}
	}
	return true
}
