package generator

import (
	"slices"
	"strings"
)

// The order of a chain's checks, as every backend runs them: the runner
// schedules by Dependencies, diff samples by them, synthetics orders a
// multistep test's steps by Order.

// Order returns the IDs of the checks that take part in a chain (with
// bindings or a role), producers before consumers, a group's read before
// its updates and uses, and its deletes after every other check that
// depends on its create; ties keep the order of checks. Constraints that
// would contradict each other are dropped, so Order always terminates.
func Order(checks []Check) []string {
	deps := Dependencies(checks)
	var order []string
	n := len(checks)
	indeg := make([]int, n)
	users := make([][]int, n)
	in := make([]bool, n)
	for i, ds := range deps {
		if len(ds) > 0 || checks[i].Chain != nil || len(checks[i].Bindings) > 0 {
			in[i] = true
		}
		for _, d := range ds {
			in[d] = true
			indeg[i]++
			users[d] = append(users[d], i)
		}
	}
	done := make([]bool, n)
	for {
		next := -1
		for i := range n {
			if in[i] && !done[i] && indeg[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			// Everything left waits on something: take the first.
			for i := range n {
				if in[i] && !done[i] {
					next = i
					break
				}
			}
		}
		if next < 0 {
			return order
		}
		done[next] = true
		order = append(order, checks[next].ID)
		for _, u := range users[next] {
			indeg[u]--
		}
	}
}

// Dependencies returns, for each check, the indexes of the checks it
// waits for: the first present producer of each bound target; for a group's update, use or
// delete, the group's read (read-after-write comes first); for a
// delete, every other check that depends on the group's create, directly
// or not; for a list of a collection a chain creates in, that create's
// read (and the create's deletes wait for the list). Producers and
// groups outside checks are ignored. Edges that would close a cycle are
// left out.
func Dependencies(checks []Check) [][]int {
	var w walker
	n := len(checks)
	idx := make(map[string]int, n)
	for i, c := range checks {
		idx[c.ID] = i
	}
	deps := make([][]int, n)
	addDep := func(i, d int) {
		if i != d && !slices.Contains(deps[i], d) {
			deps[i] = append(deps[i], d)
		}
	}
	for i, c := range checks {
		// Of a target's producers, the check waits for the first one
		// present: an alternative (a list when the create runs too) is a
		// fallback taken if it has answered by then, and waiting for it
		// would put a list before the create it should see.
		waited := map[string]bool{}
		for _, b := range c.Bindings {
			p, ok := idx[b.Producer]
			if !ok || waited[b.Target()] {
				continue
			}
			waited[b.Target()] = true
			addDep(i, p)
		}
	}
	undoes(checks, func(i, j int) {
		if !w.reaches(deps, j, i) {
			addDep(i, j)
		}
	})
	// Reads of each group, and the dependents of each create (through
	// bindings).
	reads := map[string][]int{}
	for i, c := range checks {
		if c.Chain != nil && c.Chain.Role == RoleRead {
			reads[c.Chain.Group] = append(reads[c.Chain.Group], i)
		}
	}
	users := make([][]int, n)
	for i, ds := range deps {
		for _, d := range ds {
			users[d] = append(users[d], i)
		}
	}
	for i, c := range checks {
		if c.Chain == nil {
			continue
		}
		switch c.Chain.Role {
		case RoleUpdate, RoleUse:
			for _, r := range reads[c.Chain.Group] {
				if !w.reaches(deps, r, i) {
					addDep(i, r)
				}
			}
		case RoleDelete:
			p, ok := idx[c.Chain.Group]
			if !ok {
				continue
			}
			for _, u := range descendants(users, p) {
				uc := checks[u].Chain
				if u == i || (uc != nil && uc.Role == RoleDelete && uc.Group == c.Chain.Group) || w.reaches(deps, u, i) {
					continue
				}
				addDep(i, u)
			}
		}
	}
	// Of the deletes of one group, the others wait for the preferred one
	// (a DELETE, else the first delete verb): they find the resource gone,
	// always, rather than one of them at random.
	preferred := map[string]int{}
	for i, c := range checks {
		if c.Chain == nil || c.Chain.Role != RoleDelete {
			continue
		}
		create := ""
		if g, ok := idx[c.Chain.Group]; ok {
			create = checks[g].Path
		}
		if p, ok := preferred[c.Chain.Group]; !ok || PreferDelete(c, checks[p], create) {
			preferred[c.Chain.Group] = i
		}
	}
	for i, c := range checks {
		if c.Chain == nil || c.Chain.Role != RoleDelete {
			continue
		}
		if p := preferred[c.Chain.Group]; p != i && !w.reaches(deps, p, i) {
			addDep(i, p)
		}
	}
	// A create Instances added for a group's other delete waits for
	// the group's deletes: the first resource is gone by then.
	for i, c := range checks {
		if c.Chain == nil || c.Chain.Instance == "" {
			continue
		}
		for j, d := range checks {
			if d.Chain != nil && d.Chain.Role == RoleDelete && d.Chain.Group == c.Chain.Instance && !w.reaches(deps, j, i) {
				addDep(i, j)
			}
		}
	}
	// A list of a collection a chain also creates in (GET
	// /owners/{ownerId}/pets beside POST /owners/{ownerId}/pets) waits
	// for that create's read, and that create's deletes wait for it: it
	// sees the new item, whatever the concurrency.
	for i, c := range checks {
		if c.Chain == nil || c.Method != "GET" {
			continue
		}
		for j, p := range checks {
			if j == i || p.Method != "POST" || p.Path != c.Path || p.Chain == nil || p.Chain.Role != RoleCreate || p.Chain.Instance != "" {
				continue
			}
			after := j
			if rs := reads[p.ID]; len(rs) > 0 {
				after = rs[0]
			}
			if !w.reaches(deps, after, i) {
				addDep(i, after)
			}
			for k, d := range checks {
				if d.Chain != nil && d.Chain.Role == RoleDelete && d.Chain.Group == p.ID && !w.reaches(deps, i, k) {
					addDep(k, i)
				}
			}
		}
	}
	for i := range deps {
		slices.Sort(deps[i])
	}
	return deps
}

// Undoes maps each check that takes back what a sibling gives (POST
// /v3/auth/role/revoke, of POST /v3/auth/role/grant; see UndoneVerb) to
// the indexes of those siblings among checks: it must run after them,
// and in the same sequence (a multistep test) as them.
func Undoes(checks []Check) map[int][]int {
	out := map[int][]int{}
	undoes(checks, func(i, j int) { out[i] = append(out[i], j) })
	return out
}

// undoes calls wait(i, j) for each check i that takes back what its
// sibling j gives (POST /v3/auth/role/revoke after POST
// /v3/auth/role/grant; see UndoneVerb): the undo waits for it, or it
// finds nothing to take back.
func undoes(checks []Check, wait func(i, j int)) {
	var segs [][]string
	for i, c := range checks {
		do, ok := UndoneVerb(lastSegment(pathSegments(c.Path)))
		if !ok {
			continue
		}
		if segs == nil {
			segs = make([][]string, len(checks))
			for k, d := range checks {
				segs[k] = pathSegments(d.Path)
			}
		}
		parent := templateKey(segs[i][:len(segs[i])-1])
		for j := range checks {
			if again := checks[j].Chain != nil && checks[j].Chain.Instance != ""; again {
				continue // a create repeated for a second delete
			}
			if j != i && len(segs[j]) == len(segs[i]) && lastSegment(segs[j]) == do && templateKey(segs[j][:len(segs[j])-1]) == parent {
				wait(i, j)
			}
		}
	}
}

// PreferDelete reports whether delete a is preferred to b for the group
// of the create at createPath: a DELETE, then the first delete verb, then
// the one nearer the create's path (/v3/lease/revoke for
// /v3/lease/grant, rather than /v3/kv/lease/revoke).
func PreferDelete(a, b Check, createPath string) bool {
	if pa, pb := deletePreference(a), deletePreference(b); pa != pb {
		return pa < pb
	}
	return commonPrefix(a.Path, createPath) > commonPrefix(b.Path, createPath)
}

func commonPrefix(a, b string) int {
	sa, sb := pathSegments(a), pathSegments(b)
	n := 0
	for n < len(sa) && n < len(sb) && sa[n] == sb[n] {
		n++
	}
	return n
}

// deletePreference ranks the deletes of a group: DELETE first, then the
// RPC delete verbs in order.
func deletePreference(c Check) int {
	if c.Method == "DELETE" {
		return -1
	}
	segs := pathSegments(c.Path)
	if len(segs) == 0 {
		return len(deleteVerbs)
	}
	if r := slices.Index(deleteVerbs, strings.ToLower(segs[len(segs)-1])); r >= 0 {
		return r
	}
	return len(deleteVerbs)
}

// descendants lists the checks that depend on p through bindings.
func descendants(users [][]int, p int) []int {
	seen := map[int]bool{p: true}
	queue := []int{p}
	var out []int
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, u := range users[x] {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
				queue = append(queue, u)
			}
		}
	}
	slices.Sort(out)
	return out
}

// reaches reports whether from waits, directly or not, for to.
func reaches(deps [][]int, from, to int) bool {
	var w walker
	return w.reaches(deps, from, to)
}

// walker answers reaches without allocating per question: its visited
// marks are stamped with a generation.
type walker struct {
	mark  []int
	gen   int
	stack []int
}

func (w *walker) reaches(deps [][]int, from, to int) bool {
	if len(w.mark) < len(deps) {
		w.mark = make([]int, len(deps))
	}
	w.gen++
	w.stack = append(w.stack[:0], from)
	for len(w.stack) > 0 {
		x := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		if x == to {
			return true
		}
		if w.mark[x] == w.gen {
			continue
		}
		w.mark[x] = w.gen
		w.stack = append(w.stack, deps[x]...)
	}
	return false
}

// restrict keeps the order and the groups of the checks in kept and
// support: a group whose create is not kept is dropped.
func (g Graph) restrict(kept, support []Check) Graph {
	in := make(map[string]bool, len(kept)+len(support))
	created := make(map[string]bool, len(kept))
	for _, c := range kept {
		in[c.ID] = true
		created[c.ID] = true
	}
	for _, c := range support {
		in[c.ID] = true
	}
	only := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			if in[id] {
				out = append(out, id)
			}
		}
		return out
	}
	one := func(id string) string {
		if in[id] {
			return id
		}
		return ""
	}
	out := Graph{Order: only(g.Order), Broken: g.Broken}
	for _, gr := range g.Groups {
		if !created[gr.Create] {
			continue
		}
		gr.Read, gr.Delete = one(gr.Read), one(gr.Delete)
		gr.Update, gr.Use, gr.Again = only(gr.Update), only(gr.Use), only(gr.Again)
		out.Groups = append(out.Groups, gr)
	}
	return out
}
