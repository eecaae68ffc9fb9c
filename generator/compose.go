package generator

import (
	"math"
	"reflect"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// merge returns one schema equivalent, for generation, to s and every
// branch of its allOf (nested allOf flattened): properties united (a
// property in several branches merged the same way), required united,
// bounds intersected. The result has no allOf. Merged schemas are cached
// per document.
func (c *schemaCache) merge(s *openapi3.Schema) *openapi3.Schema {
	if m, ok := c.merged[s]; ok {
		return m
	}
	m := &openapi3.Schema{}
	// Cached before it is filled: a branch that refers back to s (through
	// a property) sees the same pointer, and recursion stops there.
	c.merged[s] = m
	var parts []*openapi3.Schema
	var collect func(x *openapi3.Schema, depth int)
	collect = func(x *openapi3.Schema, depth int) {
		if x == nil || depth > maxDepth {
			return
		}
		own := *x
		own.AllOf = nil
		parts = append(parts, &own)
		for _, r := range x.AllOf {
			if r != nil && r.Value != nil {
				collect(r.Value, depth+1)
			}
		}
	}
	collect(s, 0)
	for _, p := range parts {
		combine(m, p)
	}
	return m
}

// branch returns the i-th oneOf/anyOf branch of s combined with s's own
// keywords (its properties, required, bounds apply to every branch).
func (c *schemaCache) branch(s *openapi3.Schema, i int) *openapi3.Schema {
	k := branchKey{s, i}
	if b, ok := c.branches[k]; ok {
		return b
	}
	alts := s.OneOf
	if len(alts) == 0 {
		alts = s.AnyOf
	}
	alt := alts[i].Value
	own := *s
	own.OneOf, own.AnyOf, own.Discriminator = nil, nil, nil
	own.Example, own.Examples, own.Default = nil, nil, nil
	var b *openapi3.Schema
	if isEmptySchema(&own) {
		b = alt
	} else {
		b = &openapi3.Schema{AllOf: openapi3.SchemaRefs{{Value: &own}, {Value: alt}}}
		b = c.merge(b)
	}
	c.branches[k] = b
	return b
}

// isEmptySchema reports whether s constrains nothing smoke generates
// from (descriptions and titles aside).
func isEmptySchema(s *openapi3.Schema) bool {
	return s.Type == nil && len(s.Properties) == 0 && len(s.Required) == 0 && len(s.AllOf) == 0 &&
		s.Items == nil && s.AdditionalProperties.Schema == nil && s.AdditionalProperties.Has == nil &&
		s.Min == nil && s.Max == nil && s.MultipleOf == nil && s.MinLength == 0 && s.MaxLength == nil &&
		s.Pattern == "" && s.Format == "" && len(s.Enum) == 0 && s.Const == nil && s.MinItems == 0 &&
		s.MaxItems == nil && s.MinProps == 0 && s.MaxProps == nil && !s.ExclusiveMin.IsSet() && !s.ExclusiveMax.IsSet()
}

// combine narrows m by p (m starts empty and takes each allOf part).
func combine(m, p *openapi3.Schema) {
	switch {
	case m.Type == nil:
		m.Type = p.Type
	case p.Type != nil:
		var both openapi3.Types
		for _, t := range *m.Type {
			if p.Type.Includes(t) || t == openapi3.TypeInteger && p.Type.Is(openapi3.TypeNumber) {
				both = append(both, t)
			} else if t == openapi3.TypeNumber && p.Type.Includes(openapi3.TypeInteger) {
				both = append(both, openapi3.TypeInteger)
			}
		}
		if len(both) > 0 {
			m.Type = &both
		}
	}
	if m.Format == "" {
		m.Format = p.Format
	}
	if m.Title == "" {
		m.Title = p.Title
	}
	switch {
	case len(m.Enum) == 0:
		m.Enum = p.Enum
	case len(p.Enum) > 0:
		var both []any
		for _, e := range m.Enum {
			if slices.ContainsFunc(p.Enum, func(o any) bool { return reflect.DeepEqual(o, e) }) {
				both = append(both, e)
			}
		}
		if len(both) > 0 {
			m.Enum = both
		}
	}
	if m.Const == nil {
		m.Const = p.Const
	}
	if m.Example == nil {
		m.Example = p.Example
	}
	if len(m.Examples) == 0 {
		m.Examples = p.Examples
	}
	if m.Default == nil {
		m.Default = p.Default
	}
	m.Nullable = m.Nullable && p.Nullable || m.Type == nil && p.Nullable
	m.ReadOnly = m.ReadOnly || p.ReadOnly
	m.WriteOnly = m.WriteOnly || p.WriteOnly
	m.Deprecated = m.Deprecated || p.Deprecated

	// Numbers: the stricter bound of each side.
	if p.Min != nil && (m.Min == nil || *p.Min > *m.Min || *p.Min == *m.Min && p.ExclusiveMin.IsTrue()) {
		m.Min = p.Min
		m.ExclusiveMin.Bool = p.ExclusiveMin.Bool
	}
	if v := p.ExclusiveMin.Value; v != nil && (m.ExclusiveMin.Value == nil || *v > *m.ExclusiveMin.Value) {
		m.ExclusiveMin.Value = v
	}
	if p.Max != nil && (m.Max == nil || *p.Max < *m.Max || *p.Max == *m.Max && p.ExclusiveMax.IsTrue()) {
		m.Max = p.Max
		m.ExclusiveMax.Bool = p.ExclusiveMax.Bool
	}
	if v := p.ExclusiveMax.Value; v != nil && (m.ExclusiveMax.Value == nil || *v < *m.ExclusiveMax.Value) {
		m.ExclusiveMax.Value = v
	}
	if p.MultipleOf != nil {
		switch {
		case m.MultipleOf == nil:
			m.MultipleOf = p.MultipleOf
		default:
			a, b := *m.MultipleOf, *p.MultipleOf
			var l float64
			switch {
			case b != 0 && math.Mod(a, b) == 0:
				l = a
			case a != 0 && math.Mod(b, a) == 0:
				l = b
			default:
				l = a * b
			}
			m.MultipleOf = &l
		}
	}

	// Strings.
	m.MinLength = max(m.MinLength, p.MinLength)
	if p.MaxLength != nil && (m.MaxLength == nil || *p.MaxLength < *m.MaxLength) {
		m.MaxLength = p.MaxLength
	}
	if m.Pattern == "" {
		m.Pattern = p.Pattern
	}

	// Arrays.
	m.MinItems = max(m.MinItems, p.MinItems)
	if p.MaxItems != nil && (m.MaxItems == nil || *p.MaxItems < *m.MaxItems) {
		m.MaxItems = p.MaxItems
	}
	m.UniqueItems = m.UniqueItems || p.UniqueItems
	m.Items = both(m.Items, p.Items)
	if len(m.PrefixItems) == 0 {
		m.PrefixItems = p.PrefixItems
	}

	// Objects.
	if len(p.Properties) > 0 {
		props := make(openapi3.Schemas, len(m.Properties)+len(p.Properties))
		for k, v := range m.Properties {
			props[k] = v
		}
		for k, v := range p.Properties {
			props[k] = both(props[k], v)
		}
		m.Properties = props
	}
	for _, r := range p.Required {
		if !slices.Contains(m.Required, r) {
			m.Required = append(m.Required, r)
		}
	}
	m.MinProps = max(m.MinProps, p.MinProps)
	if p.MaxProps != nil && (m.MaxProps == nil || *p.MaxProps < *m.MaxProps) {
		m.MaxProps = p.MaxProps
	}
	switch {
	case p.AdditionalProperties.Has != nil && !*p.AdditionalProperties.Has:
		m.AdditionalProperties = p.AdditionalProperties
	case m.AdditionalProperties.Has != nil && !*m.AdditionalProperties.Has:
	case m.AdditionalProperties.Schema == nil && m.AdditionalProperties.Has == nil:
		m.AdditionalProperties = p.AdditionalProperties
	}
	if m.PropertyNames == nil {
		m.PropertyNames = p.PropertyNames
	}
	if m.Discriminator == nil {
		m.Discriminator = p.Discriminator
	}
	if len(m.OneOf) == 0 {
		m.OneOf = p.OneOf
	}
	if len(m.AnyOf) == 0 {
		m.AnyOf = p.AnyOf
	}
}

// both returns a schema for values valid against a and b.
func both(a, b *openapi3.SchemaRef) *openapi3.SchemaRef {
	switch {
	case a == nil || a.Value == nil:
		return b
	case b == nil || b.Value == nil || a.Value == b.Value:
		return a
	}
	return &openapi3.SchemaRef{Value: &openapi3.Schema{AllOf: openapi3.SchemaRefs{a, b}}}
}
