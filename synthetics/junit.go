package synthetics

import (
	"encoding/xml"
	"fmt"
	"io"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the runs of r as JUnit XML: one test case per test
// and location, named after the test (and so after the operation). A
// non-blocking failure is reported as skipped, as it does not fail the
// pipeline; a run without a result is an error.
func WriteJUnit(w io.Writer, r *TriggerResult) error {
	s := junitSuite{Name: "smoke trigger " + r.Service}
	total := 0.0
	for _, run := range r.Runs {
		name := run.Name
		if run.Location != "" {
			name += " @ " + run.Location
		}
		c := junitCase{Name: name, Classname: r.Service, Time: seconds(run.DurationMS)}
		total += run.DurationMS
		detail := fmt.Sprintf("check %s, Datadog test %s, result %s", run.CheckID, run.PublicID, run.ResultID)
		switch {
		case run.Status == StatusFailed && run.Blocking:
			c.Failure = &junitMessage{Message: "Datadog Synthetics run failed", Type: "failed", Text: detail}
			s.Failures++
		case run.Status == StatusFailed:
			c.Skipped = &junitMessage{Message: "failed (non-blocking)", Text: detail}
			s.Skipped++
		case run.Status == StatusSkipped:
			c.Skipped = &junitMessage{Message: "skipped by Datadog", Text: detail}
			s.Skipped++
		case run.Status == StatusInProgress:
			c.Error = &junitMessage{Message: "no result before the timeout", Type: "timeout", Text: detail}
			s.Errors++
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests = len(s.Cases)
	s.Time = seconds(total)
	doc := junitSuites{Name: "smoke", Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Skipped: s.Skipped, Suites: []junitSuite{s}}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

func seconds(ms float64) string {
	return fmt.Sprintf("%.3f", ms/1000)
}
