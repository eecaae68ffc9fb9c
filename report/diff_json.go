package report

import (
	"io"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/diff"
)

// diffJSON is the `smoke diff --format json` document (DESIGN.md):
// summary and operations, plus the context a reader needs. Fields may be
// added, never renamed.
type diffJSON struct {
	Title      string  `json:"title,omitempty"`
	Incomplete string  `json:"incomplete,omitempty"`
	ElapsedMS  float64 `json:"elapsed_ms,omitempty"`
	FailOn     string  `json:"fail_on,omitempty"`
	*diff.Report
	// Baseline is what --baseline accepted, what expired and which
	// entries are stale (absent without a baseline).
	Baseline *baseline.Judgement `json:"baseline,omitempty"`
}

// WriteDiffJSON writes the machine-readable report: the diff.Report with
// its summary, one entry per operation (differences always an array) and
// warnings.
func WriteDiffJSON(w io.Writer, rep *diff.Report, opts DiffOptions) error {
	cp := *rep
	if cp.Operations == nil {
		cp.Operations = []diff.Operation{}
	}
	doc := diffJSON{
		Title:      opts.Title,
		Incomplete: opts.Incomplete,
		ElapsedMS:  float64(opts.Elapsed.Microseconds()) / 1000,
		FailOn:     string(opts.FailOn),
		Report:     &cp,
		Baseline:   opts.Baseline,
	}
	return WriteJSON(w, doc)
}
