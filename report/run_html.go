package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"github.com/smoke-dev/smoke/runner"
)

// WriteRunHTML writes the coverage ledger of a run as one self-contained
// HTML file (inline style, no scripts, no external assets), the page a
// team signs a cut-over with: the totals, what needs attention, what was
// not exercised and why, the totals per tag, and every operation.
func WriteRunHTML(w io.Writer, results []runner.Result, opts RunOptions) error {
	s := runner.Summarize(results)
	page := runPage{Opts: opts, Summary: s, SummaryLine: summaryLine(s, results, opts.Baseline), Coverage: coverage(results, opts), CSS: pageCSS}
	if opts.Elapsed > 0 {
		page.Elapsed = fmtMS(float64(opts.Elapsed.Microseconds()) / 1000)
	}
	for _, g := range textGroups(results, opts.Baseline)[:3] {
		for _, r := range g.results {
			a := runAttention{R: r, Reproduce: opts.Reproduce[r.CheckID]}
			for _, f := range opts.Baseline.Of(r.CheckID) {
				if n := baselineNote(&f); n != "" {
					a.Notes = append(a.Notes, f.What()+": "+n)
				}
			}
			page.Attention = append(page.Attention, a)
		}
	}
	for _, row := range page.Coverage.Rows {
		if !row.Exercised && row.Reason != runner.ReasonNoAnswer {
			page.NotExercised = append(page.NotExercised, row)
		}
	}
	page.Undocumented = undocumentedRows(results)
	var err error
	if page.Baseline, err = baselineHTML(opts.Baseline); err != nil {
		return err
	}
	return renderHTML(w, runHTMLTemplate, "run", page)
}

// renderHTML executes a report's template into memory first, so that a
// template error writes nothing, then writes the page.
func renderHTML(w io.Writer, t *template.Template, what string, page any) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, page); err != nil {
		return fmt.Errorf("render %s html: %w", what, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type runPage struct {
	Opts         RunOptions
	Summary      runner.Summary
	SummaryLine  string
	Elapsed      string
	Coverage     Coverage
	Attention    []runAttention
	NotExercised []LedgerRow
	Undocumented []UndocumentedRow
	CSS          template.CSS
	// Baseline is the rendered baseline section ("" without one).
	Baseline template.HTML
}

type runAttention struct {
	R         runner.Result
	Reproduce string
	// Notes say what the baseline says of the check's findings (an
	// expired entry, say).
	Notes []string
}

// pageCSS is the style of smoke's HTML reports: GitHub's palette, no
// external assets.
const pageCSS template.CSS = `:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--red:#cf222e;--green:#1a7f37;--yellow:#9a6700;--blue:#0969da;--grey:#6e7781}
*{box-sizing:border-box}
body{font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0}
code,pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.muted{color:var(--muted)}
.tiles{display:flex;gap:12px;margin:16px 0;flex-wrap:wrap}
.tile{border:1px solid var(--line);border-radius:6px;padding:8px 16px;min-width:110px}
.tile b{display:block;font-size:22px}
.badge{display:inline-block;border-radius:12px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:var(--grey)}
.failed,.regression{background:var(--red)}.errored,.error,.not{background:var(--yellow)}.fixed{background:var(--blue)}.skipped,.noise{background:var(--grey)}.passed,.parity,.exercised{background:var(--green)}
section{border:1px solid var(--line);border-radius:6px;margin:16px 0;padding:12px 16px}
section header{display:flex;gap:12px;align-items:baseline;flex-wrap:wrap;margin-bottom:8px}
pre{background:var(--soft);border-radius:6px;padding:8px;margin:4px 0 0;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-word}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;margin:8px 0}`

var runHTMLTemplate = template.Must(template.New("run").Funcs(template.FuncMap{
	"ms":     fmtMS,
	"plural": plural,
	"share":  share,
	"join": func(s []string) string {
		out := ""
		for i, v := range s {
			if i > 0 {
				out += ", "
			}
			out += v
		}
		return out
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>smoke run{{with .Opts.Title}}: {{.}}{{end}}</title>
<style>
{{.CSS}}
</style>
</head>
<body>
<h1>smoke run{{with .Opts.Title}}: {{.}}{{end}} — {{.Coverage.Exercised}} of {{plural .Coverage.Operations "operation" "operations"}} exercised</h1>
<p class="muted">{{.SummaryLine}}{{with .Elapsed}} in {{.}}{{end}}{{with .Opts.Target}} · target <code>{{.}}</code>{{end}}</p>
{{with .Opts.Incomplete}}<div class="warn">Incomplete: {{.}}</div>{{end}}
<div class="tiles">
<div class="tile"><b>{{.Coverage.Operations}}</b>operations</div>
<div class="tile"><b>{{.Coverage.Exercised}}</b><span class="badge exercised">exercised</span></div>
<div class="tile"><b>{{.Summary.Unexercised}}</b><span class="badge not">not exercised</span></div>
<div class="tile"><b>{{.Summary.Failed}}</b><span class="badge failed">failed</span></div>
<div class="tile"><b>{{.Summary.Errored}}</b><span class="badge errored">errored</span></div>
<div class="tile"><b>{{.Summary.Skipped}}</b><span class="badge skipped">skipped</span></div>
</div>
{{with .Attention}}<section><header><h2>Needs attention</h2></header>
{{range .}}<div><span class="badge {{.R.Outcome}}">{{.R.Outcome}}</span> <code>{{.R.Method}} {{.R.Path}}</code> <span class="muted">status {{if .R.StatusCode}}{{.R.StatusCode}}{{else}}-{{end}}{{with .R.OperationID}} · {{.}}{{end}} · {{ms .R.DurationMS}}</span>
<ul>{{range .R.Failures}}<li><b>{{.Check}}</b>: {{.Message}}</li>{{end}}</ul>
{{range .Notes}}<div class="muted">baseline: {{.}}</div>
{{end}}{{with .Reproduce}}<pre>{{.}}</pre>{{end}}</div>
{{end}}</section>{{end}}{{with .Baseline}}
{{.}}{{end}}
{{with .NotExercised}}<section><header><h2>Not exercised ({{len .}})</h2><span class="muted">the service answered, but not with a documented success</span></header>
<table><tr><th>Operation</th><th>Status</th><th>Reason</th><th>Why</th></tr>
{{range .}}<tr><td><code>{{.Method}} {{.Path}}</code>{{with .OperationID}} <span class="muted">{{.}}</span>{{end}}</td><td>{{if .StatusCode}}{{.StatusCode}}{{else}}-{{end}}</td><td>{{.Reason}}</td><td class="muted">{{.Why}}</td></tr>
{{end}}</table></section>{{end}}
{{with .Undocumented}}<section><header><h2>Undocumented fields ({{len .}})</h2><span class="muted">answers carry fields their schema does not name: allowed, but the spec is behind the service</span></header>
<table><tr><th>Operation</th><th>Fields</th></tr>
{{range .}}<tr><td><code>{{.Method}} {{.Path}}</code></td><td><code>{{.Fields}}</code></td></tr>
{{end}}</table></section>{{end}}
{{with .Coverage.ByTag}}<section><header><h2>Per tag</h2></header>
<table><tr><th>Tag</th><th class="num">Operations</th><th class="num">Exercised</th><th class="num">Share</th></tr>
{{range .}}<tr><td>{{if .Tag}}<code>{{.Tag}}</code>{{else}}<span class="muted">(untagged)</span>{{end}}</td><td class="num">{{.Operations}}</td><td class="num">{{.Exercised}}</td><td class="num">{{share .Exercised .Operations}}</td></tr>
{{end}}</table></section>{{end}}
{{with .Coverage.SkippedByConfig}}<div class="warn">Skipped by smoke.yaml: {{range $i, $s := .}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}</div>{{end}}
<details><summary>Ledger: every operation</summary>
<table><tr><th>Operation</th><th>Exercised</th><th>Status</th><th>Outcome</th><th>Values</th><th>Assertions passed</th><th>Failed</th></tr>
{{range .Coverage.Rows}}<tr><td><code>{{.Method}} {{.Path}}</code></td><td>{{if .Exercised}}<span class="badge exercised">yes</span>{{else}}<span class="badge not">{{.Reason}}</span>{{end}}</td><td>{{if .StatusCode}}{{.StatusCode}}{{else}}-{{end}}</td><td>{{.Outcome}}</td><td class="muted">{{.Sources}}</td><td class="muted">{{join .Passed}}</td><td>{{join .Failed}}</td></tr>
{{end}}</table>
</details>
</body>
</html>
`))
