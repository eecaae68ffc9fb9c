package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text in a report comes from people smoke does not trust: the spec's
// author (title, paths, operationIds, examples), the service (bodies,
// JSON keys, headers echoed into messages) and the config. Each medium
// has one escaper here, and every renderer passes untrusted text through
// it:
//
//   - terminal: EscapeTerminal (control characters made visible, one line);
//   - Markdown: mdEscape for text, mdCode and mdCellCode for code spans,
//     mdFence for code blocks, htmlEscape for inline HTML;
//   - HTML: html/template, which escapes for each context;
//   - JUnit XML: xmlText for character data; encoding/xml escapes
//     attributes (and replaces what XML cannot hold).

// EscapeTerminal returns s as one line that is safe to print on a
// terminal: whitespace (newlines, tabs, carriage returns) folds to single
// spaces, and control characters, which a terminal would obey (ESC starts
// a sequence that can retitle the window, move the cursor or hide text;
// BEL rings), are written out as \xNN; so are bytes that are not UTF-8.
// C1 controls and the bidirectional controls that reorder what is shown
// are written as \uNNNN.
func EscapeTerminal(s string) string {
	return oneLine(s)
}

// oneLine is EscapeTerminal: the base of every medium's escaper, since a
// line break ends a Markdown table row or a heading, and no medium wants
// control characters.
func oneLine(s string) string {
	if isPlainLine(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		writeVisible(&b, r, size, s[i-size])
	}
	return b.String()
}

// isPlainLine reports whether s needs no escaping for one line: printable
// UTF-8 without runs of spaces or leading and trailing space.
func isPlainLine(s string) bool {
	prevSpace := true
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case r < 0x20 || r == 0x7f || r == utf8.RuneError || unsafeRune(r) || unicode.IsSpace(r):
			return false
		}
		prevSpace = false
	}
	return !prevSpace || s == ""
}

// writeVisible writes r, or its escape when a terminal would act on it.
// first is the first byte of its encoding, for invalid UTF-8.
func writeVisible(b *strings.Builder, r rune, size int, first byte) {
	switch {
	case r == utf8.RuneError && size == 1:
		fmt.Fprintf(b, `\x%02x`, first)
	case r < 0x20 || r == 0x7f:
		fmt.Fprintf(b, `\x%02x`, r)
	case unsafeRune(r):
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		b.WriteRune(r)
	}
}

// unsafeRune reports C1 controls and the bidirectional controls that can
// make a terminal or a browser show text in another order than it is
// stored ("Trojan Source").
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r < 0xa0) || r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// mdSpecial are the characters that start Markdown syntax inside a line:
// emphasis, code, links and images, raw HTML and autolinks, entities,
// strikethrough, table cells, and the backslash that escapes them.
const mdSpecial = "\\`*_[]<>|&~"

// mdEscape makes s one line of literal Markdown text, safe in a table
// cell, a list item or a heading: a line break cannot end the row or
// start a heading, and no character starts markup (no link, image,
// emphasis or HTML can be injected).
func mdEscape(s string) string {
	s = oneLine(s)
	if !strings.ContainsAny(s, mdSpecial) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			if strings.ContainsRune(mdSpecial, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode returns s as one Markdown code span, delimiters included: the
// delimiter is a run of backticks longer than any inside s, so s shows
// literally, backticks and all.
func mdCode(s string) string {
	s = oneLine(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s == "" || s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ') {
		s = " " + s + " " // CommonMark strips one space on each side
	}
	return fence + s + fence
}

// mdCellCode is mdCode for a table cell, where a pipe ends the cell even
// inside a code span unless it is escaped (GFM strips the backslash).
func mdCellCode(s string) string {
	return strings.ReplaceAll(mdCode(s), "|", `\|`)
}

// mdFence returns s as a fenced code block with the info string info:
// the fence is longer than any run of backticks in s, so no line of s can
// close it, and control characters are made visible.
func mdFence(s, info string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = oneLine(l)
	}
	body := strings.Join(lines, "\n")
	fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	return fence + info + "\n" + body + "\n" + fence
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}

// htmlEscape makes s one line of HTML text, for the inline HTML of a
// Markdown report (<summary>): a blank line would end the HTML block and
// let the rest be read as Markdown.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(oneLine(s))
}

// xmlText makes s XML 1.0 character data: tabs and line breaks stay,
// other control characters and bytes that are not UTF-8 are written out
// as \xNN (XML cannot hold them, and encoding/xml writes CDATA as it is),
// as are U+FFFE and U+FFFF.
func xmlText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteRune(r)
		case r == 0xFFFE || r == 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			writeVisible(&b, r, size, s[i-size])
		}
	}
	return b.String()
}
