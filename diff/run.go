package diff

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// SendFunc sends one check to the target at baseURL and returns the
// captured answer; an error means no usable answer (refused, timeout,
// reset). (*runner.Runner).Send has this signature.
type SendFunc func(ctx context.Context, baseURL string, c generator.Check) (*runner.Response, error)

// EvaluateFunc returns the spec assertions a response fails.
// (*runner.Runner).Evaluate has this signature.
type EvaluateFunc func(c generator.Check, resp *runner.Response) []runner.Failure

// Options configure a diff. The zero value is usable once Send is set.
type Options struct {
	// Send performs one exchange. Required by Run; Compare does not use it.
	Send SendFunc
	// Evaluate checks a response against the spec's assertions: it
	// decides the fixed verdict and finds schema violations. Nil means
	// a status-only evaluation (no 5xx, status documented).
	Evaluate EvaluateFunc
	// Rounds is the number of sampling rounds per check; each round sends
	// two requests to each side in shuffled order. Default 3.
	Rounds int
	// Concurrency is the number of checks sampled at once. Default 4.
	Concurrency int
	// AllowWrites lets Run send checks whose method is not safe. Without
	// it they are skipped and listed in Report.Skipped.
	AllowWrites bool
	// Rules silence reviewed differences.
	Rules []Rule
	// ArrayKeys maps the pointer template of an array ("/items",
	// "/data/*/tags"; "" for a top-level array) to the field that
	// identifies its elements ("id"): such arrays compare as sets. The
	// template "*" applies to every array of objects carrying the field.
	ArrayKeys map[string]string
	// IgnoreHeaders names response headers (a trailing "*" matches a
	// prefix) compared by presence only, besides the built-in list (Date,
	// request and trace ids ...).
	IgnoreHeaders []string
	// Secrets are values to mask in every example, besides the check's
	// secret parameters and credential headers.
	Secrets []string
	// Latency says when a slowdown is a regression.
	Latency LatencyOptions
	// Seed makes the shuffled order of requests reproducible: the order
	// of each check's requests depends only on the seed and the check.
	// Zero means a random seed, chosen per run; Report.Seed records the
	// seed used either way.
	Seed uint64
	// NoConfirm reports regressions as the first rounds find them,
	// without the confirmation rounds (see Confirmation). It exists to
	// measure what confirmation buys; a verdict without it flips on a
	// busy machine.
	NoConfirm bool
	// MaxBodyBytes bounds a body diff decodes itself (a Content-Encoding
	// the sender left in place): past it the sample is an error. Zero
	// means runner.DefaultMaxBodyBytes. (*runner.Runner).Send decodes
	// gzip and deflate within its own limit already.
	MaxBodyBytes int64
	// Logger receives one debug line per sample. Nil discards.
	Logger *slog.Logger
	// OnSampled is called after each check has been sampled, from one
	// goroutine at a time, for progress display.
	OnSampled func(c generator.Check)
	// Support are checks left out of the selection that the chained ones
	// need (generator.Support): the lists their reads take ids from, the
	// deletes of what their creates make. They are sent only as needed.
	Support []generator.Check
	// Chain runs the checks that take part in chains (bindings, groups)
	// against one side, each side on its own state; their bound values
	// are aliases across sides. Nil samples them one by one, with their
	// static values, like the others.
	Chain ChainFunc
}

func (o Options) withDefaults() Options {
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = runner.DefaultMaxBodyBytes
	}
	o.Latency = o.Latency.withDefaults()
	return o
}

// comparesLatency reports whether latency will be compared: it needs
// MinRounds rounds.
func (o Options) comparesLatency() bool {
	return !o.Latency.Disabled && o.Rounds >= o.Latency.MinRounds
}

// Sample is one exchange with one side: a response, or the error that
// prevented one.
type Sample struct {
	Response *runner.Response
	Err      error
	// Lag is how long smoke itself was kept from running while the
	// sample was taken: the longest delay, within the exchange, between
	// when a wake-up was due and when it came. A sample with a Lag over
	// LatencyOptions.MaxLag measured a starved client, not the service,
	// and its time is not compared.
	Lag time.Duration
}

// Samples holds every sample of one check, per side, in the order they
// were taken.
type Samples struct {
	Check generator.Check
	Old   []Sample
	New   []Sample
	// ConfirmOld and ConfirmNew are the samples of the confirmation
	// rounds, taken when Old and New first compared as a regression;
	// empty when there was no confirmation.
	ConfirmOld []Sample
	ConfirmNew []Sample
}

// ErrSendRequired is returned by Run when Options.Send is nil.
var ErrSendRequired = errors.New("diff: Options.Send is required")

// Run samples every check against OLD and NEW and compares the answers.
// Each check gets Options.Rounds rounds; a round sends the check twice to
// each side, in shuffled order, so that a difference between the two
// samples of one side can be recognised as noise. An operation that
// compares as a regression is sampled again in a confirmation (see
// Confirmation) before it is reported as one. Checks that write are
// skipped unless Options.AllowWrites.
//
// On cancellation Run returns the report of what was sampled (unfinished
// operations have verdict error) together with ctx.Err().
func Run(ctx context.Context, checks []generator.Check, oldURL, newURL string, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	if opts.Send == nil {
		return nil, ErrSendRequired
	}
	if opts.Seed == 0 {
		opts.Seed = randomSeed()
	}
	var todo []generator.Check
	var skipped, withheld []string
	for _, c := range checks {
		switch {
		case !opts.AllowWrites && !generator.IsSafe(c.Method):
			skipped = append(skipped, c.Method+" "+c.Path)
			continue
		case generator.Untouchable(c) != "":
			// Never sent, on either side: nothing to compare.
			withheld = append(withheld, c.Method+" "+c.Path)
			continue
		}
		todo = append(todo, c)
	}

	rules, err := newRuleSet(opts.Rules)
	if err != nil {
		return nil, err
	}
	var lag *lagMonitor
	if opts.comparesLatency() {
		lag = startLagMonitor()
		defer lag.stop()
	}
	todo, chain := chained(todo, opts)
	// Each check is compared as soon as it is sampled, so that only the
	// answers of the checks in flight are held in memory.
	ops := make([]Operation, len(todo))
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for i, c := range todo {
		g.Go(func() error {
			sp := newSampler(c, oldURL, newURL, opts, lag)
			ops[i] = sp.operation(gctx, rules)
			if opts.OnSampled != nil {
				mu.Lock()
				opts.OnSampled(c)
				mu.Unlock()
			}
			return nil // a failed sample is a result, never an error
		})
	}
	_ = g.Wait() // the goroutines above never return an error

	// Chains run after the independent checks, so that those see each
	// side's state without what the chains create.
	var res *Resources
	if len(chain) > 0 {
		var more []Operation
		more, res = runChains(ctx, chain, checks, oldURL, newURL, opts, rules)
		ops = append(ops, more...)
	}
	rep := &Report{Old: redactURL(oldURL), New: redactURL(newURL), Rounds: opts.Rounds, Seed: opts.Seed,
		Operations: ops, Skipped: skipped, Withheld: withheld, Warnings: rules.warnings(), Resources: res}
	if res != nil {
		rep.Warnings = append(rep.Warnings, res.leftWarnings()...)
	}
	rep.summarise()
	return rep, ctx.Err()
}

// randomSeed picks a seed for a run that was given none. It stays below
// 2^53 so that every JSON reader (jq included) keeps it exact.
func randomSeed() uint64 {
	for {
		if s := rand.Uint64() >> 11; s != 0 {
			return s
		}
	}
}

// sampler takes the samples of one check: its rounds, then, when they
// compare as a regression, the confirmation rounds. The order of requests
// is drawn from a generator seeded with Options.Seed and the check, so
// the same seed replays the same order.
type sampler struct {
	check          generator.Check
	oldURL, newURL string
	opts           Options
	rng            *rand.Rand
	lag            *lagMonitor // nil when latency is not compared
}

func newSampler(c generator.Check, oldURL, newURL string, opts Options, lag *lagMonitor) *sampler {
	h := fnv.New64a()
	h.Write([]byte(c.ID + c.Method + c.Path))
	return &sampler{check: c, oldURL: oldURL, newURL: newURL, opts: opts, lag: lag,
		rng: rand.New(rand.NewPCG(opts.Seed, h.Sum64()))}
}

// operation samples the check, compares, and confirms a regression.
func (sp *sampler) operation(ctx context.Context, rules *ruleSet) Operation {
	s := Samples{Check: sp.check}
	n := sp.opts.Rounds
	s.Old, s.New = sp.rounds(ctx, n, sp.topUp(n), nil)
	op := compareOperation(s, sp.opts, rules)
	if op.Verdict != Regression || sp.opts.NoConfirm || ctx.Err() != nil {
		return op
	}
	n = confirmRounds(op)
	s.ConfirmOld, s.ConfirmNew = sp.rounds(ctx, n, sp.topUp(n), append(slices.Clip(s.Old), s.New...))
	if ctx.Err() != nil {
		op.Verdict = Error
		op.Errors = append(op.Errors, "interrupted while confirming a regression")
		return op
	}
	return compareOperation(s, sp.opts, rules)
}

// topUp is how many rounds may be added to n rounds to replace samples
// whose time does not count because smoke was starved when it took them:
// as many as were asked for, and none when latency is not compared (a
// starved sample's answer is as good as any other).
func (sp *sampler) topUp(n int) int {
	if sp.lag == nil || n < 2 {
		return 0
	}
	return n
}

// rounds takes n rounds: each sends the check twice to each side, in
// shuffled order. While a side has fewer samples on time (not starved:
// see Sample.Lag and starvedAbove, which also weighs the earlier samples
// of the operation) than n rounds give, it takes more rounds, up to
// topUp. It stops early when ctx is done.
func (sp *sampler) rounds(ctx context.Context, n, topUp int, earlier []Sample) (old, new []Sample) {
	onTime := func(ss []Sample, above time.Duration) int {
		k := 0
		for _, s := range ss {
			if s.Lag <= above {
				k++
			}
		}
		return k
	}
	short := func() bool {
		var lags []time.Duration
		for _, group := range [][]Sample{earlier, old, new} {
			for _, s := range group {
				lags = append(lags, s.Lag)
			}
		}
		above := starvedAbove(lags, sp.opts.Latency)
		return min(onTime(old, above), onTime(new, above)) < 2*n
	}
	for r := 0; r < n || (r < n+topUp && short()); r++ {
		order := [4]bool{false, false, true, true} // true: NEW
		sp.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, isNew := range order {
			if ctx.Err() != nil {
				return old, new
			}
			if isNew {
				new = append(new, sp.sample(ctx, sp.newURL, "new"))
			} else {
				old = append(old, sp.sample(ctx, sp.oldURL, "old"))
			}
		}
	}
	return old, new
}

// sample sends the check once to base. A body over the runner's limit is
// an error: only part of it could be compared, and holding it would cost
// memory for nothing.
func (sp *sampler) sample(ctx context.Context, base, side string) Sample {
	c := sp.check
	start := time.Now()
	resp, err := sp.opts.Send(ctx, base, c)
	end := time.Now()
	if err == nil && resp == nil {
		err = errors.New("no response")
	}
	if err == nil && resp.Truncated {
		err = fmt.Errorf("response body larger than the %s limit: not compared", runner.ByteSize(int64(len(resp.Body))))
		resp = nil
	}
	var lag time.Duration
	if sp.lag != nil {
		lag = sp.lag.lagDuring(start, end)
	}
	sp.opts.Logger.Debug("diff sample", "side", side, "method", c.Method, "path", c.Path,
		"status", statusOf(resp), "duration", end.Sub(start), "lag", lag, "err", err)
	return Sample{Response: resp, Err: err, Lag: lag}
}

func statusOf(r *runner.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

// redactURL removes user information (credentials) from a base URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

// Compare classifies the samples of each check into an Operation and
// builds the report. It sends nothing; Run calls it, and it can be used
// on samples taken elsewhere. The report's Old, New and Skipped are left
// for the caller.
func Compare(all []Samples, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	rules, err := newRuleSet(opts.Rules)
	if err != nil {
		return nil, err
	}
	rep := &Report{Rounds: opts.Rounds, Seed: opts.Seed, Operations: make([]Operation, 0, len(all))}
	for _, s := range all {
		rep.Operations = append(rep.Operations, compareOperation(s, opts, rules))
	}
	rep.Warnings = rules.warnings()
	rep.summarise()
	return rep, nil
}

// sampleProblem says why a sample cannot be compared, or "".
func sampleProblem(s Sample) string {
	switch {
	case s.Err != nil:
		return s.Err.Error()
	case s.Response == nil:
		return "no response"
	case s.Response.Truncated:
		return fmt.Sprintf("response body larger than the %s limit: not compared", runner.ByteSize(int64(len(s.Response.Body))))
	}
	return ""
}

// sampleErrors lists why samples of one side are unusable, one line per
// distinct error.
func sampleErrors(side string, samples []Sample, want int) []string {
	var out []string
	var msgs []string
	first := map[string]int{}
	count := map[string]int{}
	for i, s := range samples {
		m := sampleProblem(s)
		if m == "" {
			continue
		}
		if _, ok := first[m]; !ok {
			first[m] = i + 1
			msgs = append(msgs, m)
		}
		count[m]++
	}
	for _, m := range msgs {
		if count[m] == 1 {
			out = append(out, fmt.Sprintf("%s sample %d: %s", side, first[m], m))
			continue
		}
		out = append(out, fmt.Sprintf("%s samples (%d of %d): %s", side, count[m], len(samples), m))
	}
	if len(samples) < want {
		out = append(out, fmt.Sprintf("%s: %d of %d samples taken (interrupted)", side, len(samples), want))
	}
	return out
}
