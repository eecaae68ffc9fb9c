package runner

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/smoke-dev/smoke/generator"
)

// maskerFor returns the Masker for check c: the Runner's secrets and the
// credentials of c (generator.Check.SecretValues). Checks usually share
// their credentials (one auth scheme for the whole API), so Maskers are
// cached by the secrets they add.
func (r *Runner) maskerFor(c generator.Check) *generator.Masker {
	own := c.SecretValues()
	if len(own) == 0 {
		return r.masker
	}
	key := strings.Join(own, "\x00")
	if m, ok := r.maskers.Load(key); ok {
		return m.(*generator.Masker)
	}
	m, _ := r.maskers.LoadOrStore(key, r.masker.With(own...))
	return m.(*generator.Masker)
}

// mask replaces every secret known for c in s with generator.Mask, in
// every encoding the secret can take (see generator.Masker).
func (r *Runner) mask(c generator.Check, s string) string {
	return r.maskerFor(c).Mask(s)
}

// Secrets returns the values the Runner masks besides each check's own:
// Options.Secrets, the credentials of Options.Headers and of the base
// URL's user information. diff masks its examples with them.
func (r *Runner) Secrets() []string {
	return r.masker.Values()
}

// withAuth returns c sending auth as its Authorization header (the user
// information of a base URL), in place of one of its own. The header is
// secret, so every rendering of c masks it and its parts.
func withAuth(c generator.Check, auth string) generator.Check {
	if auth == "" {
		return c
	}
	hs := make([]generator.Param, 0, len(c.Request.Headers)+1)
	for _, h := range c.Request.Headers {
		if !strings.EqualFold(h.Name, "Authorization") {
			hs = append(hs, h)
		}
	}
	c.Request.Headers = append(hs, generator.Param{Name: "Authorization", Value: auth, Source: generator.SourceSecret, Secret: true})
	return c
}

// splitBase parses a base URL and takes its user information out, as the
// value of an Authorization header: credentials travel in a header and
// never show in a URL.
func splitBase(baseURL string) (*url.URL, string, error) {
	clean, auth, _ := generator.Userinfo(baseURL)
	u, err := parseBaseURL(clean)
	return u, auth, err
}

// Curl returns a shell command that repeats check c against the Runner's
// base URL (or baseURL when not empty), with every secret masked. Reports
// print it under a failure so a person can reproduce it.
func (r *Runner) Curl(baseURL string, c generator.Check) string {
	base, auth := r.base, r.auth
	if baseURL != "" {
		var err error
		if base, auth, err = splitBase(baseURL); err != nil {
			return ""
		}
	}
	if base == nil {
		return ""
	}
	c = withAuth(c, auth)
	m := r.maskerFor(c)
	u, err := joinURL(base, c.Request.URL)
	if err != nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("curl -sS -i")
	if c.Method != http.MethodGet {
		if c.Method == http.MethodHead {
			b.WriteString(" --head")
		} else {
			b.WriteString(" -X " + c.Method)
		}
	}
	if r.opts.Insecure {
		b.WriteString(" --insecure")
	}
	b.WriteString(" " + shellQuote(m.Mask(u.String())))
	header := func(name, value string, secret bool) {
		if secret || generator.IsCredentialName(name) {
			value = generator.Mask
		}
		b.WriteString(" -H " + shellQuote(name+": "+m.Mask(value)))
	}
	overridden := func(name string) bool {
		_, ok := r.opts.Headers[http.CanonicalHeaderKey(name)]
		return ok
	}
	for _, h := range c.Request.Headers {
		if !overridden(h.Name) {
			header(h.Name, h.Value, h.IsSecret())
		}
	}
	names := make([]string, 0, len(r.opts.Headers))
	for name := range r.opts.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range r.opts.Headers[name] {
			header(name, v, false)
		}
	}
	if len(c.Request.Cookies) > 0 {
		header("Cookie", "", true)
	}
	if c.Request.Body != nil {
		if c.Request.Body.ContentType != "" && !overridden("Content-Type") {
			header("Content-Type", c.Request.Body.ContentType, false)
		}
		b.WriteString(" --data-raw " + shellQuote(m.Mask(c.Request.Body.Text)))
	}
	return b.String()
}

// shellQuote quotes s for a shell. Text with control characters, invalid
// UTF-8 or bidirectional controls is written with ANSI-C quoting
// ($'...\n...'), which bash, zsh, ksh and POSIX.1-2024 sh read: the command
// stays on one line, and printing it cannot drive the terminal.
func shellQuote(s string) string {
	if !needsANSIC(s) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

func needsANSIC(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || unsafeRune(r) {
			return true
		}
	}
	return false
}

// unsafeRune reports C1 controls and the bidirectional controls that can
// reorder what a terminal shows.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r < 0xa0) || r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// restyLogger sends resty's own messages to the Runner's logger at debug

// level: a library must not print. Messages are masked with the Runner's
// secrets, should resty ever quote a request.
type restyLogger struct {
	l *slog.Logger
	m *generator.Masker
}

func (l restyLogger) printf(format string, v ...any) {
	l.l.Debug("resty: " + l.m.Mask(fmt.Sprintf(format, v...)))
}

func (l restyLogger) Errorf(format string, v ...any) { l.printf(format, v...) }
func (l restyLogger) Warnf(format string, v ...any)  { l.printf(format, v...) }
func (l restyLogger) Debugf(format string, v ...any) { l.printf(format, v...) }
