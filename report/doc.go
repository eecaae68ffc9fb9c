// Package report renders smoke's results for people and for tools.
//
// # Overview
//
// For `smoke run` there are four renderers of a []runner.Result, all
// deterministic for the same input: [WriteRunText] for a terminal
// (grouped by outcome, colour only when asked), [WriteRunJSON] (the shape
// DESIGN.md fixes), [WriteRunJUnit] (one testcase per check, for CI
// viewers) and [WriteRunMarkdown] (GitHub step summaries). Failures come
// with a curl command that reproduces them, taken from
// [RunOptions.Reproduce]. [Progress] draws a one-line progress bar; the
// caller decides whether stderr is a terminal.
//
// [WriteK6] writes a k6 load test of the checks: safe methods only unless
// K6Options.AllowWrites, and then writes only in chains
// (generator.Chains), one ordered group() per iteration that creates its
// own resources, passes their ids on and deletes them at its end.
//
// Renderers never see a secret: runner masks credentials before a Result
// exists, and the reproduce commands arrive masked.
//
// Text from the spec, the service or the config is untrusted: every
// renderer escapes it for its medium through one escaper per medium
// (escape.go): [EscapeTerminal] for text (the smoke command uses it for
// its own terminal output too), Markdown text, code spans and fences,
// html/template for HTML, and XML character data for JUnit.
//
// # Usage
//
//	results, err := r.Run(ctx, checks)
//	report.WriteRunText(os.Stdout, results, report.RunOptions{Target: base, Color: tty})
//
// The package is importable but promises no API: it exists for the smoke
// command.
package report
