package generator

import "strings"

// SecretName reports whether a header or parameter name carries a
// credential: Authorization, Cookie, Proxy-Authorization, or a name that
// says token, secret, key, password or auth. Such values are masked in
// every report and never copied into a Datadog test.
func SecretName(name string) bool {
	n := strings.ToLower(name)
	if n == "authorization" || n == "cookie" || n == "proxy-authorization" || n == "set-cookie" {
		return true
	}
	for _, w := range []string{"token", "secret", "key", "password", "auth"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
