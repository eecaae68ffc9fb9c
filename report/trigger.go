package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/smoke-dev/smoke/internal/junit"
	"github.com/smoke-dev/smoke/synthetics"
)

// TriggerOptions tune the renderers of smoke trigger.
type TriggerOptions struct {
	// Waited is true when the results were waited for.
	Waited bool
	// FailOnTimeout makes a timed-out blocking run fail the step (the
	// default, as datadog-ci's failOnTimeout).
	FailOnTimeout bool
}

// WriteTriggerText writes one line per run and a summary; without
// waiting, the batches started.
func WriteTriggerText(w io.Writer, res *synthetics.TriggerResult, opts TriggerOptions) error {
	var b strings.Builder
	for _, id := range res.Missing {
		fmt.Fprintf(&b, "MISSING  %s  (no published test)\n", EscapeTerminal(id))
	}
	if !opts.Waited {
		fmt.Fprintf(&b, "Triggered %s of %s in batch %s.\n", plural(len(res.Runs), "run", "runs"), EscapeTerminal(res.Service), strings.Join(res.BatchIDs, ", "))
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, r := range res.Runs {
		loc := ""
		if r.Location != "" {
			loc = " @ " + EscapeTerminal(r.Location)
		}
		fmt.Fprintf(&b, "%-4s  %s%s  %s\n", runMark(r, opts.FailOnTimeout), EscapeTerminal(r.Name), loc, r.PublicID)
	}
	n := res.Counts()
	blocking := 0
	for _, r := range res.Runs {
		if r.Status == synthetics.StatusFailed && r.Blocking {
			blocking++
		}
	}
	fmt.Fprintf(&b, "%s: %s, %d passed, %d failed (%d blocking), %d skipped, %d without result.\n",
		EscapeTerminal(res.Service), plural(len(res.Runs), "run", "runs"), n[synthetics.StatusPassed], n[synthetics.StatusFailed],
		blocking, n[synthetics.StatusSkipped], n[synthetics.StatusInProgress]+n[synthetics.StatusTimedOut]+n[synthetics.StatusIncomplete])
	_, err := io.WriteString(w, b.String())
	return err
}

func runMark(r synthetics.RunResult, failOnTimeout bool) string {
	switch r.Status {
	case synthetics.StatusPassed:
		return "PASS"
	case synthetics.StatusFailed:
		if r.Blocking {
			return "FAIL"
		}
		return "FAIL (non-blocking)"
	case synthetics.StatusTimedOut:
		if r.Failing(failOnTimeout) {
			return "TIMEOUT"
		}
		return "TIMEOUT (not failing)"
	case synthetics.StatusIncomplete:
		return "INCOMPLETE"
	case synthetics.StatusInProgress:
		return "NO RESULT"
	}
	return strings.ToUpper(r.Status)
}

// WriteTriggerJSON writes the trigger result.
func WriteTriggerJSON(w io.Writer, res *synthetics.TriggerResult) error {
	return WriteJSON(w, res)
}

// WriteTriggerJUnit writes the runs as JUnit XML: one testcase per test
// and location, named after the test (and so after the operation), as
// datadog-ci's JUnit reporter does: a failed blocking run is a failure,
// a failed non-blocking run an error; a run that timed out is a failure
// of type timeout when it fails the step; a run the batch ended without
// is a failure of type incomplete; a check with no test to run is an
// error of type missing.
func WriteTriggerJUnit(w io.Writer, res *synthetics.TriggerResult, opts TriggerOptions) error {
	s := junit.Suite{Name: "smoke trigger " + res.Service}
	if res.Suite != "" {
		s.Properties = append(s.Properties, junit.Property{Name: "suite", Value: res.Suite})
	}
	for _, id := range res.BatchIDs {
		s.Properties = append(s.Properties, junit.Property{Name: "batch_id", Value: id})
	}
	total := 0.0
	for _, run := range res.Runs {
		c := triggerCase(res.Service, run, opts)
		total += run.DurationMS
		s.Cases = append(s.Cases, c)
	}
	for _, id := range res.Missing {
		s.Cases = append(s.Cases, junit.Case{Name: id, Classname: res.Service, Time: junit.Seconds(0),
			Error: &junit.Problem{Message: "no published test for this check", Type: "missing", Text: "check " + id}})
	}
	for _, c := range s.Cases {
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Error != nil:
			s.Errors++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	s.Tests = len(s.Cases)
	s.Time = junit.Seconds(total)
	doc := junit.Suites{Name: "smoke", Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Skipped: s.Skipped, Time: s.Time, Suites: []junit.Suite{s}}
	if err := junit.Write(w, doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

func triggerCase(service string, run synthetics.RunResult, opts TriggerOptions) junit.Case {
	name := run.Name
	if name == "" {
		name = run.PublicID
	}
	if run.Location != "" {
		name += " @ " + run.Location
	}
	c := junit.Case{Name: name, Classname: service, Time: junit.Seconds(run.DurationMS)}
	detail := fmt.Sprintf("check %s, Datadog test %s, result %s", run.CheckID, run.PublicID, run.ResultID)
	if run.Retries > 0 {
		detail += fmt.Sprintf(", after %s", plural(run.Retries, "retry", "retries"))
	}
	switch run.Status {
	case synthetics.StatusFailed:
		if run.Blocking {
			c.Failure = &junit.Problem{Message: "Datadog Synthetics run failed", Type: "failed", Text: detail}
		} else {
			c.Error = &junit.Problem{Message: "Datadog Synthetics run failed (non-blocking)", Type: "failed", Text: detail}
		}
	case synthetics.StatusTimedOut:
		p := &junit.Problem{Message: "The batch timed out before receiving the result.", Type: "timeout", Text: detail}
		switch {
		case run.Failing(opts.FailOnTimeout):
			c.Failure = p
		case run.Blocking:
			p.Message += " (--fail-on-timeout=false)"
			c.Skipped = p
		default:
			c.Error = p
		}
	case synthetics.StatusIncomplete, synthetics.StatusInProgress:
		p := &junit.Problem{Message: "The batch ended without the result of this run.", Type: "incomplete", Text: detail}
		if run.Blocking {
			c.Failure = p
		} else {
			c.Error = p
		}
	case synthetics.StatusSkipped:
		c.Skipped = &junit.Problem{Message: "skipped by Datadog", Text: detail}
	}
	return c
}

// TriggerProgress draws "service: 3/7 results" in place on a terminal.
type TriggerProgress struct {
	w       io.Writer
	service string
	drawn   bool
}

// NewTriggerProgress returns a progress line for service.
func NewTriggerProgress(w io.Writer, service string) *TriggerProgress {
	return &TriggerProgress{w: w, service: service}
}

// Update redraws the line; its signature fits TriggerOptions.OnProgress.
func (p *TriggerProgress) Update(done, total int) {
	fmt.Fprintf(p.w, "\r\x1b[2K%s: %d/%d results", EscapeTerminal(p.service), done, total)
	p.drawn = true
}

// Done erases the line.
func (p *TriggerProgress) Done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
}
