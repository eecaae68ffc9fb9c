package generator

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDepth bounds how deep generated values nest: recursive schemas
// (a tree of comments, a GitHub repository's template_repository) stop here.
const maxDepth = 8

// valueGen makes deterministic values from schemas. seed distinguishes
// values that must differ (two uuids in one body) while keeping the plan
// byte-identical across runs.
type valueGen struct {
	stack map[*openapi3.Schema]int
}

func newValueGen() *valueGen {
	return &valueGen{stack: map[*openapi3.Schema]int{}}
}

// documented returns the value a schema documents itself (example,
// examples, default, const, enum) and where it came from. A documented
// value that does not validate against its own schema is passed over:
// published documents carry such examples (Gitea's units_map), and
// sending one tests the example, not the service.
func documented(s *openapi3.Schema) (any, Source, bool) {
	if s == nil {
		return nil, "", false
	}
	try := func(v any) bool {
		return v != nil && s.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.DisableSchemaErrorDetails()) == nil
	}
	if try(s.Example) {
		return s.Example, SourceExample, true
	}
	for _, e := range s.Examples {
		if try(e) {
			return e, SourceExample, true
		}
	}
	if try(s.Default) {
		return s.Default, SourceDefault, true
	}
	if s.Const != nil {
		return s.Const, SourceEnum, true
	}
	for _, e := range s.Enum {
		if e != nil {
			return e, SourceEnum, true
		}
	}
	return nil, "", false
}

// value returns a value valid for s (as far as smoke can tell), the source
// of the outermost decision, and whether a value could be made at all.
func (g *valueGen) value(s *openapi3.Schema, seed string, depth int) (any, Source) {
	if s == nil {
		return "smoke", SourceGenerated
	}
	if v, src, ok := documented(s); ok {
		return v, src
	}
	if g.stack[s] > 0 || depth > maxDepth {
		// Recursion: the shallowest value that can be valid.
		return g.minimal(s), SourceGenerated
	}
	g.stack[s]++
	defer func() { g.stack[s]-- }()

	if len(s.AllOf) > 0 {
		return g.allOf(s, seed, depth)
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(alts) == 0 {
			continue
		}
		for _, alt := range alts {
			if alt == nil || alt.Value == nil || isNullOnly(alt.Value) {
				continue
			}
			v, src := g.value(alt.Value, seed, depth+1)
			if obj, ok := v.(map[string]any); ok && len(s.Properties) > 0 {
				for k, pv := range g.object(s, seed, depth).(map[string]any) {
					if _, dup := obj[k]; !dup {
						obj[k] = pv
					}
				}
			}
			return v, src
		}
	}

	switch primaryType(s) {
	case openapi3.TypeObject:
		return g.object(s, seed, depth), SourceGenerated
	case openapi3.TypeArray:
		return g.array(s, seed, depth), SourceGenerated
	case openapi3.TypeInteger:
		return g.integer(s), SourceGenerated
	case openapi3.TypeNumber:
		return g.number(s), SourceGenerated
	case openapi3.TypeBoolean:
		return true, SourceGenerated
	case openapi3.TypeNull:
		return nil, SourceGenerated
	}
	return g.str(s, seed), SourceGenerated
}

func isNullOnly(s *openapi3.Schema) bool {
	return s.Type != nil && len(*s.Type) == 1 && (*s.Type)[0] == openapi3.TypeNull
}

// primaryType returns the first non-null type of s, inferring object or
// array from properties or items when the type is not written.
func primaryType(s *openapi3.Schema) string {
	if s.Type != nil {
		for _, t := range *s.Type {
			if t != openapi3.TypeNull {
				return t
			}
		}
		if len(*s.Type) > 0 {
			return openapi3.TypeNull
		}
	}
	switch {
	case len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil || len(s.Required) > 0:
		return openapi3.TypeObject
	case s.Items != nil || len(s.PrefixItems) > 0:
		return openapi3.TypeArray
	case s.Min != nil || s.Max != nil || s.MultipleOf != nil:
		return openapi3.TypeNumber
	}
	return openapi3.TypeString
}

// minimal returns the smallest value of the schema's type, used where
// recursion stops.
func (g *valueGen) minimal(s *openapi3.Schema) any {
	if isNullable(s) {
		return nil
	}
	switch primaryType(s) {
	case openapi3.TypeObject:
		return map[string]any{}
	case openapi3.TypeArray:
		return []any{}
	case openapi3.TypeInteger, openapi3.TypeNumber:
		return g.integer(s)
	case openapi3.TypeBoolean:
		return true
	}
	return g.str(s, "")
}

func isNullable(s *openapi3.Schema) bool {
	return s.Nullable || (s.Type != nil && s.Type.IncludesNull())
}

func (g *valueGen) allOf(s *openapi3.Schema, seed string, depth int) (any, Source) {
	merged := map[string]any{}
	var scalar any
	isObject := false
	src := SourceGenerated
	for _, part := range s.AllOf {
		if part == nil || part.Value == nil {
			continue
		}
		v, psrc := g.value(part.Value, seed, depth+1)
		if psrc != SourceGenerated {
			src = psrc
		}
		if obj, ok := v.(map[string]any); ok {
			isObject = true
			for k, pv := range obj {
				merged[k] = pv
			}
		} else if scalar == nil {
			scalar = v
		}
	}
	if len(s.Properties) > 0 || primaryType(s) == openapi3.TypeObject && s.Type != nil {
		isObject = true
		for k, pv := range g.object(s, seed, depth).(map[string]any) {
			merged[k] = pv
		}
	}
	if isObject {
		return merged, src
	}
	if scalar == nil {
		return g.minimal(s), SourceGenerated
	}
	return scalar, src
}

func (g *valueGen) object(s *openapi3.Schema, seed string, depth int) any {
	obj := map[string]any{}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		p := s.Properties[name]
		if p == nil || p.Value == nil {
			continue
		}
		if p.Value.ReadOnly {
			// Values are generated for requests only, where readOnly
			// properties must not be sent.
			continue
		}
		_, _, hasExample := documented(p.Value)
		if !required[name] && !(hasExample && p.Value.Example != nil) {
			continue
		}
		v, _ := g.value(p.Value, seed+"/"+name, depth+1)
		obj[name] = v
	}
	// Required names without a property schema, and minProperties, are
	// filled from additionalProperties.
	extra := s.AdditionalProperties.Schema
	for _, r := range s.Required {
		if _, ok := obj[r]; !ok && s.Properties[r] == nil {
			var es *openapi3.Schema
			if extra != nil {
				es = extra.Value
			}
			obj[r], _ = g.value(es, seed+"/"+r, depth+1)
		}
	}
	for i := 0; uint64(len(obj)) < s.MinProps && i < 64; i++ {
		var es *openapi3.Schema
		if extra != nil {
			es = extra.Value
		}
		key := fmt.Sprintf("key%d", i+1)
		if _, ok := obj[key]; !ok {
			obj[key], _ = g.value(es, seed+"/"+key, depth+1)
		}
	}
	return obj
}

func (g *valueGen) array(s *openapi3.Schema, seed string, depth int) any {
	n := int(s.MinItems)
	if n == 0 {
		n = 1
		if s.Items != nil && s.Items.Value != nil && g.stack[s.Items.Value] > 0 {
			// A recursive item type with no minimum: the empty array is
			// the valid end of the recursion.
			return []any{}
		}
	}
	if s.MaxItems != nil && uint64(n) > *s.MaxItems {
		n = int(*s.MaxItems)
	}
	if n > 16 {
		n = 16
	}
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		var item *openapi3.Schema
		switch {
		case i < len(s.PrefixItems) && s.PrefixItems[i] != nil:
			item = s.PrefixItems[i].Value
		case s.Items != nil:
			item = s.Items.Value
		}
		if item == nil && len(s.PrefixItems) > 0 && i >= len(s.PrefixItems) {
			break
		}
		v, _ := g.value(item, fmt.Sprintf("%s/%d", seed, i), depth+1)
		if s.UniqueItems && i > 0 {
			v = distinct(v, i)
		}
		out = append(out, v)
	}
	return out
}

// distinct varies a scalar so uniqueItems arrays stay valid.
func distinct(v any, i int) any {
	switch x := v.(type) {
	case string:
		return x + strconv.Itoa(i+1)
	case int64:
		return x + int64(i)
	case float64:
		return x + float64(i)
	}
	return v
}

func (g *valueGen) integer(s *openapi3.Schema) any {
	lo, hi := bounds(s, true)
	v := 1.0
	if lo != nil && v < *lo {
		v = *lo
	}
	if hi != nil && v > *hi {
		v = *hi
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		m := *s.MultipleOf
		v = math.Ceil(v/m) * m
		if hi != nil && v > *hi {
			v = math.Floor(*hi/m) * m
		}
	}
	return int64(math.Round(v))
}

func (g *valueGen) number(s *openapi3.Schema) any {
	lo, hi := bounds(s, false)
	v := 1.5
	if s.MultipleOf != nil {
		v = 1
	}
	if lo != nil && v < *lo {
		v = *lo
		if s.ExclusiveMin.IsTrue() || s.ExclusiveMin.Value != nil {
			v += 0.5
		}
	}
	if hi != nil && v > *hi {
		v = *hi
		if s.ExclusiveMax.IsTrue() || s.ExclusiveMax.Value != nil {
			v -= 0.5
		}
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		m := *s.MultipleOf
		v = math.Ceil(v/m) * m
	}
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return int64(v)
	}
	return v
}

// bounds returns the inclusive bounds of a numeric schema (3.0 boolean
// and 3.1 numeric exclusive bounds both understood).
func bounds(s *openapi3.Schema, integer bool) (lo, hi *float64) {
	step := 1.0
	if !integer {
		step = 0
	}
	if s.ExclusiveMin.Value != nil {
		v := *s.ExclusiveMin.Value + step
		lo = &v
	} else if s.Min != nil {
		v := *s.Min
		if s.ExclusiveMin.IsTrue() {
			v += step
		}
		lo = &v
	}
	if s.ExclusiveMax.Value != nil {
		v := *s.ExclusiveMax.Value - step
		hi = &v
	} else if s.Max != nil {
		v := *s.Max
		if s.ExclusiveMax.IsTrue() {
			v -= step
		}
		hi = &v
	}
	return lo, hi
}

// str makes a string for the schema's format or pattern, padded or cut to
// its length bounds.
func (g *valueGen) str(s *openapi3.Schema, seed string) string {
	v := formatValue(s.Format, seed)
	if v == "" && s.Pattern != "" {
		v = fromPattern(s.Pattern)
	}
	if v == "" {
		v = "smoke"
	}
	if s.Format == "" || v == "smoke" {
		for uint64(len(v)) < s.MinLength {
			v += "x"
		}
		if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
			v = v[:*s.MaxLength]
		}
	}
	return v
}

// formatValue returns a fixed, valid value for well-known formats.
func formatValue(format, seed string) string {
	switch strings.ToLower(format) {
	case "date-time":
		return "2024-01-01T00:00:00Z"
	case "date":
		return "2024-01-01"
	case "time":
		return "00:00:00Z"
	case "duration":
		return "PT1M"
	case "uuid":
		return seededUUID(seed)
	case "email", "idn-email":
		return "smoke@example.com"
	case "uri", "url", "iri", "uri-reference", "iri-reference":
		return "https://example.com/"
	case "hostname", "idn-hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.1"
	case "ipv6":
		return "2001:db8::1"
	case "byte":
		return "c21va2U="
	case "binary":
		return "smoke"
	case "password":
		return "smoke-password"
	case "int32", "int64":
		return "1"
	}
	return ""
}

// seededUUID is a version-4-shaped UUID derived from seed, so two uuids in
// one request differ while plans stay byte-identical.
func seededUUID(seed string) string {
	h := sha256.Sum256([]byte("smoke/" + seed))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// fromPattern builds the shortest string a simple regular expression
// matches, and checks it: "" when the pattern is too complex.
func fromPattern(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	if !writeRegexp(&b, re.Simplify(), 0) {
		return ""
	}
	out := b.String()
	if ok, err := regexp.MatchString(pattern, out); err != nil || !ok {
		return ""
	}
	return out
}

func writeRegexp(b *strings.Builder, re *syntax.Regexp, depth int) bool {
	if depth > 50 || b.Len() > 256 {
		return false
	}
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		b.WriteRune(pickRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('a')
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
	case syntax.OpCapture:
		return writeRegexp(b, re.Sub[0], depth+1)
	case syntax.OpStar, syntax.OpQuest:
	case syntax.OpPlus:
		return writeRegexp(b, re.Sub[0], depth+1)
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			if !writeRegexp(b, re.Sub[0], depth+1) {
				return false
			}
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !writeRegexp(b, sub, depth+1) {
				return false
			}
		}
	case syntax.OpAlternate:
		return writeRegexp(b, re.Sub[0], depth+1)
	default:
		return false
	}
	return true
}

// pickRune prefers a letter or digit from a character class.
func pickRune(ranges []rune) rune {
	for _, pref := range [][2]rune{{'a', 'z'}, {'0', '9'}, {'A', 'Z'}} {
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := ranges[i], ranges[i+1]
			if lo <= pref[1] && hi >= pref[0] {
				return max(lo, pref[0])
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}

// text renders a value as a parameter string: strings as-is, numbers and
// booleans as JSON writes them, null as empty.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
