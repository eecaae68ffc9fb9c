package diff

import (
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/smoke-dev/smoke/generator"
)

// Action says what a rule does with the differences it matches.
type Action string

// Rule actions.
const (
	// Ignore silences a difference that does not matter (a field that
	// holds the host name, say).
	Ignore Action = "ignore"
	// Expect silences a difference the migration makes on purpose (a
	// field renamed in the same release).
	Expect Action = "expect"
)

// Rule silences differences, within an operation scope, at a pointer
// template, a header or of a kind. Every rule must say why: the reason
// is printed next to every difference it silences, so a reviewer can
// judge it.
type Rule struct {
	Action Action `json:"action" yaml:"action"`
	// Operation scopes the rule: "GET /pets/{petId}" (a path glob after
	// the method is allowed: "GET /pets/*"), a path alone ("/status"), an
	// operationId, or empty (every operation).
	Operation string `json:"operation,omitempty" yaml:"operation,omitempty"`
	// Pointer is a JSON pointer template into the body ("/items/*/id");
	// "*" matches any one token and a pointer covers everything below it.
	Pointer string `json:"pointer,omitempty" yaml:"pointer,omitempty"`
	// Header names a response header (a trailing "*" matches a prefix).
	Header string `json:"header,omitempty" yaml:"header,omitempty"`
	// Kind restricts the rule to one kind of difference (status,
	// latency ...). A rule with neither Pointer, Header nor Kind covers
	// every difference of the operations it scopes.
	Kind   Kind   `json:"kind,omitempty" yaml:"kind,omitempty"`
	Reason string `json:"reason" yaml:"reason"`
}

// String describes the rule for warnings and reports.
func (r Rule) String() string {
	var b strings.Builder
	b.WriteString(string(r.Action))
	if r.Operation != "" {
		fmt.Fprintf(&b, " operation %q", r.Operation)
	}
	if r.Pointer != "" {
		fmt.Fprintf(&b, " pointer %q", r.Pointer)
	}
	if r.Header != "" {
		fmt.Fprintf(&b, " header %q", r.Header)
	}
	if r.Kind != "" {
		fmt.Fprintf(&b, " kind %s", r.Kind)
	}
	return b.String()
}

// Validate checks that the rule is usable: a known action and kind, a
// reason, a well-formed pointer and operation selector.
func (r Rule) Validate() error {
	switch r.Action {
	case Ignore, Expect:
	default:
		return &UsageError{Msg: fmt.Sprintf("rule %s: action %q: want ignore or expect", r, r.Action)}
	}
	if strings.TrimSpace(r.Reason) == "" {
		return &UsageError{Msg: fmt.Sprintf("rule %s: a reason is required", r)}
	}
	if r.Pointer != "" && r.Header != "" {
		return &UsageError{Msg: fmt.Sprintf("rule %s: pointer and header exclude each other", r)}
	}
	if _, err := generator.SplitPointer(r.Pointer); err != nil {
		return &UsageError{Msg: fmt.Sprintf("rule %s: %v", r, err)}
	}
	switch r.Kind {
	case "", KindChanged, KindMissing, KindAdded, KindType, KindStatus, KindHeader, KindSchema, KindLatency:
	default:
		return &UsageError{Msg: fmt.Sprintf("rule %s: unknown kind %q", r, r.Kind)}
	}
	if method, p, ok := strings.Cut(r.Operation, " "); ok {
		if method == "" || !strings.HasPrefix(p, "/") {
			return &UsageError{Msg: fmt.Sprintf("rule %s: operation must be \"METHOD /path\", a path or an operationId", r)}
		}
		if _, err := path.Match(p, "/"); err != nil {
			return &UsageError{Msg: fmt.Sprintf("rule %s: operation path: %v", r, err)}
		}
	}
	return nil
}

// ruleSet applies rules and remembers which matched something. It is
// safe for concurrent use.
type ruleSet struct {
	mu     sync.Mutex // guards used and scoped
	rules  []Rule
	tokens [][]string
	used   []bool // matched a difference
	scoped []bool // matched an operation

}

func newRuleSet(rules []Rule) (*ruleSet, error) {
	rs := &ruleSet{rules: rules, tokens: make([][]string, len(rules)),
		used: make([]bool, len(rules)), scoped: make([]bool, len(rules))}
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, err
		}
		rs.tokens[i], _ = generator.SplitPointer(r.Pointer) // validated above
	}
	return rs, nil
}

// forCheck returns the indices of the rules scoped to c.
func (rs *ruleSet) forCheck(c generator.Check) []int {
	var out []int
	for i, r := range rs.rules {
		if matchOperation(r.Operation, c) {
			out = append(out, i)
		}
	}
	return out
}

// match returns the first rule among scope that matches d.
func (rs *ruleSet) match(scope []int, d rawDiff) (Rule, bool) {
	for _, i := range scope {
		r := rs.rules[i]
		if r.Kind != "" && r.Kind != d.kind {
			continue
		}
		if r.Header != "" && (d.header == "" || !matchName([]string{r.Header}, d.header)) {
			continue
		}
		if r.Pointer != "" {
			if d.header != "" || d.kind == KindStatus || d.kind == KindLatency {
				continue
			}
			if !matchTemplate(rs.tokens[i], d.at.tokens()) {
				continue
			}
		}
		return r, true
	}
	return Rule{}, false
}

// markScoped records that the rules in scope applied to an operation.
func (rs *ruleSet) markScoped(scope []int) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, i := range scope {
		rs.scoped[i] = true
	}
}

func (rs *ruleSet) markUsed(r Rule) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i := range rs.rules {
		if rs.rules[i] == r {
			rs.used[i] = true
		}
	}
}

// warnings names the rules that matched no operation or no difference:
// a stale rule silences nothing today and may hide something tomorrow.
func (rs *ruleSet) warnings() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var out []string
	for i, r := range rs.rules {
		switch {
		case !rs.scoped[i]:
			out = append(out, fmt.Sprintf("rule %s (%s) matched no operation", r, r.Reason))
		case !rs.used[i]:
			out = append(out, fmt.Sprintf("rule %s (%s) matched no difference", r, r.Reason))
		}
	}
	return out
}

// matchOperation reports whether the selector names check c.
func matchOperation(sel string, c generator.Check) bool {
	sel = strings.TrimSpace(sel)
	if sel == "" || sel == "*" {
		return true
	}
	if method, p, ok := strings.Cut(sel, " "); ok {
		return strings.EqualFold(method, c.Method) && matchPath(strings.TrimSpace(p), c.Path)
	}
	if strings.HasPrefix(sel, "/") {
		return matchPath(sel, c.Path)
	}
	return sel == c.OperationID
}

func matchPath(pattern, p string) bool {
	if pattern == p {
		return true
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}
