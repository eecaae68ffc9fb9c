package generator

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dynamic values.
//
// Some request values only make sense relative to when the request is
// sent (a silence that starts in an hour) or to the run that sends it (a
// repository name no earlier run has taken). The plan keeps such values as
// placeholders, so that plans stay byte-identical; the runner renders them
// just before sending, and the synthetics package turns them into Datadog
// local variables.
//
// A placeholder is "${" word [offset] "}":
//
//	${now}        the send time, RFC 3339 UTC to the second: 2025-06-01T12:00:00Z
//	${now+1h}     an hour later; offsets are digits and a unit s, m, h or d,
//	${now-30m}    repeated as in ${now+1h30m}, with a sign + or -
//	${date+1d}    the UTC date (format: date): 2025-06-02
//	${time+1h}    the UTC time of day (format: time): 13:00:00Z
//	${unix+1h}    Unix seconds (an integer); ${unixms} Unix milliseconds
//	${run}        the run token: 8 lower-case letters and digits, the same
//	              for every request of one run, new for every run
//	${uuid}       a random version 4 UUID, one per request
//
// The words are reserved lower-case names. Environment references in
// smoke.yaml (${API_TOKEN}) are upper-case by convention and are expanded
// by ExpandEnv (envref.go) in headers, auth and base URLs only, never in check
// values; anything between ${ and } that is not a placeholder above is
// plain text.
//
// Only a request marked Dynamic is rendered. In such a request every
// string (the URL, parameter values, the body text) is template text:
// "$${" stands for a literal "${", so an example that contains "${" is
// sent as written. Rendered values use only letters, digits and "-:", so
// a placeholder needs no URL or JSON escaping: the URL carries it as is.

// Vars are what dynamic placeholders are rendered with.
type Vars struct {
	// Now is the send time; placeholders render it in UTC.
	Now time.Time
	// Run is the run token ${run} renders.
	Run string
	// UUID makes the value of ${uuid}; nil means a random version 4 UUID.
	UUID func() string
}

// Placeholder is one parsed ${…} of template text.
type Placeholder struct {
	// Word is now, date, time, unix, unixms, run or uuid.
	Word string
	// Offset is added to the send time (now, date, time, unix, unixms).
	Offset time.Duration
	// Text is the placeholder as written, "${now+1h}".
	Text string
}

// Placeholder words.
const (
	WordNow    = "now"
	WordDate   = "date"
	WordTime   = "time"
	WordUnix   = "unix"
	WordUnixMS = "unixms"
	WordRun    = "run"
	WordUUID   = "uuid"
)

// RunTokenLen is the length of a run token.
const RunTokenLen = 8

// maxOffset bounds an offset, so that rendering never overflows a time.
const maxOffset = 100 * 365 * 24 * time.Hour

// timed reports whether a word takes an offset.
func timed(word string) bool {
	switch word {
	case WordNow, WordDate, WordTime, WordUnix, WordUnixMS:
		return true
	}
	return false
}

// ParsePlaceholder parses text that starts with "${"; it returns the
// placeholder and its length, or ok false when the text does not start
// with a placeholder.
func ParsePlaceholder(s string) (p Placeholder, n int, ok bool) {
	if !strings.HasPrefix(s, "${") {
		return p, 0, false
	}
	end := strings.IndexByte(s, '}')
	if end < 0 || end > 40 {
		return p, 0, false
	}
	body := s[2:end]
	word, rest := body, ""
	if i := strings.IndexAny(body, "+-"); i >= 0 {
		word, rest = body[:i], body[i:]
	}
	switch word {
	case WordNow, WordDate, WordTime, WordUnix, WordUnixMS, WordRun, WordUUID:
	default:
		return p, 0, false
	}
	p = Placeholder{Word: word, Text: s[:end+1]}
	if rest == "" {
		return p, end + 1, true
	}
	if !timed(word) {
		return Placeholder{}, 0, false
	}
	d, ok := parseOffset(rest)
	if !ok {
		return Placeholder{}, 0, false
	}
	p.Offset = d
	return p, end + 1, true
}

// parseOffset reads "+1h30m" or "-2d".
func parseOffset(s string) (time.Duration, bool) {
	sign := time.Duration(1)
	switch s[0] {
	case '-':
		sign = -1
	case '+':
	default:
		return 0, false
	}
	s = s[1:]
	if s == "" {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 9 {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:i]) // at most 9 digits: cannot fail
		var unit time.Duration
		switch s[i] {
		case 's':
			unit = time.Second
		case 'm':
			unit = time.Minute
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		default:
			return 0, false
		}
		total += time.Duration(n) * unit
		if total > maxOffset {
			return 0, false
		}
		s = s[i+1:]
	}
	return sign * total, true
}

// Segment is a piece of template text: literal text, or a placeholder.
type Segment struct {
	// Literal is the text of a literal segment, "$${" already turned
	// into "${".
	Literal string
	// Placeholder is set for a placeholder segment.
	Placeholder *Placeholder
}

// Split cuts template text into literal segments and placeholders.
func Split(s string) []Segment {
	var out []Segment
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, Segment{Literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '$' {
			j := strings.IndexByte(s[i:], '$')
			if j < 0 {
				j = len(s) - i
			}
			lit.WriteString(s[i : i+j])
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "$${") {
			lit.WriteString("${")
			i += 3
			continue
		}
		if p, n, ok := ParsePlaceholder(s[i:]); ok {
			flush()
			out = append(out, Segment{Placeholder: &p})
			i += n
			continue
		}
		lit.WriteByte('$')
		i++
	}
	flush()
	return out
}

// HasPlaceholder reports whether template text holds a placeholder.
func HasPlaceholder(s string) bool {
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '$')
		if j < 0 {
			return false
		}
		i += j
		if strings.HasPrefix(s[i:], "$${") {
			i += 3
			continue
		}
		if _, _, ok := ParsePlaceholder(s[i:]); ok {
			return true
		}
		i++
	}
	return false
}

// Escape turns literal text into template text: every "${" becomes
// "$${", so that rendering gives the text back unchanged.
func Escape(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return strings.ReplaceAll(s, "${", "$${")
}

// unescape is Render for template text without placeholders.
func unescape(s string) string {
	if !strings.Contains(s, "$${") {
		return s
	}
	return strings.ReplaceAll(s, "$${", "${")
}

// Render renders template text with v.
func Render(s string, v Vars) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, seg := range Split(s) {
		if seg.Placeholder == nil {
			b.WriteString(seg.Literal)
			continue
		}
		b.WriteString(seg.Placeholder.Render(v))
	}
	return b.String()
}

// Render returns the value of the placeholder.
func (p Placeholder) Render(v Vars) string {
	t := v.Now.UTC().Add(p.Offset)
	switch p.Word {
	case WordNow:
		return t.Format("2006-01-02T15:04:05Z")
	case WordDate:
		return t.Format("2006-01-02")
	case WordTime:
		return t.Format("15:04:05Z")
	case WordUnix:
		return strconv.FormatInt(t.Unix(), 10)
	case WordUnixMS:
		return strconv.FormatInt(t.UnixMilli(), 10)
	case WordRun:
		if v.Run == "" {
			return "smokerun"
		}
		return v.Run
	case WordUUID:
		if v.UUID != nil {
			return v.UUID()
		}
		return NewUUID()
	}
	return p.Text
}

// NewRunToken returns a fresh run token: RunTokenLen lower-case letters
// and digits, starting with a letter (names often must).
func NewRunToken() string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	const alnum = letters + "0123456789"
	var b [RunTokenLen]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	out := make([]byte, RunTokenLen)
	out[0] = letters[int(b[0])%len(letters)]
	for i := 1; i < RunTokenLen; i++ {
		out[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(out)
}

// NewUUID returns a random version 4 UUID.
func NewUUID() string {
	var h [16]byte
	_, _ = rand.Read(h[:]) // never fails (Go 1.24+)
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Rendered returns the check with its dynamic request rendered with v:
// placeholders replaced, escapes undone, Dynamic cleared. A request that
// is not dynamic is returned as is. The check itself is not modified (its
// slices are copied), so one check may be rendered concurrently.
func (c Check) Rendered(v Vars) Check {
	if !c.Request.Dynamic {
		return c
	}
	if v.UUID == nil {
		// One uuid per request, the same wherever ${uuid} appears, as
		// a Datadog local variable behaves.
		id := NewUUID()
		v.UUID = func() string { return id }
	}
	r := c.Request
	r.Dynamic = false
	r.URL = Render(r.URL, v)
	r.Path = renderParams(r.Path, v)
	r.Query = renderParams(r.Query, v)
	r.Headers = renderParams(r.Headers, v)
	r.Cookies = renderParams(r.Cookies, v)
	if r.Body != nil {
		b := *r.Body
		b.Text = Render(b.Text, v)
		r.Body = &b
	}
	c.Request = r
	return c
}

func renderParams(ps []Param, v Vars) []Param {
	if len(ps) == 0 {
		return ps
	}
	out := make([]Param, len(ps))
	for i, p := range ps {
		p.Value = Render(p.Value, v)
		out[i] = p
	}
	return out
}

// escapeTemplate applies esc (a URL escaper) to the literal parts of
// template text and keeps its placeholders as they are: their rendered
// values need no escaping.
func escapeTemplate(s string, esc func(string) string) string {
	if !strings.Contains(s, "${") {
		return esc(s)
	}
	var b strings.Builder
	for _, seg := range Split(s) {
		if seg.Placeholder != nil {
			b.WriteString(seg.Placeholder.Text)
			continue
		}
		b.WriteString(esc(seg.Literal))
	}
	return b.String()
}
