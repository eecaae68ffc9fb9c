package generator

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Schema patterns are ECMA-262 regular expressions; Go's regexp is RE2.
// translatePattern rewrites what differs in syntax only:
//
//	\uXXXX, \u{X…}   → \x{XXXX}
//	\cX              → the control character
//	\0               → \x00
//	[\b]             → \x08 (backspace inside a class)
//	[^]              → [\s\S] (any character, newline included)
//	\p{Script=Greek} → \p{Greek} (also sc=, General_Category=, gc=)
//	\/               → /
//
// What RE2 cannot express is refused, so no value is generated for it:
// lookahead and lookbehind ((?= (?! (?<= (?<!) and backreferences (\1,
// \k<name>) need backtracking, which RE2 leaves out by design (matching
// stays linear in the input), and a string built without them cannot be
// checked against the pattern. Repeat counts above 1000 are beyond RE2's
// limit.

// errLookaround and errBackref say why a pattern cannot be used.
var (
	errLookaround = errors.New("uses lookahead or lookbehind, which Go's RE2 regular expressions cannot express")
	errBackref    = errors.New("uses a backreference, which Go's RE2 regular expressions cannot express")
)

// translatePattern rewrites an ECMA-262 pattern into Go's syntax.
func translatePattern(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			switch {
			case n == 'u' && i+2 < len(p) && p[i+2] == '{':
				end := strings.IndexByte(p[i:], '}')
				if end < 0 {
					return "", fmt.Errorf("unterminated \\u{")
				}
				b.WriteString(`\x{` + p[i+3:i+end] + `}`)
				i += end
			case n == 'u' && i+5 < len(p) && isHex(p[i+2:i+6]):
				b.WriteString(`\x{` + p[i+2:i+6] + `}`)
				i += 5
			case n == 'c' && i+2 < len(p) && isASCIILetter(p[i+2]):
				fmt.Fprintf(&b, `\x{%02x}`, p[i+2]&31)
				i += 2
			case n == '0' && (i+2 >= len(p) || p[i+2] < '0' || p[i+2] > '9'):
				b.WriteString(`\x00`)
				i++
			case n >= '1' && n <= '9' && !inClass:
				return "", errBackref
			case n == 'k' && i+2 < len(p) && p[i+2] == '<':
				return "", errBackref
			case n == 'b' && inClass:
				b.WriteString(`\x08`)
				i++
			case n == '/':
				b.WriteByte('/')
				i++
			case (n == 'p' || n == 'P') && i+2 < len(p) && p[i+2] == '{':
				end := strings.IndexByte(p[i:], '}')
				if end < 0 {
					return "", fmt.Errorf("unterminated \\%c{", n)
				}
				name := p[i+3 : i+end]
				if _, v, ok := strings.Cut(name, "="); ok {
					name = v
				}
				b.WriteString(`\` + string(n) + `{` + name + `}`)
				i += end
			default:
				b.WriteByte(c)
				b.WriteByte(n)
				i++
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			if strings.HasPrefix(p[i:], "[^]") {
				b.WriteString(`[\s\S]`)
				i += 2
				continue
			}
			inClass = true
			b.WriteByte(c)
			// A "]" right after "[" or "[^" is a literal in Go; ECMA's
			// "[]" matches nothing, which no value can satisfy.
			if strings.HasPrefix(p[i:], "[]") {
				return "", errors.New(`"[]" matches no character`)
			}
			if strings.HasPrefix(p[i:], "[^") {
				b.WriteByte('^')
				i++
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"),
				strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				return "", errLookaround
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// CompilePattern compiles a schema's ECMA-262 pattern with Go's regexp,
// translated as translatePattern describes.
func CompilePattern(p string) (*regexp.Regexp, error) {
	t, err := translatePattern(p)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(t)
}

// patternResult is a generated string for one (pattern, length bounds).
type patternResult struct {
	value string
	err   error
}

type patternKey struct {
	pattern  string
	min, max int
}

// fromPattern returns a string of minLen to maxLen characters that the
// pattern matches, or an error saying why there is none. Results are
// cached per document: real documents repeat their patterns.
func (c *schemaCache) fromPattern(pattern string, minLen, maxLen int) (string, error) {
	k := patternKey{pattern, minLen, maxLen}
	if r, ok := c.patterns[k]; ok {
		return r.value, r.err
	}
	v, err := generatePattern(pattern, minLen, maxLen)
	c.patterns[k] = patternResult{v, err}
	return v, err
}

// generatePattern builds the string from the pattern's syntax tree: each
// repeat at its minimum, then the leftmost repeats grown until minLen is
// reached; a character class gives a letter or digit where it has one.
// The result is checked with the compiled pattern.
func generatePattern(pattern string, minLen, maxLen int) (string, error) {
	t, err := translatePattern(pattern)
	if err != nil {
		return "", err
	}
	re, err := syntax.Parse(t, syntax.Perl)
	if err != nil {
		return "", err
	}
	rx, err := regexp.Compile(t)
	if err != nil {
		return "", err
	}
	minLen = min(minLen, maxStringLen)
	g := &patternGen{grow: 0}
	base, ok := g.build(re, 0)
	if !ok {
		return "", errors.New("holds a construct smoke cannot generate")
	}
	n := utf8.RuneCountInString(base)
	out := base
	if n < minLen {
		g = &patternGen{grow: minLen - n}
		if s, ok := g.build(re, 0); ok {
			out = s
		}
	}
	n = utf8.RuneCountInString(out)
	switch {
	case !rx.MatchString(out):
		return "", fmt.Errorf("no generated string matched it (tried %q)", clip(out))
	case n < minLen:
		return "", fmt.Errorf("matched only by strings shorter than minLength %d", minLen)
	case maxLen >= 0 && n > maxLen:
		return "", fmt.Errorf("matched only by strings longer than maxLength %d", maxLen)
	}
	return out, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// patternGen writes one string for a syntax tree. grow is how many more
// characters the repeats should add beyond their minimum.
type patternGen struct {
	grow int
	b    strings.Builder
}

func (g *patternGen) build(re *syntax.Regexp, depth int) (string, bool) {
	if !g.write(re, depth) {
		return "", false
	}
	return g.b.String(), true
}

func (g *patternGen) write(re *syntax.Regexp, depth int) bool {
	if depth > 200 || g.b.Len() > 4*maxStringLen {
		return false
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			g.b.WriteRune(r)
		}
	case syntax.OpCharClass:
		g.b.WriteRune(pickRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		g.b.WriteByte('a')
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
	case syntax.OpCapture:
		return g.write(re.Sub[0], depth+1)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !g.write(sub, depth+1) {
				return false
			}
		}
	case syntax.OpAlternate:
		return g.write(re.Sub[0], depth+1)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, -1
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
		}
		n := lo
		if g.grow > 0 {
			// Grow here: each repetition adds the sub-expression's
			// shortest length (at least one character).
			unit := max(minRunes(re.Sub[0]), 1)
			extra := (g.grow + unit - 1) / unit
			if hi >= 0 {
				extra = min(extra, hi-lo)
			}
			if extra > 0 && minRunes(re.Sub[0]) > 0 {
				n += extra
				g.grow -= extra * unit
			}
		}
		for range n {
			if !g.write(re.Sub[0], depth+1) {
				return false
			}
		}
	default: // OpNoMatch
		return false
	}
	return true
}

// minRunes is the length of the shortest string re matches, as write
// builds it.
func minRunes(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture:
		return minRunes(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n += minRunes(s)
		}
		return n
	case syntax.OpAlternate:
		return minRunes(re.Sub[0])
	case syntax.OpPlus:
		return minRunes(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minRunes(re.Sub[0])
	}
	return 0
}

// pickRune prefers a lower-case letter, a digit, then an upper-case
// letter from a character class, then any printable character.
func pickRune(ranges []rune) rune {
	for _, pref := range [][2]rune{{'a', 'z'}, {'0', '9'}, {'A', 'Z'}} {
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := ranges[i], ranges[i+1]
			if lo <= pref[1] && hi >= pref[0] {
				return max(lo, pref[0])
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < ranges[i]+64; r++ {
			if unicode.IsPrint(r) {
				return r
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}
