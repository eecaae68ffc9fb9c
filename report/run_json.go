package report

import (
	"io"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/runner"
)

// runJSON is the `smoke run --format json` document (DESIGN.md). Fields may
// be added, never renamed.
type runJSON struct {
	Title      string         `json:"title,omitempty"`
	Target     string         `json:"target,omitempty"`
	Summary    runner.Summary `json:"summary"`
	Incomplete string         `json:"incomplete,omitempty"`
	ElapsedMS  float64        `json:"elapsed_ms,omitempty"`
	// Resources is what the run created, deleted and left behind.
	Resources *runner.Resources `json:"resources,omitempty"`
	Results   []runResultJSON   `json:"results"`
	// Coverage is the ledger: exercised or not, per operation, per tag
	// and in total.
	Coverage Coverage `json:"coverage"`
	// Baseline is what --baseline accepted, what expired and which
	// entries are stale (absent without a baseline).
	Baseline *baseline.Judgement `json:"baseline,omitempty"`
}

type runResultJSON struct {
	CheckID     string           `json:"check_id"`
	Method      string           `json:"method"`
	Path        string           `json:"path"`
	OperationID string           `json:"operation_id,omitempty"`
	URL         string           `json:"url,omitempty"`
	StatusCode  int              `json:"status_code"`
	Outcome     runner.Outcome   `json:"outcome"`
	Exercised   bool             `json:"exercised"`
	Reason      runner.Reason    `json:"reason,omitempty"`
	Snippet     string           `json:"snippet,omitempty"`
	DurationMS  float64          `json:"duration_ms"`
	Failures    []runner.Failure `json:"failures"`
	Reproduce   string           `json:"reproduce,omitempty"`
	Bound       []runner.Bound   `json:"bound,omitempty"`
	Notes       []string         `json:"notes,omitempty"`
	// Undocumented lists fields the answer carried that its schema does
	// not name.
	Undocumented *runner.Undocumented `json:"undocumented,omitempty"`
}

// WriteRunJSON writes the machine-readable report: a summary and one
// entry per result, in the order given, failures always an array.
func WriteRunJSON(w io.Writer, results []runner.Result, opts RunOptions) error {
	doc := runJSON{
		Title:      opts.Title,
		Target:     opts.Target,
		Summary:    runner.Summarize(results),
		Incomplete: opts.Incomplete,
		ElapsedMS:  float64(opts.Elapsed.Microseconds()) / 1000,
		Resources:  opts.Resources,
		Results:    make([]runResultJSON, len(results)),
		Coverage:   coverage(results, opts),
		Baseline:   opts.Baseline,
	}
	for i, r := range results {
		out := runResultJSON{
			CheckID: r.CheckID, Method: r.Method, Path: r.Path, OperationID: r.OperationID, URL: r.URL,
			StatusCode: r.StatusCode, Outcome: r.Outcome, Exercised: r.Exercised, Reason: r.Reason, Snippet: r.Snippet,
			DurationMS: r.DurationMS, Failures: r.Failures, Bound: r.Bound, Notes: r.Notes, Undocumented: r.Undocumented,
		}
		if out.Failures == nil {
			out.Failures = []runner.Failure{}
		}
		if r.Outcome == runner.Failed || r.Outcome == runner.Errored {
			out.Reproduce = opts.Reproduce[r.CheckID]
		}
		doc.Results[i] = out
	}
	return WriteJSON(w, doc)
}
