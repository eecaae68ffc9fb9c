package generator

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Generation caps. Every number a document gives (minLength, minItems,
// minProperties, minimum, multipleOf) is read through them, so that a
// hostile or mistaken document cannot make smoke allocate without bound,
// loop for ever or overflow. Where a schema demands more than a cap, the
// capped value is generated and the check carries a note saying the
// schema cannot be satisfied.
const (
	// maxDepth bounds how deep generated values nest: recursive schemas
	// (a tree of comments, a GitHub repository's template_repository)
	// stop here.
	maxDepth = 8
	// maxStringLen is the longest generated string, in characters.
	maxStringLen = 4096
	// maxItems is the most items a generated array gets.
	maxItems = 64
	// maxExtraProps is the most properties added to reach minProperties.
	maxExtraProps = 64
	// maxValueBytes bounds the size of one generated value (a body or a
	// parameter): once spent, the rest of the value is the smallest one
	// each schema allows.
	maxValueBytes = 256 << 10
)

// Dynamic leaves of a generated value: template text (see Vars) that the
// backend renders when it sends the request.
type (
	// dynamic is a string value.
	dynamic string
	// dynamicNumber is a number value (Unix time), written bare in JSON.
	dynamicNumber string
)

// sampleVars renders dynamic values where the generator checks them
// against their schema: any instant and token behave alike.
var sampleVars = Vars{
	Now:  time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC),
	Run:  "smokerun",
	UUID: func() string { return "00000000-0000-4000-8000-000000000000" },
}

// schemaCache holds what is computed once per document: merged allOf
// schemas, component names and patterns.
type schemaCache struct {
	merged   map[*openapi3.Schema]*openapi3.Schema
	branches map[branchKey]*openapi3.Schema
	names    map[*openapi3.Schema]string
	patterns map[patternKey]patternResult
	regexps  map[string]*regexp.Regexp
}

type branchKey struct {
	parent *openapi3.Schema
	i      int
}

func newSchemaCache(components map[string]*openapi3.SchemaRef) *schemaCache {
	c := &schemaCache{
		merged:   map[*openapi3.Schema]*openapi3.Schema{},
		branches: map[branchKey]*openapi3.Schema{},
		names:    map[*openapi3.Schema]string{},
		patterns: map[patternKey]patternResult{},
		regexps:  map[string]*regexp.Regexp{},
	}
	for _, n := range slices.Sorted(maps.Keys(components)) {
		if r := components[n]; r != nil && r.Value != nil {
			if _, dup := c.names[r.Value]; !dup {
				c.names[r.Value] = n
			}
		}
	}
	return c
}

// regexp returns the compiled pattern, nil when Go cannot compile it.
func (c *schemaCache) regexp(p string) *regexp.Regexp {
	if rx, ok := c.regexps[p]; ok {
		return rx
	}
	rx, err := CompilePattern(p)
	if err != nil {
		rx = nil
	}
	c.regexps[p] = rx
	return rx
}

// valueGen makes deterministic values from schemas for one check. seed
// distinguishes values that must differ (two uuids in one body) while
// keeping the plan byte-identical across runs.
type valueGen struct {
	stack  map[*openapi3.Schema]int
	cache  *schemaCache
	budget int
	notes  []string
	// create is set while generating the body of a POST: an object that
	// marks nothing required still gets its identifying fields.
	create bool
}

func newValueGen(cache *schemaCache) *valueGen {
	if cache == nil {
		cache = newSchemaCache(nil)
	}
	return &valueGen{stack: map[*openapi3.Schema]int{}, cache: cache, budget: maxValueBytes}
}

// note records what the generator could not do, once.
func (g *valueGen) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if !slices.Contains(g.notes, n) {
		g.notes = append(g.notes, n)
	}
}

// start resets the size budget for a new value (a parameter or a body).
func (g *valueGen) start() { g.budget = maxValueBytes }

func (g *valueGen) spend(n int) { g.budget -= n }

// documented returns the value a schema documents itself (example,
// examples, default, const, enum) and where it came from. A documented
// value that does not validate against its own schema is passed over:
// published documents carry such examples (Gitea's units_map), and
// sending one tests the example, not the service.
func documented(s *openapi3.Schema) (any, Source, bool) {
	if s == nil {
		return nil, "", false
	}
	if s.Example != nil && validates(s, s.Example) {
		return s.Example, SourceExample, true
	}
	for _, e := range s.Examples {
		if e != nil && validates(s, e) {
			return e, SourceExample, true
		}
	}
	if s.Default != nil && validates(s, s.Default) {
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

// validates reports whether v (rendered, if it holds dynamic values) is
// valid for s as a request value.
func validates(s *openapi3.Schema, v any) bool {
	return s.VisitJSON(renderValue(v, sampleVars), openapi3.VisitAsRequest(), openapi3.DisableSchemaErrorDetails(),
		openapi3.SetSchemaRegexCompiler(compileMatcher)) == nil
}

func compileMatcher(p string) (openapi3.RegexMatcher, error) {
	return CompilePattern(p)
}

// name is what a value is called: the property or parameter name, empty
// for array items and whole bodies.
type name string

// value returns a value valid for s (as far as smoke can tell) and the
// source of the outermost decision.
func (g *valueGen) value(s *openapi3.Schema, seed string, nm name, depth int) (any, Source) {
	if s == nil {
		return "smoke", SourceGenerated
	}
	if v, src, ok := documented(s); ok {
		return v, src
	}
	if g.budget <= 0 {
		g.note("generated value reached smoke's size cap of %d KiB: the rest is the smallest value each schema allows", maxValueBytes>>10)
		return g.minimal(s), SourceGenerated
	}
	if g.stack[s] > 0 || depth > maxDepth {
		// Recursion: the shallowest value that can be valid.
		return g.minimal(s), SourceGenerated
	}
	g.stack[s]++
	defer func() { g.stack[s]-- }()

	if len(s.AllOf) > 0 {
		// The parts count as being generated: a part that recurs below
		// (Node allOf [Node-like base, …] with children of Node) stops.
		for _, part := range s.AllOf {
			if part != nil && part.Value != nil {
				g.stack[part.Value]++
				defer func() { g.stack[part.Value]-- }()
			}
		}
		m := g.cache.merge(s)
		v, src := g.value(m, seed, nm, depth)
		g.discriminate(m, s, v)
		return v, src
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		if v, src, ok := g.alternative(s, seed, nm, depth); ok {
			return v, src
		}
	}

	switch primaryType(s) {
	case openapi3.TypeObject:
		return g.object(s, seed, depth), SourceGenerated
	case openapi3.TypeArray:
		return g.array(s, seed, nm, depth), SourceGenerated
	case openapi3.TypeInteger:
		return g.number(s, nm, true), SourceGenerated
	case openapi3.TypeNumber:
		return g.number(s, nm, false), SourceGenerated
	case openapi3.TypeBoolean:
		return true, SourceGenerated
	case openapi3.TypeNull:
		return nil, SourceGenerated
	}
	return g.str(s, seed, nm), SourceGenerated
}

// alternative picks the first oneOf/anyOf branch whose generated value,
// with the parent's own keywords applied, validates against the branch
// (and, for oneOf, against no other branch).
func (g *valueGen) alternative(s *openapi3.Schema, seed string, nm name, depth int) (any, Source, bool) {
	alts, one := s.OneOf, true
	if len(alts) == 0 {
		alts, one = s.AnyOf, false
	}
	var first any
	var firstSrc Source
	found := false
	for i, alt := range alts {
		if alt == nil || alt.Value == nil || isNullOnly(alt.Value) {
			continue
		}
		b := g.cache.branch(s, i)
		v, src := g.value(b, seed, nm, depth+1)
		if obj, ok := v.(map[string]any); ok && s.Discriminator != nil && s.Discriminator.PropertyName != "" {
			if key := discriminatorValue(s.Discriminator, alt, g.cache); key != "" {
				obj[s.Discriminator.PropertyName] = key
			}
		}
		if !found {
			first, firstSrc, found = v, src, true
		}
		if !validates(alt.Value, v) {
			continue
		}
		if one {
			matches := 0
			for _, other := range alts {
				if other != nil && other.Value != nil && validates(other.Value, v) {
					matches++
				}
			}
			if matches != 1 {
				continue
			}
		}
		return v, src, true
	}
	if !found {
		return nil, "", false
	}
	kind := "anyOf"
	if one {
		kind = "oneOf"
	}
	g.note("%s: no branch's generated value validates%s; sent the first branch's", kind, map[bool]string{true: " against exactly one branch", false: ""}[one])
	return first, firstSrc, true
}

// discriminatorValue is the value of the discriminator property that
// selects alt: its mapping key, else its schema name.
func discriminatorValue(d *openapi3.Discriminator, alt *openapi3.SchemaRef, c *schemaCache) string {
	for _, k := range slices.Sorted(maps.Keys(d.Mapping)) {
		m := d.Mapping[k]
		if alt.Ref != "" && (m.Ref == alt.Ref || strings.HasSuffix(alt.Ref, "/"+m.Ref) || m.Ref == refName(alt.Ref)) {
			return k
		}
		if m.Value != nil && m.Value == alt.Value {
			return k
		}
	}
	if alt.Ref != "" {
		return refName(alt.Ref)
	}
	return c.names[alt.Value]
}

func refName(ref string) string {
	return ref[strings.LastIndexByte(ref, '/')+1:]
}

// discriminate sets the discriminator property of an allOf child (Cat:
// allOf [Pet, {...}], Pet with discriminator petType) to the child's
// mapping key or name.
func (g *valueGen) discriminate(merged, orig *openapi3.Schema, v any) {
	obj, ok := v.(map[string]any)
	d := merged.Discriminator
	if !ok || d == nil || d.PropertyName == "" {
		return
	}
	n := g.cache.names[orig]
	if n == "" {
		return
	}
	key := n
	for _, k := range slices.Sorted(maps.Keys(d.Mapping)) {
		if refName(d.Mapping[k].Ref) == n {
			key = k
			break
		}
	}
	if p := merged.Properties[d.PropertyName]; p != nil && p.Value != nil && len(p.Value.Enum) > 0 && !slices.Contains(p.Value.Enum, any(key)) {
		return
	}
	obj[d.PropertyName] = key
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
// recursion stops or the size budget is spent.
func (g *valueGen) minimal(s *openapi3.Schema) any {
	if isNullable(s) {
		return nil
	}
	switch primaryType(s) {
	case openapi3.TypeObject:
		return map[string]any{}
	case openapi3.TypeArray:
		return []any{}
	case openapi3.TypeInteger:
		return g.number(s, "", true)
	case openapi3.TypeNumber:
		return g.number(s, "", false)
	case openapi3.TypeBoolean:
		return true
	}
	if s.MinLength == 0 {
		return ""
	}
	return g.str(s, "", "")
}

func isNullable(s *openapi3.Schema) bool {
	return s.Nullable || (s.Type != nil && s.Type.IncludesNull())
}

func (g *valueGen) object(s *openapi3.Schema, seed string, depth int) any {
	obj := map[string]any{}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	// A POST body that marks nothing required (gRPC gateways' documents
	// do so for every field) still names what it creates: its identifying
	// fields are sent, and the nested objects that hold one (etcd's
	// RoleGrantPermission names a role and a perm with a key).
	identify := g.create && depth <= 2 && len(s.Required) == 0
	for _, n := range slices.Sorted(maps.Keys(s.Properties)) {
		p := s.Properties[n]
		if p == nil || p.Value == nil {
			continue
		}
		if p.Value.ReadOnly {
			// Values are generated for requests only, where readOnly
			// properties must not be sent.
			continue
		}
		_, _, hasExample := documented(p.Value)
		if !required[n] && !(hasExample && p.Value.Example != nil) && !(identify && (identityName(n) || holdsIdentity(p.Value))) {
			continue
		}
		v, _ := g.value(p.Value, seed+"/"+n, name(n), depth+1)
		g.spend(len(n) + 4)
		obj[n] = v
	}
	// Required names without a property schema, and minProperties, are
	// filled from additionalProperties.
	var extra *openapi3.Schema
	if s.AdditionalProperties.Schema != nil {
		extra = s.AdditionalProperties.Schema.Value
	}
	for _, r := range s.Required {
		if _, ok := obj[r]; !ok && s.Properties[r] == nil {
			obj[r], _ = g.value(extra, seed+"/"+r, name(r), depth+1)
			g.spend(len(r) + 4)
		}
	}
	// A map (additionalProperties, no properties of its own) gets one
	// entry: an empty label set or metadata map is what services reject.
	isMap := len(s.Properties) == 0 && (extra != nil || s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has)
	want := s.MinProps
	if isMap && want == 0 {
		want = 1
	}
	if s.MaxProps != nil && want > *s.MaxProps {
		want = *s.MaxProps
	}
	if want > maxExtraProps {
		g.note("minProperties %d exceeds smoke's cap of %d properties: the object is smaller than the schema demands", s.MinProps, maxExtraProps)
		want = maxExtraProps
	}
	for i := 0; uint64(len(obj)) < want && i < 2*maxExtraProps && g.budget > 0; i++ {
		key := g.mapKey(s, i)
		if _, ok := obj[key]; !ok {
			obj[key], _ = g.value(extra, seed+"/"+key, "", depth+1)
			g.spend(len(key) + 4)
		}
	}
	return obj
}

// mapKey names the i-th generated entry of a map: "smoke", "smoke2"…, or
// a name from propertyNames.
func (g *valueGen) mapKey(s *openapi3.Schema, i int) string {
	key := "smoke"
	if pn := s.PropertyNames; pn != nil && pn.Value != nil {
		if v, _, ok := documented(pn.Value); ok {
			if k, isStr := v.(string); isStr && i == 0 {
				return k
			}
		}
		if pn.Value.Pattern != "" {
			if k, err := g.cache.fromPattern(pn.Value.Pattern, int(min(pn.Value.MinLength, maxStringLen)), -1); err == nil {
				key = k
			}
		}
	}
	if i > 0 {
		key += strconv.Itoa(i + 1)
	}
	return key
}

func (g *valueGen) array(s *openapi3.Schema, seed string, nm name, depth int) any {
	n := s.MinItems
	if n == 0 {
		n = 1
		if s.Items != nil && s.Items.Value != nil && g.stack[s.Items.Value] > 0 {
			// A recursive item type with no minimum: the empty array is
			// the valid end of the recursion.
			return []any{}
		}
	}
	if s.MaxItems != nil && n > *s.MaxItems {
		n = *s.MaxItems
	}
	if n > maxItems {
		g.note("minItems %d exceeds smoke's cap of %d items: the array is shorter than the schema demands", s.MinItems, maxItems)
		n = maxItems
	}
	count := int(n) // at most maxItems
	out := make([]any, 0, count)
	for i := 0; i < count; i++ {
		if g.budget <= 0 && i >= int(s.MinItems) {
			break
		}
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
		var v any
		if item != nil && s.UniqueItems && i > 0 && i < len(item.Enum) {
			v = item.Enum[i]
		} else {
			v, _ = g.value(item, fmt.Sprintf("%s/%d", seed, i), "", depth+1)
		}
		if s.UniqueItems {
			base := v
			for j := 0; j < 100 && slices.ContainsFunc(out, func(o any) bool { return reflect.DeepEqual(o, v) }); j++ {
				v = distinct(base, i+j)
			}
		}
		g.spend(2)
		out = append(out, v)
	}
	return out
}

// distinct varies a value so uniqueItems arrays stay valid.
func distinct(v any, i int) any {
	switch x := v.(type) {
	case string:
		return x + strconv.Itoa(i+1)
	case dynamic:
		return shiftDynamic(x, i)
	case int64:
		return x + int64(i)
	case float64:
		return x + float64(i)
	case map[string]any:
		c := maps.Clone(x)
		for _, k := range slices.Sorted(maps.Keys(c)) {
			if d := distinct(c[k], i); !reflect.DeepEqual(d, c[k]) {
				c[k] = d
				return c
			}
		}
	}
	return v
}

// shiftDynamic moves a single time placeholder by i seconds (days for a
// date), or appends i to other template text.
func shiftDynamic(d dynamic, i int) dynamic {
	segs := Split(string(d))
	if len(segs) == 1 && segs[0].Placeholder != nil && timed(segs[0].Placeholder.Word) {
		p := *segs[0].Placeholder
		unit := time.Second
		switch p.Word {
		case WordDate:
			unit = 24 * time.Hour
		case WordUnixMS:
			unit = time.Millisecond * 1000
		}
		return dynamic(placeholderText(p.Word, p.Offset+time.Duration(i)*unit))
	}
	return d + dynamic(strconv.Itoa(i+1))
}

// placeholderText writes a placeholder: the word and an offset in the
// largest unit that divides it.
func placeholderText(word string, off time.Duration) string {
	if off == 0 {
		return "${" + word + "}"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	var n int64
	var unit string
	switch {
	case off%(24*time.Hour) == 0:
		n, unit = int64(off/(24*time.Hour)), "d"
	case off%time.Hour == 0:
		n, unit = int64(off/time.Hour), "h"
	case off%time.Minute == 0:
		n, unit = int64(off/time.Minute), "m"
	default:
		n, unit = int64(off/time.Second), "s"
	}
	return "${" + word + sign + strconv.FormatInt(n, 10) + unit + "}"
}

// number makes an integer or number within the schema's bounds (3.0
// boolean and 3.1 numeric exclusive bounds both understood), a multiple
// of multipleOf, always finite. A value beyond int64 is sent as a float.
func (g *valueGen) number(s *openapi3.Schema, nm name, integer bool) any {
	if integer {
		if d, ok := g.unixTime(s, nm); ok {
			return d
		}
	}
	lo, hi := numBounds(s, integer)
	v := 1.0
	if !integer && s.MultipleOf == nil {
		v = 1.5
	}
	if v < lo {
		v = lo
	}
	if v > hi {
		v = hi
	}
	if lo > hi {
		g.note("%s: minimum %g is above maximum %g: no number satisfies the schema", describe(nm), lo, hi)
		v = lo
	}
	if m := s.MultipleOf; m != nil && *m > 0 && !math.IsInf(*m, 0) && !math.IsNaN(*m) {
		v = multipleIn(v, lo, hi, *m, integer, func() {
			g.note("%s: no multiple of %g lies between %g and %g that smoke can represent", describe(nm), *m, lo, hi)
		})
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		v = math.Copysign(math.MaxFloat64, v)
		if math.IsNaN(v) {
			v = 0
		}
	}
	if integer {
		v = math.Round(v)
	}
	if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
		return int64(v)
	}
	return v
}

func describe(nm name) string {
	if nm == "" {
		return "value"
	}
	return string(nm)
}

// multipleIn returns a multiple of m in [lo, hi] as near v as it can; when
// none is representable it keeps v and calls fail.
func multipleIn(v, lo, hi, m float64, integer bool, fail func()) float64 {
	q := v / m
	if math.IsInf(q, 0) || math.IsNaN(q) {
		// m is so small that every float is, to float precision, one of
		// its multiples (validators divide the same way).
		return v
	}
	c := math.Ceil(q) * m
	if c > hi || math.IsInf(c, 0) {
		c = math.Floor(hi/m) * m
	}
	if c < lo || c > hi || math.IsInf(c, 0) || math.IsNaN(c) || integer && c != math.Trunc(c) {
		// An integer multiple of a fractional m: step m until integral.
		if integer && m != math.Trunc(m) {
			for k := math.Ceil(lo / m); k < math.Ceil(lo/m)+1000; k++ {
				if x := k * m; x == math.Trunc(x) && x >= lo && x <= hi {
					return x
				}
			}
		}
		fail()
		return v
	}
	return c
}

// numBounds returns the inclusive bounds of a numeric schema; ±MaxFloat64
// when unbounded. Exclusive bounds step by one for integers and to the
// next representable float otherwise.
func numBounds(s *openapi3.Schema, integer bool) (lo, hi float64) {
	lo, hi = -math.MaxFloat64, math.MaxFloat64
	up := func(x float64, excl bool) float64 {
		if integer {
			if excl {
				return math.Floor(x) + 1
			}
			return math.Ceil(x)
		}
		if excl {
			return math.Nextafter(x, math.Inf(1))
		}
		return x
	}
	down := func(x float64, excl bool) float64 {
		if integer {
			if excl {
				return math.Ceil(x) - 1
			}
			return math.Floor(x)
		}
		if excl {
			return math.Nextafter(x, math.Inf(-1))
		}
		return x
	}
	finite := func(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }
	if s.Min != nil && finite(*s.Min) {
		lo = max(lo, up(*s.Min, s.ExclusiveMin.IsTrue()))
	}
	if v := s.ExclusiveMin.Value; v != nil && finite(*v) {
		lo = max(lo, up(*v, true))
	}
	if s.Max != nil && finite(*s.Max) {
		hi = min(hi, down(*s.Max, s.ExclusiveMax.IsTrue()))
	}
	if v := s.ExclusiveMax.Value; v != nil && finite(*v) {
		hi = min(hi, down(*v, true))
	}
	return lo, hi
}

// endsRange reports whether a name says its value ends a range: end,
// until, to, finish, not_after, valid_to… ("endsAt", "validTo",
// "end_time"). Such a value is sent an hour after the values that start
// one (start, from, since, begin, not_before, valid_from…) or stand
// alone: every generated moment is in the future, and an end comes after
// its start.
func endsRange(nm name) bool {
	w := nameWords(string(nm))
	for i, x := range w {
		switch x {
		case "end", "ends", "ended", "ending", "until", "till", "to", "finish", "finishes", "finished", "through", "thru", "stop", "stops", "expires", "expiry", "expiration":
			return true
		case "after":
			if i > 0 && w[i-1] == "not" {
				return true
			}
		}
	}
	return false
}

// timeWords are the last words of names an integer may hold a Unix time
// for: "created_at", "startTime", "timestamp".
func unixName(nm name) (ms bool, ok bool) {
	w := nameWords(string(nm))
	if len(w) == 0 {
		return false, false
	}
	last := w[len(w)-1]
	ms = slices.Contains(w, "ms") || slices.Contains(w, "millis") || slices.Contains(w, "milliseconds")
	if ms && len(w) > 1 {
		last = w[len(w)-2]
	}
	switch last {
	case "timestamp", "epoch", "at":
		return ms, true
	case "time", "date":
		return ms, len(w) > 1 && (endsRange(nm) || startsRange(w))
	}
	return false, false
}

func startsRange(w []string) bool {
	for i, x := range w {
		switch x {
		case "start", "starts", "started", "begin", "begins", "from", "since":
			return true
		case "before":
			if i > 0 && w[i-1] == "not" {
				return true
			}
		}
	}
	return false
}

// unixTime gives an integer named as a moment ("startsAt", "expires_at",
// "timestamp") a Unix time relative to the send time, when its bounds
// allow one.
func (g *valueGen) unixTime(s *openapi3.Schema, nm name) (any, bool) {
	ms, ok := unixName(nm)
	if !ok || s.MultipleOf != nil {
		return nil, false
	}
	word := WordUnix
	if ms {
		word = WordUnixMS
	}
	off := time.Hour
	if endsRange(nm) {
		off = 2 * time.Hour
	}
	d := dynamicNumber(placeholderText(word, off))
	if !validates(s, d) {
		return nil, false
	}
	return d, true
}

// holdsIdentity reports whether an object schema has an identifying
// property of its own.
func holdsIdentity(s *openapi3.Schema) bool {
	if primaryType(s) != openapi3.TypeObject || len(s.Required) > 0 {
		return false
	}
	for n, p := range s.Properties {
		if p != nil && p.Value != nil && !p.Value.ReadOnly && identityName(n) {
			return true
		}
	}
	return false
}

// identityName reports whether a property or parameter name says its
// value identifies what a request creates: the last word of the name is
// name, key, title, slug, username, login, label or handle ("name",
// "repo_name", "displayName", "api-key"). Such a string gets the run
// token, so that a rerun never collides with what an earlier run left.
func identityName(n string) bool {
	w := nameWords(n)
	if len(w) == 0 {
		return false
	}
	switch w[len(w)-1] {
	case "name", "key", "title", "slug", "username", "login", "label", "handle":
		return true
	}
	return false
}

// str makes a string for the schema's format, pattern or name, within its
// length bounds.
func (g *valueGen) str(s *openapi3.Schema, seed string, nm name) any {
	minLen := int(min(s.MinLength, maxStringLen))
	maxLen := -1
	if s.MaxLength != nil {
		maxLen = int(min(*s.MaxLength, maxStringLen*2))
	}
	if s.MinLength > maxStringLen {
		g.note("%s: minLength %d exceeds smoke's cap of %d characters: the value is shorter than the schema demands", describe(nm), s.MinLength, maxStringLen)
	}
	fits := func(v any) bool {
		r := text(renderValue(v, sampleVars))
		n := utf8.RuneCountInString(r)
		if n < minLen || maxLen >= 0 && n > maxLen {
			return false
		}
		if s.Pattern != "" {
			rx := g.cache.regexp(s.Pattern)
			return rx != nil && rx.MatchString(r)
		}
		return true
	}
	if v := formatValue(s.Format, seed, nm); v != nil && fits(v) {
		g.spend(len(text(v)))
		return v
	}
	if s.Pattern != "" {
		v, err := g.cache.fromPattern(s.Pattern, minLen, maxLen)
		if err == nil {
			g.spend(len(v))
			return v
		}
		g.note("%s: pattern %q %v; no matching value was generated", describe(nm), clip(s.Pattern), err)
	}
	if s.Format == "" && identityName(string(nm)) {
		// No separator: names that allow only letters and digits
		// (Prometheus labels, DNS labels, identifiers) take it.
		for _, v := range []dynamic{"smoke${run}", "${run}"} {
			if fits(v) {
				return v
			}
			if n := utf8.RuneCountInString(Render(string(v), sampleVars)); n < minLen {
				if p := v + dynamic(strings.Repeat("x", minLen-n)); fits(p) {
					g.spend(minLen)
					return p
				}
			}
		}
	}
	v := "smoke"
	format := s.Format
	if format == "" {
		// A document that names the field but not its format: an
		// email, a URL or a host is what a careful person sends there.
		format = nameFormat(string(nm))
	}
	if format != "" {
		if f := formatValue(format, seed, nm); f != nil {
			if r := text(renderValue(f, sampleVars)); s.Format != "" || fits(r) {
				v = r
			}
		}
	}
	if n := utf8.RuneCountInString(v); n < minLen {
		v += strings.Repeat("x", minLen-n)
	}
	if maxLen >= 0 && utf8.RuneCountInString(v) > maxLen {
		v = string([]rune(v)[:maxLen])
	}
	g.spend(len(v))
	return v
}

// nameFormat is the format a string field's name implies when the
// document gives none: the last word of the name (contactEmail, html_url,
// server_host, remote_ip). "" when the name implies none.
func nameFormat(n string) string {
	w := nameWords(n)
	if len(w) == 0 {
		return ""
	}
	last := w[len(w)-1]
	if len(w) >= 2 && (last == "address" || last == "number") {
		last = w[len(w)-2] + last // email_address, ip_address, phone_number
	}
	switch last {
	case "email", "mail", "emailaddress":
		return "email"
	case "url", "uri", "href", "website", "homepage", "webaddress":
		return "uri"
	case "phone", "phonenumber", "telephone", "mobile":
		return "phone"
	case "hostname", "host", "fqdn", "domain":
		return "hostname"
	case "ip", "ipv4", "ipaddress":
		return "ipv4"
	case "ipv6":
		return "ipv6"
	case "uuid", "guid":
		return "uuid"
	}
	return ""
}

// formatValue returns a value for well-known formats: moments relative to
// the send time (dynamic), fixed values for the rest; nil for formats it
// does not know.
func formatValue(format, seed string, nm name) any {
	ends := endsRange(nm)
	switch strings.ToLower(format) {
	case "date-time":
		if ends {
			return dynamic("${now+2h}")
		}
		return dynamic("${now+1h}")
	case "date":
		if ends {
			return dynamic("${date+2d}")
		}
		return dynamic("${date+1d}")
	case "time":
		// A time of day wraps at midnight, so an ordered pair is fixed:
		// a working day.
		if ends {
			return "17:00:00Z"
		}
		if startsRange(nameWords(string(nm))) {
			return "09:00:00Z"
		}
		return dynamic("${time+1h}")
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
	case "phone", "tel":
		// E.164, in a range kept for fiction (555-01XX).
		return "+14155550100"
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
	return nil
}

// seededUUID is a version-4-shaped UUID derived from seed, so two uuids in
// one request differ while plans stay byte-identical.
func seededUUID(seed string) string {
	h := sha256.Sum256([]byte("smoke/" + seed))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// text renders a value as a parameter string in template text: strings
// escaped ("${" as "$${"), dynamic values as their placeholders, numbers
// and booleans as JSON writes them, null as empty.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return Escape(x)
	case dynamic:
		return string(x)
	case dynamicNumber:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	s, templated := marshalValue(v)
	if !templated {
		s = Escape(s)
	}
	return s
}

// hasDynamic reports whether a value holds dynamic leaves.
func hasDynamic(v any) bool {
	switch x := v.(type) {
	case dynamic, dynamicNumber:
		return true
	case map[string]any:
		for _, e := range x {
			if hasDynamic(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasDynamic(e) {
				return true
			}
		}
	}
	return false
}

// renderValue returns v with its dynamic leaves rendered (strings stay
// as they are): the value the service receives.
func renderValue(v any, vars Vars) any {
	switch x := v.(type) {
	case dynamic:
		return Render(string(x), vars)
	case dynamicNumber:
		n, err := strconv.ParseInt(Render(string(x), vars), 10, 64)
		if err != nil {
			return int64(0)
		}
		return n
	case map[string]any:
		if !hasDynamic(x) {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = renderValue(e, vars)
		}
		return out
	case []any:
		if !hasDynamic(x) {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renderValue(e, vars)
		}
		return out
	}
	return v
}

// marshalValue writes v as JSON. With dynamic leaves the result is
// template text: literal strings escaped, placeholders as they are
// (numbers bare). templated reports whether it is.
func marshalValue(v any) (s string, templated bool) {
	if !hasDynamic(v) {
		raw, err := json.Marshal(v)
		if err != nil {
			return "null", false
		}
		return string(raw), false
	}
	raw, err := json.Marshal(templateTree(v))
	if err != nil {
		return "null", false
	}
	out := string(raw)
	if strings.Contains(out, `"\u0000${`) {
		var b strings.Builder
		for {
			i := strings.Index(out, `"\u0000${`)
			if i < 0 {
				break
			}
			end := strings.IndexByte(out[i+1:], '"')
			b.WriteString(out[:i])
			b.WriteString(out[i+7 : i+1+end])
			out = out[i+2+end:]
		}
		b.WriteString(out)
		out = b.String()
	}
	return out, true
}

// templateTree converts a value with dynamic leaves for json.Marshal:
// literal strings escaped, dynamic strings as template text, dynamic
// numbers marked with a leading NUL for unquoting. No literal can carry
// that mark: a literal "${" is always written "$${".
func templateTree(v any) any {
	switch x := v.(type) {
	case string:
		return Escape(x)
	case dynamic:
		return string(x)
	case dynamicNumber:
		return "\u0000" + string(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[Escape(k)] = templateTree(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = templateTree(e)
		}
		return out
	}
	return v
}

// fixtureTree reads a fixture body: strings holding a placeholder become
// dynamic (fixtures are template text), others literal ("$${" undone).
func fixtureTree(v any) any {
	switch x := v.(type) {
	case string:
		if HasPlaceholder(x) {
			return dynamic(x)
		}
		return unescape(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fixtureTree(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fixtureTree(e)
		}
		return out
	}
	return v
}
