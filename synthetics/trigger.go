package synthetics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"
)

// triggerBatch bounds the tests triggered by one CI call (Datadog's CI
// endpoint takes at most 100).
const triggerBatch = 100

// maxBatchNotFound bounds the polls a batch may answer 404 before it is
// known: a fresh batch is not yet readable right after the trigger, and
// datadog-ci retries that 404 (api.ts, getBatch: retryOn404).
const maxBatchNotFound = 5

// Run statuses. Datadog reports passed, failed, skipped and in_progress;
// smoke settles a run still in progress when the wait ends as timed_out
// (Datadog said so, or smoke's own deadline passed) or incomplete (the
// batch ended without its result).
const (
	StatusPassed     = "passed"
	StatusFailed     = "failed"
	StatusSkipped    = "skipped"
	StatusInProgress = "in_progress"
	StatusTimedOut   = "timed_out"
	StatusIncomplete = "incomplete"
)

// ErrNoTests means the service has no tests published by smoke.
var ErrNoTests = errors.New("no tests published by smoke for this service")

// ErrTimeout means some runs had not finished when the wait ended.
var ErrTimeout = errors.New("timed out waiting for results")

// DefaultTriggerTimeout is how long Trigger waits for a batch: the batch
// timeout of datadog-ci (batch.ts, DEFAULT_BATCH_TIMEOUT).
const DefaultTriggerTimeout = 30 * time.Minute

// Metadata is the CI and git context of a triggered batch, shown with
// its results in Datadog (SyntheticsCIBatchMetadata).
type Metadata struct {
	Provider    string `json:"provider,omitempty"`
	PipelineURL string `json:"pipeline_url,omitempty"`
	Branch      string `json:"branch,omitempty"`
	CommitSHA   string `json:"commit_sha,omitempty"`
}

// TriggerOptions tunes Trigger.
type TriggerOptions struct {
	// CheckIDs restricts the trigger to these checks; empty means every
	// test of the service. A check without a published test is Missing.
	CheckIDs []string
	// Suite runs the tests of the service's suite instead; SuiteID runs
	// the tests of that suite, whoever owns them.
	Suite   bool
	SuiteID string
	// Metadata is sent with every test of the batch.
	Metadata *Metadata
	// Wait polls the batches until every run has a result.
	Wait bool
	// Timeout bounds the wait; default DefaultTriggerTimeout.
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
	Suite    string      `json:"suite,omitempty"`
	BatchIDs []string    `json:"batch_ids"`
	Runs     []RunResult `json:"runs"`
	// Missing lists the requested checks (or suite tests) that have no
	// test to run.
	Missing []string `json:"missing,omitempty"`
	// TimedOut is true when smoke's own wait ended before every batch
	// did.
	TimedOut bool `json:"timed_out"`
}

// RunResult is one test run at one location.
type RunResult struct {
	CheckID    string  `json:"check_id,omitempty"`
	PublicID   string  `json:"public_id"`
	Name       string  `json:"name"`
	Location   string  `json:"location,omitempty"`
	ResultID   string  `json:"result_id,omitempty"`
	Status     string  `json:"status"`
	Blocking   bool    `json:"blocking"`
	Retries    int     `json:"retries,omitempty"`
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

// Failing reports whether a run fails the CI step, as datadog-ci judges
// it (utils/internal.ts, hasResultPassed): a blocking run that failed,
// ended incomplete, or timed out (unless failOnTimeout is off).
func (x RunResult) Failing(failOnTimeout bool) bool {
	if !x.Blocking {
		return false
	}
	switch x.Status {
	case StatusFailed, StatusIncomplete:
		return true
	case StatusTimedOut:
		return failOnTimeout
	}
	return false
}

// BlockingFailures returns the runs that fail the CI step.
func (r *TriggerResult) BlockingFailures(failOnTimeout bool) []RunResult {
	var out []RunResult
	for _, x := range r.Runs {
		if x.Failing(failOnTimeout) {
			out = append(out, x)
		}
	}
	return out
}

// target is a test to trigger.
type target struct {
	publicID, checkID, name string
}

// Trigger runs tests through Datadog's CI endpoint, in batches of at
// most 100, and with Wait polls until every run has a result. It needs
// no spec: the service's tests are found by their identity tags, a
// suite's by the suite.
func (c *Client) Trigger(ctx context.Context, service string, opts TriggerOptions) (*TriggerResult, error) {
	res := &TriggerResult{Service: service, BatchIDs: []string{}, Runs: []RunResult{}}
	targets, err := c.targets(ctx, service, opts, res)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("trigger %s: %w (run smoke publish first)", service, ErrNoTests)
	}
	byPublic := map[string]target{}
	for _, t := range targets {
		byPublic[t.publicID] = t
	}
	var batches []*batchState
	for start := 0; start < len(targets); start += triggerBatch {
		chunk := targets[start:min(start+triggerBatch, len(targets))]
		b, err := c.triggerBatch(ctx, chunk, opts.Metadata, byPublic)
		if err != nil {
			return res, fmt.Errorf("trigger %s: %w", service, err)
		}
		batches = append(batches, b)
		res.BatchIDs = append(res.BatchIDs, b.id)
		res.Runs = append(res.Runs, b.runs...)
	}
	if !opts.Wait {
		return res, nil
	}
	return res, c.wait(ctx, res, batches, byPublic, opts)
}

// targets finds the tests to run: the service's (or some checks of it),
// or a suite's.
func (c *Client) targets(ctx context.Context, service string, opts TriggerOptions, res *TriggerResult) ([]target, error) {
	var suiteIDs []string
	if opts.Suite || opts.SuiteID != "" {
		id, ids, err := c.SuiteTests(ctx, service, opts.SuiteID)
		if err != nil {
			return nil, err
		}
		res.Suite, suiteIDs = id, ids
	}
	var owned []existing
	if service != "" {
		var err error
		if owned, err = c.owned(ctx, service); err != nil {
			return nil, err
		}
	}
	var out []target
	if suiteIDs != nil {
		known := map[string]existing{}
		for _, e := range owned {
			known[e.publicID] = e
		}
		for _, id := range suiteIDs {
			e := known[id]
			out = append(out, target{publicID: id, checkID: e.checkID, name: e.name})
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, id := range opts.CheckIDs {
		want[id] = true
	}
	found := map[string]bool{}
	for _, e := range owned {
		if len(want) == 0 || want[e.checkID] {
			out = append(out, target{publicID: e.publicID, checkID: e.checkID, name: e.name})
			found[e.checkID] = true
		}
	}
	for _, id := range opts.CheckIDs {
		if !found[id] && !slices.Contains(res.Missing, id) {
			res.Missing = append(res.Missing, id)
		}
	}
	return out, nil
}

func (c *Client) triggerBatch(ctx context.Context, chunk []target, md *Metadata, byPublic map[string]target) (*batchState, error) {
	tests := make([]datadogV1.SyntheticsCITest, len(chunk))
	for i, t := range chunk {
		tests[i] = *datadogV1.NewSyntheticsCITest(t.publicID)
		if md != nil {
			tests[i].SetMetadata(md.api())
		}
	}
	out, err := doValue(ctx, c, "TriggerCITests", false, func(ctx context.Context) (datadogV1.SyntheticsTriggerCITestsResponse, *http.Response, error) {
		return c.api.TriggerCITests(ctx, datadogV1.SyntheticsCITestBody{Tests: tests})
	})
	if err != nil {
		return nil, err
	}
	b := &batchState{id: out.GetBatchId()}
	for _, r := range out.Results {
		t := byPublic[r.GetPublicId()]
		b.runs = append(b.runs, RunResult{
			CheckID: t.checkID, PublicID: r.GetPublicId(), Name: t.name,
			ResultID: r.GetResultId(), Status: StatusInProgress, Blocking: true,
		})
	}
	return b, nil
}

func (m *Metadata) api() datadogV1.SyntheticsCIBatchMetadata {
	md := datadogV1.SyntheticsCIBatchMetadata{}
	if m.Provider != "" || m.PipelineURL != "" {
		ci := datadogV1.SyntheticsCIBatchMetadataCI{}
		if m.Provider != "" {
			ci.SetProvider(datadogV1.SyntheticsCIBatchMetadataProvider{Name: &m.Provider})
		}
		if m.PipelineURL != "" {
			ci.SetPipeline(datadogV1.SyntheticsCIBatchMetadataPipeline{Url: &m.PipelineURL})
		}
		md.SetCi(ci)
	}
	if m.Branch != "" || m.CommitSHA != "" {
		git := datadogV1.SyntheticsCIBatchMetadataGit{}
		if m.Branch != "" {
			git.SetBranch(m.Branch)
		}
		if m.CommitSHA != "" {
			git.SetCommitSha(m.CommitSHA)
		}
		md.SetGit(git)
	}
	return md
}

// batchState is one batch being waited for.
type batchState struct {
	id       string
	runs     []RunResult
	notFound int
	final    bool
}

// wait polls the batches of res until each is final or the timeout. A
// batch that answers 404 right after the trigger is polled again, as
// datadog-ci does; once a batch is final, its runs still in progress are
// settled at once (timed out when Datadog marks them so, incomplete
// otherwise) instead of being polled until the deadline.
func (c *Client) wait(ctx context.Context, res *TriggerResult, batches []*batchState, byPublic map[string]target, opts TriggerOptions) error {
	timeout := orDuration(opts.Timeout, DefaultTriggerTimeout)
	interval := orDuration(opts.PollInterval, 5*time.Second)
	deadline := time.Now().Add(timeout)
	for {
		for _, b := range batches {
			if !b.final {
				if err := c.poll(ctx, b, byPublic); err != nil {
					return fmt.Errorf("trigger %s: %w", res.Service, err)
				}
			}
		}
		res.Runs = collect(batches)
		finished, final := 0, true
		for _, r := range res.Runs {
			if r.Status != StatusInProgress {
				finished++
			}
		}
		for _, b := range batches {
			final = final && b.final
		}
		if opts.OnProgress != nil {
			opts.OnProgress(finished, len(res.Runs))
		}
		if final {
			return nil
		}
		if time.Now().After(deadline) {
			res.TimedOut = true
			for i := range res.Runs {
				if res.Runs[i].Status == StatusInProgress {
					res.Runs[i].Status = StatusTimedOut
				}
			}
			return fmt.Errorf("trigger %s: %w after %s (%d of %d runs finished)", res.Service, ErrTimeout, timeout, finished, len(res.Runs))
		}
		if err := sleep(ctx, min(interval, time.Until(deadline)+time.Millisecond)); err != nil {
			return fmt.Errorf("trigger %s: %w", res.Service, err)
		}
	}
}

// poll reads one batch and settles it when final.
func (c *Client) poll(ctx context.Context, b *batchState, byPublic map[string]target) error {
	out, err := doValue(ctx, c, "GetSyntheticsCIBatch", true, func(ctx context.Context) (datadogV1.SyntheticsBatchDetails, *http.Response, error) {
		return c.api.GetSyntheticsCIBatch(ctx, b.id)
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound && b.notFound < maxBatchNotFound {
		b.notFound++
		c.log.Info("batch not readable yet, polling again", "batch", b.id, "attempt", b.notFound)
		return nil
	}
	if err != nil {
		return fmt.Errorf("poll batch %s: %w", b.id, err)
	}
	data := out.GetData()
	// Datadog answers "in_progress" while a batch runs, a value its own
	// v1 document (and so the client's enum) lacks: the client leaves
	// such a status empty. Only a known final status ends the batch.
	b.final = data.GetStatus().IsValid()
	if len(data.Results) > 0 {
		runs := make([]RunResult, 0, len(data.Results))
		for _, r := range data.Results {
			runs = append(runs, runResult(r, byPublic, b.final))
		}
		b.runs = runs
	} else if b.final {
		for i := range b.runs {
			if b.runs[i].Status == StatusInProgress {
				b.runs[i].Status = StatusIncomplete
			}
		}
	}
	return nil
}

// runResult reads one result of a batch. In a final batch, a result
// still in progress is settled: timed out when Datadog says so
// (timed_out, which its v1 document does not declare), incomplete
// otherwise (datadog-ci batch.ts, "incomplete at the end of the batch").
func runResult(r datadogV1.SyntheticsBatchResult, byPublic map[string]target, final bool) RunResult {
	t := byPublic[r.GetTestPublicId()]
	name := t.name
	if name == "" {
		name = r.GetTestName()
	}
	status := StatusInProgress
	if st := r.GetStatus(); st.IsValid() {
		status = string(st)
	}
	if final && status == StatusInProgress {
		status = StatusIncomplete
		if timedOut, _ := r.AdditionalProperties["timed_out"].(bool); timedOut {
			status = StatusTimedOut
		}
	}
	return RunResult{
		CheckID: t.checkID, PublicID: r.GetTestPublicId(), Name: name,
		Location: r.GetLocation(), ResultID: r.GetResultId(), Status: status,
		Blocking:   r.GetExecutionRule() != datadogV1.SYNTHETICSTESTEXECUTIONRULE_NON_BLOCKING,
		Retries:    int(r.GetRetries()),
		DurationMS: r.GetDuration(),
	}
}

func collect(batches []*batchState) []RunResult {
	var runs []RunResult
	for _, b := range batches {
		runs = append(runs, b.runs...)
	}
	sort.SliceStable(runs, func(i, j int) bool {
		if runs[i].Name != runs[j].Name {
			return runs[i].Name < runs[j].Name
		}
		return strings.Compare(runs[i].Location, runs[j].Location) < 0
	})
	return runs
}
