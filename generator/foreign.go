package generator

import (
	"fmt"
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
	for rest := c.Path; ; {
		// The parameters of the template, in order ({name}), read in
		// place: this runs before every write is sent.
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			break
		}
		open := strings.LastIndexByte(rest[:end], '{')
		name := rest[open+1 : end]
		rest = rest[end+1:]
		if open < 0 || name == "" || strings.IndexByte(name, '/') >= 0 {
			continue
		}
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

// Untouchable says why no backend sends the write c, "" when it may be
// sent: it would name a resource by an id neither a create of the run
// nor the user gave (ForeignPath), or it acts on every resource of a
// collection at once (POST /volumes/prune, POST /cache/purge: a
// BulkWrite) and the user did not set any of its values in smoke.yaml.
// A prune on a staging host deletes what others left there; smoke never
// touches what it did not create.
func Untouchable(c Check) string {
	if name, v, foreign := ForeignPath(c, nil); foreign {
		src := ""
		for _, p := range c.Request.Path {
			if p.Name == name {
				src = " (" + string(p.Source) + ")"
			}
		}
		return fmt.Sprintf("path.%s %q%s names a resource this run did not create; not sent: a write takes only ids of resources the run created, or ids you give in smoke.yaml (parameters: or an operation fixture)", name, v, src)
	}
	if BulkWrite(c) && !userSet(c) {
		return fmt.Sprintf("%s %s acts on every resource of its collection, those smoke did not create too; not sent: give its values in smoke.yaml (an operation fixture, a filter for instance) to send it", c.Method, c.Path)
	}
	return ""
}

// bulkVerbs name operations that act on all of a collection at once.
var bulkVerbs = []string{"prune", "purge", "wipe", "truncate", "deleteall", "removeall", "clearall", "destroyall", "purgeall", "dropall"}

// BulkWrite reports a write whose last path segment is a verb that acts
// on every resource of a collection (prune, purge, wipe, truncate,
// delete-all…).
func BulkWrite(c Check) bool {
	if c.Safe {
		return false
	}
	segs := pathSegments(c.Path)
	if len(segs) == 0 || isParamSegment(segs[len(segs)-1]) {
		return false
	}
	return slices.Contains(bulkVerbs, norm(segs[len(segs)-1]))
}

// userSet reports whether smoke.yaml set any value of c's request.
func userSet(c Check) bool {
	for _, list := range [][]Param{c.Request.Path, c.Request.Query, c.Request.Headers, c.Request.Cookies} {
		if slices.ContainsFunc(list, func(p Param) bool { return p.Source == SourceFixture }) {
			return true
		}
	}
	return c.Request.Body != nil && c.Request.Body.Source == SourceFixture
}
