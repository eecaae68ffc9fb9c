package generator

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Selector names operations the way reviewed files do (diff's rules in
// smoke.yaml, baselines of accepted findings): "GET /pets/{petId}" (a
// path glob may follow the method: "GET /pets/*"), a path alone
// ("/status", any method), an operationId, or "" and "*" for every
// operation. The method is compared case-insensitively; path and
// operationId exactly.
type Selector string

// Validate checks that the selector is well formed: "METHOD /path" with a
// method and a path glob that path.Match accepts.
func (s Selector) Validate() error {
	sel := strings.TrimSpace(string(s))
	method, p, ok := strings.Cut(sel, " ")
	if !ok {
		if strings.HasPrefix(sel, "/") {
			if _, err := path.Match(sel, "/"); err != nil {
				return fmt.Errorf("operation path: %w", err)
			}
		}
		return nil
	}
	p = strings.TrimSpace(p)
	if method == "" || !strings.HasPrefix(p, "/") {
		return errors.New(`operation must be "METHOD /path", a path or an operationId`)
	}
	if _, err := path.Match(p, "/"); err != nil {
		return fmt.Errorf("operation path: %w", err)
	}
	return nil
}

// Match reports whether the selector names the operation of method, path
// template and operationId.
func (s Selector) Match(method, pathTemplate, operationID string) bool {
	sel := strings.TrimSpace(string(s))
	if sel == "" || sel == "*" {
		return true
	}
	if m, p, ok := strings.Cut(sel, " "); ok {
		return strings.EqualFold(m, method) && matchPath(strings.TrimSpace(p), pathTemplate)
	}
	if strings.HasPrefix(sel, "/") {
		return matchPath(sel, pathTemplate)
	}
	return sel == operationID
}

// MatchCheck is Match for a check.
func (s Selector) MatchCheck(c Check) bool { return s.Match(c.Method, c.Path, c.OperationID) }

// matchPath matches a path template against a selector's path: equal, or
// matched as a glob ("*" within one segment). A template's own braces
// ("{petId}") are compared as written.
func matchPath(pattern, p string) bool {
	if pattern == p {
		return true
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}
