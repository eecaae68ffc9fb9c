package diff

import (
	"fmt"
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

// Selector returns what the rule selects, without its action and reason.
func (r Rule) Selector() Selector {
	return Selector{Operation: r.Operation, Pointer: r.Pointer, Header: r.Header, Kind: r.Kind}
}

// String describes the rule for warnings and reports.
func (r Rule) String() string {
	return string(r.Action) + r.Selector().String()
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
	if err := r.Selector().Validate(); err != nil {
		return &UsageError{Msg: fmt.Sprintf("rule %s: %v", r, err)}
	}
	return nil
}

// Selector identifies differences the way a person writes them down: by
// operation, pointer template, header and kind. It is the one identity of
// a difference: diff's rules (smoke.yaml's diff.rules) and baselines of
// accepted findings both select with it, so that what one of them names
// is named the same way by the other.
type Selector struct {
	// Operation scopes the selector: "GET /pets/{petId}" (a path glob
	// after the method is allowed: "GET /pets/*"), a path alone
	// ("/status"), an operationId, or empty (every operation). See
	// generator.Selector.
	Operation string `json:"operation,omitempty" yaml:"operation,omitempty"`
	// Pointer is a JSON pointer template into the body ("/items/*/id");
	// "*" matches any one token and a pointer covers everything below it.
	Pointer string `json:"pointer,omitempty" yaml:"pointer,omitempty"`
	// Header names a response header (a trailing "*" matches a prefix).
	Header string `json:"header,omitempty" yaml:"header,omitempty"`
	// Kind restricts the selector to one kind of difference (status,
	// latency ...). A selector with neither Pointer, Header nor Kind covers
	// every difference of the operations it scopes.
	Kind Kind `json:"kind,omitempty" yaml:"kind,omitempty"`
}

// String describes the selector: ` operation "GET /pets" pointer "/id"
// kind changed`, each part with a leading space, "" for an empty one.
func (s Selector) String() string {
	var b strings.Builder
	if s.Operation != "" {
		fmt.Fprintf(&b, " operation %q", s.Operation)
	}
	if s.Pointer != "" {
		fmt.Fprintf(&b, " pointer %q", s.Pointer)
	}
	if s.Header != "" {
		fmt.Fprintf(&b, " header %q", s.Header)
	}
	if s.Kind != "" {
		fmt.Fprintf(&b, " kind %s", s.Kind)
	}
	return b.String()
}

// Validate checks that the selector is usable: a well-formed operation
// selector and pointer, a known kind, and not both a pointer and a header.
func (s Selector) Validate() error {
	if s.Pointer != "" && s.Header != "" {
		return &UsageError{Msg: "pointer and header exclude each other"}
	}
	if _, err := generator.SplitPointer(s.Pointer); err != nil {
		return &UsageError{Msg: err.Error()}
	}
	if !KnownKind(s.Kind) && s.Kind != "" {
		return &UsageError{Msg: fmt.Sprintf("unknown kind %q", s.Kind)}
	}
	if err := generator.Selector(s.Operation).Validate(); err != nil {
		return &UsageError{Msg: err.Error()}
	}
	return nil
}

// KnownKind reports whether k is one of the difference kinds.
func KnownKind(k Kind) bool {
	switch k {
	case KindChanged, KindMissing, KindAdded, KindType, KindStatus, KindHeader, KindSchema, KindLatency:
		return true
	}
	return false
}

// Compile validates the selector and prepares it for matching.
func (s Selector) Compile() (*Matcher, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s.compile(), nil
}

// compile prepares a valid selector for matching.
func (s Selector) compile() *Matcher {
	tokens, _ := generator.SplitPointer(s.Pointer) // the caller validated it
	return &Matcher{sel: s, tokens: tokens}
}

// Matcher is a compiled Selector.
type Matcher struct {
	sel    Selector
	tokens []string
}

// Selector returns the selector m was compiled from.
func (m *Matcher) Selector() Selector { return m.sel }

// MatchOperation reports whether the selector scopes the operation of
// method, path template and operationId.
func (m *Matcher) MatchOperation(method, path, operationID string) bool {
	return generator.Selector(m.sel.Operation).Match(method, path, operationID)
}

// Match reports whether the selector names a reported difference of
// operation op: its operation, and where and what the difference is.
func (m *Matcher) Match(op Operation, d Difference) bool {
	if !m.MatchOperation(op.Method, op.Path, op.OperationID) {
		return false
	}
	return m.matchWhere(d.Kind, d.Header, renderedPointer(d.Pointer))
}

// tokenSource gives the tokens of a difference's body pointer, computed
// only when a selector names a pointer: a jpath while comparing, a
// rendered pointer once reported.
type tokenSource interface{ tokens() []string }

// renderedPointer is the pointer of a reported difference.
type renderedPointer string

func (p renderedPointer) tokens() []string {
	toks, _ := generator.SplitPointer(string(p)) // a malformed pointer matches as the root
	return toks
}

// matchWhere is the one rule of what a selector matches within an
// operation: the kind when it names one; the header when it names one (a
// difference of another header, or of the body, does not match); the
// pointer template when it names one, against the body pointer's tokens
// (a status, latency or header difference has none), taken from at only
// then.
func (m *Matcher) matchWhere(kind Kind, header string, at tokenSource) bool {
	s := m.sel
	if s.Kind != "" && s.Kind != kind {
		return false
	}
	if s.Header != "" && (header == "" || !matchName([]string{s.Header}, header)) {
		return false
	}
	if s.Pointer != "" {
		if header != "" || kind == KindStatus || kind == KindLatency {
			return false
		}
		if !matchTemplate(m.tokens, at.tokens()) {
			return false
		}
	}
	return true
}

// ruleSet applies rules and remembers which matched something. It is
// safe for concurrent use.
type ruleSet struct {
	mu       sync.Mutex // guards used and scoped
	rules    []Rule
	matchers []*Matcher
	used     []bool // matched a difference
	scoped   []bool // matched an operation
}

func newRuleSet(rules []Rule) (*ruleSet, error) {
	rs := &ruleSet{rules: rules, matchers: make([]*Matcher, len(rules)),
		used: make([]bool, len(rules)), scoped: make([]bool, len(rules))}
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, err
		}
		rs.matchers[i] = r.Selector().compile()
	}
	return rs, nil
}

// forCheck returns the indices of the rules scoped to c.
func (rs *ruleSet) forCheck(c generator.Check) []int {
	var out []int
	for i, m := range rs.matchers {
		if m.MatchOperation(c.Method, c.Path, c.OperationID) {
			out = append(out, i)
		}
	}
	return out
}

// match returns the first rule among scope that matches d.
func (rs *ruleSet) match(scope []int, d rawDiff) (Rule, bool) {
	for _, i := range scope {
		if rs.matchers[i].matchWhere(d.kind, d.header, d.at) {
			return rs.rules[i], true
		}
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
