package generator

import (
	"errors"
	"fmt"
	"strings"
)

// JSON pointers (RFC 6901) address values inside bodies: schema failures,
// diff differences and rules, and the values a check takes from another
// check's answer all use them. This file is the one place that escapes
// and unescapes them.

var (
	tokenEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	tokenUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// EscapeToken escapes one reference token: "~" becomes "~0", "/" "~1".
func EscapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return tokenEscaper.Replace(s)
}

// JoinPointer builds a pointer from unescaped tokens; no tokens give "",
// the whole document.
func JoinPointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(EscapeToken(t))
	}
	return b.String()
}

// ErrPointer is wrapped by the errors of SplitPointer.
var ErrPointer = errors.New("invalid JSON pointer")

// SplitPointer splits a pointer into its unescaped tokens. The empty
// pointer (the whole document) has none. A pointer that does not start
// with "/", or has a "~" not followed by 0 or 1, is an error wrapping
// ErrPointer.
func SplitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("%w %q: must be empty or start with /", ErrPointer, p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		for j := 0; j < len(s); j++ {
			if s[j] == '~' && (j+1 == len(s) || (s[j+1] != '0' && s[j+1] != '1')) {
				return nil, fmt.Errorf("%w %q: ~ must be followed by 0 or 1", ErrPointer, p)
			}
		}
		if strings.IndexByte(s, '~') >= 0 {
			parts[i] = tokenUnescaper.Replace(s)
		}
	}
	return parts, nil
}
