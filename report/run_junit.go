package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/smoke-dev/smoke/runner"
)

// JUnit XML as Jenkins, GitLab, GitHub test reporters and the like read
// it: testsuites > testsuite > testcase with failure, error or skipped.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// WriteRunJUnit writes one testcase per check. A testcase is named after
// its operation ("GET /pets/{petId} (getPet)"); a failure's type lists the
// failed assertions and its text holds every message and the reproduce
// command.
func WriteRunJUnit(w io.Writer, results []runner.Result, opts RunOptions) error {
	s := runner.Summarize(results)
	suiteName := opts.Title
	if suiteName == "" {
		suiteName = "smoke run"
	}
	var total float64
	suite := junitSuite{
		Name: suiteName, Tests: s.Total, Failures: s.Failed, Errors: s.Errored, Skipped: s.Skipped,
		Cases: make([]junitCase, 0, len(results)),
	}
	if opts.Target != "" {
		suite.Properties = append(suite.Properties, junitProperty{"target", opts.Target})
	}
	if opts.Incomplete != "" {
		suite.Properties = append(suite.Properties, junitProperty{"incomplete", opts.Incomplete})
	}
	for _, r := range results {
		total += r.DurationMS
		tc := junitCase{Name: caseName(r), Classname: suiteName, Time: seconds(r.DurationMS)}
		switch r.Outcome {
		case runner.Failed:
			tc.Failure = problem(r, opts)
		case runner.Errored:
			tc.Error = problem(r, opts)
		case runner.Skipped:
			msg := "not sent"
			if len(r.Failures) > 0 {
				msg = r.Failures[0].Message
			}
			tc.Skipped = &junitProblem{Message: msg}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Time = seconds(total)
	doc := junitSuites{
		Name: "smoke run", Tests: s.Total, Failures: s.Failed, Errors: s.Errored, Skipped: s.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite},
	}
	if opts.Elapsed > 0 {
		doc.Time = fmt.Sprintf("%.3f", opts.Elapsed.Seconds())
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func caseName(r runner.Result) string {
	if r.OperationID != "" {
		return fmt.Sprintf("%s (%s)", name(r), r.OperationID)
	}
	return name(r)
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

func problem(r runner.Result, opts RunOptions) *junitProblem {
	var types, lines []string
	for _, f := range r.Failures {
		if !contains(types, f.Check) {
			types = append(types, f.Check)
		}
		lines = append(lines, failureText(f))
	}
	p := &junitProblem{Type: strings.Join(types, ",")}
	if len(r.Failures) > 0 {
		p.Message = oneLine(failureText(r.Failures[0]))
	}
	if r.URL != "" {
		lines = append(lines, fmt.Sprintf("%s %s → %s", r.Method, r.URL, status(r)))
	}
	if cmd := opts.Reproduce[r.CheckID]; cmd != "" {
		lines = append(lines, "reproduce: "+cmd)
	}
	p.Text = xmlText(strings.Join(lines, "\n"))
	return p
}

// xmlText replaces what XML 1.0 cannot hold (control characters, invalid
// UTF-8) with U+FFFD: a server may echo any bytes into a message, and
// encoding/xml writes CDATA as it is.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r == utf8.RuneError:
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
