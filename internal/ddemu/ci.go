package ddemu

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strconv"
)

// trigger answers TriggerCITests: one run per test and location, each
// with the outcome Options.Outcome (or RunRequest) gives.
func (s *Server) trigger(in map[string]any) answer {
	list, _ := in["tests"].([]any)
	if len(list) == 0 {
		return answer{status: http.StatusBadRequest, body: errorBody("no tests to trigger")}
	}
	s.triggers = append(s.triggers, in)
	s.seq++
	bid := fmt.Sprintf("batch-%d", s.seq)
	b := &batch{}
	var results, triggered []any
	for _, x := range list {
		m, _ := x.(map[string]any)
		id, _ := m["public_id"].(string)
		if _, found := s.tests[id]; !found {
			return answer{status: http.StatusBadRequest, body: errorBody("test " + id + " not found")}
		}
	}
	for _, x := range list {
		m, _ := x.(map[string]any)
		id, _ := m["public_id"].(string)
		st := s.stored(id)
		outcome := s.outcome(st)
		locs := stringList(s.tests[id]["locations"])
		if len(locs) == 0 {
			locs = []string{"aws:us-east-1"}
		}
		for i, loc := range locs {
			s.seq++
			rid := strconv.Itoa(s.seq)
			results = append(results, map[string]any{"public_id": id, "result_id": rid, "location": float64(i + 1)})
			b.results = append(b.results, &run{outcome: outcome, result: map[string]any{
				"test_public_id": id, "test_name": st.Name, "test_type": "api", "result_id": rid,
				"location": loc, "execution_rule": executionRule(s.tests[id]),
				"duration": float64(120), "retries": float64(0),
			}})
		}
		triggered = append(triggered, id)
	}
	s.batches[bid] = b
	return ok(map[string]any{"batch_id": bid, "results": results, "triggered_check_ids": triggered})
}

func (s *Server) outcome(st StoredTest) string {
	if s.opts.Outcome != nil {
		return s.opts.Outcome(st)
	}
	outcome, why := Run(st)
	if why != "" {
		s.log.Info("ddemu: run failed", "test", st.Name, "reason", why)
	}
	return outcome
}

// executionRule is the test's CI execution rule (options.ci.executionRule),
// blocking by default.
func executionRule(t map[string]any) string {
	opts, _ := t["options"].(map[string]any)
	ci, _ := opts["ci"].(map[string]any)
	if r, isStr := ci["executionRule"].(string); isStr && r != "" {
		return r
	}
	return "blocking"
}

// batch answers GetSyntheticsCIBatch. A fresh batch is unknown for
// Options.BatchNotFoundPolls polls (404), then runs for
// Options.PendingPolls polls ("in_progress"), then is final. Runs whose
// outcome never reports stay "in_progress" in the final batch — marked
// timed_out for OutcomeTimedOut — as datadog-ci's batch.ts expects.
func (s *Server) batch(id string) answer {
	b, found := s.batches[id]
	if !found {
		return answer{status: http.StatusNotFound, body: errorBody("Batch does not exist")}
	}
	b.polls++
	if b.polls <= s.opts.BatchNotFoundPolls {
		return answer{status: http.StatusNotFound, body: errorBody("Batch does not exist")}
	}
	pending := b.polls-s.opts.BatchNotFoundPolls <= s.opts.PendingPolls
	status := "passed"
	if pending {
		status = "in_progress"
	}
	results := make([]any, 0, len(b.results))
	for _, r := range b.results {
		res := maps.Clone(r.result)
		res["timed_out"] = false
		switch {
		case pending:
			res["status"] = "in_progress"
			if r.outcome == OutcomeRetried {
				res["retries"] = float64(1)
			}
		case r.outcome == OutcomeTimedOut:
			res["status"] = "in_progress"
			res["timed_out"] = true
		case r.outcome == OutcomeStuck:
			res["status"] = "in_progress"
		case r.outcome == OutcomeRetried:
			res["status"] = OutcomePassed
			res["retries"] = float64(1)
		default:
			res["status"] = r.outcome
		}
		if !pending && res["status"] != OutcomePassed && (res["execution_rule"] == "blocking" || res["status"] == "in_progress") {
			status = "failed"
		}
		results = append(results, res)
	}
	return ok(map[string]any{"data": map[string]any{"status": status, "results": results}})
}

// Triggers returns the bodies of the CI trigger calls received, in
// order (to check the CI metadata a client sent).
func (s *Server) Triggers() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []json.RawMessage
	for _, t := range s.triggers {
		if b, err := json.Marshal(t); err == nil {
			out = append(out, b)
		}
	}
	return out
}
