package generator

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/smoke-dev/smoke/spec"
)

// Operation is what smoke.yaml says about one operation: values to send,
// whether to check it at all, and how to judge its answer. Generate applies
// it, so that every backend sees the same checks.
type Operation struct {
	Fixture
	// Skip leaves the operation out of the plan (Plan.Skipped lists it).
	Skip bool
	// Expect replaces the documented status codes ("404" for a fixture
	// that is meant not to exist, "2XX", "default").
	Expect []string
	// Assertions refine how the answer is judged (see Check.Assertions).
	Assertions Assertions
	// Bind overrides the operation's bindings, one entry per target (see
	// Rebind); NoChain drops every binding smoke inferred for it (those
	// of Bind stay).
	Bind    []Rebind
	NoChain bool
	// Where names the place the settings were written ("smoke.yaml:12"),
	// for messages; empty when unknown.
	Where string
}

// Assertions are a check's own assertion settings, on top of the run's.
// Names are the runner's assertion names (not_server_error,
// status_documented, content_type, response_schema, required_headers,
// latency).
type Assertions struct {
	// Skip names assertions not to evaluate for this check.
	Skip []string `json:"skip,omitempty"`
	// LatencyMS is this check's latency budget in milliseconds; zero
	// keeps the run's.
	LatencyMS int `json:"latency_ms,omitempty"`
}

// Latency returns the budget as a duration.
func (a Assertions) Latency() time.Duration { return time.Duration(a.LatencyMS) * time.Millisecond }

// IsZero reports whether a sets nothing.
func (a Assertions) IsZero() bool { return len(a.Skip) == 0 && a.LatencyMS == 0 }

// OperationKey is how smoke.yaml names an operation: "METHOD /path" with
// the method upper-cased, or an operationId as written.
func OperationKey(key string) string {
	k := strings.TrimSpace(key)
	if m, p, ok := strings.Cut(k, " "); ok && strings.HasPrefix(strings.TrimSpace(p), "/") {
		return strings.ToUpper(m) + " " + strings.TrimSpace(p)
	}
	return k
}

// policy is Options.Operations matched to the document's operations: the
// one place a key of smoke.yaml is tied to an operation.
type policy struct {
	byOp map[string]Operation // "METHOD /path" → settings
}

// matchOperations ties every key of ops to the operations it names. A key
// naming nothing is a warning (a typo would otherwise silently drop a
// fixture); a key naming an operationId that several operations share,
// or two keys naming one operation, is an error: which settings apply
// would depend on luck.
func matchOperations(ops []spec.Operation, settings map[string]Operation) (policy, []string, error) {
	p := policy{byOp: map[string]Operation{}}
	if len(settings) == 0 {
		return p, nil, nil
	}
	byKey := map[string]bool{}
	byID := map[string][]string{}
	for _, op := range ops {
		key := op.Method + " " + op.Path
		byKey[key] = true
		if id := op.Operation.OperationID; id != "" {
			byID[id] = append(byID[id], key)
		}
	}
	var warnings []string
	claimed := map[string]string{} // "METHOD /path" → the smoke.yaml key that named it
	for _, raw := range slices.Sorted(maps.Keys(settings)) {
		s := settings[raw]
		where := "operations: "
		if s.Where != "" {
			where = s.Where + ": operations: "
		}
		k := OperationKey(raw)
		var target string
		switch {
		case byKey[k]:
			target = k
		case len(byID[k]) == 1:
			target = byID[k][0]
		case len(byID[k]) > 1:
			return p, nil, fmt.Errorf("%s%q is the operationId of %d operations (%s): name it as \"METHOD /path\"",
				where, raw, len(byID[k]), strings.Join(byID[k], ", "))
		default:
			warnings = append(warnings, fmt.Sprintf("%s%q matches no operation of the spec (use \"METHOD /path\" or an operationId)", where, raw))
			continue
		}
		if other, dup := claimed[target]; dup {
			return p, nil, fmt.Errorf("%s%q and %q both name %s: keep one", where, other, raw, target)
		}
		claimed[target] = raw
		p.byOp[target] = s
	}
	return p, warnings, nil
}

func (p policy) forOp(op spec.Operation) (Operation, bool) {
	s, ok := p.byOp[op.Method+" "+op.Path]
	return s, ok
}

// apply sets the check's expectations and assertions from its settings.
func (s Operation) apply(c *Check) {
	if len(s.Expect) > 0 {
		c.Expect = overrideStatus(c.Expect, s.Expect)
	}
	if !s.Assertions.IsZero() {
		a := s.Assertions
		c.Assertions = &a
	}
}

// StatusKey normalises a response key as OpenAPI writes it: a code from
// 100 to 599 ("404"), a range ("4XX", any case) or "default".
func StatusKey(s string) (string, error) {
	k := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case k == "DEFAULT":
		return "default", nil
	case len(k) == 3 && k[0] >= '1' && k[0] <= '5' && k[1:] == "XX":
		return k, nil
	case len(k) == 3 && k[0] >= '1' && k[0] <= '5' && isDigit(k[1]) && isDigit(k[2]):
		return k, nil
	}
	return "", fmt.Errorf("status %q: want a code from 100 to 599, a range such as 4XX, or default", s)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// overrideStatus replaces the documented statuses with the configured
// ones, keeping what the document says about those it also documents.
// Keys that StatusKey refuses are left out (callers check them first).
func overrideStatus(e Expect, statuses []string) Expect {
	out := Expect{}
	for _, raw := range statuses {
		s, err := StatusKey(raw)
		if err != nil {
			continue
		}
		out.Status = append(out.Status, s)
		found := false
		for _, r := range e.Responses {
			if strings.EqualFold(r.Status, s) {
				out.Responses = append(out.Responses, r)
				found = true
			}
		}
		if !found {
			out.Responses = append(out.Responses, Response{Status: s})
		}
	}
	return out
}
