package synthetics

import (
	"fmt"
	"slices"

	"github.com/smoke-dev/smoke/generator"
)

// MaxSteps is the most steps Datadog lets a multistep API test have
// unless its support raises the limit ("By default, a maximum of 10
// steps can be created", docs: Synthetic Monitoring, Multistep API
// Testing).
const MaxSteps = 10

// chainGroup is one chain of checks as it is published: one multistep
// test, or, for a chain of more than MaxSteps steps, several, each
// complete on its own (see split).
type chainGroup struct {
	parts []chain
	// dropped are the steps that need more than MaxSteps steps on their
	// own (their producers, and the deletes of what those create).
	dropped []generator.Check
}

// chainGroups groups checks into chains (generator.Chains) and splits
// the long ones; member maps the ID of each check in a chain to its
// group's index.
func chainGroups(checks []generator.Check) ([]chainGroup, map[string]int) {
	chs, member := chains(checks)
	out := make([]chainGroup, len(chs))
	for i, ch := range chs {
		out[i] = ch.split(MaxSteps)
	}
	return out, member
}

// split cuts a chain of more than max steps into tests Datadog accepts,
// each complete on its own: every step comes with the steps it takes
// values from (transitively), with what it undoes (a revoke with its
// grant) and with the delete of every resource those create, so each
// test cleans up what it made. The first test
// starts at the chain's first step and keeps the chain's identity;
// every next one starts at the first step not yet covered, whose ID
// makes its identity, and takes the next uncovered steps while they
// fit. A step that does not fit max steps even alone is dropped.
func (ch chain) split(max int) chainGroup {
	if len(ch.steps) <= max {
		return chainGroup{parts: []chain{ch}}
	}
	pos := make(map[string]int, len(ch.steps))
	for i, c := range ch.steps {
		pos[c.ID] = i
	}
	deletes := map[int][]int{} // create → its group's deletes in the chain
	for i, c := range ch.steps {
		if c.Chain != nil && c.Chain.Role == generator.RoleDelete {
			if p, ok := pos[c.Chain.Group]; ok && p != i {
				deletes[p] = append(deletes[p], i)
			}
		}
	}
	// An undo needs what it undoes (a revoke its grant).
	undone := generator.Undoes(ch.steps)
	// closure is what step i needs to run and clean up after itself.
	closure := func(i int) map[int]bool {
		set := map[int]bool{}
		todo := []int{i}
		for len(todo) > 0 {
			j := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if set[j] {
				continue
			}
			set[j] = true
			for _, b := range ch.binds[j] {
				if p, ok := pos[b.Producer]; ok {
					todo = append(todo, p)
				}
			}
			todo = append(todo, deletes[j]...)
			todo = append(todo, undone[j]...)
		}
		return set
	}
	var g chainGroup
	covered := make([]bool, len(ch.steps))
	for i := range ch.steps {
		if covered[i] {
			continue
		}
		cur := closure(i)
		if len(cur) > max {
			g.dropped = append(g.dropped, ch.steps[i])
			covered[i] = true
			continue
		}
		for j := i + 1; j < len(ch.steps); j++ {
			if covered[j] || cur[j] {
				continue
			}
			next := closure(j)
			union := len(cur)
			for k := range next {
				if !cur[k] {
					union++
				}
			}
			if union <= max {
				for k := range next {
					cur[k] = true
				}
			}
		}
		idx := make([]int, 0, len(cur))
		for k := range cur {
			idx = append(idx, k)
			covered[k] = true
		}
		slices.Sort(idx)
		part := chain{head: ch.steps[i].ID}
		for _, k := range idx {
			part.steps = append(part.steps, ch.steps[k])
			part.binds = append(part.binds, ch.binds[k])
		}
		g.parts = append(g.parts, part)
	}
	for k := range g.parts {
		g.parts[k].part, g.parts[k].of = k+1, len(g.parts)
	}
	return g
}

// notes says how a chain was split, and which steps were left out, on
// its first test.
func (g chainGroup) notes() []string {
	var out []string
	if len(g.parts) > 1 {
		out = append(out, fmt.Sprintf("split in %d multistep tests: Datadog runs at most %d steps per test", len(g.parts), MaxSteps))
	}
	for _, c := range g.dropped {
		out = append(out, fmt.Sprintf("%s %s left out: with the steps it takes values from and the deletes of what they create, it needs more than %d steps", c.Method, c.Path, MaxSteps))
	}
	return out
}
