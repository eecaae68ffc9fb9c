package synthetics

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// TestSplitLongChain: a chain longer than Datadog's step limit becomes
// several tests, each within the limit and complete on its own: the
// create it needs, and the delete of what it creates.
func TestSplitLongChain(t *testing.T) {
	bind := func(producer string) []generator.Binding {
		return []generator.Binding{{In: "path", Name: "id", Producer: producer, Operation: "POST /things", From: "$response.body#/id"}}
	}
	role := func(r string) *generator.Role { return &generator.Role{Group: "create", Role: r} }
	ch := chain{}
	add := func(c generator.Check, binds []generator.Binding) {
		ch.steps = append(ch.steps, c)
		ch.binds = append(ch.binds, binds)
	}
	add(generator.Check{ID: "create", Method: "POST", Path: "/things", Chain: role(generator.RoleCreate)}, nil)
	add(generator.Check{ID: "read", Method: "GET", Path: "/things/{id}", Safe: true, Chain: role(generator.RoleRead)}, bind("create"))
	for i := range 12 {
		add(generator.Check{ID: fmt.Sprintf("use%02d", i), Method: "PUT", Path: fmt.Sprintf("/things/{id}/part%02d", i), Chain: role(generator.RoleUse)}, bind("create"))
	}
	add(generator.Check{ID: "delete", Method: "DELETE", Path: "/things/{id}", Chain: role(generator.RoleDelete)}, bind("create"))

	g := ch.split(MaxSteps)
	if len(g.parts) != 2 || len(g.dropped) != 0 {
		t.Fatalf("%d parts, %d dropped; want 2 and none", len(g.parts), len(g.dropped))
	}
	seen := map[string]bool{}
	for k, p := range g.parts {
		var ids []string
		for _, c := range p.steps {
			ids = append(ids, c.ID)
			if c.ID != "create" && c.ID != "delete" {
				if seen[c.ID] {
					t.Errorf("%s in two parts", c.ID)
				}
				seen[c.ID] = true
			}
		}
		if len(p.steps) > MaxSteps || ids[0] != "create" || ids[len(ids)-1] != "delete" {
			t.Errorf("part %d: %v: want at most %d steps, create first, delete last", k+1, ids, MaxSteps)
		}
		if len(p.binds) != len(p.steps) {
			t.Errorf("part %d: %d binds for %d steps", k+1, len(p.binds), len(p.steps))
		}
		if !strings.HasSuffix(p.name("svc"), fmt.Sprintf("[part %d of 2]", k+1)) {
			t.Errorf("part %d named %q", k+1, p.name("svc"))
		}
	}
	if len(seen) != 13 {
		t.Errorf("%d of the 13 other steps published", len(seen))
	}
	if g.parts[0].id() != chainPrefix+"create" || g.parts[1].id() == g.parts[0].id() {
		t.Errorf("ids %s, %s: the first keeps the chain's, the second its own", g.parts[0].id(), g.parts[1].id())
	}
	if n := g.notes(); len(n) != 1 || !strings.Contains(n[0], "split in 2 multistep tests") {
		t.Errorf("notes %q", n)
	}

	// A chain within the limit is left whole, and keeps its name.
	short := chain{steps: ch.steps[:3], binds: ch.binds[:3]}
	if g := short.split(MaxSteps); len(g.parts) != 1 || len(g.parts[0].steps) != 3 || strings.Contains(g.parts[0].name("svc"), "[part") {
		t.Errorf("short chain split: %+v", g)
	}

	// A step that needs more than the limit on its own is left out,
	// and said so.
	deep := chain{}
	for i := range 12 {
		c := generator.Check{ID: fmt.Sprintf("s%02d", i), Method: "POST", Path: fmt.Sprintf("/l%02d", i)}
		var b []generator.Binding
		if i > 0 {
			b = bind(fmt.Sprintf("s%02d", i-1))
		}
		deep.steps = append(deep.steps, c)
		deep.binds = append(deep.binds, b)
	}
	g = deep.split(MaxSteps)
	var dropped []string
	for _, c := range g.dropped {
		dropped = append(dropped, c.ID)
	}
	if !slices.Equal(dropped, []string{"s10", "s11"}) || len(g.parts) != 1 || len(g.parts[0].steps) != 10 {
		t.Errorf("deep chain: dropped %v, %d parts", dropped, len(g.parts))
	}
	if n := g.notes(); len(n) != 2 || !strings.Contains(n[0], "POST /l10 left out") {
		t.Errorf("notes %q", n)
	}
}
