package diff

import (
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

// jpath is a JSON pointer under construction, shared by the recursive
// comparison and turned into strings only when a difference is recorded.
type jpath []segment

func (p jpath) key(k string) jpath {
	return append(p[:len(p):len(p)], segment{token: k})
}

func (p jpath) elem(i int) jpath {
	return append(p[:len(p):len(p)], segment{token: strconv.Itoa(i), index: true})
}

// elemID is elem for an element of an array compared as a set.
func (p jpath) elemID(i int, id string) jpath {
	return append(p[:len(p):len(p)], segment{token: strconv.Itoa(i), index: true, id: id})
}

// noiseKey renders p for noise bookkeeping: like Pointer, but elements
// of set-compared arrays are named by id, so that the same element is
// recognised across answers that list it at different positions.
func (p jpath) noiseKey() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('/')
		if s.id != "" {
			b.WriteString("\x00" + s.id)
			continue
		}
		b.WriteString(escapeToken(s.token))
	}
	return b.String()
}

// Pointer renders p as an RFC 6901 JSON pointer.
func (p jpath) Pointer() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('/')
		b.WriteString(escapeToken(s.token))
	}
	return b.String()
}

// Template renders p with array indices replaced by "*".
func (p jpath) Template() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('/')
		if s.index {
			b.WriteByte('*')
			continue
		}
		b.WriteString(escapeToken(s.token))
	}
	return b.String()
}

var (
	tokenEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	tokenUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return tokenEscaper.Replace(s)
}

// SplitPointer splits an RFC 6901 JSON pointer into its unescaped tokens.
// The empty pointer (the whole document) has no tokens.
func SplitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, &UsageError{Msg: "pointer " + quote(p) + ": must be empty or start with /"}
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		for j := strings.IndexByte(s, '~'); j >= 0; j = nextTilde(s, j) {
			if j+1 == len(s) || (s[j+1] != '0' && s[j+1] != '1') {
				return nil, &UsageError{Msg: "pointer " + quote(p) + ": ~ must be followed by 0 or 1"}
			}
		}
		parts[i] = tokenUnescaper.Replace(s)
	}
	return parts, nil
}

// JoinPointer is the inverse of SplitPointer.
func JoinPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
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

// nextTilde returns the index of the next '~' in s after index j, or -1.
func nextTilde(s string, j int) int {
	k := strings.IndexByte(s[j+1:], '~')
	if k < 0 {
		return -1
	}
	return j + 1 + k
}
