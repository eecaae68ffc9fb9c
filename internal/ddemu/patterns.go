package ddemu

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Local variables, as a Datadog location renders them when it runs a
// test. A config variable of type text holds a pattern: text with
// built-ins in {{ }} (DataDog/documentation
// content/en/synthetics/api_tests/http_tests.md, "Create local
// variables"):
//
//	{{ numeric(n) }}          n digits
//	{{ alphabetic(n) }}       n letters
//	{{ alphanumeric(n) }}     n letters and digits (lower case here)
//	{{ uuid }}                a version 4 UUID
//	{{ date(n unit, format) }} the UTC start of the run ± n units, in a
//	                          moment.js format (units ms, s, m, h, d, w,
//	                          M, y; a bare n is days, as the older
//	                          "date(n, format)" form says)
//	{{ timestamp(n, unit) }}  the UTC start of the run ± n units, as an
//	                          integer in that unit (s or ms)
//	{{ public-id }}           the public id of the test
//	{{ result-id }}           the id of the run's result
//
// Each config variable is rendered once per test run, before the first
// request, and the same value is substituted wherever the test refers to
// it (the URL, headers, body and credentials of every step). A pattern
// with a function Datadog does not have fails the run, naming it.

// patternEnv is what built-ins are rendered with: the moment the run
// starts, the ids of the test and of its result, and a source of random
// numbers (crypto/rand when nil).
type patternEnv struct {
	now                time.Time
	publicID, resultID string
	// intn returns a uniform random number in [0, n).
	intn func(n int) int
}

func (e *patternEnv) rand(n int) int {
	if e.intn != nil {
		return e.intn(n)
	}
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0 // crypto/rand never fails (Go 1.24+)
	}
	return int(v.Int64())
}

// maxRandomLength bounds numeric(n) and its kin: a pattern is at most a
// short token, never a way to make the emulator allocate without bound.
const maxRandomLength = 1024

// builtinNames are the built-ins without arguments.
var builtinNames = map[string]bool{"uuid": true, "public-id": true, "result-id": true}

// isBuiltin reports whether the text inside {{ }} is a built-in rather
// than a variable name: a function call, or a name no variable can have.
func isBuiltin(expr string) bool {
	return strings.ContainsAny(expr, "() ") || builtinNames[expr]
}

// renderPattern renders every {{ built-in }} of a pattern; the text
// around them is kept as is. A reference to a variable inside a pattern
// is not a built-in: it is an error, as an unknown function is.
func renderPattern(pattern string, env *patternEnv) (string, error) {
	var firstErr error
	out := reference.ReplaceAllStringFunc(pattern, func(m string) string {
		expr := reference.FindStringSubmatch(m)[1]
		v, err := builtin(expr, env)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	})
	return out, firstErr
}

// builtin evaluates one built-in: "alphanumeric(8)", "uuid",
// "date(1h, YYYY-MM-DD)".
func builtin(expr string, env *patternEnv) (string, error) {
	expr = strings.TrimSpace(expr)
	open := strings.IndexByte(expr, '(')
	if open < 0 {
		switch expr {
		case "uuid":
			return newUUID(env), nil
		case "public-id":
			return env.publicID, nil
		case "result-id":
			return env.resultID, nil
		}
		return "", fmt.Errorf("{{ %s }}: no such built-in (numeric, alphabetic, alphanumeric, uuid, date, timestamp, public-id, result-id)", expr)
	}
	if !strings.HasSuffix(expr, ")") {
		return "", fmt.Errorf("{{ %s }}: a built-in call ends with ')'", expr)
	}
	fn := strings.TrimSpace(expr[:open])
	args := expr[open+1 : len(expr)-1]
	switch fn {
	case "numeric", "alphabetic", "alphanumeric":
		n, err := length(args)
		if err != nil {
			return "", fmt.Errorf("{{ %s }}: %w", expr, err)
		}
		return randomString(fn, n, env), nil
	case "uuid":
		if strings.TrimSpace(args) != "" {
			return "", fmt.Errorf("{{ %s }}: uuid takes no argument", expr)
		}
		return newUUID(env), nil
	case "date":
		shift, format, _ := strings.Cut(args, ",")
		d, err := parseShift(shift)
		if err != nil {
			return "", fmt.Errorf("{{ %s }}: %w", expr, err)
		}
		format = strings.TrimSpace(format)
		if format == "" {
			// moment.js's default format.
			format = "YYYY-MM-DDTHH:mm:ssZ"
		}
		return formatMoment(d(env.now.UTC()), format), nil
	case "timestamp":
		ns, unit, ok := strings.Cut(args, ",")
		n, err := strconv.ParseInt(strings.TrimSpace(ns), 10, 64)
		if !ok || err != nil {
			return "", fmt.Errorf("{{ %s }}: timestamp takes an integer and a unit: timestamp(n, s|ms)", expr)
		}
		switch strings.TrimSpace(unit) {
		case "s":
			return strconv.FormatInt(env.now.Unix()+n, 10), nil
		case "ms":
			return strconv.FormatInt(env.now.UnixMilli()+n, 10), nil
		}
		return "", fmt.Errorf("{{ %s }}: timestamp unit %q: want s or ms", expr, strings.TrimSpace(unit))
	}
	return "", fmt.Errorf("{{ %s }}: unknown function %q (numeric, alphabetic, alphanumeric, uuid, date, timestamp)", expr, fn)
}

// length parses the n of numeric(n) and its kin.
func length(arg string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(arg))
	if err != nil || n < 1 || n > maxRandomLength {
		return 0, fmt.Errorf("length %q: want an integer from 1 to %d", strings.TrimSpace(arg), maxRandomLength)
	}
	return n, nil
}

func randomString(fn string, n int, env *patternEnv) string {
	const digits = "0123456789"
	const lower = "abcdefghijklmnopqrstuvwxyz"
	alphabet := map[string]string{
		"numeric":      digits,
		"alphabetic":   lower + strings.ToUpper(lower),
		"alphanumeric": lower + digits,
	}[fn]
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[env.rand(len(alphabet))]
	}
	return string(b)
}

func newUUID(env *patternEnv) string {
	var h [16]byte
	for i := range h {
		h[i] = byte(env.rand(256))
	}
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

var shiftRe = regexp.MustCompile(`^([+-]?[0-9]{1,9})\s*(ms|s|m|h|d|w|M|y)?$`)

// parseShift parses the n unit of date(n unit, format): "1h", "-2d",
// "0s", "30m", "+1 M"; a bare n counts days.
func parseShift(s string) (func(time.Time) time.Time, error) {
	m := shiftRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, fmt.Errorf("shift %q: want an integer and a unit (ms, s, m, h, d, w, M, y)", strings.TrimSpace(s))
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return nil, fmt.Errorf("shift %q: %w", s, err)
	}
	unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "": 24 * time.Hour, "w": 7 * 24 * time.Hour}
	switch m[2] {
	case "M":
		return func(t time.Time) time.Time { return t.AddDate(0, n, 0) }, nil
	case "y":
		return func(t time.Time) time.Time { return t.AddDate(n, 0, 0) }, nil
	}
	d := time.Duration(n) * unit[m[2]]
	return func(t time.Time) time.Time { return t.Add(d) }, nil
}

// momentTokens are the moment.js format tokens the emulator renders,
// longest first so that "YYYY" is never read as two "YY".
var momentTokens = []string{
	"YYYY", "MMMM", "dddd", "SSS",
	"MMM", "ddd",
	"YY", "MM", "DD", "HH", "hh", "mm", "ss", "SS", "ZZ",
	"M", "D", "H", "h", "m", "s", "S", "A", "a", "Z", "X", "x",
}

// formatMoment formats t with a moment.js format string: the tokens
// above, text in [brackets] kept as is, any other character kept.
func formatMoment(t time.Time, f string) string {
	var b strings.Builder
	for len(f) > 0 {
		if f[0] == '[' {
			if end := strings.IndexByte(f, ']'); end > 0 {
				b.WriteString(f[1:end])
				f = f[end+1:]
				continue
			}
		}
		tok := ""
		for _, k := range momentTokens {
			if strings.HasPrefix(f, k) {
				tok = k
				break
			}
		}
		if tok == "" {
			b.WriteByte(f[0])
			f = f[1:]
			continue
		}
		b.WriteString(momentToken(t, tok))
		f = f[len(tok):]
	}
	return b.String()
}

func momentToken(t time.Time, tok string) string {
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	switch tok {
	case "YYYY":
		return fmt.Sprintf("%04d", t.Year())
	case "YY":
		return fmt.Sprintf("%02d", t.Year()%100)
	case "MMMM":
		return t.Month().String()
	case "MMM":
		return t.Month().String()[:3]
	case "MM":
		return fmt.Sprintf("%02d", int(t.Month()))
	case "M":
		return strconv.Itoa(int(t.Month()))
	case "DD":
		return fmt.Sprintf("%02d", t.Day())
	case "D":
		return strconv.Itoa(t.Day())
	case "dddd":
		return t.Weekday().String()
	case "ddd":
		return t.Weekday().String()[:3]
	case "HH":
		return fmt.Sprintf("%02d", t.Hour())
	case "H":
		return strconv.Itoa(t.Hour())
	case "hh":
		return fmt.Sprintf("%02d", h12)
	case "h":
		return strconv.Itoa(h12)
	case "mm":
		return fmt.Sprintf("%02d", t.Minute())
	case "m":
		return strconv.Itoa(t.Minute())
	case "ss":
		return fmt.Sprintf("%02d", t.Second())
	case "s":
		return strconv.Itoa(t.Second())
	case "SSS":
		return fmt.Sprintf("%03d", t.Nanosecond()/1e6)
	case "SS":
		return fmt.Sprintf("%02d", t.Nanosecond()/1e7)
	case "S":
		return strconv.Itoa(t.Nanosecond() / 1e8)
	case "A":
		return map[bool]string{false: "AM", true: "PM"}[t.Hour() >= 12]
	case "a":
		return map[bool]string{false: "am", true: "pm"}[t.Hour() >= 12]
	case "Z":
		return t.Format("-07:00")
	case "ZZ":
		return t.Format("-0700")
	case "X":
		return strconv.FormatInt(t.Unix(), 10)
	case "x":
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return tok
}

// configVariable is a config variable of a test, as stored.
type configVariable struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Pattern string `json:"pattern"`
	ID      string `json:"id"`
}

// localValues renders the test's config variables of type text, once
// for the run. Other types (global, email) have no value the emulator
// could give and are left out: their references stay as written.
func localValues(vars []configVariable, env *patternEnv) (map[string]string, error) {
	out := make(map[string]string, len(vars))
	for _, v := range vars {
		if v.Type != "text" {
			continue
		}
		val, err := renderPattern(v.Pattern, env)
		if err != nil {
			return nil, fmt.Errorf("config variable %s: pattern %q: %w", v.Name, v.Pattern, err)
		}
		out[v.Name] = val
	}
	return out, nil
}

// substitute replaces, in one field of a request, each {{ NAME }} with
// the value vars holds for it and each inline {{ built-in }} with its
// value; a reference to a variable without a value stays as written, as
// the strict rules refuse such a test before it can run.
func substitute(s string, vars map[string]string, env *patternEnv) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	var firstErr error
	out := reference.ReplaceAllStringFunc(s, func(m string) string {
		expr := reference.FindStringSubmatch(m)[1]
		if v, ok := vars[expr]; ok {
			return v
		}
		if !isBuiltin(expr) {
			return m
		}
		v, err := builtin(expr, env)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return m
		}
		return v
	})
	return out, firstErr
}
