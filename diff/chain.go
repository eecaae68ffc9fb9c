package diff

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// Chains in a diff (DESIGN.md, "Chains"): each side runs its chains on its
// own state — OLD creates, reads and deletes its own resources, NEW its
// own — and a value bound on OLD and its counterpart on NEW are aliases:
// NEW's created id differing from OLD's is never a difference by itself,
// while the fields a read echoes are compared as usual.

// ChainFunc runs checks that take part in chains against the deployment
// at baseURL and returns one Result per check, in order, with each
// Response captured, and what the run created and left behind. support
// are the other checks, sent only when the chained ones need them (see
// runner.RunChains, which has this shape).
type ChainFunc func(ctx context.Context, baseURL string, checks, support []generator.Check) ([]runner.Result, runner.Resources, error)

// Resources is what the chains of a diff created on each side, summed
// over every run of them.
type Resources struct {
	Old runner.Resources `json:"old"`
	New runner.Resources `json:"new"`
}

// chained splits the checks to sample: those with bindings or a place in
// a group run as chains when opts.Chain is set, the others are sampled
// one by one as before.
func chained(todo []generator.Check, opts Options) (plain, chain []generator.Check) {
	if opts.Chain == nil {
		return todo, nil
	}
	for _, c := range todo {
		if len(c.Bindings) > 0 || c.Chain != nil {
			chain = append(chain, c)
		} else {
			plain = append(plain, c)
		}
	}
	return plain, chain
}

// chainSampler runs the chains of a diff, round after round, and keeps
// what the rounds share: the order of sides drawn from the seed, the
// values of OLD's first run every run's values are aliased to, the
// resources each side created, and the failures only a chain judges.
type chainSampler struct {
	chain, support []generator.Check
	oldURL, newURL string
	opts           Options
	rng            *rand.Rand
	res            *Resources
	// canon are the values OLD's first run bound: the canonical ones
	// every run's values are aliased to.
	canon map[string]string
	// extra are the failures only a chain judges (read_after_write),
	// which reach compareOperation through the evaluation of a response.
	extra map[*runner.Response][]runner.Failure
}

// newChainSampler prepares the sampling of chain; all are the checks of
// the plan, passed to each run as support.
func newChainSampler(chain, all []generator.Check, oldURL, newURL string, opts Options) *chainSampler {
	in := map[string]bool{}
	for _, c := range chain {
		in[c.ID] = true
	}
	var support []generator.Check
	for _, c := range all {
		if !in[c.ID] {
			support = append(support, c)
			in[c.ID] = true
		}
	}
	for _, c := range opts.Support {
		if !in[c.ID] {
			support = append(support, c)
		}
	}
	h := fnv.New64a()
	for _, c := range chain {
		h.Write([]byte(c.ID))
	}
	return &chainSampler{chain: chain, support: support, oldURL: oldURL, newURL: newURL, opts: opts,
		rng:   rand.New(rand.NewPCG(opts.Seed, h.Sum64())),
		res:   &Resources{Old: runner.Resources{Left: []runner.Leftover{}}, New: runner.Resources{Left: []runner.Leftover{}}},
		extra: map[*runner.Response][]runner.Failure{}}
}

// rounds runs the chains n rounds of two runs per side, in shuffled side
// order, and returns the samples of each chained check (old[i] and
// new[i] for chain[i]) with bound values aliased, ready for
// compareOperation. It stops early when ctx is done.
func (cs *chainSampler) rounds(ctx context.Context, n int) (old, new [][]Sample) {
	old, new = make([][]Sample, len(cs.chain)), make([][]Sample, len(cs.chain))
	type run struct {
		isNew   bool
		results []runner.Result
		values  map[string]string
	}
	// Each run is kept until OLD has run once: its values are the
	// canonical ones.
	var runs []run
	for range n {
		order := [4]bool{false, false, true, true} // true: NEW
		cs.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, isNew := range order {
			if ctx.Err() != nil {
				break
			}
			base, side, sideRes := cs.oldURL, "OLD", &cs.res.Old
			if isNew {
				base, side, sideRes = cs.newURL, "NEW", &cs.res.New
			}
			results, r, err := cs.opts.Chain(ctx, base, cs.chain, cs.support)
			sideRes.Created += r.Created
			sideRes.Deleted += r.Deleted
			sideRes.Left = append(sideRes.Left, r.Left...)
			if err != nil {
				cs.opts.Logger.Debug("diff chain", "side", side, "err", err)
			}
			values := boundValues(results)
			if cs.canon == nil && !isNew {
				cs.canon = values
			}
			runs = append(runs, run{isNew: isNew, results: results, values: values})
		}
	}
	for _, rn := range runs {
		for i, rr := range rn.results {
			if i >= len(cs.chain) {
				continue
			}
			var s Sample
			switch {
			case rr.Outcome == runner.Skipped && rr.Reason == runner.ReasonNoValue && len(rr.Notes) > 0:
				// A write withheld: its id did not come from a resource
				// this run created (the note says which and why).
				s.Err = &withheldError{note: rr.Notes[len(rr.Notes)-1]}
			case rr.Outcome == runner.Skipped:
				continue // not sent: the run was interrupted
			case rr.Response == nil:
				msg := "no response"
				if len(rr.Failures) > 0 {
					msg = rr.Failures[0].Message
				}
				s.Err = errors.New(msg)
			default:
				s.Response = alias(rr.Response, rr, rn.values, cs.canon, cs.chain[i])
				for _, f := range rr.Failures {
					if f.Check == runner.CheckReadAfterWrite {
						cs.extra[s.Response] = append(cs.extra[s.Response], f)
					}
				}
			}
			if rn.isNew {
				new[i] = append(new[i], s)
			} else {
				old[i] = append(old[i], s)
			}
		}
	}
	return old, new
}

// boundValues collects, from one run, the value each binding source gave
// ("POST /silences $response.body#/silenceID" → "5f0…").
func boundValues(results []runner.Result) map[string]string {
	m := map[string]string{}
	for _, r := range results {
		for _, b := range r.Bound {
			if _, ok := m[b.From]; !ok {
				m[b.From] = b.Value
			}
		}
	}
	return m
}

// alias rewrites, in a copy of resp, the values this run bound to their
// counterparts of OLD's first run, so that each side's own ids compare
// equal: a JSON field holding the value and named like the binding's
// source or target, or like an identifier (id, petId, owner_id), and a
// path segment of a header or string that is a URL or path. Small ids
// collide across resources (pet 2 and appointment 2): a value several
// sources gave is aliased to the counterpart of the source closest to
// the check (see aliasPair.rank).
func alias(resp *runner.Response, r runner.Result, values, canon map[string]string, c generator.Check) *runner.Response {
	var pairs []aliasPair // this run's value → OLD's first run's
	names := map[string]bool{}
	for src, v := range values {
		to, ok := canon[src]
		if !ok || to == v || v == "" {
			continue
		}
		p := aliasPair{from: v, to: to, src: src}
		if op, expr, ok := strings.Cut(src, " $"); ok {
			p.producer = op
			if x, err := generator.ParseExpr("$" + expr); err == nil {
				if toks, err := generator.SplitPointer(x.Pointer); err == nil && len(toks) > 0 {
					p.field = toks[len(toks)-1]
					names[p.field] = true
				}
			}
		}
		pairs = append(pairs, p)
	}
	for _, b := range c.Bindings {
		names[b.Name] = true
		if toks, err := generator.SplitPointer(b.Name); err == nil && len(toks) > 0 {
			names[toks[len(toks)-1]] = true
		}
	}
	for _, b := range r.Bound {
		if i := strings.LastIndexAny(b.Target, "./"); i >= 0 {
			names[b.Target[i+1:]] = true
		}
	}
	if len(pairs) == 0 {
		return resp
	}
	// In source order, so that of pairs that rank the same the first wins
	// on every run (values is a map).
	slices.SortFunc(pairs, func(a, b aliasPair) int { return strings.Compare(a.src, b.src) })
	self := c.Method + " " + c.Path
	// pick returns the counterpart of v found in field, from the pair
	// that ranks best.
	pick := func(v, field string) (string, bool) {
		best, found := "", false
		bestRank := -1
		for _, p := range pairs {
			if p.from != v {
				continue
			}
			if r := p.rank(self, c.Path, field); r > bestRank {
				best, bestRank, found = p.to, r, true
			}
		}
		return best, found
	}
	out := *resp
	changed := false
	if doc, err := generator.DecodeJSON(resp.Body); err == nil {
		var walk func(v any) any
		walk = func(v any) any {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					if s, ok := generator.Scalar(e); ok && (names[k] || idLike(k)) {
						if to, ok := pick(s, k); ok {
							x[k] = retypeAs(e, to)
							changed = true
						}
						continue
					}
					if s, ok := e.(string); ok {
						if n, ok := replaceSegments(s, pick); ok {
							x[k] = n
							changed = true
						}
						continue
					}
					x[k] = walk(e)
				}
			case []any:
				for i, e := range x {
					x[i] = walk(e)
				}
			}
			return v
		}
		doc = walk(doc)
		if changed {
			if b, err := marshal(doc); err == nil {
				out.Body = b
			}
		}
	}
	h := resp.Header.Clone()
	for k, vs := range h {
		for i, v := range vs {
			if n, ok := replaceSegments(v, pick); ok {
				h[k][i] = n
				changed = true
			}
		}
	}
	out.Header = h
	if !changed {
		return resp
	}
	return &out
}

// aliasPair is one value this run bound and its counterpart in OLD's
// first run.
type aliasPair struct {
	from, to string
	// src is the binding source ("POST /pets $response.body#/id"),
	// producer its operation ("POST /pets") and field the last token of
	// its pointer ("id"; empty for a header).
	src, producer, field string
}

// rank says how close the pair's source is to a value of the check self
// (at path) found in field: the check's own answer first, then a
// resource of the same collection (POST /owners/{ownerId}/pets for GET
// /owners/{ownerId}/pets and its items), then a field of the same name.
func (p aliasPair) rank(self, path, field string) int {
	r := 0
	_, ppath, _ := strings.Cut(p.producer, " ")
	switch {
	case p.producer == self:
		r += 4
	case ppath == path || strings.HasPrefix(path, ppath+"/"):
		r += 2
	}
	if field != "" && p.field == field {
		r++
	}
	return r
}

// replaceSegments replaces a value that is a whole path segment of a URL
// or path ("/pets/5" → "/pets/4"), with the counterpart pick gives.
func replaceSegments(s string, pick func(v, field string) (string, bool)) (string, bool) {
	if !strings.Contains(s, "/") {
		return s, false
	}
	segs := strings.Split(s, "/")
	changed := false
	for i, seg := range segs {
		if seg == "" {
			continue
		}
		if to, ok := pick(seg, ""); ok {
			segs[i] = to
			changed = true
		}
	}
	return strings.Join(segs, "/"), changed
}

// idLike reports a field named like an identifier: id, ID, petId,
// owner_id, uuid.
func idLike(k string) bool {
	l := strings.ToLower(k)
	return l == "id" || l == "uuid" || strings.HasSuffix(l, "_id") || strings.HasSuffix(k, "Id") || strings.HasSuffix(k, "ID") || strings.HasSuffix(l, "uuid")
}

// retypeAs renders to with the JSON type of the value it replaces.
func retypeAs(old any, to string) any {
	if _, ok := old.(string); ok {
		return to
	}
	if v, err := generator.DecodeJSON([]byte(to)); err == nil {
		if _, ok := generator.Scalar(v); ok {
			return v
		}
	}
	return to
}

// chainEvaluate adds the failures only a chain judges (read_after_write)
// to the evaluation of a chained check's response.
func chainEvaluate(eval EvaluateFunc, extra map[*runner.Response][]runner.Failure) EvaluateFunc {
	return func(c generator.Check, r *runner.Response) []runner.Failure {
		return append(eval(c, r), extra[r]...)
	}
}

// leftWarnings lists what the chains of each side left behind, one line
// per operation and reason, with the ids and one delete command.
func (r *Resources) leftWarnings() []string {
	var out []string
	for _, side := range []struct {
		name string
		res  runner.Resources
	}{{"OLD", r.Old}, {"NEW", r.New}} {
		type group struct {
			ids    []string
			delete string
		}
		var keys []string
		groups := map[string]*group{}
		for _, l := range side.res.Left {
			k := l.Method + " " + l.Path + ": " + l.Reason
			g, ok := groups[k]
			if !ok {
				g = &group{delete: l.Delete}
				groups[k] = g
				keys = append(keys, k)
			}
			if l.ID != "" {
				g.ids = append(g.ids, l.ID)
			}
		}
		for _, k := range keys {
			g := groups[k]
			op, reason, _ := strings.Cut(k, ": ")
			msg := fmt.Sprintf("%s: %s left %s behind", side.name, op, plural(max(len(g.ids), 1), "resource", "resources"))
			if len(g.ids) > 0 {
				msg += " (" + strings.Join(g.ids, ", ") + ")"
			}
			msg += ": " + reason
			if g.delete != "" {
				msg += "; delete with e.g.: " + g.delete
			}
			out = append(out, msg)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// runChains samples the chained checks and compares them. A regression
// is confirmed as one of an independent check is (see Confirmation):
// the chains run again, as many rounds as the regressions ask for, and
// only the operations that compared as regressions are compared again
// with those samples.
func runChains(ctx context.Context, chain, all []generator.Check, oldURL, newURL string, opts Options, rules *ruleSet) ([]Operation, *Resources) {
	cs := newChainSampler(chain, all, oldURL, newURL, opts)
	eval := opts.Evaluate
	if eval == nil {
		eval = statusEvaluate
	}
	copts := opts
	copts.Evaluate = chainEvaluate(eval, cs.extra)
	samples := make([]Samples, len(chain))
	old, new := cs.rounds(ctx, opts.Rounds)
	ops := make([]Operation, len(chain))
	confirm := 0
	for i, c := range chain {
		samples[i] = Samples{Check: c, Old: old[i], New: new[i]}
		ops[i] = compareOperation(samples[i], copts, rules)
		if ops[i].Verdict == Regression {
			confirm = max(confirm, confirmRounds(ops[i]))
		}
	}
	if confirm > 0 && !opts.NoConfirm && ctx.Err() == nil {
		old, new = cs.rounds(ctx, confirm)
		for i := range chain {
			if ops[i].Verdict != Regression {
				continue
			}
			if ctx.Err() != nil {
				ops[i].Verdict = Error
				ops[i].Errors = append(ops[i].Errors, "interrupted while confirming a regression")
				continue
			}
			samples[i].ConfirmOld, samples[i].ConfirmNew = old[i], new[i]
			ops[i] = compareOperation(samples[i], copts, rules)
		}
	}
	if opts.OnSampled != nil {
		for _, c := range chain {
			opts.OnSampled(c)
		}
	}
	return ops, cs.res
}

// withheldError is the sample of a write the runner did not send: the
// value it needed did not come from a resource this run created.
type withheldError struct{ note string }

func (e *withheldError) Error() string { return e.note }

// withheldOnBoth returns the note of an operation whose every sample, on
// both sides, is a write withheld: neither side could do it, for the
// same reason (the create it depends on failed on both). That is parity
// without exercise, not an error. A write withheld on one side only stays
// an error that says why.
func withheldOnBoth(s Samples) (string, bool) {
	note := ""
	for _, side := range [][]Sample{s.Old, s.New, s.ConfirmOld, s.ConfirmNew} {
		for _, x := range side {
			var w *withheldError
			if !errors.As(x.Err, &w) {
				return "", false
			}
			note = w.note
		}
	}
	return note, len(s.Old) > 0 && len(s.New) > 0
}
