package generator

import "slices"

// Instances gives every delete of a group other than the group's
// preferred one (PreferDelete) a resource of its own. A group's deletes
// all take the id of one create, and the preferred one runs first
// (Dependencies): without a resource of their own the others would
// always find it gone, a 404 that smoke caused itself, sent on every run
// (and, published, failing a Datadog test every few minutes).
//
// It returns checks with each such delete rebound to an extra create
// (its Chain.Group and the bindings it took from the group's create now
// name the extra one), and the extra creates: copies of the group's
// create with the ID "<create ID>+<delete ID>", Chain.Instance set to the
// create's ID. An extra create runs after the group's preferred delete
// (Dependencies), so a create whose values are fixed (an example's
// name) does not collide with the first resource. checks is not
// modified; it is returned as it is when no group has a second delete.
func Instances(checks []Check) (out, extra []Check) {
	idx := make(map[string]int, len(checks))
	for i, c := range checks {
		idx[c.ID] = i
	}
	preferred := map[string]int{}
	for i, c := range checks {
		g, ok := groupOf(c, RoleDelete, idx)
		if !ok || g == i {
			continue
		}
		if p, seen := preferred[c.Chain.Group]; !seen || PreferDelete(c, checks[p], checks[g].Path) {
			preferred[c.Chain.Group] = i
		}
	}
	out = checks
	for i, c := range checks {
		g, ok := groupOf(c, RoleDelete, idx)
		if !ok || g == i || preferred[c.Chain.Group] == i {
			continue
		}
		create := checks[g]
		inst := create
		inst.ID = create.ID + "+" + c.ID
		inst.Chain = &Role{Group: inst.ID, Role: RoleCreate, Instance: create.ID}
		inst.Bindings = slices.Clone(create.Bindings)
		if len(extra) == 0 {
			out = slices.Clone(checks)
		}
		out[i] = Retarget(c, create.ID, inst.ID)
		extra = append(extra, inst)
	}
	return out, extra
}

// groupOf returns the index of the create of c's group when c has role
// in it and the create is among the checks idx indexes.
func groupOf(c Check, role string, idx map[string]int) (int, bool) {
	if c.Chain == nil || c.Chain.Role != role {
		return 0, false
	}
	g, ok := idx[c.Chain.Group]
	return g, ok
}

// Retarget returns c taking from the check to what it took from the check
// from: its bindings from it, and its group when that is from's.
func Retarget(c Check, from, to string) Check {
	c.Bindings = slices.Clone(c.Bindings)
	for k := range c.Bindings {
		if c.Bindings[k].Producer == from {
			c.Bindings[k].Producer = to
		}
	}
	if c.Chain != nil && c.Chain.Group == from {
		r := *c.Chain
		r.Group = to
		c.Chain = &r
	}
	return c
}
