package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"

	"github.com/smoke-dev/smoke/diff"
)

// WriteDiffHTML writes one self-contained HTML file (inline style, no
// scripts, no external assets): the summary, one section per operation
// with OLD and NEW examples side by side, operations at parity folded
// away, and the noise appendix.
func WriteDiffHTML(w io.Writer, rep *diff.Report, opts DiffOptions) error {
	ops, accepted := diffAccepted(rep.Operations, opts.Baseline)
	groups := diffByVerdict(ops)
	page := diffPage{Report: rep, Opts: opts, Headline: diffHeadline(rep, opts), Summary: diffSummaryLine(rep, opts.Baseline),
		Sampling: diffSampling(rep), Confirmation: diffConfirmationLine(rep.Summary), Resources: diffResourcesLine(rep.Resources), Noise: diffNoise(rep.Operations)}
	if opts.Elapsed > 0 {
		page.Elapsed = fmtMS(float64(opts.Elapsed.Microseconds()) / 1000)
	}
	n := 0
	section := func(op diff.Operation) diffSection {
		n++
		sec := diffSection{ID: fmt.Sprintf("op-%d", n), Op: op, Name: diffOpName(op), Statuses: diffStatuses(op)}
		for _, d := range op.Differences {
			sec.Diffs = append(sec.Diffs, diffRow{D: d, Old: diffPretty(d.Old), New: diffPretty(d.New),
				Baseline: baselineNote(opts.Baseline.Difference(op.CheckID, d))})
		}
		return sec
	}
	for _, v := range diffVerdictOrder {
		for _, op := range groups[v] {
			sec := section(op)
			switch {
			case v == diff.Parity && !op.Exercised():
				sec.Sides = diffSides(op)
				page.Unexercised = append(page.Unexercised, sec)
			case v == diff.Parity:
				page.Parity = append(page.Parity, sec)
			default:
				page.Attention = append(page.Attention, sec)
			}
		}
	}
	for _, op := range accepted {
		page.Accepted = append(page.Accepted, section(op))
	}
	var err error
	if page.Baseline, err = baselineHTML(opts.Baseline); err != nil {
		return err
	}
	return renderHTML(w, diffHTMLTemplate, "diff", page)
}

type diffPage struct {
	Report   *diff.Report
	Opts     DiffOptions
	Headline string
	Summary  string
	Elapsed  string
	// Sampling says how to replay the diff (rounds, seed); Confirmation
	// what the confirmation of regressions did.
	Sampling     string
	Confirmation string
	// Resources says what the chains created and deleted on each side.
	Resources string
	Attention []diffSection
	Parity    []diffSection
	// Unexercised are the operations at parity that a side did not
	// exercise: no evidence, listed apart.
	Unexercised []diffSection
	Noise       []diffNoiseRow
	// Accepted are the operations whose findings the baseline accepts
	// all; Baseline is the rendered baseline section.
	Accepted []diffSection
	Baseline template.HTML
}

type diffSection struct {
	ID       string
	Op       diff.Operation
	Name     string
	Statuses string
	Diffs    []diffRow
	// Sides says how each side fared when one did not exercise the
	// operation.
	Sides string
}

type diffRow struct {
	D        diff.Difference
	Old, New string
	// Baseline says what the baseline says of the difference ("" when
	// no entry names it).
	Baseline string
}

// diffPretty indents an example for a <pre> block ("" when absent).
func diffPretty(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

var diffHTMLTemplate = template.Must(template.New("diff").Funcs(template.FuncMap{
	"ms": fmtMS,
	"p":  diffP,
	// ci renders a median's confidence interval, or nothing when there
	// were too few samples to bound it.
	"ci": func(lo, hi float64) string {
		if lo <= 0 || hi <= 0 {
			return ""
		}
		return " [" + fmtMS(lo) + "–" + fmtMS(hi) + "]"
	},
	"plural":       plural,
	"side":         diffSide,
	"confirmation": diffOpConfirmation,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>smoke diff{{with .Opts.Title}}: {{.}}{{end}}</title>
<style>
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--red:#cf222e;--green:#1a7f37;--yellow:#9a6700;--blue:#0969da;--grey:#6e7781}
*{box-sizing:border-box}
body{font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0}
code,pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.muted{color:var(--muted)}
.tiles{display:flex;gap:12px;margin:16px 0;flex-wrap:wrap}
.tile{border:1px solid var(--line);border-radius:6px;padding:8px 16px;min-width:110px}
.tile b{display:block;font-size:22px}
.badge{display:inline-block;border-radius:12px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:var(--grey)}
.regression{background:var(--red)}.error{background:var(--yellow)}.fixed{background:var(--blue)}.noise{background:var(--grey)}.parity{background:var(--green)}
.c-regression{color:var(--red);font-weight:600}.c-addition{color:var(--green)}.c-fixed{color:var(--blue)}.c-noise,.c-ignored,.c-expected{color:var(--muted)}
section{border:1px solid var(--line);border-radius:6px;margin:16px 0;padding:12px 16px}
section header{display:flex;gap:12px;align-items:baseline;flex-wrap:wrap;margin-bottom:8px}
.diff{border-top:1px solid var(--line);padding:8px 0}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.sides pre{background:var(--soft);border-radius:6px;padding:8px;margin:4px 0 0;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-word}
.absent{color:var(--muted);font-style:italic}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;margin:8px 0}
nav a{margin-right:12px}
</style>
</head>
<body>
<h1>smoke diff{{with .Opts.Title}}: {{.}}{{end}} — {{.Headline}}</h1>
<p class="muted">{{.Summary}}{{with .Elapsed}} in {{.}}{{end}} · {{.Sampling}}{{with .Opts.FailOn}} · fail on {{.}}{{end}}</p>
{{with .Confirmation}}<p class="muted">{{.}}</p>{{end}}{{with .Resources}}<p class="muted">{{.}}</p>{{end}}
<p>OLD <code>{{.Report.Old}}</code><br>NEW <code>{{.Report.New}}</code></p>
{{with .Opts.Incomplete}}<div class="warn">Incomplete: {{.}}</div>{{end}}
{{range .Report.Warnings}}<div class="warn">Warning: {{.}}</div>{{end}}
{{with .Report.Skipped}}<div class="warn">Not sampled (writes need --allow-writes): {{range $i, $s := .}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}</div>{{end}}
{{with .Report.Withheld}}<div class="warn">Not sampled (writes on ids no create gave and smoke.yaml does not give): {{range $i, $s := .}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}</div>{{end}}
<div class="tiles">
<div class="tile"><b>{{.Report.Summary.Operations}}</b>operations</div>
<div class="tile"><b>{{.Report.Summary.Exercised}}</b>exercised on both sides</div>
<div class="tile"><b>{{.Report.Summary.Parity}}</b><span class="badge parity">parity</span>{{with .Report.Summary.ParityUnexercised}} <span class="muted">{{.}} not exercised</span>{{end}}</div>
<div class="tile"><b>{{.Report.Summary.Regressions}}</b><span class="badge regression">regression</span></div>
<div class="tile"><b>{{.Report.Summary.Noise}}</b><span class="badge noise">noise</span></div>
<div class="tile"><b>{{.Report.Summary.Fixed}}</b><span class="badge fixed">fixed</span></div>
<div class="tile"><b>{{.Report.Summary.Errors}}</b><span class="badge error">error</span></div>
</div>
{{if .Attention}}<nav>{{range .Attention}}<a href="#{{.ID}}"><span class="badge {{.Op.Verdict}}">{{.Op.Verdict}}</span> <code>{{.Name}}</code></a> {{end}}</nav>{{end}}
{{range .Attention}}{{template "section" .}}{{end}}
{{with .Baseline}}{{.}}
{{end}}{{with .Accepted}}<details><summary>{{plural (len .) "operation" "operations"}} accepted by the baseline</summary>
{{range .}}{{template "section" .}}{{end}}
</details>
{{end}}{{with .Unexercised}}<section id="unexercised"><header><h2>Parity, not exercised ({{len .}})</h2><span class="muted">both sides answered alike, but not with a documented success: no evidence that NEW does the operation's job</span></header>
<table><tr><th>Operation</th><th>Status</th><th>Sides</th><th>NEW answered</th></tr>
{{range .}}<tr><td><code>{{.Name}}</code></td><td>{{.Statuses}}</td><td>{{.Sides}}</td><td class="muted">{{.Op.New.Snippet}}</td></tr>
{{end}}</table></section>{{end}}
{{with .Parity}}<details><summary>{{plural (len .) "operation" "operations"}} at parity, exercised</summary>
{{range .}}{{template "section" .}}{{end}}
</details>{{end}}
{{with .Report.Operations}}<details><summary>Ledger: {{plural (len .) "operation" "operations"}}, OLD and NEW side by side</summary>
<table><tr><th>Operation</th><th>OLD</th><th>NEW</th><th>Verdict</th></tr>
{{range .}}<tr><td><code>{{.Method}} {{.Path}}</code></td><td>{{side .Old}}</td><td>{{side .New}}</td><td><span class="badge {{.Verdict}}">{{.Verdict}}</span></td></tr>
{{end}}</table></details>{{end}}
{{with .Noise}}<section id="noise"><header><h2>Noise appendix</h2><span class="muted">differences that also appear between two samples of one side, or values compared by format only</span></header>
<table><tr><th>Operation</th><th>Where</th><th>OLD</th><th>NEW</th><th>Why</th></tr>
{{range .}}<tr><td><code>{{.Op}}</code></td><td><code>{{.D.Location}}</code></td><td><code>{{printf "%s" .D.Old}}</code></td><td><code>{{printf "%s" .D.New}}</code></td><td class="muted">{{.D.Reason}}</td></tr>
{{end}}</table></section>{{end}}
</body>
</html>
{{define "section"}}<section id="{{.ID}}">
<header><h2><code>{{.Name}}</code></h2><span class="badge {{.Op.Verdict}}">{{.Op.Verdict}}</span><span class="muted">status {{.Statuses}}{{with .Op.OperationID}} · {{.}}{{end}} · check {{.Op.CheckID}}</span>
{{with .Op.Latency}}<span class="muted">latency median {{ms .OldMS}}{{ci .OldLowMS .OldHighMS}} → {{ms .NewMS}}{{ci .NewLowMS .NewHighMS}}{{if .Compared}}, {{p .P}}{{if .Slower}} — significantly slower{{else if .Significant}} — significantly faster{{end}}{{else if or .OldDiscarded .NewDiscarded}}, not compared (too few samples once those taken while smoke was starved were left out){{else}}, not compared (too few rounds){{end}}{{if and .Compared (or .OldDiscarded .NewDiscarded)}} · {{.OldDiscarded}} OLD and {{.NewDiscarded}} NEW samples left out (smoke was starved){{end}}</span>{{end}}
{{with .Op.Confirmation}}<span class="muted">{{confirmation .}}</span>{{end}}
</header>
{{range .Op.Errors}}<div class="warn">{{.}}</div>{{end}}
{{range .Diffs}}<div class="diff"><div><span class="c-{{.D.Class}}">{{.D.Class}}</span> · {{.D.Kind}} · <code>{{.D.Location}}</code>{{if and .D.Template (ne .D.Template .D.Pointer)}} <span class="muted">template <code>{{.D.Template}}</code></span>{{end}}{{with .D.Reason}} · <span class="muted">{{.}}</span>{{end}}{{if gt .D.Samples 1}} <span class="muted">({{.D.Samples}} sample pairs)</span>{{end}}{{with .Baseline}}<div class="muted">{{.}}</div>{{end}}</div>
<div class="sides"><div><b>OLD</b>{{if .Old}}<pre>{{.Old}}</pre>{{else}}<pre class="absent">absent</pre>{{end}}</div><div><b>NEW</b>{{if .New}}<pre>{{.New}}</pre>{{else}}<pre class="absent">absent</pre>{{end}}</div></div></div>
{{end}}</section>
{{end}}`))
