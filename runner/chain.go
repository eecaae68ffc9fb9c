package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/smoke-dev/smoke/generator"
)

// Bound is a request value a check took from an earlier check's
// exchange.
type Bound struct {
	// Target is where the value went: "path.silenceID", "body#/ID".
	Target string `json:"target"`
	Value  string `json:"value"`
	// From names the producer and the expression: "POST /silences
	// $response.body#/silenceID".
	From string `json:"from"`
	// Producer is the ID of the producer's check.
	Producer string `json:"producer"`
}

// RunChains is Run for checks whose values flow from one to another
// (generator.Binding). The checks form a dependency graph, not waves: a
// consumer waits for its own producers only, a group's delete for every
// other check of its group, and everything else keeps the configured
// concurrency and rate. A read bound to a create runs as soon as the
// create answered (read-after-write), and must echo what was sent.
//
// support are checks outside the selection that the selected ones need
// (generator.Support): safe producers whose values they take, sent as
// needed, and the deletes of what selected creates make, sent only to
// clean up. They get no Result. Writes only ever take values of
// resources this run created; values read from a list reach safe checks
// only.
//
// Every resource the run created is deleted before RunChains returns, by
// the spec's own delete, even when ctx is cancelled or a check failed:
// cleanup has its own deadline (Options.CleanupTimeout), independent of
// ctx. Resources says what was created, deleted and left behind.
func (r *Runner) RunChains(ctx context.Context, checks, support []generator.Check) ([]Result, Resources, error) {
	if r.base == nil {
		return nil, Resources{}, errors.New("run: no base URL")
	}
	results := make([]Result, len(checks))
	refused := make([]bool, len(checks))
	report, wait := r.reporter(results)
	var res Resources
	if chained(checks) {
		g := r.newGraph(checks, support, results, refused, report)
		g.run(ctx)
		res = g.cleanup(ctx)
	} else {
		r.runFree(ctx, checks, results, refused, report)
	}
	wait()
	return results, res, r.runErr(ctx, results, refused)
}

// chained reports whether any check takes part in a chain.
func chained(checks []generator.Check) bool {
	for _, c := range checks {
		if len(c.Bindings) > 0 || c.Chain != nil {
			return true
		}
	}
	return false
}

// graph is one run of a dependency graph of checks against one target.
type graph struct {
	r *Runner
	// nodes are the selected checks, then the support checks sent as
	// producers.
	nodes   []generator.Check
	n       int // selected checks: nodes[:n]
	deletes []generator.Check
	results []Result
	refused []bool
	report  func(int)
	st      *store
	ledger  ledger
	// keep names the checks whose exchanges are kept: producers and
	// creates.
	keep map[string]bool
	deps [][]int
}

func (r *Runner) newGraph(checks, support []generator.Check, results []Result, refused []bool, report func(int)) *graph {
	g := &graph{r: r, n: len(checks), results: results, refused: refused, report: report, st: newStore(), keep: map[string]bool{}}
	// The nodes are the checks themselves, not a copy, unless a group
	// has a second delete (it gets a resource of its own: see
	// generator.Instances) or support producers join them.
	checks, extra := generator.Instances(checks)
	g.nodes = append(checks[:len(checks):len(checks)], extra...)
	in := map[string]bool{}
	for _, c := range checks {
		in[c.ID] = true
	}
	byID := map[string]generator.Check{}
	for _, c := range support {
		byID[c.ID] = c
		if c.Chain != nil && c.Chain.Role == generator.RoleDelete {
			g.deletes = append(g.deletes, c)
		}
	}
	// Support producers join the graph when a node needs them; a write
	// never does (a read-only run creates nothing).
	for i := 0; i < len(g.nodes); i++ {
		for _, b := range g.nodes[i].Bindings {
			p, ok := byID[b.Producer]
			if !ok || in[p.ID] || !p.Safe {
				continue
			}
			in[p.ID] = true
			g.nodes = append(g.nodes, p)
		}
	}
	for _, c := range g.nodes {
		for _, b := range c.Bindings {
			g.keep[b.Producer] = true
		}
		if c.Chain != nil && c.Chain.Role == generator.RoleCreate {
			g.keep[c.ID] = true
		}
		if c.Chain != nil && c.Chain.Role == generator.RoleDelete {
			g.deletes = append(g.deletes, c)
		}
	}
	for _, c := range g.deletes {
		for _, b := range c.Bindings {
			g.keep[b.Producer] = true
		}
	}
	g.deps = generator.Dependencies(g.nodes)
	return g
}

// ready is the queue of checks whose producers have all answered: reads
// bound to a create first (read-after-write is checked at once), then in
// the order of checks. A binary heap of indexes, without the boxing of
// container/heap.
type ready struct {
	idx   []int
	first func(int) bool
}

func (q *ready) Len() int { return len(q.idx) }

func (q *ready) less(i, j int) bool {
	a, b := q.idx[i], q.idx[j]
	if fa, fb := q.first(a), q.first(b); fa != fb {
		return fa
	}
	return a < b
}

func (q *ready) push(x int) {
	q.idx = append(q.idx, x)
	for i := len(q.idx) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.idx[i], q.idx[p] = q.idx[p], q.idx[i]
		i = p
	}
}

func (q *ready) pop() int {
	top := q.idx[0]
	last := len(q.idx) - 1
	q.idx[0] = q.idx[last]
	q.idx = q.idx[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(q.idx) && q.less(l, m) {
			m = l
		}
		if r < len(q.idx) && q.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		q.idx[i], q.idx[m] = q.idx[m], q.idx[i]
		i = m
	}
	return top
}

// run sends every node once its dependencies answered, with at most
// Options.Concurrency in flight.
func (g *graph) run(ctx context.Context) {
	total := len(g.nodes)
	indeg := make([]int, total)
	users := make([][]int, total)
	for i, ds := range g.deps {
		indeg[i] = len(ds)
		for _, d := range ds {
			users[d] = append(users[d], i)
		}
	}
	q := &ready{first: func(i int) bool {
		c := g.nodes[i].Chain
		return c != nil && c.Role == generator.RoleRead
	}}
	for i := range total {
		if indeg[i] == 0 {
			q.push(i)
		}
	}
	started := make([]bool, total)
	notes := make([][]string, total)
	var (
		mu      sync.Mutex
		running int
		done    int
	)
	cond := sync.NewCond(&mu)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		cond.Broadcast()
		mu.Unlock()
	})
	defer stop()

	work := func() error {
		for {
			mu.Lock()
			for q.Len() == 0 && done+running < total && ctx.Err() == nil {
				if running == 0 {
					// Everything left waits for something that will
					// never answer: a cycle the generator did not break
					// (checks built by hand). Release the first.
					for i := range total {
						if !started[i] {
							notes[i] = append(notes[i], "sent without waiting for its producers: they wait for it too (a cycle)")
							q.push(i)
							break
						}
					}
					continue
				}
				cond.Wait()
			}
			if ctx.Err() != nil || q.Len() == 0 {
				mu.Unlock()
				return nil
			}
			i := q.pop()
			started[i] = true
			running++
			mu.Unlock()

			g.exec(ctx, i, notes[i])

			mu.Lock()
			running--
			done++
			for _, u := range users[i] {
				indeg[u]--
				if indeg[u] == 0 && !started[u] {
					q.push(u)
				}
			}
			cond.Broadcast()
			mu.Unlock()
		}
	}
	var eg errgroup.Group
	for range min(g.r.opts.Concurrency, total) {
		eg.Go(work)
	}
	_ = eg.Wait() // work never returns an error: a failed check is a Result
	for i := range g.n {
		if !started[i] {
			g.results[i] = skipped(g.nodes[i], "not sent: run interrupted")
			g.report(i)
		}
	}
}

// exec binds, sends and judges one node, and keeps what later checks
// need from its exchange.
func (g *graph) exec(ctx context.Context, i int, notes []string) {
	// Dynamic values are rendered before the bound ones go in: what the
	// store keeps is what was sent (a name made of the run token is what
	// a later read must echo), and a bound value is never template text.
	c := g.r.render(g.nodes[i])
	if ch := g.nodes[i].Chain; ch != nil && ch.Instance != "" && g.nodes[i].Request.Dynamic {
		// A second resource of a group gets names of its own: the
		// first may still be there when its delete failed.
		c = g.nodes[i].Rendered(generator.Vars{Now: g.r.now(), Run: generator.NewRunToken()})
	}
	sent, bound, bindNotes, missing, fromCreated := g.bind(c)
	if missing && !c.Safe {
		res := skipped(c, "not sent: a value it needs did not come from a resource this run created (see notes)")
		res.Reason = ReasonNoValue
		res.Notes = append(append(res.Notes, notes...), bindNotes...)
		if i < g.n {
			g.results[i] = res
			g.report(i)
		}
		return
	}
	res, refused := g.r.check(ctx, sent)
	res.Notes = append(append(res.Notes, notes...), bindNotes...)
	if len(bound) > 0 {
		res.Bound = bound
	}
	if len(bound) > 0 || g.nodes[i].Request.Dynamic {
		// What a reproduce line needs: the request with the real ids
		// and the rendered values (never ${run}).
		res.Sent = &generator.Check{ID: c.ID, Method: c.Method, Path: c.Path, Request: sent.Request}
	}
	if !res.Exercised && missing && res.StatusCode != 0 {
		res.Reason = ReasonNoValue
	}
	g.readAfterWrite(c, &res)
	if g.keep[c.ID] && res.Outcome != Skipped {
		e := &entry{sent: sent, resp: res.Response, exercised: res.Exercised}
		// A write that succeeded made (or changed) something of this
		// run; a read is as trustworthy as the values it was sent with.
		e.created = res.Exercised && (!c.Safe || (len(bound) > 0 && fromCreated))
		g.st.put(c.ID, e)
	}
	// What a write made is accounted for: a group's create that
	// succeeded, and any write answered 201 Created, group or not.
	if !c.Safe && res.Exercised && ((c.Chain != nil && c.Chain.Role == generator.RoleCreate) || res.StatusCode == http.StatusCreated) {
		e := g.st.get(c.ID)
		if e == nil || e.sent.ID != c.ID {
			e = &entry{sent: sent, resp: res.Response, exercised: true, created: true}
		}
		g.ledger.add(c.ID, sent, e)
	}
	if c.Chain != nil && c.Chain.Role == generator.RoleDelete {
		g.deleted(c, res, bound)
	}
	if i < g.n {
		g.results[i], g.refused[i] = res, refused
		g.report(i)
	}
}

// bind applies the bindings of c from the store. Of two bindings of one
// target, the first that gives a value wins. A binding whose producer did
// not run (filtered out) is passed over silently; one whose producer
// answered without a usable value is noted, and missing reports a target
// left with its static value although a producer ran — or, for a write,
// any bound target without a value of a resource this run created: such
// a write is not sent. fromCreated is true when every value came from a
// resource this run created.
func (g *graph) bind(c generator.Check) (sent generator.Check, bound []Bound, notes []string, missing, fromCreated bool) {
	sent, fromCreated = c, true
	done := make([]bool, len(c.Bindings))
	for k := range c.Bindings {
		if done[k] {
			continue
		}
		t := c.Bindings[k].Target()
		var why []string
		ok, tried := false, false
		// The bindings of one target, in order: the first that gives a
		// value wins.
		for j := k; j < len(c.Bindings); j++ {
			b := c.Bindings[j]
			if done[j] || (j > k && b.Target() != t) {
				continue
			}
			done[j] = true
			if ok {
				continue
			}
			e := g.st.get(b.Producer)
			if e == nil {
				continue
			}
			tried = true
			src := func() string { return b.Operation + " " + generator.ShortExpr(b.From) }
			switch {
			case !e.exercised:
				why = append(why, b.Operation+" "+answered(e))
				continue
			case !c.Safe && !e.created:
				why = append(why, src()+": a write takes only values of resources this run created")
				continue
			}
			v, err := e.eval(b, c)
			if err != nil {
				why = append(why, src()+": "+err.Error()+" ("+b.Origin+" binding not confirmed)")
				continue
			}
			next, err := sent.WithValue(b.In, b.Name, v)
			if err != nil {
				why = append(why, src()+": "+err.Error())
				continue
			}
			text, _ := generator.Scalar(v)
			sent = next
			bound = append(bound, Bound{Target: t, Value: text, From: b.Operation + " " + b.From, Producer: b.Producer})
			fromCreated = fromCreated && e.created
			ok = true
			if len(why) > 0 {
				notes = append(notes, fmt.Sprintf("%s: %s; took %s", t, strings.Join(why, "; "), src()))
			}
		}
		switch {
		case ok:
		case !c.Safe:
			// A write takes only values of resources this run created
			// (DESIGN.md, "Chains"): without one it is not sent at all,
			// for its static value names something smoke did not create.
			if !tried {
				why = append(why, "its producer did not run (filtered out or skipped)")
			}
			missing = true
			notes = append(notes, fmt.Sprintf("%s: no value (%s); not sent: a write takes only values of resources this run created", t, strings.Join(why, "; ")))
		case tried:
			missing = true
			notes = append(notes, fmt.Sprintf("%s: no value (%s); sent the static value", t, strings.Join(why, "; ")))
		}
	}
	if len(bound) == 0 {
		fromCreated = false
	}
	return sent, bound, notes, missing, fromCreated
}

// answered says what a producer that gave no value answered.
func answered(e *entry) string {
	if e.resp == nil {
		return "did not answer"
	}
	return fmt.Sprintf("answered %d %s", e.resp.StatusCode, http.StatusText(e.resp.StatusCode))
}
