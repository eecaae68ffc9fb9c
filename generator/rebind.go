package generator

import (
	"fmt"
	"strings"
)

// Rebind is one entry of smoke.yaml's operations.*.bind: the binding of
// one target, set by hand or switched off.
//
//	operations:
//	  getSilence:
//	    bind:
//	      path.silenceID: POST /silences $response.body#/silenceID
//	      query.filter: none
type Rebind struct {
	// In and Name are the target, as in Binding.
	In, Name string
	// Operation names the producer as smoke.yaml does ("POST /silences"
	// or an operationId); From is the runtime expression evaluated on
	// its exchange. Both are empty when None is set.
	Operation string
	From      string
	// None drops the binding of the target: the static value is sent.
	None bool
	// Where is the place the entry was written ("smoke.yaml:14").
	Where string
}

// ParseRebind parses one bind entry: a target ("path.silenceID",
// "body#/ID") and a source, "OPERATION EXPRESSION" ("POST /silences
// $response.body#/silenceID", "postSilences $response.header.Location"),
// or "none" (or an empty value) to send the static value.
func ParseRebind(target, source string) (Rebind, error) {
	var r Rebind
	in, name, err := ParseTarget(target)
	if err != nil {
		return r, err
	}
	r.In, r.Name = in, name
	src := strings.TrimSpace(source)
	if src == "" || strings.EqualFold(src, "none") {
		r.None = true
		return r, nil
	}
	i := strings.Index(src, " $")
	if i < 0 {
		i = strings.Index(src, " {$")
	}
	if i < 0 {
		return r, fmt.Errorf("source %q: want \"OPERATION EXPRESSION\" (e.g. \"POST /silences $response.body#/silenceID\") or none", source)
	}
	r.Operation = OperationKey(src[:i])
	e, err := ParseExpr(strings.TrimSpace(src[i+1:]))
	if err != nil {
		return r, fmt.Errorf("source %q: %w", source, err)
	}
	r.From = e.String()
	return r, nil
}
