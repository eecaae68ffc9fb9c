package runner

import (
	"net/http"
	"time"

	"github.com/smoke-dev/smoke/generator"
)

// Outcome is the verdict on one check.
type Outcome string

// Outcomes, as they appear in every report.
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"  // the service answered, and an assertion failed
	Errored Outcome = "errored" // no usable answer: timeout, reset, refused, body too large
	Skipped Outcome = "skipped" // not sent (filtered at run time, or cancelled before sending)
)

// Failure is one failed assertion, or the reason a check errored.
type Failure struct {
	// Check names the assertion: not_server_error, status_documented,
	// content_type, response_schema, required_headers, latency,
	// read_after_write, or "request" for an errored exchange.
	Check   string `json:"check"`
	Message string `json:"message"`
	// Pointer is the JSON pointer into the body for schema failures.
	Pointer string `json:"pointer,omitempty"`
}

// Result is the outcome of one check against one target. It refers to its
// generator.Check by ID and repeats method and path for readers.
type Result struct {
	CheckID     string  `json:"check_id"`
	Method      string  `json:"method"`
	Path        string  `json:"path"`
	OperationID string  `json:"operation_id,omitempty"`
	URL         string  `json:"url,omitempty"` // the absolute URL that was requested
	StatusCode  int     `json:"status_code"`
	Outcome     Outcome `json:"outcome"`
	// Exercised is true when the service answered a documented success;
	// otherwise Reason says why not. It is independent of Outcome: a
	// documented 404 passes the spec's assertions without exercising the
	// operation.
	Exercised bool   `json:"exercised"`
	Reason    Reason `json:"reason,omitempty"`
	// Snippet is the start of the body of an answer that did not
	// exercise the operation (masked, one line, bounded): it usually
	// names the cause.
	Snippet    string  `json:"snippet,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	// Assertions names the assertions the answer was judged by; those
	// without a failure passed.
	Assertions []string  `json:"assertions,omitempty"`
	Failures   []Failure `json:"failures,omitempty"`
	// Undocumented lists the fields of the answer its documented schema
	// does not name (when response_schema judged it): allowed, so no
	// failure, but a sign that the spec is behind the service.
	Undocumented *Undocumented `json:"undocumented,omitempty"`
	// Bound lists the request values taken from earlier checks'
	// exchanges (chains); Notes say what the run could not do for the
	// check: a binding not confirmed by what its producer returned, a
	// producer that gave no value.
	Bound []Bound  `json:"bound,omitempty"`
	Notes []string `json:"notes,omitempty"`
	// Sent is the check as it was sent when bound or rendered values
	// changed it, for a reproduce line with the real ids and values; nil
	// otherwise.
	Sent *generator.Check `json:"-"`
	// Response is the captured answer, for diff and for reports that
	// show what came back. It is not part of the JSON report.
	Response *Response `json:"-"`
}

// Response is a captured HTTP answer, body bounded by Options.MaxBodyBytes.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Truncated is true when the body was longer than the limit; Body
	// holds the first MaxBodyBytes bytes.
	Truncated bool
	// Duration is the time from sending the request to reading the last
	// byte of the (bounded) body.
	Duration time.Duration
	// Stream, for a body the spec documents as a stream
	// (generator.StreamJSON, StreamSSE), says Body is its first record
	// only: the rest was not read.
	Stream string
}

// PassedAssertions lists the assertions the answer passed.
func (r Result) PassedAssertions() []string {
	var out []string
	for _, a := range r.Assertions {
		failed := false
		for _, f := range r.Failures {
			if f.Check == a {
				failed = true
				break
			}
		}
		if !failed {
			out = append(out, a)
		}
	}
	return out
}
