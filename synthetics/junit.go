package synthetics

import (
	"fmt"
	"github.com/smoke-dev/smoke/internal/junit"
	"io"
)

// WriteJUnit writes the runs of r as JUnit XML: one test case per test
// and location, named after the test (and so after the operation). A
// non-blocking failure is reported as skipped, as it does not fail the
// pipeline; a run without a result is an error.
func WriteJUnit(w io.Writer, r *TriggerResult) error {
	s := junit.Suite{Name: "smoke trigger " + r.Service}
	total := 0.0
	for _, run := range r.Runs {
		name := run.Name
		if run.Location != "" {
			name += " @ " + run.Location
		}
		c := junit.Case{Name: name, Classname: r.Service, Time: junit.Seconds(run.DurationMS)}
		total += run.DurationMS
		detail := fmt.Sprintf("check %s, Datadog test %s, result %s", run.CheckID, run.PublicID, run.ResultID)
		switch {
		case run.Status == StatusFailed && run.Blocking:
			c.Failure = &junit.Problem{Message: "Datadog Synthetics run failed", Type: "failed", Text: detail}
			s.Failures++
		case run.Status == StatusFailed:
			c.Skipped = &junit.Problem{Message: "failed (non-blocking)", Text: detail}
			s.Skipped++
		case run.Status == StatusSkipped:
			c.Skipped = &junit.Problem{Message: "skipped by Datadog", Text: detail}
			s.Skipped++
		case run.Status == StatusInProgress:
			c.Error = &junit.Problem{Message: "no result before the timeout", Type: "timeout", Text: detail}
			s.Errors++
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests = len(s.Cases)
	s.Time = junit.Seconds(total)
	doc := junit.Suites{Name: "smoke", Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Skipped: s.Skipped, Time: s.Time, Suites: []junit.Suite{s}}
	if err := junit.Write(w, doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}
