package diff

import (
	"fmt"
	"strings"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// This file turns the samples of one operation into its Operation, in
// named steps: check that every sample is usable, normalise them, find
// what varies within each side (noise) and what differs between the
// sides, classify each difference (noise, addition, regression, fixed,
// then the rules), compare latency, and decide the verdict. When the
// samples include a confirmation (Samples.ConfirmOld/ConfirmNew), a
// regression must show in the first rounds and again in the
// confirmation, or it becomes noise.

// reasonNotReproduced explains a regression dropped by the confirmation.
const reasonNotReproduced = "did not reproduce on confirmation"

// sides holds the normalised samples of one operation: the first rounds
// and, when a confirmation was taken, its rounds.
type sides struct {
	olds, news         []normalised
	confOlds, confNews []normalised
}

func (s sides) confirming() bool { return len(s.confOlds) > 0 || len(s.confNews) > 0 }

// allOld and allNew pool the first rounds and the confirmation, in the
// order the samples were taken.
func (s sides) allOld() []normalised { return concat(s.olds, s.confOlds) }
func (s sides) allNew() []normalised { return concat(s.news, s.confNews) }

func concat(a, b []normalised) []normalised {
	out := make([]normalised, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// aggregate is one OLD/NEW difference, with the number of sample pairs
// that showed it in the first rounds and in the confirmation.
type aggregate struct {
	d              rawDiff
	first, confirm int
	// notReproduced explains, when set, why a dropped regression did not
	// reproduce; the default is reasonNotReproduced.
	notReproduced string
	// sticky marks a regression of the sides as a whole (OLD exercised
	// the operation, NEW did not): variation within a side does not
	// cancel it. flapping says NEW both exercised and missed the
	// operation in the first rounds.
	sticky, flapping bool
}

// reproduced reports whether the difference showed in the first rounds
// and again in the confirmation.
func (a *aggregate) reproduced() bool { return a.first > 0 && a.confirm > 0 }

// compareOperation classifies the samples of one check.
func compareOperation(s Samples, opts Options, rules *ruleSet) Operation {
	c := s.Check
	op := Operation{CheckID: c.ID, Method: c.Method, Path: c.Path, OperationID: c.OperationID,
		Samples: 2 * opts.Rounds, Differences: []Difference{}}
	scope := rules.forCheck(c)
	rules.markScoped(scope)
	op.OldStatus, op.NewStatus = firstStatus(s.Old), firstStatus(s.New)
	if note, ok := withheldOnBoth(s); ok {
		masker := generator.NewMasker(opts.Secrets...).With(c.SecretValues()...)
		side := Side{Reason: runner.ReasonNoValue, Snippet: masker.Cut(note, snippetLen)}
		op.Old, op.New, op.Verdict = side, side, Parity
		return op
	}

	sd, errs := normaliseSides(s, opts)
	if len(errs) > 0 {
		op.Errors, op.Verdict = errs, Error
		return op
	}
	digests := map[valueID]string{}
	noise := noiseWithin(sd.olds, sd.news, opts.ArrayKeys, digests)
	aggs := differencesBetween(sd, opts.ArrayKeys, digests)
	fixed := isFixed(sd.allOld(), sd.allNew())

	masker := generator.NewMasker(opts.Secrets...).With(c.SecretValues()...)
	op.Old = sideOf(c, append(append([]Sample(nil), s.Old...), s.ConfirmOld...), masker)
	op.New = sideOf(c, append(append([]Sample(nil), s.New...), s.ConfirmNew...), masker)
	lost := exerciseLost(c, sd, op.Old, op.New)

	cl := classifier{rules: rules, scope: scope, secrets: masker, confirming: sd.confirming(),
		out: []Difference{}}
	if cl.confirming {
		pooled := noiseWithin(sd.allOld(), sd.allNew(), opts.ArrayKeys, digests)
		cl.pooledNoise = &pooled
	}
	for _, b := range contractBreaks(sd) {
		cl.add(b, ClassRegression, b.d.note)
	}
	for _, a := range aggs {
		if lost != nil && a.d.kind == KindStatus {
			continue // the lost exercise below reports the status change
		}
		class, reason := classify(a.d, &noise)
		if fixed {
			class, reason = ClassFixed, "OLD failed the spec's checks, NEW passes them"
		}
		cl.add(a, class, reason)
	}
	if lost != nil {
		cl.add(lost, ClassRegression, lost.d.note)
	}
	if !opts.Latency.Disabled {
		op.Latency = cl.latency(sd, opts.Latency)
	}
	op.Differences = cl.out
	sortDifferences(op.Differences)
	op.Verdict = verdictOf(op, fixed)
	if sd.confirming() {
		op.Confirmation = &Confirmation{
			Rounds:    (len(s.ConfirmOld) + len(s.ConfirmNew)) / 4,
			Requests:  len(s.ConfirmOld) + len(s.ConfirmNew),
			Confirmed: op.Verdict == Regression,
			Dropped:   cl.dropped,
		}
	}
	return op
}

// normaliseSides checks that every sample (first rounds and
// confirmation) is usable and normalises it. An unusable sample (no
// answer, a body over the limit) makes the operation an error: the
// errors say why, one line per distinct cause.
func normaliseSides(s Samples, opts Options) (sides, []string) {
	want := 2 * opts.Rounds
	errs := append(sampleErrors("OLD", s.Old, want), sampleErrors("NEW", s.New, want)...)
	errs = append(errs, sampleErrors("OLD confirmation", s.ConfirmOld, 0)...)
	errs = append(errs, sampleErrors("NEW confirmation", s.ConfirmNew, 0)...)
	if len(errs) > 0 {
		return sides{}, errs
	}
	eval := opts.Evaluate
	if eval == nil {
		eval = statusEvaluate
	}
	var sd sides
	var bodyErrs []error
	norm := func(samples []Sample) []normalised {
		out := make([]normalised, len(samples))
		for i, x := range samples {
			out[i] = normalise(s.Check, x, eval, opts)
			if out[i].body.err != nil {
				bodyErrs = append(bodyErrs, out[i].body.err)
			}
		}
		return out
	}
	sd.olds, sd.news = norm(s.Old), norm(s.New)
	sd.confOlds, sd.confNews = norm(s.ConfirmOld), norm(s.ConfirmNew)
	if len(bodyErrs) > 0 {
		errs = append(errs, fmt.Sprintf("%d of %d samples: %v", len(bodyErrs),
			len(s.Old)+len(s.New)+len(s.ConfirmOld)+len(s.ConfirmNew), bodyErrs[0]))
		return sides{}, errs
	}
	return sd, nil
}

// noiseWithin records what differs between samples of the same side:
// the first sample of a side against every other.
func noiseWithin(olds, news []normalised, keys map[string]string, digests map[valueID]string) noiseSet {
	noise := noiseSet{headers: map[string]string{}, body: map[string]map[Kind]string{}}
	for k := 1; k < len(olds); k++ {
		noise.add("OLD", compareWith(olds[0], olds[k], keys, digests))
	}
	for k := 1; k < len(news); k++ {
		noise.add("NEW", compareWith(news[0], news[k], keys, digests))
	}
	return noise
}

// differencesBetween compares OLD and NEW sample by sample (the i-th of
// each side, first rounds and confirmation apart) and aggregates the
// differences by pointer and kind, in the order they were first seen.
func differencesBetween(sd sides, keys map[string]string, digests map[valueID]string) []*aggregate {
	var order []*aggregate
	agg := map[string]*aggregate{}
	pairs := func(olds, news []normalised, confirmation bool) {
		for i := range min(len(olds), len(news)) {
			for _, d := range compareWith(olds[i], news[i], keys, digests) {
				a, ok := agg[d.key()]
				if !ok {
					a = &aggregate{d: d}
					agg[d.key()] = a
					order = append(order, a)
				}
				if confirmation {
					a.confirm++
				} else {
					a.first++
				}
			}
		}
	}
	pairs(sd.olds, sd.news, false)
	pairs(sd.confOlds, sd.confNews, true)
	return order
}

// isFixed reports whether OLD failed the spec's assertions in every
// sample and NEW passes them in every sample.
func isFixed(olds, news []normalised) bool {
	for _, x := range olds {
		if len(x.failures) == 0 {
			return false
		}
	}
	for _, x := range news {
		if len(x.failures) > 0 {
			return false
		}
	}
	return true
}

// classifier applies the confirmation and the rules to classified
// differences and renders them.
type classifier struct {
	rules      *ruleSet
	scope      []int
	secrets    *generator.Masker
	confirming bool
	// pooledNoise is what varies within a side over the first rounds and
	// the confirmation together (nil without a confirmation).
	pooledNoise *noiseSet
	out         []Difference
	// dropped counts the regressions the confirmation turned into noise.
	dropped int
}

// add records a difference of the given class, as the first rounds
// classified it. While confirming, a regression becomes noise unless it
// showed in the first rounds and again in the confirmation, and does not
// vary within a side once the confirmation samples are pooled with the
// first ones. Then a matching rule silences it.
func (cl *classifier) add(a *aggregate, class Class, reason string) {
	if class == ClassRegression && cl.confirming {
		if why := cl.notReproduced(a); why != "" {
			class, reason = ClassNoise, why
			if a.first > 0 {
				cl.dropped++
			}
		}
	}
	if r, ok := cl.rules.match(cl.scope, a.d); ok {
		cl.rules.markUsed(r)
		class, reason = ClassIgnored, r.Reason
		if r.Action == Expect {
			class = ClassExpected
		}
	}
	cl.out = append(cl.out, render(a.d, a.first+a.confirm, class, reason, cl.secrets))
}

// notReproduced says why a regression of the first rounds did not hold on
// confirmation, or "" when it did.
func (cl *classifier) notReproduced(a *aggregate) string {
	switch {
	case a.notReproduced != "":
		return a.notReproduced
	case a.first == 0:
		return "appeared only on confirmation"
	case a.sticky && a.confirm == 0 && a.flapping && a.first >= 2:
		// NEW fails now and then (a lagging replica misses every other
		// read): the few confirmation samples may all pass, but two or
		// more misses among answers that vary are the regression itself.
		return ""
	case a.confirm == 0:
		return reasonNotReproduced
	case a.sticky:
		return "" // noise within NEW is the symptom, not an excuse
	}
	if side, ok := cl.pooledNoise.cancels(a.d); ok {
		return reasonNotReproduced + " (" + noiseReason(side) + ")"
	}
	return ""
}

// latency compares response times and records a latency difference when
// NEW is slower. Without a confirmation, the first rounds decide. With
// one, a slowdown of the first rounds holds only if it is significant on
// the pooled samples and the confirmation's own medians differ beyond
// both thresholds again; the pooled comparison is reported.
func (cl *classifier) latency(sd sides, o LatencyOptions) *Latency {
	// The first rounds are judged as they were before the confirmation
	// was taken; the pooled samples against the lags of all of them.
	firstAbove := starvedAbove(lags(sd.olds, sd.news), o)
	first := compareLatency(sampleTimes(sd.olds, firstAbove), sampleTimes(sd.news, firstAbove), o)
	if first == nil || !cl.confirming || len(sd.confOlds) == 0 || len(sd.confNews) == 0 {
		if first != nil && first.Slower {
			cl.add(latencyDiff(first, first.NewSamples, 0), ClassRegression, "")
		}
		return first
	}
	above := starvedAbove(lags(sd.allOld(), sd.allNew()), o)
	pooled := compareLatency(sampleTimes(sd.allOld(), above), sampleTimes(sd.allNew(), above), o)
	if !first.Slower {
		return pooled
	}
	conf := confirmLatency(sampleTimes(sd.confOlds, above), sampleTimes(sd.confNews, above), o)
	if pooled.Slower && conf.Slower {
		cl.add(latencyDiff(pooled, first.NewSamples, conf.NewSamples), ClassRegression, "")
		return pooled
	}
	a := latencyDiff(pooled, first.NewSamples, 0)
	a.notReproduced = latencyNotConfirmed(pooled, conf)
	cl.add(a, ClassRegression, "")
	return pooled
}

// latencyDiff is the difference a latency comparison reports.
func latencyDiff(l *Latency, first, confirm int) *aggregate {
	return &aggregate{d: rawDiff{kind: KindLatency, old: l.OldMS, new: l.NewMS, hasOld: true, hasNew: true},
		first: first, confirm: confirm}
}

// latencyNotConfirmed says why a slowdown of the first rounds was not
// confirmed.
func latencyNotConfirmed(pooled, conf *Latency) string {
	switch {
	case conf.OldDiscarded+conf.NewDiscarded > 0 && !conf.Compared:
		return fmt.Sprintf("%s: %d of %d confirmation samples were taken while smoke itself was starved of CPU",
			reasonNotReproduced, conf.OldDiscarded+conf.NewDiscarded, conf.OldDiscarded+conf.NewDiscarded+conf.OldSamples+conf.NewSamples)
	case !pooled.Slower:
		return fmt.Sprintf("%s: not significantly slower on all samples (median %s → %s ms)", reasonNotReproduced,
			fmtMS(pooled.OldMS), fmtMS(pooled.NewMS))
	}
	return fmt.Sprintf("%s: confirmation median %s → %s ms", reasonNotReproduced, fmtMS(conf.OldMS), fmtMS(conf.NewMS))
}

func fmtMS(ms float64) string { return fmt.Sprintf("%.1f", ms) }

// verdictOf decides an operation's verdict from its classified
// differences. A latency difference that did not reproduce on
// confirmation is listed, as noise, but does not make the operation
// noise: it says nothing of the service (a machine busy for a moment),
// and counting it would let an unchanged operation's verdict flip
// between parity and noise from run to run. A value or status that did
// not reproduce does: the service answered differently once.
func verdictOf(op Operation, fixed bool) Verdict {
	noise := 0
	for _, d := range op.Differences {
		if d.Class == ClassNoise && !(d.Kind == KindLatency && strings.HasPrefix(d.Reason, reasonNotReproduced)) {
			noise++
		}
	}
	switch {
	case fixed:
		return Fixed
	case op.Count(ClassRegression) > 0:
		return Regression
	case noise > 0:
		return Noise
	}
	return Parity
}

// confirmRounds is the number of confirmation rounds an operation needs:
// one round (two requests to each side) re-checks values, statuses,
// headers and the schema; a latency regression needs three, so that the
// confirmation has six samples per side: their medians must differ
// beyond the thresholds again with up to three per side discarded as
// starved, and they add enough to the first rounds' samples for the
// pooled test to have power. On a busy machine up to three more rounds
// replace starved samples (see sampler.rounds). So a confirmation costs 4
// requests, or 12 to 24 for latency, and only operations that first
// compared as regressions pay it.
func confirmRounds(op Operation) int {
	for _, d := range op.Differences {
		if d.Kind == KindLatency && d.Class == ClassRegression {
			return latencyConfirmRounds
		}
	}
	return 1
}

// latencyConfirmRounds is the number of rounds that confirm a latency
// regression; MaxConfirmRequests bounds what a confirmation sends.
const latencyConfirmRounds = 3

// MaxConfirmRequests is the most requests the confirmation of one
// operation sends: three latency rounds and three more to replace
// starved samples, four requests each.
const MaxConfirmRequests = 2 * latencyConfirmRounds * 4

// lags returns the lags of the samples of both sides.
func lags(olds, news []normalised) []time.Duration {
	out := make([]time.Duration, 0, len(olds)+len(news))
	for _, n := range concat(olds, news) {
		out = append(out, n.lag)
	}
	return out
}

// sampleTimes returns the durations of samples in the order they were
// taken, each with whether it was taken while the client was starved
// (its lag beyond starvedAbove).
func sampleTimes(ns []normalised, starvedAbove time.Duration) []timing {
	out := make([]timing, len(ns))
	for i, n := range ns {
		out[i] = timing{d: n.duration, starved: n.lag > starvedAbove}
	}
	return out
}

// timing is one measured duration.
type timing struct {
	d       time.Duration
	starved bool // taken while the client itself was starved: not used
}

// firstStatus returns the status of the first answered sample, 0 if
// none.
func firstStatus(samples []Sample) int {
	for _, s := range samples {
		if s.Err == nil && s.Response != nil {
			return s.Response.StatusCode
		}
	}
	return 0
}
