// Package diff compares how two deployments of the same service answer
// the same checks — OLD and NEW infrastructure before a migration — and
// says, per operation, whether NEW is at parity, regressed, differs only
// by noise, fixed a failure, or could not be sampled.
//
// # Overview
//
// Run samples each check in several rounds; a round sends the check twice
// to OLD and twice to NEW, in shuffled order. Every answer is normalised
// before it is compared: the body is decompressed and parsed by content
// type (JSON with exact number comparison, text, or bytes by SHA-256),
// headers are filtered (connection and proxy headers are dropped; Date,
// request and trace ids and similar are compared by presence only;
// load-balancer cookies are ignored; media types are canonicalised).
//
// A difference between OLD and NEW that also shows up between two samples
// of the same side is noise, not a regression: the idea of Twitter's
// Diffy, applied per JSON pointer. Values whose schema format is
// date-time, date, time or uuid are compared by presence, type and format
// only. An object field present only on NEW is a non-breaking addition; a
// field missing on NEW, a type change, a changed value, a changed status,
// an array that gained or lost elements (arrays with uniqueItems or a
// configured key compare as sets) and a schema violation on NEW that OLD
// did not have are regressions. Rules (Rule) silence reviewed
// differences, each with a reason; rules that match nothing are reported
// as warnings.
//
// Checks that take part in chains (bindings, a create's group) run with
// Options.Chain, after the others: each side runs its chains on its own
// state, twice per round, creating, reading and deleting its own
// resources. A value bound on OLD and its counterpart on NEW are aliases:
// NEW's id differing from OLD's is never a difference by itself, while
// the fields a read echoes compare as usual, and a read-after-write
// failure on NEW alone is a regression. Report.Resources says what each
// side created and left behind.
//
// Latency is compared when each side has enough samples (5 rounds by
// default): the medians after a warm-up sample, with the Mann-Whitney U
// test of golang.org/x/perf/benchmath. A slowdown is a regression only
// when it is statistically significant and beyond both a relative and an
// absolute threshold.
//
// # Usage
//
//	r, _ := runner.New(runner.Options{})
//	rep, err := diff.Run(ctx, plan.Checks, "https://api.example.com", "https://api-fargate.example.com",
//		diff.Options{Send: r.Send, Evaluate: r.Evaluate, Rounds: 5})
//	if rep.Findings(diff.FailOnRegression) { ... }
//
// Compare does the classification alone, on samples taken elsewhere. The
// report package renders a Report as text, JSON, Markdown or HTML.
//
// The package is importable but promises no API: it exists for the smoke
// command and may change with it.
package diff
