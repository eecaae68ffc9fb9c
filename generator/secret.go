package generator

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// This file holds smoke's one rule for secrets: which request values are
// credentials, and how a credential is masked wherever it may show (a
// report, a curl line, a log, an error). runner, diff, report and the smoke
// command all use it; none has a rule of its own.

// MinSecretLen is the shortest value masked inside free text. Masking a
// one- or three-character "secret" would blank every occurrence of those
// characters in a report; a credential that short protects nothing anyway.
const MinSecretLen = 4

// credentialNames are names that are credentials as a whole, compared
// lower-case with separators removed.
var credentialNames = []string{"authorization", "proxyauthorization", "cookie", "setcookie", "key", "auth", "token", "jwt", "sid"}

// credentialWords make a name a credential when they are one of its words
// (X-Auth-Token, session_id, clientSecret).
var credentialWords = []string{"auth", "authorization", "token", "secret", "password", "passwd", "passphrase", "pwd", "jwt", "signature", "apikey", "session", "sessionid"}

// credentialSuffixes make a word a credential when it ends with one
// (accesstoken, clientsecret, dbpassword).
var credentialSuffixes = []string{"token", "secret", "password", "apikey"}

// credentialKeys make a name a credential when its separator-free form
// contains one: "key" alone names too many things that are not secrets
// (sort_key, Idempotency-Key), a qualified key does not.
var credentialKeys = []string{"apikey", "accesskey", "secretkey", "privatekey", "authkey", "sessionkey",
	"subscriptionkey", "functionskey", "clientkey", "appkey", "signingkey", "masterkey", "licensekey"}

// IsCredentialName reports whether a header, query parameter or cookie
// named name carries a credential: Authorization, Proxy-Authorization,
// Cookie and Set-Cookie; names with a word such as token, secret,
// password, auth or session (X-Auth-Token, client_secret, sessionId); and
// qualified keys (X-Api-Key, api_key, Ocp-Apim-Subscription-Key). The
// comparison ignores case and separators. A bare word like "author",
// "keyword" or "sort_key" is not a credential.
func IsCredentialName(name string) bool {
	words := nameWords(name)
	joined := strings.Join(words, "")
	if slices.Contains(credentialNames, joined) {
		return true
	}
	for _, k := range credentialKeys {
		if strings.Contains(joined, k) {
			return true
		}
	}
	for _, w := range words {
		if slices.Contains(credentialWords, w) {
			return true
		}
		for _, s := range credentialSuffixes {
			if strings.HasSuffix(w, s) {
				return true
			}
		}
	}
	return false
}

// nameWords splits a name into lower-case words at separators and at
// lower-to-upper case changes: "X-Api-Key" and "xApiKey" both give
// x, api, key; "startsAt" gives starts, at. It is how the generator reads
// names, for secrets and for values alike.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	return words
}

// userSupplied reports whether a value came from the user (smoke.yaml,
// the environment, a flag) rather than from the document: only such a
// value can be a secret. A document's example is public, and a generated
// value is smoke's own.
func userSupplied(s Source) bool {
	return s == SourceFixture || s == SourceConfig || s == SourceSecret
}

// IsSecret reports whether the value of p is a credential: marked Secret,
// or supplied by the user for a credential name (IsCredentialName). It is
// masked in every rendering of a check.
func (p Param) IsSecret() bool {
	return p.Secret || (userSupplied(p.Source) && IsCredentialName(p.Name))
}

// SecretValues returns the values of c that are credentials: its secret
// parameters (with the parts of each credential header, see
// CredentialParts) and the values of the cookies the user supplied.
func (c Check) SecretValues() []string {
	var out []string
	r := c.Request
	for _, group := range [][]Param{r.Path, r.Query, r.Headers} {
		for _, p := range group {
			if p.IsSecret() {
				out = append(out, CredentialParts(p.Value)...)
			}
		}
	}
	for _, p := range r.Cookies {
		if p.IsSecret() || userSupplied(p.Source) {
			out = append(out, p.Value)
		}
	}
	return out
}

// CredentialParts returns a credential value and the parts of it that
// identify the credential on their own: the token after an auth scheme
// ("Bearer t0k3n"), the user:password and the password of HTTP Basic,
// each cookie value of a Cookie header. A user name alone is not a secret.
func CredentialParts(v string) []string {
	out := []string{v}
	if scheme, token, ok := strings.Cut(v, " "); ok {
		token = strings.TrimSpace(token)
		out = append(out, token)
		if strings.EqualFold(scheme, "basic") {
			if dec, err := base64.StdEncoding.DecodeString(token); err == nil {
				_, pass, _ := strings.Cut(string(dec), ":")
				out = append(out, string(dec), pass)
			}
		}
	}
	if strings.Contains(v, "=") {
		for _, kv := range strings.Split(v, ";") {
			if _, val, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
				out = append(out, val)
			}
		}
	}
	return out
}

// BasicAuth returns the value of an Authorization header for HTTP Basic
// authentication.
func BasicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// Userinfo splits the credentials out of a base URL, so they are sent as a
// header and never shown: "https://u:p@host/v1" gives "https://host/v1"
// and the Authorization value of HTTP Basic for u:p. A URL without user
// information (or one that does not parse) comes back unchanged with an
// empty authorization. secrets lists what must be masked: the password
// (or, without one, the user name, which then is the token, as in
// "https://TOKEN@host"), user:password and the header value.
func Userinfo(rawURL string) (clean, authorization string, secrets []string) {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL, "", nil
	}
	user := u.User.Username()
	pass, hasPass := u.User.Password()
	authorization = BasicAuth(user, pass)
	secrets = []string{authorization, user + ":" + pass, u.User.String()}
	if hasPass {
		secrets = append(secrets, pass)
	} else {
		secrets = append(secrets, user)
	}
	u.User = nil
	return u.String(), authorization, secrets
}

// RedactURL returns rawURL without its user information, for messages: it
// also works on a URL that does not parse, where the credentials would
// otherwise be quoted back in the error.
func RedactURL(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		if u.User == nil {
			return rawURL
		}
		u.User = nil
		return u.String()
	}
	// Unparseable: drop what sits between "://" and the last "@" before
	// the path, as url.Parse would have read it.
	i := strings.Index(rawURL, "://")
	if i < 0 {
		return rawURL
	}
	rest := rawURL[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return rawURL[:i+3] + rest[at+1:]
	}
	return rawURL
}

// Masker replaces secret values in text with Mask. A value is found in
// every form it can take on its way into a report or a log:
//
//   - as it is;
//   - URL-encoded as a query value (space as "+") and as a path segment
//     (space as "%20"), with upper- or lower-case hex digits;
//   - escaped inside a JSON string (by Go, with or without HTML escaping,
//     or with "\/" as other encoders write it), inside a JSON string held
//     in another JSON string, and inside a Go-quoted string (%q);
//   - as a key in a JSON pointer ("/" written "~1", "~" written "~0");
//   - for a user:password pair, base64-encoded as HTTP Basic sends it.
//
// Values shorter than MinSecretLen are not masked. A nil *Masker masks
// nothing. Mask text before cutting it to length: a secret cut in half is
// no longer recognised.
type Masker struct {
	values []string // the secrets, sorted, without duplicates
	r      *strings.Replacer
}

// NewMasker returns a Masker for values.
func NewMasker(values ...string) *Masker {
	return (*Masker)(nil).With(values...)
}

// With returns a Masker for m's values and values. m is not changed; when
// values adds nothing, With returns m.
func (m *Masker) With(values ...string) *Masker {
	var have []string
	if m != nil {
		have = m.values
	}
	all := slices.Clone(have)
	for _, v := range values {
		if len(v) >= MinSecretLen {
			all = append(all, v)
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	if m != nil && len(all) == len(have) {
		return m
	}
	if len(all) == 0 {
		return nil
	}
	var forms []string
	for _, v := range all {
		forms = append(forms, encodings(v)...)
	}
	// Longest first: at one position the replacer takes the first form
	// that matches, so a token inside a longer value is masked whole.
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	forms = slices.Compact(forms)
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Mask)
	}
	return &Masker{values: all, r: strings.NewReplacer(pairs...)}
}

// Values returns the secrets m masks, sorted.
func (m *Masker) Values() []string {
	if m == nil {
		return nil
	}
	return slices.Clone(m.values)
}

// Mask returns s with every form of every secret replaced by Mask.
func (m *Masker) Mask(s string) string {
	if m == nil || m.r == nil || s == "" {
		return s
	}
	return m.r.Replace(s)
}

// Cut masks s, then shortens it to at most n bytes (on a rune boundary)
// followed by "…" when it is longer: masking first, so no part of a
// secret survives the cut.
func (m *Masker) Cut(s string, n int) string {
	s = m.Mask(s)
	if len(s) <= n {
		return s
	}
	// A cut inside a mask keeps the whole mask: "***…" would read as a
	// different value.
	from := max(0, n-len(Mask)+1)
	if j := strings.Index(s[from:min(len(s), n+len(Mask)-1)], Mask); j >= 0 {
		n = from + j + len(Mask)
		if n == len(s) {
			return s
		}
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// encodings returns the forms a secret value takes in text.
func encodings(v string) []string {
	forms := []string{v}
	for _, e := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		forms = append(forms, e, lowerHex(e))
	}
	// JSON (Go's encoder with and without HTML escaping, and "\/" as
	// PHP and others write a slash) and Go's %q.
	plain, _ := json.Marshal(v) // a string always marshals
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a string always encodes
	noHTML := strings.TrimSuffix(b.String(), "\n")
	twice, _ := json.Marshal(noHTML[1 : len(noHTML)-1]) // JSON inside a JSON string
	for _, q := range []string{string(plain), noHTML, string(twice), strconv.Quote(v), strconv.QuoteToASCII(v)} {
		inner := q[1 : len(q)-1]
		forms = append(forms, inner, strings.ReplaceAll(inner, "/", `\/`))
	}
	// A JSON pointer to a key that is the secret (RFC 6901 escaping).
	forms = append(forms, strings.NewReplacer("~", "~0", "/", "~1").Replace(v))
	// user:password travels base64-encoded in HTTP Basic.
	if strings.Contains(v, ":") {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(v)))
		}
	}
	out := forms[:0]
	for _, f := range forms {
		if len(f) >= MinSecretLen {
			out = append(out, f)
		}
	}
	return out
}

// lowerHex rewrites the hex digits of %XX escapes in lower case, as some
// encoders write them.
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = lowerASCII(b[i+1])
			b[i+2] = lowerASCII(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
