// Package diff compares how two deployments of the same service answer
// the same checks — OLD and NEW infrastructure before a migration — and
// says, per operation, whether NEW is at parity, regressed, differs only
// by noise, fixed a failure, or could not be sampled.
//
// # Overview
//
// Run samples each check in several rounds; a round sends the check twice
// to OLD and twice to NEW, in an order shuffled by a seeded generator
// (Options.Seed; random per run when zero, and recorded in Report.Seed,
// so a verdict can be replayed). Every answer is normalised before it is
// compared: the body is decompressed (within the body limit, after
// decoding) and parsed by content type (JSON with exact number
// comparison, text, or bytes by SHA-256), headers are filtered
// (connection and proxy headers are dropped; Date, request and trace ids
// and similar are compared by presence only; load-balancer cookies are
// ignored; media types are canonicalised). A body over the limit is an
// error sample, never compared in part. The comparison is linear in the
// size of the bodies: it descends at most 256 levels into a JSON value
// and compares anything deeper as a whole.
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
// absolute threshold. A sample taken while smoke itself was starved of
// CPU (Sample.Lag, measured by a wake-up monitor while Run compares
// latency) measures the client, not the service: it is left out of the
// latency comparison and counted, and replaced by another round.
//
// An operation that compares as a regression is not reported as one at
// once: Run samples it again in a fresh interleaved round (three for a
// latency regression; at most MaxConfirmRequests requests), and each
// regression difference must show again. A latency regression must also
// be significant on the pooled samples. What does not hold again is
// noise, "did not reproduce on confirmation" (see Confirmation). The
// summary counts the regressions confirmed and dropped.
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
