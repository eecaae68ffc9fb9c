package synthetics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"
)

// triggerBatch bounds the tests triggered by one CI call (Datadog's CI
// endpoint takes at most 100).
const triggerBatch = 100

// Run statuses, as Datadog reports them.
const (
	StatusPassed     = "passed"
	StatusFailed     = "failed"
	StatusSkipped    = "skipped"
	StatusInProgress = "in_progress"
)

// ErrNoTests means the service has no tests published by smoke.
var ErrNoTests = errors.New("no tests published by smoke for this service")

// ErrTimeout means some runs had not finished when the wait ended.
var ErrTimeout = errors.New("timed out waiting for results")

// TriggerOptions tunes Trigger.
type TriggerOptions struct {
	// CheckIDs restricts the trigger to these checks; empty means every
	// test of the service.
	CheckIDs []string
	// Wait polls the batches until every run has a result.
	Wait bool
	// Timeout bounds the wait; default 30 minutes.
	Timeout time.Duration
	// PollInterval is the pause between polls; default 5 s.
	PollInterval time.Duration
	// OnProgress is called after each poll with the number of finished
	// runs and the total, from the calling goroutine.
	OnProgress func(done, total int)
}

// TriggerResult is the outcome of a trigger.
type TriggerResult struct {
	Service  string      `json:"service"`
	BatchIDs []string    `json:"batch_ids"`
	Runs     []RunResult `json:"runs"`
	// TimedOut is true when the wait ended before every run finished.
	TimedOut bool `json:"timed_out"`
}

// RunResult is one test run at one location.
type RunResult struct {
	CheckID    string  `json:"check_id"`
	PublicID   string  `json:"public_id"`
	Name       string  `json:"name"`
	Location   string  `json:"location,omitempty"`
	ResultID   string  `json:"result_id,omitempty"`
	Status     string  `json:"status"`
	Blocking   bool    `json:"blocking"`
	DurationMS float64 `json:"duration_ms"`
}

// Counts returns the number of runs per status.
func (r *TriggerResult) Counts() map[string]int {
	out := map[string]int{}
	for _, x := range r.Runs {
		out[x.Status]++
	}
	return out
}

// BlockingFailures returns the failed runs whose execution rule is
// blocking: the ones that should fail a CI step.
func (r *TriggerResult) BlockingFailures() []RunResult {
	var out []RunResult
	for _, x := range r.Runs {
		if x.Status == StatusFailed && x.Blocking {
			out = append(out, x)
		}
	}
	return out
}

// Trigger runs the service's tests through Datadog's CI endpoint, in
// batches of at most 100, and with Wait polls until every run has a
// result. It needs no spec: tests are found by their identity tags.
func (c *Client) Trigger(ctx context.Context, service string, opts TriggerOptions) (*TriggerResult, error) {
	owned, err := c.owned(ctx, service)
	if err != nil {
		return nil, err
	}
	if len(opts.CheckIDs) > 0 {
		want := map[string]bool{}
		for _, id := range opts.CheckIDs {
			want[id] = true
		}
		var kept []existing
		for _, e := range owned {
			if want[e.checkID] {
				kept = append(kept, e)
			}
		}
		owned = kept
	}
	if len(owned) == 0 {
		return nil, fmt.Errorf("trigger %s: %w (run smoke publish first)", service, ErrNoTests)
	}
	byPublic := map[string]existing{}
	for _, e := range owned {
		byPublic[e.publicID] = e
	}
	res := &TriggerResult{Service: service, BatchIDs: []string{}, Runs: []RunResult{}}
	perBatch := map[string][]RunResult{}
	for start := 0; start < len(owned); start += triggerBatch {
		chunk := owned[start:min(start+triggerBatch, len(owned))]
		tests := make([]datadogV1.SyntheticsCITest, len(chunk))
		for i, e := range chunk {
			tests[i] = *datadogV1.NewSyntheticsCITest(e.publicID)
		}
		var out datadogV1.SyntheticsTriggerCITestsResponse
		err := c.do(ctx, "TriggerCITests", false, func(ctx context.Context) (*http.Response, error) {
			var r *http.Response
			var err error
			out, r, err = c.api.TriggerCITests(ctx, datadogV1.SyntheticsCITestBody{Tests: tests})
			return r, err
		})
		if err != nil {
			return res, fmt.Errorf("trigger %s: %w", service, err)
		}
		bid := out.GetBatchId()
		res.BatchIDs = append(res.BatchIDs, bid)
		for _, r := range out.Results {
			e := byPublic[r.GetPublicId()]
			run := RunResult{
				CheckID: e.checkID, PublicID: r.GetPublicId(), Name: e.name,
				ResultID: r.GetResultId(), Status: StatusInProgress, Blocking: true,
			}
			res.Runs = append(res.Runs, run)
			perBatch[bid] = append(perBatch[bid], run)
		}
	}
	if !opts.Wait {
		return res, nil
	}
	return res, c.wait(ctx, res, perBatch, byPublic, opts)
}

// wait polls the batches of res until each is done or the timeout.
// perBatch holds each batch's latest runs.
func (c *Client) wait(ctx context.Context, res *TriggerResult, perBatch map[string][]RunResult, byPublic map[string]existing, opts TriggerOptions) error {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Minute
	}
	interval := opts.PollInterval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	deadline := time.Now().Add(timeout)
	done := map[string]bool{}
	for {
		for _, bid := range res.BatchIDs {
			if done[bid] {
				continue
			}
			var out datadogV1.SyntheticsBatchDetails
			err := c.do(ctx, "GetSyntheticsCIBatch", true, func(ctx context.Context) (*http.Response, error) {
				var r *http.Response
				var err error
				out, r, err = c.api.GetSyntheticsCIBatch(ctx, bid)
				return r, err
			})
			if err != nil {
				return fmt.Errorf("poll batch %s: %w", bid, err)
			}
			data := out.GetData()
			// Datadog answers "in_progress" while a batch runs, a value its
			// own v1 document (and so the client's enum) lacks: the client
			// leaves such a status empty. Only a known final status ends
			// the wait.
			if data.GetStatus().IsValid() {
				done[bid] = true
			}
			if len(data.Results) == 0 {
				continue
			}
			var runs []RunResult
			for _, r := range data.Results {
				e := byPublic[r.GetTestPublicId()]
				name := r.GetTestName()
				if name == "" {
					name = e.name
				}
				status := StatusInProgress
				if st := r.GetStatus(); st.IsValid() {
					status = string(st)
				}
				runs = append(runs, RunResult{
					CheckID: e.checkID, PublicID: r.GetTestPublicId(), Name: name,
					Location: r.GetLocation(), ResultID: r.GetResultId(), Status: status,
					Blocking:   r.GetExecutionRule() != datadogV1.SYNTHETICSTESTEXECUTIONRULE_NON_BLOCKING,
					DurationMS: r.GetDuration(),
				})
			}
			perBatch[bid] = runs
		}
		var runs []RunResult
		for _, bid := range res.BatchIDs {
			runs = append(runs, perBatch[bid]...)
		}
		sort.SliceStable(runs, func(i, j int) bool {
			if runs[i].Name != runs[j].Name {
				return runs[i].Name < runs[j].Name
			}
			return runs[i].Location < runs[j].Location
		})
		res.Runs = runs
		finished := 0
		for _, r := range res.Runs {
			if r.Status != StatusInProgress {
				finished++
			}
		}
		if opts.OnProgress != nil {
			opts.OnProgress(finished, len(res.Runs))
		}
		if len(done) == len(res.BatchIDs) && finished == len(res.Runs) {
			return nil
		}
		if time.Now().After(deadline) {
			res.TimedOut = true
			return fmt.Errorf("trigger %s: %w after %s (%d of %d runs finished)", res.Service, ErrTimeout, timeout, finished, len(res.Runs))
		}
		if err := sleep(ctx, min(interval, time.Until(deadline)+time.Millisecond)); err != nil {
			return fmt.Errorf("trigger %s: %w", res.Service, err)
		}
	}
}
