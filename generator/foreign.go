package generator

import (
	"slices"
	"strings"
)

// ForeignPath finds the first path parameter (in path order) by which a
// write would name a resource that neither the run created nor the user
// named: a spec example or an invented id. Sent, such a write changes or
// deletes whatever happens to carry that id (DELETE /pets/3 on somebody's
// pet 3), so no backend sends it (DESIGN.md, "Chains": a write only ever
// uses values of resources this run created).
//
// A parameter is fine when it is bound: when bound(name) says so, or,
// with bound nil, when one of c's bindings gives it from a write (a
// create; that the create succeeded is checked when the run sends it).
// Everything under a bound parameter belongs to what the run created
// (the photo of a pet it created). A value the user gave in smoke.yaml (an
// operation fixture or parameters:) is consent, and a value from the
// parameter's enum names a kind, not an instance: both are fine but
// don't cover what is under them. Safe checks never touch anything.
func ForeignPath(c Check, bound func(name string) bool) (name, value string, foreign bool) {
	if c.Safe {
		return "", "", false
	}
	if bound == nil {
		bound = func(name string) bool {
			return slices.ContainsFunc(c.Bindings, func(b Binding) bool {
				method, _, _ := strings.Cut(b.Operation, " ")
				return b.In == InPath && b.Name == name && !IsSafe(method)
			})
		}
	}
	for _, m := range pathParamRe.FindAllStringSubmatch(c.Path, -1) {
		name := m[1]
		i := slices.IndexFunc(c.Request.Path, func(p Param) bool { return p.Name == name })
		if i < 0 {
			continue // braces in the path that name no parameter
		}
		p := c.Request.Path[i]
		switch {
		case bound(name):
			return "", "", false
		case p.Source == SourceFixture || p.Source == SourceEnum:
			continue
		}
		return name, p.Value, true
	}
	return "", "", false
}

// IsForeign reports whether ForeignPath finds a parameter of c, with c's
// own bindings.
func IsForeign(c Check) bool {
	_, _, foreign := ForeignPath(c, nil)
	return foreign
}
