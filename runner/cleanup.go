package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/smoke-dev/smoke/generator"
)

// DefaultCleanupTimeout bounds the cleanup at the end of a run when
// Options.CleanupTimeout is zero.
const DefaultCleanupTimeout = 30 * time.Second

// Resources is what a run created, and what became of it. Every resource
// smoke creates is deleted before the run ends; what could not be is
// listed in Left, with the request that would delete it.
type Resources struct {
	Created int        `json:"created"`
	Deleted int        `json:"deleted"`
	Left    []Leftover `json:"left"`
}

// Leftover is a resource the run created and could not delete.
type Leftover struct {
	// CheckID, Method and Path name the check that created it.
	CheckID string `json:"check_id"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	// ID is the value that names it (what its delete takes), when known.
	ID string `json:"id,omitempty"`
	// Delete is the command that would delete it (curl, secrets
	// masked); empty when the spec documents no delete.
	Delete string `json:"delete,omitempty"`
	// Reason says why it is still there.
	Reason string `json:"reason"`
}

// ledger records the resources a graph run created, in creation order.
type ledger struct {
	mu    sync.Mutex
	items []*resource
}

type resource struct {
	createID string
	create   generator.Check // as sent
	entry    *entry
	deleted  bool
	why      string // what the last delete said, when it did not delete
}

func (l *ledger) add(id string, c generator.Check, e *entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, &resource{createID: id, create: c, entry: e})
}

func (l *ledger) find(createID string) *resource {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, it := range l.items {
		if it.createID == createID {
			return it
		}
	}
	return nil
}

// deleted records the answer of a group's delete that was sent with a
// value of the group's create: a success (or 404/410, the resource is
// gone) deletes it.
func (g *graph) deleted(c generator.Check, res Result, bound []Bound) {
	it := g.ledger.find(c.Chain.Group)
	if it == nil || !slices.ContainsFunc(bound, func(b Bound) bool { return b.Producer == c.Chain.Group }) {
		return
	}
	g.ledger.mu.Lock()
	defer g.ledger.mu.Unlock()
	switch {
	case res.Exercised, res.StatusCode == 404, res.StatusCode == 410:
		it.deleted = true
	case res.StatusCode != 0:
		it.why = fmt.Sprintf("%s %s answered %d", c.Method, c.Path, res.StatusCode)
	case len(res.Failures) > 0:
		it.why = fmt.Sprintf("%s %s: %s", c.Method, c.Path, res.Failures[0].Message)
	}
}

// cleanup deletes what the run created and is still there, newest first
// (a nested resource before its parent), within Options.CleanupTimeout
// whatever became of ctx, and accounts for every resource.
func (g *graph) cleanup(ctx context.Context) Resources {
	budget := g.r.opts.CleanupTimeout
	if budget <= 0 {
		budget = DefaultCleanupTimeout
	}
	// The run's context may be cancelled (Ctrl-C, a deadline): cleanup
	// keeps its values but not its cancellation, and has its own limit.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()

	g.ledger.mu.Lock()
	items := slices.Clone(g.ledger.items)
	g.ledger.mu.Unlock()
	out := Resources{Created: len(items), Left: []Leftover{}}
	for k := len(items) - 1; k >= 0; k-- {
		it := items[k]
		if it.deleted {
			out.Deleted++
			continue
		}
		left := Leftover{CheckID: it.create.ID, Method: it.create.Method, Path: it.create.Path}
		del, ok := g.deleteFor(it.createID)
		if !ok {
			left.ID = g.idOf(it)
			left.Reason = "the spec documents no operation that deletes it"
			out.Left = append(out.Left, left)
			continue
		}
		sent, bound, notes, _, _ := g.bind(del)
		if !slices.ContainsFunc(bound, func(b Bound) bool { return b.Producer == it.createID }) {
			left.ID = g.idOf(it)
			left.Reason = fmt.Sprintf("%s %s could not take its id: %s", del.Method, del.Path, strings.Join(notes, "; "))
			out.Left = append(out.Left, left)
			continue
		}
		for _, b := range bound {
			if b.Producer == it.createID {
				left.ID = b.Value
			}
		}
		left.Delete = g.r.Curl("", sent)
		if cctx.Err() != nil {
			left.Reason = fmt.Sprintf("not deleted: the cleanup deadline (%s) passed", budget)
			out.Left = append(out.Left, left)
			continue
		}
		res, _ := g.r.check(cctx, sent)
		switch {
		case res.Exercised, res.StatusCode == 404, res.StatusCode == 410:
			out.Deleted++
			continue
		case res.StatusCode != 0:
			left.Reason = fmt.Sprintf("%s %s answered %d", del.Method, del.Path, res.StatusCode)
			if it.why != "" {
				left.Reason = it.why + ", and again " + fmt.Sprint(res.StatusCode) + " at cleanup"
			}
		case cctx.Err() != nil:
			left.Reason = fmt.Sprintf("not deleted: the cleanup deadline (%s) passed while %s %s was in flight", budget, del.Method, del.Path)
		case len(res.Failures) > 0:
			left.Reason = fmt.Sprintf("%s %s: %s", del.Method, del.Path, res.Failures[0].Message)
		default:
			left.Reason = "not deleted"
		}
		out.Left = append(out.Left, left)
	}
	return out
}

// deleteFor returns the check that deletes what createID makes: the
// group's preferred delete (generator.Dependencies orders the others
// after it).
//
// A second resource of a group (generator.Instances) is deleted by the
// preferred delete of the group it repeats, else by its own.
func (g *graph) deleteFor(createID string) (generator.Check, bool) {
	var found *generator.Check
	create, origin := "", ""
	if it := g.ledger.find(createID); it != nil {
		create = it.create.Path
		if it.create.Chain != nil {
			origin = it.create.Chain.Instance
		}
	}
	for i := range g.deletes {
		d := g.deletes[i]
		switch {
		case d.Chain == nil:
			continue
		case origin != "" && d.Chain.Group == origin:
			d = generator.Retarget(d, origin, createID)
		case d.Chain.Group != createID:
			continue
		}
		if found == nil || generator.PreferDelete(d, *found, create) {
			found = &d
		}
	}
	if found == nil {
		return generator.Check{}, false
	}
	return *found, true
}

// idOf evaluates, for a resource without a usable delete, the first
// binding any check takes from its create: the value that names it; else
// the last segment of the create's Location, or the id of its answer.
func (g *graph) idOf(it *resource) string {
	for _, c := range g.nodes {
		for _, b := range c.Bindings {
			if b.Producer != it.createID {
				continue
			}
			if v, err := it.entry.eval(b, c); err == nil {
				s, _ := generator.Scalar(v)
				return s
			}
		}
	}
	if it.entry.resp != nil {
		if loc := it.entry.resp.Header.Get("Location"); loc != "" {
			if i := strings.LastIndexByte(strings.TrimRight(loc, "/"), '/'); i >= 0 {
				return strings.TrimRight(loc, "/")[i+1:]
			}
		}
	}
	if doc, err := it.entry.responseBody(); err == nil {
		for _, k := range []string{"/id", "/ID", "/Id", "/uuid"} {
			if v, ok := generator.Lookup(doc, k); ok {
				if s, ok := generator.Scalar(v); ok {
					return s
				}
			}
		}
	}
	return ""
}
