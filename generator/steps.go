package generator

import (
	"slices"
	"strconv"
)

// Chains as a backend runs them in one sequence (a Datadog multistep
// test, a k6 group): the checks bindings link, in the order every backend
// sends them (Order), each step with the bindings it takes from an
// earlier step of its own chain. Both synthetics and report's k6 export
// group checks with Chains, so a chain is the same whichever backend
// renders it.

// Chain is checks that bindings link, in step order.
type Chain struct {
	// Steps are the checks, producers before consumers, a group's
	// deletes after every step that uses what its create made.
	Steps []Check
	// Binds[i] are the bindings Steps[i] takes from earlier steps: one
	// per target, the first whose producer is in the chain.
	Binds [][]Binding
}

// Chains groups the checks that bindings link into chains, in the order
// of their first step among checks; member maps the ID of each check in
// a chain to the chain's index. A consumer takes, for each target, the
// first binding whose producer is among checks (a write only from a
// write), leaving out values read from a list (see FromList). Members of
// a group (its read, update and delete) join their create's chain.
// Checks in no chain are not listed. A group's other deletes get a
// create of their own (Instances), a step of their chain.
func Chains(checks []Check) (out []Chain, member map[string]int) {
	if rebound, extra := Instances(checks); len(extra) > 0 {
		checks = append(rebound, extra...)
	}
	idx := make(map[string]int, len(checks))
	for i, c := range checks {
		idx[c.ID] = i
	}
	binds := make([][]Binding, len(checks))
	parent := make([]int, len(checks))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	linked := make([]bool, len(checks))
	for i, c := range checks {
		seen := map[string]bool{}
		for _, b := range c.Bindings {
			p, ok := idx[b.Producer]
			if !ok || seen[b.Target()] || p == i || (!c.Safe && checks[p].Safe) || FromList(b) {
				continue
			}
			seen[b.Target()] = true
			binds[i] = append(binds[i], b)
			union(i, p)
			linked[i], linked[p] = true, true
		}
		if c.Chain != nil {
			// A create repeated for a second delete joins the chain of
			// the create it repeats: it runs after the first delete.
			for _, g := range []string{c.Chain.Group, c.Chain.Instance} {
				if p, ok := idx[g]; ok && p != i {
					union(i, p)
					linked[i], linked[p] = true, true
				}
			}
		}
	}
	byRoot := map[int][]int{}
	var roots []int
	for i := range checks {
		if !linked[i] {
			continue
		}
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], i)
	}
	member = map[string]int{}
	for _, r := range roots {
		members := byRoot[r]
		sub := make([]Check, len(members))
		for k, i := range members {
			sub[k] = checks[i]
		}
		// The steps run in the runner's order: producers first, a
		// group's read right after its create, its delete last.
		pos := map[string]int{}
		for k, id := range Order(sub) {
			pos[id] = k
		}
		slices.SortStableFunc(members, func(a, b int) int {
			pa, oka := pos[checks[a].ID]
			pb, okb := pos[checks[b].ID]
			switch {
			case oka && okb:
				return pa - pb
			case oka:
				return 1
			case okb:
				return -1
			}
			return a - b
		})
		ch := Chain{}
		for _, i := range members {
			member[checks[i].ID] = len(out)
			ch.Steps = append(ch.Steps, checks[i])
			ch.Binds = append(ch.Binds, binds[i])
		}
		out = append(out, ch)
	}
	return out, member
}

// FromList reports a binding that reads an element of an array: a list
// may be empty, and a check that runs on its own schedule (a monitor, a
// load test) must not fail because a deployment holds no such item right
// now. Such consumers keep their static values; creates, Locations and
// single reads chain.
func FromList(b Binding) bool {
	x, err := ParseExpr(b.From)
	if err != nil || x.Part != "body" {
		return false
	}
	toks, err := SplitPointer(x.Pointer)
	if err != nil {
		return false
	}
	for _, t := range toks {
		if _, err := strconv.Atoi(t); err == nil {
			return true
		}
	}
	return false
}
