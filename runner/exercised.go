package runner

import (
	"bytes"
	"strings"

	"github.com/smoke-dev/smoke/generator"
)

// Reason says why a check did not exercise its operation (DESIGN.md,
// "Depth"): the service answered, but not with a documented success.
type Reason string

// Reasons, as they appear in every report.
const (
	// ReasonRejected: 400, 422, 413, 415: the service refused the input.
	ReasonRejected Reason = "rejected"
	// ReasonNotFound: 404, 410.
	ReasonNotFound Reason = "not_found"
	// ReasonUnauthorized: 401, 403.
	ReasonUnauthorized Reason = "unauthorized"
	// ReasonConflict: 409, 412, 428.
	ReasonConflict Reason = "conflict"
	// ReasonNotAllowed: 405, 501.
	ReasonNotAllowed Reason = "not_allowed"
	// ReasonOther: any other answer that is not a success.
	ReasonOther Reason = "other"
	// ReasonNoValue: a value the check needed from an earlier check's
	// answer never came.
	ReasonNoValue Reason = "no_value"
	// ReasonNoAnswer: no usable answer at all (the check errored or was
	// not sent).
	ReasonNoAnswer Reason = "no_answer"
)

// Reasons lists every reason, in the order reports list them.
func Reasons() []Reason {
	return []Reason{ReasonNotFound, ReasonRejected, ReasonUnauthorized, ReasonConflict, ReasonNotAllowed, ReasonNoValue, ReasonOther, ReasonNoAnswer}
}

// Exercised reports whether an answer with this status exercised the
// operation — a success: any 2XX, or a 3XX the spec documents (a
// redirect the operation promises) — and, when it did not, why.
func Exercised(status int, e generator.Expect) (bool, Reason) {
	switch {
	case status >= 200 && status < 300:
		return true, ""
	case status >= 300 && status < 400 && e.Documents(status):
		return true, ""
	}
	switch status {
	case 400, 413, 415, 422:
		return false, ReasonRejected
	case 404, 410:
		return false, ReasonNotFound
	case 401, 403:
		return false, ReasonUnauthorized
	case 409, 412, 428:
		return false, ReasonConflict
	case 405, 501:
		return false, ReasonNotAllowed
	}
	return false, ReasonOther
}

// snippetLen bounds the excerpt of a body that explains a non-success.
const snippetLen = 200

// snippet is the start of a body on one line, secrets masked before it
// is cut, so that no part of a secret survives the cut.
func snippet(m *generator.Masker, body []byte) string {
	b := bytes.TrimSpace(body)
	if len(b) > 64*snippetLen {
		b = b[:64*snippetLen] // masking needs some context, not the whole body
	}
	return m.Cut(strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " "), snippetLen)
}
