package generator_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
)

// TestChains: checks that bindings link form one chain each, in the
// order every backend sends them; a value read from a list links nothing,
// and a write never takes a read's value.
func TestChains(t *testing.T) {
	bind := func(in, name, producer, from string) generator.Binding {
		return generator.Binding{In: in, Name: name, Producer: producer, Operation: producer, From: from, Origin: generator.OriginInferred}
	}
	role := func(group, r string) *generator.Role { return &generator.Role{Group: group, Role: r} }
	loc := "$response.header.Location"
	checks := []generator.Check{
		{ID: "del", Method: "DELETE", Path: "/things/{id}", Chain: role("create", generator.RoleDelete),
			Bindings: []generator.Binding{bind("path", "id", "create", loc)}},
		{ID: "list", Method: "GET", Path: "/things", Safe: true},
		{ID: "create", Method: "POST", Path: "/things", Chain: role("create", generator.RoleCreate)},
		{ID: "read", Method: "GET", Path: "/things/{id}", Safe: true, Chain: role("create", generator.RoleRead),
			Bindings: []generator.Binding{bind("path", "id", "create", loc), bind("path", "id", "list", "$response.body#/items/0/id")}},
		{ID: "update", Method: "PUT", Path: "/things/{id}", Chain: role("create", generator.RoleUpdate),
			Bindings: []generator.Binding{bind("path", "id", "create", loc)}},
		// A write bound to a read only: no chain.
		{ID: "tag", Method: "PUT", Path: "/tags/{id}", Bindings: []generator.Binding{bind("path", "id", "config", "$response.body#/tag")}},
		// A read of a list's item: no chain.
		{ID: "item", Method: "GET", Path: "/items/{id}", Safe: true, Bindings: []generator.Binding{bind("path", "id", "list", "$response.body#/items/0/id")}},
		// Two reads linked by a single value: a chain of reads.
		{ID: "config", Method: "GET", Path: "/config", Safe: true},
		{ID: "default", Method: "GET", Path: "/tags/{id}", Safe: true, Bindings: []generator.Binding{bind("path", "id", "config", "$response.body#/tag")}},
	}
	chs, member := generator.Chains(checks)
	var got [][]string
	for _, ch := range chs {
		var steps []string
		for i, c := range ch.Steps {
			s := c.ID
			for _, b := range ch.Binds[i] {
				s += " " + b.Target() + "←" + b.Producer
			}
			steps = append(steps, s)
		}
		got = append(got, steps)
	}
	want := [][]string{
		{"create", "read path.id←create", "update path.id←create", "del path.id←create"},
		{"config", "default path.id←config"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chains (-want +got):\n%s", diff)
	}
	wantMember := map[string]int{"create": 0, "read": 0, "update": 0, "del": 0, "config": 1, "default": 1}
	if diff := cmp.Diff(wantMember, member); diff != "" {
		t.Errorf("member (-want +got):\n%s", diff)
	}
}

func TestFromList(t *testing.T) {
	for from, want := range map[string]bool{
		"$response.body#/items/0/id": true,
		"$response.body#/0":          true,
		"$response.body#/id":         false,
		"$response.header.Location":  false,
		"$request.body#/name":        false,
		"nonsense":                   false,
	} {
		if got := generator.FromList(generator.Binding{From: from}); got != want {
			t.Errorf("FromList(%s) = %v, want %v", from, got, want)
		}
	}
}
