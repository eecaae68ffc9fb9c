package generator

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/smoke-dev/smoke/spec"
)

// Filter selects checks. A check is kept when it matches at least one
// Include pattern (or Include is empty), matches no Exclude pattern, and
// is safe when ReadOnly is set.
//
// Pattern forms:
//
//	GET                  a method (or several: GET,HEAD)
//	/pets/*              a path glob: * matches within a segment, ** across segments
//	GET /pets/{petId}    method and path glob
//	tag:admin            a tag
//	op:listPets          an operationId (also operationId:listPets)
//	id:1a2b3c4d5e6f      a check ID
type Filter struct {
	Include  []string
	Exclude  []string
	ReadOnly bool

	include, exclude []matcher
}

type matcher func(Check) bool

// NewFilter parses the patterns and reports the first malformed one as
// a *PatternError.
func NewFilter(include, exclude []string, readOnly bool) (Filter, error) {
	f := Filter{Include: include, Exclude: exclude, ReadOnly: readOnly}
	for i, p := range include {
		m, err := parsePattern(p)
		if err != nil {
			return Filter{}, &PatternError{Exclude: false, Index: i, Pattern: p, Err: err}
		}
		f.include = append(f.include, m)
	}
	for i, p := range exclude {
		m, err := parsePattern(p)
		if err != nil {
			return Filter{}, &PatternError{Exclude: true, Index: i, Pattern: p, Err: err}
		}
		f.exclude = append(f.exclude, m)
	}
	return f, nil
}

// PatternError is a malformed filter pattern: the Index-th of the include
// (or exclude) list, so a caller can say where the pattern was written.
type PatternError struct {
	Exclude bool
	Index   int
	Pattern string
	Err     error
}

func (e *PatternError) Error() string { return fmt.Sprintf("%q: %v", e.Pattern, e.Err) }
func (e *PatternError) Unwrap() error { return e.Err }

// Match reports whether the filter keeps c.
func (f Filter) Match(c Check) bool {
	if f.ReadOnly && !c.Safe {
		return false
	}
	if len(f.include) > 0 {
		ok := false
		for _, m := range f.include {
			if m(c) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, m := range f.exclude {
		if m(c) {
			return false
		}
	}
	return true
}

// Apply returns the checks f keeps, in order.
func (f Filter) Apply(checks []Check) []Check {
	out := make([]Check, 0, len(checks))
	for _, c := range checks {
		if f.Match(c) {
			out = append(out, c)
		}
	}
	return out
}

func parsePattern(p string) (matcher, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return nil, fmt.Errorf("empty pattern")
	}
	if k, v, ok := strings.Cut(p, ":"); ok && !strings.HasPrefix(p, "/") && !strings.Contains(k, " ") {
		switch strings.ToLower(k) {
		case "tag":
			return func(c Check) bool {
				for _, t := range c.Tags {
					if strings.EqualFold(t, v) {
						return true
					}
				}
				return false
			}, nil
		case "op", "operation", "operationid":
			return func(c Check) bool { return c.OperationID == v }, nil
		case "id":
			return func(c Check) bool { return c.ID == v }, nil
		}
		return nil, fmt.Errorf("unknown selector %q (want tag:, op:, id:, a method or a path glob)", k+":")
	}
	methodPart, pathPart := "", p
	if !strings.HasPrefix(p, "/") {
		methodPart, pathPart, _ = strings.Cut(p, " ")
		pathPart = strings.TrimSpace(pathPart)
	}
	var methods map[string]bool
	if methodPart != "" {
		methods = map[string]bool{}
		for _, m := range strings.Split(methodPart, ",") {
			m = strings.ToUpper(strings.TrimSpace(m))
			if !slices.Contains(spec.Methods, m) {
				return nil, fmt.Errorf("%q is not an HTTP method OpenAPI defines", m)
			}
			methods[m] = true
		}
	}
	var glob *regexp.Regexp
	if pathPart != "" {
		if !strings.HasPrefix(pathPart, "/") {
			return nil, fmt.Errorf("path glob %q must start with /", pathPart)
		}
		re, err := globRegexp(pathPart)
		if err != nil {
			return nil, err
		}
		glob = re
	}
	return func(c Check) bool {
		if methods != nil && !methods[c.Method] {
			return false
		}
		return glob == nil || glob.MatchString(path.Clean(c.Path)) || glob.MatchString(c.Path)
	}, nil
}

// globRegexp compiles a path glob: ** spans segments, * stays within one,
// ? is one character; everything else is literal (braces included).
func globRegexp(g string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		switch {
		case strings.HasPrefix(g[i:], "/**"):
			b.WriteString("(/.*)?")
			i += 2
		case strings.HasPrefix(g[i:], "**"):
			b.WriteString(".*")
			i++
		case g[i] == '*':
			b.WriteString("[^/]*")
		case g[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(g[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}
