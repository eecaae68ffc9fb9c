package diff

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net/url"
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
	// Seed makes the shuffled order of requests reproducible.
	Seed uint64
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
	o.Latency = o.Latency.withDefaults()
	return o
}

// Sample is one exchange with one side: a response, or the error that
// prevented one.
type Sample struct {
	Response *runner.Response
	Err      error
}

// Samples holds every sample of one check, per side, in the order they
// were taken.
type Samples struct {
	Check generator.Check
	Old   []Sample
	New   []Sample
}

// ErrSendRequired is returned by Run when Options.Send is nil.
var ErrSendRequired = errors.New("diff: Options.Send is required")

// Run samples every check against OLD and NEW and compares the answers.
// Each check gets Options.Rounds rounds; a round sends the check twice to
// each side, in shuffled order, so that a difference between the two
// samples of one side can be recognised as noise. Checks that write are
// skipped unless Options.AllowWrites.
//
// On cancellation Run returns the report of what was sampled (unfinished
// operations have verdict error) together with ctx.Err().
func Run(ctx context.Context, checks []generator.Check, oldURL, newURL string, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	if opts.Send == nil {
		return nil, ErrSendRequired
	}
	var todo []generator.Check
	var skipped []string
	for _, c := range checks {
		if !opts.AllowWrites && !generator.IsSafe(c.Method) {
			skipped = append(skipped, c.Method+" "+c.Path)
			continue
		}
		todo = append(todo, c)
	}

	rules, err := newRuleSet(opts.Rules)
	if err != nil {
		return nil, err
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
			ops[i] = compareOperation(sampleCheck(gctx, c, oldURL, newURL, opts), opts, rules)
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
	rep := &Report{Old: redactURL(oldURL), New: redactURL(newURL), Rounds: opts.Rounds,
		Operations: ops, Skipped: skipped, Warnings: rules.warnings(), Resources: res}
	if res != nil {
		rep.Warnings = append(rep.Warnings, res.leftWarnings()...)
	}
	rep.summarise()
	return rep, ctx.Err()
}

// sampleCheck takes Rounds rounds of samples of one check.
func sampleCheck(ctx context.Context, c generator.Check, oldURL, newURL string, opts Options) Samples {
	s := Samples{Check: c}
	h := fnv.New64a()
	h.Write([]byte(c.ID + c.Method + c.Path))
	rng := rand.New(rand.NewPCG(opts.Seed, h.Sum64()))
	for range opts.Rounds {
		order := [4]bool{false, false, true, true} // true: NEW
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, isNew := range order {
			if ctx.Err() != nil {
				return s
			}
			base, side := oldURL, "old"
			if isNew {
				base, side = newURL, "new"
			}
			start := time.Now()
			resp, err := opts.Send(ctx, base, c)
			if err == nil && resp == nil {
				err = errors.New("no response")
			}
			opts.Logger.Debug("diff sample", "side", side, "method", c.Method, "path", c.Path,
				"status", statusOf(resp), "duration", time.Since(start), "err", err)
			if isNew {
				s.New = append(s.New, Sample{Response: resp, Err: err})
			} else {
				s.Old = append(s.Old, Sample{Response: resp, Err: err})
			}
		}
	}
	return s
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
	rep := &Report{Rounds: opts.Rounds, Operations: make([]Operation, 0, len(all))}
	for _, s := range all {
		rep.Operations = append(rep.Operations, compareOperation(s, opts, rules))
	}
	rep.Warnings = rules.warnings()
	rep.summarise()
	return rep, nil
}

// sampleErrors lists why samples of one side are unusable, one line per
// distinct error.
func sampleErrors(side string, samples []Sample, want int) []string {
	var out []string
	var msgs []string
	first := map[string]int{}
	count := map[string]int{}
	for i, s := range samples {
		if s.Err == nil {
			continue
		}
		m := s.Err.Error()
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
