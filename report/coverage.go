package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// The coverage ledger is what a team signs a cut-over with: per
// operation, whether it was exercised (and why not), the status reached,
// where its values came from and the assertions it passed; per tag and in
// total. Every run format renders it; the JSON report carries it whole.

// Coverage is the ledger of one run.
type Coverage struct {
	// Operations counts the checks that ran (skipped by smoke.yaml aside).
	Operations   int                 `json:"operations"`
	Exercised    int                 `json:"exercised"`
	NotExercised runner.ReasonCounts `json:"not_exercised"`
	// SkippedByConfig lists operations smoke.yaml skips ("GET /x").
	SkippedByConfig []string      `json:"skipped_by_config,omitempty"`
	ByTag           []TagCoverage `json:"by_tag"`
	Rows            []LedgerRow   `json:"ledger"`
}

// TagCoverage is the ledger's total for one tag ("" for untagged
// operations).
type TagCoverage struct {
	Tag        string `json:"tag"`
	Operations int    `json:"operations"`
	Exercised  int    `json:"exercised"`
}

// LedgerRow is one operation of the ledger.
type LedgerRow struct {
	CheckID     string         `json:"check_id"`
	Method      string         `json:"method"`
	Path        string         `json:"path"`
	OperationID string         `json:"operation_id,omitempty"`
	Tags        []string       `json:"tags,omitempty"`
	Exercised   bool           `json:"exercised"`
	Reason      runner.Reason  `json:"reason,omitempty"`
	StatusCode  int            `json:"status_code"`
	Outcome     runner.Outcome `json:"outcome"`
	// Sources says where the request's values came from
	// ("path:example body:generated").
	Sources string   `json:"sources,omitempty"`
	Passed  []string `json:"assertions_passed"`
	Failed  []string `json:"assertions_failed"`
	// Why explains a check that was not exercised: the body the service
	// answered with, or the invented value it refused.
	Why string `json:"why,omitempty"`
}

// coverage builds the ledger of results; checks (optional) give tags,
// value sources and explanations.
func coverage(results []runner.Result, opts RunOptions) Coverage {
	byID := make(map[string]generator.Check, len(opts.Checks))
	for _, c := range opts.Checks {
		byID[c.ID] = c
	}
	s := runner.Summarize(results)
	cov := Coverage{Operations: s.Total, Exercised: s.Exercised, NotExercised: s.NotExercised,
		SkippedByConfig: opts.SkippedByConfig, ByTag: []TagCoverage{}, Rows: make([]LedgerRow, 0, len(results))}
	tags := map[string]*TagCoverage{}
	for _, r := range results {
		c, known := byID[r.CheckID]
		row := LedgerRow{CheckID: r.CheckID, Method: r.Method, Path: r.Path, OperationID: r.OperationID,
			Exercised: r.Exercised, Reason: r.Reason, StatusCode: r.StatusCode, Outcome: r.Outcome,
			Passed: nonNil(r.PassedAssertions()), Failed: failedAssertions(r)}
		if known {
			row.Tags = c.Tags
			row.Sources = ValueSources(c)
		}
		if !r.Exercised {
			row.Why = why(r, c, known)
		}
		cov.Rows = append(cov.Rows, row)
		ts := row.Tags
		if len(ts) == 0 {
			ts = []string{""}
		}
		for _, t := range ts {
			tc := tags[t]
			if tc == nil {
				tc = &TagCoverage{Tag: t}
				tags[t] = tc
			}
			tc.Operations++
			if r.Exercised {
				tc.Exercised++
			}
		}
	}
	for _, t := range slices.Sorted(maps.Keys(tags)) {
		cov.ByTag = append(cov.ByTag, *tags[t])
	}
	return cov
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func failedAssertions(r runner.Result) []string {
	out := []string{}
	for _, f := range r.Failures {
		if f.Check != runner.CheckRequest && !slices.Contains(out, f.Check) {
			out = append(out, f.Check)
		}
	}
	return out
}

// why explains a check that answered without exercising its operation:
// a 404 on a value smoke invented points at the value; otherwise the
// start of the body, which usually names the cause.
func why(r runner.Result, c generator.Check, known bool) string {
	if r.Reason == runner.ReasonNoAnswer {
		if len(r.Failures) > 0 {
			return r.Failures[0].Message
		}
		return ""
	}
	if known && r.Reason == runner.ReasonNotFound {
		var invented []string
		for _, p := range c.Request.Path {
			if p.Source == generator.SourceGenerated {
				invented = append(invented, p.Name+"="+p.Display())
			}
		}
		if len(invented) > 0 {
			return strings.Join(invented, ", ") + " (generated): the spec has no example; set it in smoke.yaml (parameters: or an operation fixture)"
		}
	}
	return r.Snippet
}

// exerciseLine is "38 exercised, 3 not (2 not_found, 1 rejected)".
func exerciseLine(s runner.Summary) string {
	line := fmt.Sprintf("%d exercised", s.Exercised)
	if n := s.Unexercised(); n > 0 {
		line += fmt.Sprintf(", %d not (%s)", n, reasonList(s.NotExercised))
	}
	return line
}

// reasonList is "2 not_found, 1 rejected", in DESIGN's order.
func reasonList(c runner.ReasonCounts) string {
	var parts []string
	for _, reason := range runner.Reasons() {
		if n := c.Get(reason); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, reason))
		}
	}
	return strings.Join(parts, ", ")
}

// UndocumentedRow is one check whose answer carried fields its schema
// does not name (runner.Undocumented), for the reports.
type UndocumentedRow struct {
	Method, Path string
	// Fields lists them: "/rrsets/*/foo, /bar (+3 more)".
	Fields string
}

// undocumentedRows lists the checks with undocumented fields, in the
// order of results.
func undocumentedRows(results []runner.Result) []UndocumentedRow {
	var out []UndocumentedRow
	for _, r := range results {
		u := r.Undocumented
		if u == nil || len(u.Fields) == 0 {
			continue
		}
		fields := strings.Join(u.Fields, ", ")
		if u.More > 0 {
			fields += fmt.Sprintf(" (+%d more)", u.More)
		}
		out = append(out, UndocumentedRow{Method: r.Method, Path: r.Path, Fields: fields})
	}
	return out
}
