package diff

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// Exercise, as DESIGN's "Depth" has it, on both sides of a diff: an
// operation both deployments answer with the same 404 is at parity, but
// that parity is no evidence that NEW can do the operation's job, so it
// is reported apart; an operation OLD exercises and NEW does not is a
// regression, even when NEW's answer varies from sample to sample (a
// lagging read replica answers 200 and 404 in turn).

// Side says whether one deployment exercised the operation in every
// sample, and when not, why (the first sample that did not).
type Side struct {
	Exercised bool          `json:"exercised"`
	Reason    runner.Reason `json:"reason,omitempty"`
	// Status is the status of the sample the reason comes from.
	Status int `json:"status,omitempty"`
	// Snippet is the start of that sample's body (masked, bounded).
	Snippet string `json:"snippet,omitempty"`
}

// snippetLen bounds a side's body excerpt.
const snippetLen = 200

// sideOf judges one side's samples, the confirmation's included.
func sideOf(c generator.Check, samples []Sample, m *generator.Masker) Side {
	for _, s := range samples {
		if s.Err != nil || s.Response == nil {
			return Side{Reason: runner.ReasonNoAnswer}
		}
		if ok, reason := runner.Exercised(s.Response.StatusCode, c.Expect); !ok {
			body := bytes.TrimSpace(s.Response.Body)
			if len(body) > 64*snippetLen {
				body = body[:64*snippetLen]
			}
			return Side{Reason: reason, Status: s.Response.StatusCode,
				Snippet: m.Cut(strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "\uFFFD")), " "), snippetLen)}
		}
	}
	return Side{Exercised: len(samples) > 0}
}

// lostExercise reports, for the sample pairs of one set of rounds, how
// many had OLD exercise the operation and NEW not.
func lostExercise(c generator.Check, olds, news []normalised) int {
	n := 0
	for i := range min(len(olds), len(news)) {
		oldOK, _ := runner.Exercised(olds[i].status, c.Expect)
		newOK, _ := runner.Exercised(news[i].status, c.Expect)
		if oldOK && !newOK {
			n++
		}
	}
	return n
}

// exerciseLost is the regression of an operation that OLD exercised in
// every sample and NEW did not: it stands whatever the noise within
// NEW's samples says, but still has to show again on confirmation.
func exerciseLost(c generator.Check, sd sides, oldSide, newSide Side) *aggregate {
	if !oldSide.Exercised || newSide.Exercised || newSide.Reason == runner.ReasonNoAnswer {
		return nil
	}
	a := &aggregate{
		d: rawDiff{kind: KindStatus, old: firstStatusOf(sd.olds), new: newSide.Status, hasOld: true, hasNew: true,
			note: fmt.Sprintf("OLD exercised the operation in every sample; NEW did not (%d %s)", newSide.Status, newSide.Reason)},
		first:    lostExercise(c, sd.olds, sd.news),
		confirm:  lostExercise(c, sd.confOlds, sd.confNews),
		sticky:   true,
		flapping: exercisedSome(c, sd.news),
	}
	if a.first == 0 && a.confirm == 0 {
		return nil
	}
	return a
}

func firstStatusOf(ns []normalised) int {
	if len(ns) == 0 {
		return 0
	}
	return ns[0].status
}

// exercisedSome reports whether any of the samples exercised the
// operation.
func exercisedSome(c generator.Check, ns []normalised) bool {
	for _, n := range ns {
		if ok, _ := runner.Exercised(n.status, c.Expect); ok {
			return true
		}
	}
	return false
}
