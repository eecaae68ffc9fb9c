package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
)

// maxCompareDepth bounds how deep the comparison descends into a JSON
// body, so that its cost is linear in the body and its recursion shallow.
// Below this depth two values are compared as a whole (by the digest of
// their canonical form) and a difference is reported at the depth limit.
// Real APIs nest a few dozen levels at most; 256 keeps every pointer a
// report prints short enough to read.
const maxCompareDepth = 256

// maxRawDiffs bounds the differences one comparison of two bodies
// records: past it, the operation is a regression either way and more
// examples do not help a reader.
const maxRawDiffs = 500

// rawDiff is a difference found by comparing two samples, before noise
// cancellation and rules classify it.
type rawDiff struct {
	at     jpath
	header string // header differences
	kind   Kind
	old    any // example values (body: JSON values; header: string)
	new    any
	hasOld bool
	hasNew bool
	// element is true for an array element that appeared or disappeared:
	// unlike an object field, an added element is a regression.
	element bool
	// format is set when both values are valid values of a format that
	// is compared by format only: the difference is noise.
	format string
	// note explains a regression the values alone do not show.
	note string
}

// key identifies a difference across sample pairs.
func (d rawDiff) key() string {
	if d.header != "" {
		return "h\x00" + strings.ToLower(d.header)
	}
	return "b\x00" + string(d.kind) + "\x00" + d.at.noiseKey()
}

// comparer compares two normalised samples and collects rawDiffs.
type comparer struct {
	// keys maps an array's pointer template to the field that identifies
	// its elements; "*" applies to every array of objects that all carry
	// the field.
	keys  map[string]string
	diffs []rawDiff
	// digests memoises the digest of each object and array, so that
	// nested arrays compared as sets or aligned level after level hash
	// each value once, not once per enclosing level.
	digests map[valueID]string
}

func (c *comparer) add(d rawDiff) {
	if len(c.diffs) < maxRawDiffs {
		c.diffs = append(c.diffs, d)
	}
}

func (c *comparer) full() bool { return len(c.diffs) >= maxRawDiffs }

// value compares two decoded JSON values (json.Number for numbers) at p,
// described by schema s (nil when the spec says nothing).
func (c *comparer) value(p jpath, a, b any, s *openapi3.Schema) {
	if c.full() {
		return
	}
	ta, tb := generator.JSONKind(a), generator.JSONKind(b)
	if ta != tb {
		c.add(rawDiff{at: p, kind: KindType, old: a, new: b, hasOld: true, hasNew: true,
			note: "type " + ta + " became " + tb})
		return
	}
	if p.len() >= maxCompareDepth && (ta == "object" || ta == "array") {
		if c.digest(a) != c.digest(b) {
			c.add(rawDiff{at: p, kind: KindChanged, old: a, new: b, hasOld: true, hasNew: true,
				note: "nested deeper than " + strconv.Itoa(maxCompareDepth) + " levels: compared as a whole"})
		}
		return
	}
	switch av := a.(type) {
	case map[string]any:
		c.object(p, av, b.(map[string]any), s)
	case []any:
		c.array(p, av, b.([]any), s)
	case string:
		bv := b.(string)
		if av == bv {
			return
		}
		if f := schemaFormat(s); formatOnly[f] {
			okA, okB := validFormat(f, av), validFormat(f, bv)
			switch {
			case okA && okB:
				c.add(rawDiff{at: p, kind: KindChanged, old: a, new: b, hasOld: true, hasNew: true, format: f})
				return
			case okA && !okB:
				c.add(rawDiff{at: p, kind: KindChanged, old: a, new: b, hasOld: true, hasNew: true,
					note: "NEW is not a valid " + f})
				return
			}
		}
		c.add(rawDiff{at: p, kind: KindChanged, old: a, new: b, hasOld: true, hasNew: true})
	case json.Number:
		if !numbersEqual(string(av), string(b.(json.Number))) {
			c.add(rawDiff{at: p, kind: KindChanged, old: a, new: b, hasOld: true, hasNew: true})
		}
	case bool:
		if av != b.(bool) {
			c.add(rawDiff{at: p, kind: KindChanged, old: a, new: b, hasOld: true, hasNew: true})
		}
	}
}

// unionKeys returns the keys of a and b, sorted, each once.
func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func (c *comparer) object(p jpath, a, b map[string]any, s *openapi3.Schema) {
	for _, k := range unionKeys(a, b) {
		av, inA := a[k]
		bv, inB := b[k]
		switch {
		case inA && inB:
			c.value(p.key(k), av, bv, childSchema(s, k))
		case inA:
			c.add(rawDiff{at: p.key(k), kind: KindMissing, old: av, hasOld: true})
		default:
			c.add(rawDiff{at: p.key(k), kind: KindAdded, new: bv, hasNew: true})
		}
	}
}

func (c *comparer) array(p jpath, a, b []any, s *openapi3.Schema) {
	es := itemSchema(s)
	if key := c.arrayKey(p, a, b); key != "" {
		c.keyed(p, a, b, es, func(v any) string { return c.digest(v.(map[string]any)[key]) })
		return
	}
	if schemaUnique(s) {
		c.keyed(p, a, b, es, c.digest)
		return
	}
	if len(a) != len(b) && len(a)*len(b) <= maxAlignCells {
		c.aligned(p, a, b, es)
		return
	}
	c.positional(p, a, 0, b, 0, es)
}

// maxAlignCells bounds the table of aligned; longer arrays of different
// lengths are compared position by position.
const maxAlignCells = 64 << 10

// positional compares a[i] with b[i], then reports the surplus of the
// longer side as missing or added elements. aOff and bOff are the
// indices of a[0] and b[0] in the whole arrays.
func (c *comparer) positional(p jpath, a []any, aOff int, b []any, bOff int, es *openapi3.Schema) {
	n := min(len(a), len(b))
	for i := range n {
		c.value(p.elem(aOff+i), a[i], b[i], es)
	}
	for i := n; i < len(a); i++ {
		c.add(rawDiff{at: p.elem(aOff + i), kind: KindMissing, old: a[i], hasOld: true, element: true})
	}
	for i := n; i < len(b); i++ {
		c.add(rawDiff{at: p.elem(bOff + i), kind: KindAdded, new: b[i], hasNew: true, element: true})
	}
}

// aligned compares ordered arrays of different lengths along their
// longest common subsequence, so that one element inserted at the front
// is one added element, not a change at every index. Order still
// matters: elements between two aligned ones are compared by position.
func (c *comparer) aligned(p jpath, a, b []any, es *openapi3.Schema) {
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i, v := range a {
		ka[i] = c.digest(v)
	}
	for j, v := range b {
		kb[j] = c.digest(v)
	}
	// lcs[i][j] is the LCS length of ka[i:] and kb[j:].
	w := len(b) + 1
	lcs := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if ka[i] == kb[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j, gi, gj := 0, 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case ka[i] == kb[j]:
			c.positional(p, a[gi:i], gi, b[gj:j], gj, es)
			i++
			j++
			gi, gj = i, j
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	c.positional(p, a[gi:], gi, b[gj:], gj, es)
}

// keyed compares arrays as sets: elements are paired by id (the digest
// of their key field, or of their whole value), order is ignored.
func (c *comparer) keyed(p jpath, a, b []any, es *openapi3.Schema, id func(any) string) {
	byID := make(map[string][]int, len(b))
	for j, v := range b {
		k := id(v)
		byID[k] = append(byID[k], j)
	}
	used := make([]bool, len(b))
	for i, v := range a {
		k := id(v)
		js := byID[k]
		if len(js) == 0 {
			c.add(rawDiff{at: p.elemID(i, shortID(k)), kind: KindMissing, old: v, hasOld: true, element: true})
			continue
		}
		j := js[0]
		byID[k] = js[1:]
		used[j] = true
		c.value(p.elemID(i, shortID(k)), v, b[j], es)
	}
	for j, v := range b {
		if !used[j] {
			c.add(rawDiff{at: p.elemID(j, shortID(id(v))), kind: KindAdded, new: v, hasNew: true, element: true})
		}
	}
}

// shortID renders an element id (a digest) for noise keys: 16 bytes in
// hex are plenty to tell the elements of one array apart.
func shortID(k string) string {
	return hex.EncodeToString([]byte(k[:min(len(k), 16)]))
}

// arrayKey returns the configured key field of the array at p, or "".
// A key applies only when every element on both sides is an object that
// carries it with a scalar value.
func (c *comparer) arrayKey(p jpath, a, b []any) string {
	if len(c.keys) == 0 {
		return ""
	}
	key, ok := c.keys[p.Template()]
	if !ok {
		key, ok = c.keys["*"]
	}
	if !ok || key == "" {
		return ""
	}
	for _, side := range [][]any{a, b} {
		for _, v := range side {
			o, ok := v.(map[string]any)
			if !ok {
				return ""
			}
			switch o[key].(type) {
			case string, json.Number, bool:
			default:
				return ""
			}
		}
	}
	return key
}

// numbersEqual compares two JSON number texts exactly: 1.0 == 1 and
// 1e2 == 100, but 0.1 and 0.10000000000000001 differ (float64 would call
// them equal).
func numbersEqual(a, b string) bool {
	return a == b || canonicalNumber(a) == canonicalNumber(b)
}

// canonicalNumber rewrites a JSON number as sign, significant digits and
// exponent ("-12e3"), so that equal numbers have equal texts. Texts that
// are not JSON numbers, or whose exponent overflows, are returned as
// they are and so compare by text.
func canonicalNumber(s string) string {
	t := s
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	mant, expText := t, ""
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		mant, expText = t[:i], t[i+1:]
	}
	exp := int64(0)
	if expText != "" {
		e, err := strconv.ParseInt(expText, 10, 64)
		if err != nil || e > 1<<40 || e < -(1<<40) {
			return s
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" {
		return s
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return s
		}
	}
	digits := intPart + frac
	exp -= int64(len(frac))
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0"
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += int64(len(digits) - len(trimmed))
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + trimmed + "e" + strconv.FormatInt(exp, 10)
}

// valueID identifies one decoded object or array for the digest memo:
// the address of its map or its slice's backing array, and its length.
type valueID struct {
	ptr uintptr
	n   int
}

// digest returns the SHA-256 of v's canonical form (keys sorted, numbers
// canonical, see canonicalNumber), so equal values have equal digests.
// Objects and arrays are memoised by identity: each is hashed once per
// comparer however many enclosing arrays ask for it. The recursion is as
// deep as the value, which encoding/json caps at 10,000 levels; each
// level's frame is small.
func (c *comparer) digest(v any) string {
	var id valueID
	switch x := v.(type) {
	case map[string]any:
		id = valueID{reflect.ValueOf(x).Pointer(), len(x)}
	case []any:
		if len(x) == 0 {
			return emptyArrayDigest
		}
		id = valueID{reflect.ValueOf(x).Pointer(), len(x)}
	default:
		return scalarDigest(v)
	}
	if d, ok := c.digests[id]; ok {
		return d
	}
	h := sha256.New()
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		h.Write([]byte{'{'})
		for _, k := range keys {
			// Length-prefixed, so that no key can imitate a boundary.
			h.Write([]byte(strconv.Itoa(len(k)) + ":" + k))
			h.Write([]byte(c.digest(x[k])))
		}
	case []any:
		h.Write([]byte{'['})
		for _, e := range x {
			h.Write([]byte(c.digest(e)))
		}
	}
	d := string(h.Sum(nil))
	if c.digests == nil {
		c.digests = map[valueID]string{}
	}
	c.digests[id] = d
	return d
}

var emptyArrayDigest = func() string { s := sha256.Sum256([]byte{'['}); return string(s[:]) }()

// scalarDigest is the digest of a string, number, boolean or null.
func scalarDigest(v any) string {
	var text string
	switch x := v.(type) {
	case json.Number:
		text = "n" + canonicalNumber(string(x))
	case string:
		text = "s" + x
	case bool:
		text = "b" + strconv.FormatBool(x)
	case nil:
		text = "z"
	default:
		text = "?"
	}
	s := sha256.Sum256([]byte(text))
	return string(s[:])
}
