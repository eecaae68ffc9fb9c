package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// TestMatcherMatch: a compiled selector names reported differences by
// operation, kind, header and pointer template, as rules do.
func TestMatcherMatch(t *testing.T) {
	op := Operation{Method: "GET", Path: "/pets/{petId}", OperationID: "getPet"}
	missingTag := Difference{Kind: KindMissing, Pointer: "/tag", Template: "/tag"}
	nested := Difference{Kind: KindChanged, Pointer: "/items/3/id", Template: "/items/*/id"}
	escaped := Difference{Kind: KindChanged, Pointer: "/a~1b/c", Template: "/a~1b/c"}
	header := Difference{Kind: KindHeader, Header: "X-Api-Version"}
	status := Difference{Kind: KindStatus}
	tests := []struct {
		sel  Selector
		d    Difference
		want bool
	}{
		{Selector{}, missingTag, true},
		{Selector{Operation: "getPet", Pointer: "/tag", Kind: KindMissing}, missingTag, true},
		{Selector{Operation: "GET /pets/*", Pointer: "/tag"}, missingTag, true},
		{Selector{Operation: "listPets", Pointer: "/tag"}, missingTag, false},
		{Selector{Pointer: "/tag", Kind: KindAdded}, missingTag, false},
		{Selector{Pointer: "/items/*/id"}, nested, true},
		{Selector{Pointer: "/items"}, nested, true}, // a pointer covers what is below it
		{Selector{Pointer: "/items/*/name"}, nested, false},
		{Selector{Pointer: "/items/3/id"}, nested, true}, // a concrete index is a template too
		{Selector{Pointer: "/a~1b"}, escaped, true},      // tokens, not text
		{Selector{Pointer: "/a"}, escaped, false},
		{Selector{Header: "X-Api-*"}, header, true},
		{Selector{Header: "x-api-version", Kind: KindHeader}, header, true}, // header names fold case
		{Selector{Header: "X-Other"}, header, false},
		{Selector{Pointer: "/tag"}, header, false}, // a header difference has no pointer
		{Selector{Header: "X-Api-Version"}, missingTag, false},
		{Selector{Kind: KindStatus}, status, true},
		{Selector{Pointer: "/x", Kind: KindStatus}, status, false},
	}
	for _, tt := range tests {
		m, err := tt.sel.Compile()
		if err != nil {
			t.Fatalf("Compile(%s): %v", tt.sel, err)
		}
		if got := m.Match(op, tt.d); got != tt.want {
			t.Errorf("Selector{%s}.Match(%s %s) = %v, want %v", tt.sel, tt.d.Kind, tt.d.Location(), got, tt.want)
		}
	}
}

func TestSelectorValidate(t *testing.T) {
	for sel, want := range map[Selector]string{
		{}: "",
		{Operation: "GET /pets", Pointer: "/a/*/b", Kind: KindChanged}: "",
		{Pointer: "/a", Header: "X-A"}:                                 "pointer and header exclude each other",
		{Pointer: "a"}:                                                 `invalid JSON pointer "a": must be empty or start with /`,
		{Pointer: "/a~2"}:                                              `invalid JSON pointer "/a~2": ~ must be followed by 0 or 1`,
		{Kind: "gone"}:                                                 `unknown kind "gone"`,
		{Operation: "GET pets"}:                                        `operation must be "METHOD /path", a path or an operationId`,
		{Operation: "GET /pets/["}:                                     "operation path: syntax error in pattern",
	} {
		err := sel.Validate()
		if (want == "") != (err == nil) || err != nil && err.Error() != want {
			t.Errorf("Selector{%s}.Validate() = %v, want %q", sel, err, want)
		}
		if _, cerr := sel.Compile(); (cerr == nil) != (err == nil) {
			t.Errorf("Compile and Validate disagree on %s", sel)
		}
	}
	// A rule's errors name the rule.
	err := Rule{Action: Ignore, Pointer: "a", Reason: "r"}.Validate()
	if err == nil || err.Error() != `rule ignore pointer "a": invalid JSON pointer "a": must be empty or start with /` {
		t.Errorf("Rule.Validate = %v", err)
	}
}

// BenchmarkCompareRules measures the classification of one operation
// whose 100 differing fields are each tested against 50 rules scoped to
// it: the cost of the shared matcher on the path rules take.
func BenchmarkCompareRules(b *testing.B) {
	body := func(v int) string {
		var sb strings.Builder
		sb.WriteString(`{"items":[`)
		for i := range 100 {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"id":%d,"name":"pet-%d"}`, i, v)
		}
		sb.WriteString(`]}`)
		return sb.String()
	}
	var old, new []Sample
	for range 6 {
		old = append(old, Sample{Response: resp(200, body(1), "X-Request-Id", "a")})
		new = append(new, Sample{Response: resp(200, body(2), "X-Request-Id", "a")})
	}
	var rules []Rule
	for i := range 49 {
		rules = append(rules, Rule{Action: Ignore, Operation: "GET /pets", Pointer: fmt.Sprintf("/items/*/field%d", i), Reason: "r"})
	}
	rules = append(rules, Rule{Action: Expect, Operation: "GET /pets", Pointer: "/items/*/name", Kind: KindChanged, Reason: "r"})
	all := []Samples{{Check: generator.Check{ID: "x", Method: "GET", Path: "/pets"}, Old: old, New: new}}
	opts := Options{Rules: rules, Latency: LatencyOptions{Disabled: true}}
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Compare(all, opts)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Operations[0].Count(ClassExpected) != 100 {
			b.Fatalf("expected 100 silenced differences, got %d", rep.Operations[0].Count(ClassExpected))
		}
	}
}
