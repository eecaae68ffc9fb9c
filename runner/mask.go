package runner

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/smoke-dev/smoke/generator"
)

// minSecretLen is the shortest value masked inside free text: masking a
// one-character "secret" would blank every occurrence of that character.
const minSecretLen = 4

// sensitiveHeader reports headers whose values are credentials.
func sensitiveHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Auth-Token":
		return true
	}
	return false
}

// credentialParts returns the value and the parts of it that identify a
// credential: the token after an auth scheme, the decoded user:password of
// Basic auth, each cookie value.
func credentialParts(v string) []string {
	out := []string{v}
	if scheme, token, ok := strings.Cut(v, " "); ok {
		token = strings.TrimSpace(token)
		out = append(out, token)
		if strings.EqualFold(scheme, "basic") {
			if dec, err := base64.StdEncoding.DecodeString(token); err == nil {
				_, pass, _ := strings.Cut(string(dec), ":") // a user name is not a secret
				out = append(out, string(dec), pass)
			}
		}
	}
	for _, kv := range strings.Split(v, ";") {
		if _, val, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
			out = append(out, val)
		}
	}
	return out
}

// checkSecrets returns the secret values of c: secret params and the
// values of its credential headers and cookies.
func checkSecrets(c generator.Check) []string {
	var out []string
	for _, group := range [][]generator.Param{c.Request.Path, c.Request.Query, c.Request.Headers, c.Request.Cookies} {
		for _, p := range group {
			if p.Secret {
				out = append(out, p.Value)
			}
		}
	}
	for _, h := range c.Request.Headers {
		if sensitiveHeader(h.Name) {
			out = append(out, credentialParts(h.Value)...)
		}
	}
	for _, ck := range c.Request.Cookies {
		out = append(out, ck.Value)
	}
	return out
}

// mask replaces every secret value known for c in s with generator.Mask.
// Longer values go first, so a token inside a longer header value is
// masked whole.
func (r *Runner) mask(c generator.Check, s string) string {
	own := checkSecrets(c)
	if len(own) == 0 && len(r.secrets) == 0 {
		return s
	}
	secrets := append(own, r.secrets...)
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, v := range slices.Compact(secrets) {
		if len(v) >= minSecretLen {
			s = strings.ReplaceAll(s, v, generator.Mask)
		}
	}
	return s
}

// Curl returns a shell command that repeats check c against the Runner's
// base URL (or baseURL when not empty), with every secret masked. Reports
// print it under a failure so a person can reproduce it.
func (r *Runner) Curl(baseURL string, c generator.Check) string {
	target := baseURL
	if target == "" && r.base != nil {
		target = r.base.String()
	}
	base, err := parseBaseURL(target)
	if err != nil {
		return ""
	}
	u, err := generator.JoinURL(base, c.Request.URL)
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
	b.WriteString(" " + shellQuote(r.mask(c, u.String())))
	header := func(name, value string, secret bool) {
		if secret || sensitiveHeader(name) {
			value = generator.Mask
		}
		b.WriteString(" -H " + shellQuote(name+": "+r.mask(c, value)))
	}
	overridden := func(name string) bool {
		_, ok := r.opts.Headers[http.CanonicalHeaderKey(name)]
		return ok
	}
	for _, h := range c.Request.Headers {
		if !overridden(h.Name) {
			header(h.Name, h.Value, h.Secret)
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
		b.WriteString(" --data-raw " + shellQuote(r.mask(c, c.Request.Body.Text)))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// restyLogger sends resty's own messages to the Runner's logger at debug
// level: a library must not print.
type restyLogger struct{ l *slog.Logger }

func (l restyLogger) Errorf(format string, v ...any) {
	l.l.Debug("resty: " + fmt.Sprintf(format, v...))
}
func (l restyLogger) Warnf(format string, v ...any) { l.l.Debug("resty: " + fmt.Sprintf(format, v...)) }
func (l restyLogger) Debugf(format string, v ...any) {
	l.l.Debug("resty: " + fmt.Sprintf(format, v...))
}
