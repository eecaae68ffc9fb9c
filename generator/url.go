package generator

import (
	"fmt"
	"net/url"
	"strings"
)

// JoinURL returns the absolute URL of a check's relative URL
// (Request.URL: a path with its parameters already escaped, optionally a
// query) under base. It is the one way smoke joins a target and a check:
// every backend that sends or publishes a check calls it.
//
// The result keeps base's scheme, userinfo and host, and base's path as a
// prefix, whatever rel holds ("//other.host/x", "@host", "http://…" are
// path text). rel is taken as escaped text and never re-interpreted: an
// escaped separator (%2F), an escaped dot (%2E) and a literal dot segment
// are sent exactly as written, so a path value such as "../../admin",
// which the generator escapes to "..%2F..%2Fadmin", cannot climb out of
// base's path. Bytes that may not appear raw in a path or query (a space
// from the path template, non-ASCII, controls, '#', '[', a '%' that starts
// no escape) are percent-encoded; existing escapes are kept as written.
func JoinURL(base *url.URL, rel string) (*url.URL, error) {
	if base == nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("check URL %q: the base URL must be absolute", rel)
	}
	path, query, _ := strings.Cut(rel, "?")
	escaped := JoinPath(base.EscapedPath(), escapeRaw(path, false))
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		// escapeRaw leaves only well-formed escapes; base came from url.Parse.
		return nil, fmt.Errorf("check URL %q: %w", rel, err)
	}
	u := &url.URL{
		Scheme:   base.Scheme,
		User:     base.User,
		Host:     base.Host,
		Path:     unescaped,
		RawPath:  escaped,
		RawQuery: escapeRaw(query, true),
	}
	if got := u.EscapedPath(); got != escaped {
		// Never send a path other than the one the plan shows.
		return nil, fmt.Errorf("check URL %q: path %q would be sent as %q", rel, escaped, got)
	}
	return u, nil
}

// JoinPath joins a base URL's path prefix and a check's path, both as
// escaped text: the prefix keeps no trailing slash, the path gets a
// leading one. It is the joining rule of JoinURL, for a backend that
// must keep its own template syntax raw in the path (Datadog's
// {{ VAR }}), and so cannot have the result escaped.
func JoinPath(prefix, path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return strings.TrimSuffix(prefix, "/") + path
}

// ParseBaseURL accepts an absolute http(s) URL without query or fragment:
// the target a check is joined to. Messages quote it without user
// information.
func ParseBaseURL(raw string) (*url.URL, error) {
	s := RedactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // its text quotes the URL whole
		}
		return nil, fmt.Errorf("base URL %q: %w", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL %q: want an absolute http:// or https:// URL", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q: no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q: must not have a query or fragment", s)
	}
	return u, nil
}

// escapeRaw percent-encodes the bytes of s that may not appear raw in a
// URL path (or, with query set, a query) per RFC 3986, keeping every
// existing %XX escape as written and encoding a '%' that starts none.
func escapeRaw(s string, query bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !rawOK(s, i, query) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if rawOK(s, i, query) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// rawOK reports whether s[i] may stay as it is: an unreserved character, a
// sub-delimiter, ':' '@' '/' (and '?' in a query), or the '%' of a
// well-formed escape.
func rawOK(s string, i int, query bool) bool {
	c := s[i]
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/':
		return true
	case '?':
		return query
	case '%':
		return i+2 < len(s) && isHex(s[i+1:i+3])
	}
	return false
}
