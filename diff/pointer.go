package diff

import (
	"github.com/smoke-dev/smoke/generator"
	"strconv"
	"strings"
)

// segment is one step of a JSON pointer. index is true for array
// elements, whose template segment is "*". id identifies an element of
// an array compared as a set (its key or a hash of its value): its index
// may change from one answer to the next, its id does not.
type segment struct {
	token string
	index bool
	id    string
}

// pathNode is one step of a JSON pointer under construction, linked to
// its parent: every value below an object or array shares its parent's
// nodes, so descending one level costs one small allocation whatever the
// depth (a copied slice cost the whole prefix at every level: quadratic
// in the nesting, 42 GB for 20 KB of nested arrays).
type pathNode struct {
	parent *pathNode
	seg    segment
	depth  int // number of segments, this one included
}

// jpath is a JSON pointer under construction, shared by the recursive
// comparison and turned into strings only when a difference is recorded.
// The nil jpath is the root (the whole document).
type jpath = *pathNode

func (p *pathNode) child(s segment) jpath {
	return &pathNode{parent: p, seg: s, depth: p.len() + 1}
}

// len returns the number of segments of p.
func (p *pathNode) len() int {
	if p == nil {
		return 0
	}
	return p.depth
}

func (p *pathNode) key(k string) jpath { return p.child(segment{token: k}) }

func (p *pathNode) elem(i int) jpath {
	return p.child(segment{token: strconv.Itoa(i), index: true})
}

// elemID is elem for an element of an array compared as a set.
func (p *pathNode) elemID(i int, id string) jpath {
	return p.child(segment{token: strconv.Itoa(i), index: true, id: id})
}

// segments returns the segments of p from the root down.
func (p *pathNode) segments() []segment {
	out := make([]segment, p.len())
	for n := p; n != nil; n = n.parent {
		out[n.depth-1] = n.seg
	}
	return out
}

// render writes p, one "/"-prefixed segment at a time, as seg renders
// each segment.
func (p *pathNode) render(seg func(b *strings.Builder, s segment)) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, s := range p.segments() {
		b.WriteByte('/')
		seg(&b, s)
	}
	return b.String()
}

// noiseKey renders p for noise bookkeeping: like Pointer, but elements
// of set-compared arrays are named by id, so that the same element is
// recognised across answers that list it at different positions.
func (p *pathNode) noiseKey() string {
	return p.render(writeNoiseSegment)
}

// noiseKeyCuts returns noiseKey and where each proper ancestor's key
// ends in it: key[:cuts[l]] is the key of the ancestor with l segments
// (the root's is ""). Ancestors are looked up without building a string
// per level.
func (p *pathNode) noiseKeyCuts() (key string, cuts []int) {
	var b strings.Builder
	cuts = make([]int, 0, p.len())
	for _, s := range p.segments() {
		cuts = append(cuts, b.Len())
		b.WriteByte('/')
		writeNoiseSegment(&b, s)
	}
	return b.String(), cuts
}

func writeNoiseSegment(b *strings.Builder, s segment) {
	if s.id != "" {
		b.WriteString("\x00" + s.id)
		return
	}
	b.WriteString(generator.EscapeToken(s.token))
}

// Pointer renders p as an RFC 6901 JSON pointer.
func (p *pathNode) Pointer() string {
	return p.render(func(b *strings.Builder, s segment) { b.WriteString(generator.EscapeToken(s.token)) })
}

// Template renders p with array indices replaced by "*".
func (p *pathNode) Template() string {
	return p.render(func(b *strings.Builder, s segment) {
		if s.index {
			b.WriteByte('*')
			return
		}
		b.WriteString(generator.EscapeToken(s.token))
	})
}

// tokens returns the unescaped tokens of the path.
func (p *pathNode) tokens() []string {
	segs := p.segments()
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.token
	}
	return out
}

// matchTemplate reports whether the rule pointer pattern (tokens, "*"
// matching any one token) matches the pointer tokens or one of their
// ancestors: a rule on /meta covers /meta/generated_at.
func matchTemplate(pattern, tokens []string) bool {
	if len(pattern) > len(tokens) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && p != tokens[i] {
			return false
		}
	}
	return true
}

// isPrefix reports whether pointer a is b or an ancestor of b.
func isPrefix(a, b string) bool {
	return a == b || a == "" || (strings.HasPrefix(b, a) && b[len(a)] == '/')
}
