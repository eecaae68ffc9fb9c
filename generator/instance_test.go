package generator_test

import (
	"slices"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
)

// TestUndoIsNoDelete: a revoke that takes back a sibling's grant uses the
// role (runs after the grant, before the delete); a revoke of what the
// create itself granted deletes it.
func TestUndoIsNoDelete(t *testing.T) {
	p := plantest.Plan(t, "testdata/undo/grants.yaml", generator.Options{})
	id := ids(p.Checks)
	role := map[string]string{}
	for _, c := range p.Checks {
		if c.Chain != nil {
			role[c.Path] = c.Chain.Role
		}
	}
	want := map[string]string{
		"/v1/role/add": "create", "/v1/role/grant": "use", "/v1/role/revoke": "use", "/v1/role/delete": "delete",
		"/v1/lease/grant": "create", "/v1/lease/revoke": "delete", "/v1/kv/lease/revoke": "delete",
	}
	for path, r := range want {
		if role[path] != r {
			t.Errorf("%s: role %q, want %q", path, role[path], r)
		}
	}
	order := p.Graph.Order
	before := func(a, b string) {
		t.Helper()
		ia, ib := slices.Index(order, id[a]), slices.Index(order, id[b])
		if ia < 0 || ib < 0 || ia > ib {
			t.Errorf("order %v: want %s before %s", order, a, b)
		}
	}
	before("/v1/role/grant", "/v1/role/revoke")
	before("/v1/role/revoke", "/v1/role/delete")
	before("/v1/lease/revoke", "/v1/kv/lease/revoke")
	var lease generator.Group
	for _, g := range p.Graph.Groups {
		if g.Create == id["/v1/lease/grant"] {
			lease = g
		}
	}
	if lease.Delete != id["/v1/lease/revoke"] || !slices.Equal(lease.Again, []string{id["/v1/kv/lease/revoke"]}) || len(lease.Use) != 0 {
		t.Errorf("lease group %+v: want delete /v1/lease/revoke, again /v1/kv/lease/revoke", lease)
	}
}

// TestInstances: a group's second delete gets a create of its own,
// created after the first delete, and a step of the group's chain.
func TestInstances(t *testing.T) {
	p := plantest.Plan(t, "testdata/undo/grants.yaml", generator.Options{})
	id := ids(p.Checks)
	before := slices.Clone(p.Checks)
	out, extra := generator.Instances(p.Checks)
	if len(extra) != 1 {
		t.Fatalf("extra = %+v, want one lease granted again", extra)
	}
	inst := extra[0]
	if inst.Path != "/v1/lease/grant" || inst.ID != id["/v1/lease/grant"]+"+"+id["/v1/kv/lease/revoke"] ||
		inst.Chain == nil || inst.Chain.Role != generator.RoleCreate || inst.Chain.Group != inst.ID || inst.Chain.Instance != id["/v1/lease/grant"] {
		t.Errorf("instance %s %s %+v", inst.ID, inst.Path, inst.Chain)
	}
	for i, c := range out {
		switch c.Path {
		case "/v1/kv/lease/revoke":
			if c.Chain.Group != inst.ID || len(c.Bindings) != 1 || c.Bindings[0].Producer != inst.ID {
				t.Errorf("second revoke: group %s bindings %+v, want the instance's", c.Chain.Group, c.Bindings)
			}
		default:
			if c.ID != before[i].ID || (c.Chain != nil && c.Chain.Group != before[i].Chain.Group) {
				t.Errorf("%s changed: %+v", c.Path, c.Chain)
			}
		}
	}
	for i := range p.Checks {
		if p.Checks[i].Chain != nil && before[i].Chain != nil && p.Checks[i].Chain.Group != before[i].Chain.Group ||
			len(p.Checks[i].Bindings) > 0 && p.Checks[i].Bindings[0].Producer != before[i].Bindings[0].Producer {
			t.Errorf("Instances modified its argument: %s", p.Checks[i].Path)
		}
	}
	all := append(out, extra...)
	order := generator.Order(all)
	pos := func(id string) int { return slices.Index(order, id) }
	if !(pos(id["/v1/lease/grant"]) < pos(id["/v1/lease/revoke"]) && pos(id["/v1/lease/revoke"]) < pos(inst.ID) && pos(inst.ID) < pos(id["/v1/kv/lease/revoke"])) {
		t.Errorf("order %v: want grant, revoke, grant again, second revoke", order)
	}
	chs, _ := generator.Chains(p.Checks)
	var steps []string
	for _, ch := range chs {
		if ch.Steps[0].ID == id["/v1/lease/grant"] {
			for _, s := range ch.Steps {
				steps = append(steps, s.ID)
			}
		}
	}
	if want := []string{id["/v1/lease/grant"], id["/v1/lease/revoke"], inst.ID, id["/v1/kv/lease/revoke"]}; !slices.Equal(steps, want) {
		t.Errorf("lease chain steps %v, want %v", steps, want)
	}

	// Without a second delete, nothing changes, nothing is copied.
	var roleOnly []generator.Check
	for _, c := range p.Checks {
		if c.Path != "/v1/kv/lease/revoke" {
			roleOnly = append(roleOnly, c)
		}
	}
	same, none := generator.Instances(roleOnly)
	if len(none) != 0 || &same[0] != &roleOnly[0] {
		t.Errorf("Instances without a second delete: extra %v, copied %v", none, &same[0] != &roleOnly[0])
	}
}

func ids(checks []generator.Check) map[string]string {
	m := map[string]string{}
	for _, c := range checks {
		m[c.Path] = c.ID
	}
	return m
}
