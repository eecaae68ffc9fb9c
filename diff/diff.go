package diff

import (
	"encoding/json"
	"slices"
	"strings"
)

// Verdict is the outcome of comparing one operation between OLD and NEW.
type Verdict string

// Verdicts, as they appear in every report.
const (
	// Parity: NEW answers as OLD does (non-breaking additions and
	// differences silenced by a rule aside).
	Parity Verdict = "parity"
	// Regression: NEW differs from OLD in a way that is not noise.
	Regression Verdict = "regression"
	// Noise: every difference is also a difference between two samples of
	// the same side, or a value compared by format only. Noise is listed
	// but kept out of the headline.
	Noise Verdict = "noise"
	// Fixed: OLD failed the spec's assertions in every sample and NEW
	// passes them in every sample.
	Fixed Verdict = "fixed"
	// Error: the operation could not be sampled on one side or both.
	Error Verdict = "error"
)

// Kind says what differs.
type Kind string

// Difference kinds.
const (
	KindChanged Kind = "changed" // a value differs
	KindMissing Kind = "missing" // present on OLD, absent on NEW
	KindAdded   Kind = "added"   // absent on OLD, present on NEW
	KindType    Kind = "type"    // the JSON type (or body kind) differs
	KindStatus  Kind = "status"  // the status code differs
	KindHeader  Kind = "header"  // a response header differs, appears or disappears
	KindSchema  Kind = "schema"  // NEW breaks the spec's contract where OLD did not
	KindLatency Kind = "latency" // NEW is significantly slower
)

// Class says how a difference counts towards the verdict.
type Class string

// Difference classes.
const (
	// ClassRegression counts: the operation is a regression.
	ClassRegression Class = "regression"
	// ClassAddition is a non-breaking addition: an object field or a
	// header present only on NEW.
	ClassAddition Class = "addition"
	// ClassNoise also differs between two samples of one side, or is a
	// value compared by format only (date-time, uuid ...).
	ClassNoise Class = "noise"
	// ClassFixed is a difference of an operation that OLD failed and NEW
	// passes.
	ClassFixed Class = "fixed"
	// ClassIgnored matched an ignore rule.
	ClassIgnored Class = "ignored"
	// ClassExpected matched an expect rule.
	ClassExpected Class = "expected"
)

// Difference is one thing NEW does differently from OLD, with one example
// of each side.
type Difference struct {
	// Pointer is the JSON pointer (RFC 6901) into the response body;
	// empty for the whole body, the status and headers.
	Pointer string `json:"pointer"`
	// Template is Pointer with array indices replaced by "*"
	// (/items/*/id): the form rules are written in.
	Template string `json:"template,omitempty"`
	// Header names the response header of a header difference.
	Header string `json:"header,omitempty"`
	Kind   Kind   `json:"kind"`
	// Old and New are example values as JSON (absent when the side has
	// no value). Bodies that are not JSON appear as JSON strings.
	Old   json.RawMessage `json:"old,omitempty"`
	New   json.RawMessage `json:"new,omitempty"`
	Class Class           `json:"class"`
	// Reason explains a class other than regression: which rule matched,
	// or why the difference is noise.
	Reason string `json:"reason,omitempty"`
	// Samples counts the OLD/NEW sample pairs that showed the difference.
	Samples int `json:"samples"`
}

// Location renders where the difference is, for people: the pointer, the
// header name, or the kind for status and latency.
func (d Difference) Location() string {
	switch {
	case d.Header != "":
		return "header " + d.Header
	case d.Kind == KindStatus:
		return "status code"
	case d.Kind == KindLatency:
		return "median ms"
	case d.Pointer == "":
		return "body"
	}
	return d.Pointer
}

// Latency compares the response times of OLD and NEW for one operation.
// Times are medians of the samples after the warm-up sample of each side
// is discarded, with 95 % confidence intervals.
type Latency struct {
	OldMS     float64 `json:"old_ms"`
	NewMS     float64 `json:"new_ms"`
	OldLowMS  float64 `json:"old_low_ms"`
	OldHighMS float64 `json:"old_high_ms"`
	NewLowMS  float64 `json:"new_low_ms"`
	NewHighMS float64 `json:"new_high_ms"`
	// Samples is the number of measurements per side after the warm-up.
	OldSamples int `json:"old_samples"`
	NewSamples int `json:"new_samples"`
	// Compared is false when a side had too few samples to test (fewer
	// than LatencyOptions.MinRounds rounds).
	Compared bool `json:"compared"`
	// P is the p-value of the Mann-Whitney U test (0 when not compared).
	P float64 `json:"p"`
	// Significant is true when the difference of medians is statistically
	// significant and beyond both the relative and the absolute threshold,
	// in either direction.
	Significant bool `json:"significant"`
	// Slower is true when Significant and NEW is the slower side: a
	// latency regression.
	Slower bool `json:"slower"`
	// OldDiscarded and NewDiscarded count the samples left out because
	// smoke itself was starved of CPU while taking them (see
	// LatencyOptions.MaxLag); OldSamples and NewSamples do not include
	// them.
	OldDiscarded int `json:"old_discarded"`
	NewDiscarded int `json:"new_discarded"`
}

// Confirmation is the re-sampling of an operation that first compared as
// a regression: one more round (two requests to each side, shuffled), or
// three when latency is in question. A regression difference counts only
// if it shows in the first rounds and again in the confirmation; a
// latency regression must also be significant on the pooled samples.
// What does not hold again becomes noise, with the reason "did not
// reproduce on confirmation".
type Confirmation struct {
	// Rounds is the number of confirmation rounds taken.
	Rounds int `json:"rounds"`
	// Requests is the number of requests they sent, both sides together.
	Requests int `json:"requests"`
	// Confirmed is true when the operation is still a regression.
	Confirmed bool `json:"confirmed"`
	// Dropped counts the regression differences that did not hold again.
	Dropped int `json:"dropped"`
}

// Operation is the comparison of one check.
type Operation struct {
	CheckID     string       `json:"check_id"`
	Method      string       `json:"method"`
	Path        string       `json:"path"`
	OperationID string       `json:"operation_id,omitempty"`
	Verdict     Verdict      `json:"verdict"`
	Differences []Difference `json:"differences"`
	Latency     *Latency     `json:"latency,omitempty"`
	// OldStatus and NewStatus are the status codes of the first sample
	// of each side (0 when it could not be taken).
	OldStatus int `json:"old_status"`
	NewStatus int `json:"new_status"`
	// Samples is the number of samples per side that were requested.
	Samples int `json:"samples"`
	// Errors say why an operation has verdict error.
	Errors []string `json:"errors,omitempty"`
	// Confirmation is set when the operation first compared as a
	// regression and was sampled again to confirm it.
	Confirmation *Confirmation `json:"confirmation,omitempty"`
	// Old and New say whether each side exercised the operation (a
	// documented success in every sample) and, when not, why.
	Old Side `json:"old"`
	New Side `json:"new"`
}

// Exercised reports whether both sides exercised the operation: parity
// of an operation that is not exercised is no evidence.
func (o Operation) Exercised() bool { return o.Old.Exercised && o.New.Exercised }

// Count returns how many differences of class c the operation has.
func (o Operation) Count(c Class) int {
	n := 0
	for _, d := range o.Differences {
		if d.Class == c {
			n++
		}
	}
	return n
}

// Summary counts operations by verdict, and what the confirmation of
// regressions did.
type Summary struct {
	Operations  int `json:"operations"`
	Parity      int `json:"parity"`
	Regressions int `json:"regressions"`
	Noise       int `json:"noise"`
	Fixed       int `json:"fixed"`
	Errors      int `json:"errors"`
	// ParityUnexercised counts the operations at parity that a side did
	// not exercise (both answered the same 404, say): reported apart,
	// as they are no evidence. Parity counts them too.
	ParityUnexercised int `json:"parity_unexercised"`
	// Exercised counts the operations both sides exercised.
	Exercised int `json:"exercised"`
	// Confirmed counts the operations that first compared as regressions
	// and held again on confirmation; Dropped those that did not (they
	// are noise now).
	Confirmed int `json:"confirmed"`
	Dropped   int `json:"dropped"`
	// ConfirmationRequests is the number of requests confirmations sent.
	ConfirmationRequests int `json:"confirmation_requests"`
	// StarvedSamples counts the samples left out of latency comparisons
	// because smoke itself was starved of CPU while taking them.
	StarvedSamples int `json:"starved_samples"`
}

// Report is the result of a diff run: one Operation per sampled check,
// ordered by method and path.
type Report struct {
	// Old and New are the base URLs compared, with any user information
	// removed.
	Old    string `json:"old"`
	New    string `json:"new"`
	Rounds int    `json:"rounds"`
	// Seed is the seed of the shuffled request order (Options.Seed, or
	// the random one Run picked): the same seed sends the same requests
	// in the same order, so a verdict can be replayed.
	Seed uint64 `json:"seed"`
	// Summary counts Operations by verdict.
	Summary    Summary     `json:"summary"`
	Operations []Operation `json:"operations"`
	// Skipped lists checks that were not sampled because they write
	// ("POST /orders") and writes were not allowed.
	Skipped []string `json:"skipped,omitempty"`
	// Withheld lists the writes that were not sampled because they would
	// name a resource by an id neither a create nor the user gave
	// (generator.ForeignPath): never sent, on either side.
	Withheld []string `json:"withheld,omitempty"`
	// Warnings are problems that did not stop the run: rules that
	// matched nothing, for instance.
	Warnings []string `json:"warnings,omitempty"`
	// Resources is what the chains of each side created, deleted and
	// left behind; nil when no chain ran.
	Resources *Resources `json:"resources,omitempty"`
}

// FailOn names the least severe finding that should fail a run.
type FailOn string

// FailOn levels.
const (
	// FailOnRegression fails on regressions only (the default).
	FailOnRegression FailOn = "regression"
	// FailOnAny fails on any difference that no rule silenced, noise and
	// non-breaking additions included.
	FailOnAny FailOn = "any"
)

// ParseFailOn checks a --fail-on value; the empty string means
// FailOnRegression.
func ParseFailOn(s string) (FailOn, error) {
	switch FailOn(strings.ToLower(s)) {
	case "", FailOnRegression:
		return FailOnRegression, nil
	case FailOnAny:
		return FailOnAny, nil
	}
	return "", &UsageError{Msg: "fail-on " + quote(s) + ": want regression or any"}
}

// Findings reports whether the report holds a finding at or above level.
// Errors are not findings: they make a run incomplete (see Complete).
func (r *Report) Findings(level FailOn) bool {
	for _, op := range r.Operations {
		switch op.Verdict {
		case Regression:
			return true
		case Error:
			continue
		}
		if level == FailOnAny {
			for _, d := range op.Differences {
				if d.Class != ClassIgnored && d.Class != ClassExpected {
					return true
				}
			}
		}
	}
	return false
}

// Complete reports whether every operation was sampled on both sides.
func (r *Report) Complete() bool {
	return r.Summary.Errors == 0
}

// summarise counts verdicts and orders operations by method and path.
func (r *Report) summarise() {
	slices.SortStableFunc(r.Operations, func(a, b Operation) int {
		if c := strings.Compare(a.Method, b.Method); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	s := Summary{Operations: len(r.Operations)}
	for _, op := range r.Operations {
		if op.Exercised() {
			s.Exercised++
		}
		switch op.Verdict {
		case Parity:
			s.Parity++
			if !op.Exercised() {
				s.ParityUnexercised++
			}
		case Regression:
			s.Regressions++
		case Noise:
			s.Noise++
		case Fixed:
			s.Fixed++
		case Error:
			s.Errors++
		}
		if c := op.Confirmation; c != nil {
			s.ConfirmationRequests += c.Requests
			if c.Confirmed {
				s.Confirmed++
			} else if op.Verdict != Error {
				s.Dropped++
			}
		}
		if l := op.Latency; l != nil {
			s.StarvedSamples += l.OldDiscarded + l.NewDiscarded
		}
	}
	r.Summary = s
}

// UsageError is an invalid option or rule: nothing was sent. The CLI maps
// it to exit code 2.
type UsageError struct {
	Msg string
}

// Error returns the message.
func (e *UsageError) Error() string { return e.Msg }

func quote(s string) string {
	b, _ := json.Marshal(s) // marshalling a string cannot fail
	return string(b)
}
