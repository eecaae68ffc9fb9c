package synthetics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"
)

// DefaultMaxPruneShare is the largest share of a service's owned tests a
// publish deletes without Force.
const DefaultMaxPruneShare = 0.5

// deleteBatch bounds the public ids sent in one delete call.
const deleteBatch = 100

// convergeListings bounds the listings converge makes while waiting for
// its own creates to show (Datadog's index may lag a create).
const convergeListings = 5

// ErrPruneCap means a publish would delete more owned tests than allowed
// without force; nothing was written.
var ErrPruneCap = errors.New("refusing to delete that many tests")

// ErrMissingVariables means tests refer to global variables that do not
// exist; nothing was written.
var ErrMissingVariables = errors.New("global variables missing")

// ErrBlocked means Datadog refused to delete some tests because another
// resource (an SLO, a composite monitor) depends on them. Everything
// else was written.
var ErrBlocked = errors.New("Datadog refused to delete tests other resources depend on")

// ApplyOptions tunes Apply.
type ApplyOptions struct {
	// Force lifts the prune safety cap.
	Force bool
	// MaxPruneShare is the largest share (0–1) of owned tests deleted
	// without Force; default DefaultMaxPruneShare. Deleting one test is
	// always allowed.
	MaxPruneShare float64
	// OnChange is called after each change is written, from the calling
	// goroutine, with "create", "update" or "delete".
	OnChange func(action string, c Change)
}

// Stats counts what Apply did.
type Stats struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Deleted   int `json:"deleted"`
	Unchanged int `json:"unchanged"`
	// Duplicates counts tests this publish created and then deleted
	// because a concurrent publish had created the same check's test
	// first (see converge).
	Duplicates int `json:"duplicates_removed,omitempty"`
	// Blocked lists the tests Datadog refused to delete, with its reason.
	Blocked []Blocked `json:"blocked,omitempty"`
	// Suite says what happened to the service's suite: "created",
	// "updated", "unchanged", "deleted" or "" (suites off).
	Suite string `json:"suite,omitempty"`
	// Calls is the number of API calls the client made so far, listing
	// and retries included.
	Calls int `json:"api_calls"`
}

// Blocked is a test Datadog refused to delete.
type Blocked struct {
	Change
	Why string `json:"why"`
}

// Apply writes a plan: creates, then updates, then deletes, then the
// service's suite. It stops at the first error, returning what it did;
// running Plan and Apply again converges, because tests are matched by
// their identity tags. A delete Datadog refuses for a dependency does
// not stop the others: it is reported in Stats.Blocked and as
// ErrBlocked at the end.
func (c *Client) Apply(ctx context.Context, p *Plan, opts ApplyOptions) (st Stats, err error) {
	st.Unchanged = len(p.Unchanged)
	defer func() { st.Calls = c.Calls() }()
	if err := p.checkApplicable(opts); err != nil {
		return st, err
	}
	var created []Change
	for _, ch := range p.Create {
		id, err := c.create(ctx, p.Service, ch.test)
		if err != nil {
			return st, err
		}
		st.Created++
		ch.PublicID = id
		created = append(created, ch)
		if opts.OnChange != nil {
			opts.OnChange("create", ch)
		}
	}
	var dups []Change
	if len(created) > 0 {
		dups, err = c.converge(ctx, p.Service, created)
		st.Duplicates = len(dups)
		if err != nil {
			return st, err
		}
	}
	for _, ch := range p.Update {
		t := ch.test.api
		err := c.do(ctx, "UpdateAPITest", true, func(ctx context.Context) (*http.Response, error) {
			_, r, err := c.api.UpdateAPITest(ctx, ch.PublicID, t)
			return r, err
		})
		if err != nil {
			return st, fmt.Errorf("update %s (%s): %w", ch.Name, ch.PublicID, err)
		}
		st.Updated++
		if opts.OnChange != nil {
			opts.OnChange("update", ch)
		}
	}
	for start := 0; start < len(p.Delete); start += deleteBatch {
		batch := p.Delete[start:min(start+deleteBatch, len(p.Delete))]
		deleted, blocked, err := c.delete(ctx, p.Service, batch)
		st.Deleted += len(deleted)
		st.Blocked = append(st.Blocked, blocked...)
		if opts.OnChange != nil {
			for _, ch := range deleted {
				opts.OnChange("delete", ch)
			}
		}
		if err != nil {
			return st, err
		}
	}
	if !c.noSuite {
		if st.Suite, err = c.syncSuite(ctx, p.Service, finalIDs(p, created, dups, st.Blocked)); err != nil {
			return st, err
		}
	}
	if len(st.Blocked) > 0 {
		names := make([]string, len(st.Blocked))
		for i, b := range st.Blocked {
			names[i] = b.Name + " (" + b.PublicID + ")"
		}
		return st, fmt.Errorf("%w: %s (remove them from the SLO or monitor that uses them, then publish again)", ErrBlocked, strings.Join(names, ", "))
	}
	return st, nil
}

// checkApplicable refuses a plan that would write with missing
// variables, or prune beyond the cap.
func (p *Plan) checkApplicable(opts ApplyOptions) error {
	if len(p.MissingVariables) > 0 && len(p.Create)+len(p.Update) > 0 {
		names := make([]string, len(p.MissingVariables))
		for i, v := range p.MissingVariables {
			names[i] = v.Name
		}
		return fmt.Errorf("%w: %v (create them in Datadog, or pass --create-variables with the environment set)", ErrMissingVariables, names)
	}
	removed := 0
	for _, d := range p.Delete {
		if d.Reason != ReasonDuplicate {
			removed++
		}
	}
	share := opts.MaxPruneShare
	if share <= 0 {
		share = DefaultMaxPruneShare
	}
	if limit := max(1, int(math.Floor(share*float64(p.Owned)))); removed > limit && !opts.Force {
		return fmt.Errorf("%w: the plan deletes %d of %d tests of %s, more than %.0f%% (pass --force if that is intended)",
			ErrPruneCap, removed, p.Owned, p.Service, share*100)
	}
	return nil
}

// finalIDs are the public ids of the service's tests after Apply: what
// was in sync, updated, created (less this publish's duplicates), kept,
// and what Datadog refused to delete.
func finalIDs(p *Plan, created, dups []Change, blocked []Blocked) []string {
	gone := map[string]bool{}
	var ids []string
	for _, d := range dups {
		gone[d.PublicID] = true
		// The concurrent publish's test stands for ours: the suite
		// holds it, or a publish that lost every race would empty it.
		ids = append(ids, d.Survivor)
	}
	for _, l := range [][]Change{p.Unchanged, p.Update, created, p.Kept} {
		for _, ch := range l {
			if !gone[ch.PublicID] {
				ids = append(ids, ch.PublicID)
			}
		}
	}
	for _, b := range blocked {
		if b.Reason != ReasonDuplicate {
			ids = append(ids, b.PublicID)
		}
	}
	return ids
}

// create creates a test. After an answer that leaves the outcome unknown
// (5xx, connection lost) it lists the service's tests and looks for the
// check's identity tag before trying again, so a retry never makes a
// duplicate.
func (c *Client) create(ctx context.Context, service string, t *Test) (string, error) {
	for attempt := 0; ; attempt++ {
		out, err := doValue(ctx, c, "CreateSyntheticsAPITest", false, func(ctx context.Context) (datadogV1.SyntheticsAPITest, *http.Response, error) {
			return c.api.CreateSyntheticsAPITest(ctx, t.api)
		})
		if err == nil {
			return out.GetPublicId(), nil
		}
		if !errors.Is(err, errRetryable) || attempt >= c.retries {
			return "", fmt.Errorf("create %s: %w", t.Name, err)
		}
		c.log.Warn("create answered without a result; looking for the test before retrying", "test", t.Name, "err", err)
		if err := sleep(ctx, c.backoff<<attempt); err != nil {
			return "", err
		}
		owned, lerr := c.owned(ctx, service)
		if lerr != nil {
			return "", fmt.Errorf("create %s: %w (then: %w)", t.Name, err, lerr)
		}
		for _, e := range owned {
			if e.checkID == t.CheckID {
				return e.publicID, nil
			}
		}
	}
}

// converge makes concurrent publishes of one service end with one test
// per check. Two publishes that plan at the same time both create the
// missing tests; Datadog has no conditional create, and a lock would
// need a Datadog-side marker that outlives a killed publish. Instead,
// after its creates each publish lists the service again — until its own
// creates show, as Datadog's index may lag — and, for every check it
// created a test for, deletes its test if an older one of the same check
// exists. Both publishes order tests the same way (creation time, then
// public id), so exactly one test per check survives and both exit 0. A
// publish killed before it converges leaves a duplicate the next publish
// deletes (Plan keeps the oldest).
func (c *Client) converge(ctx context.Context, service string, created []Change) ([]Change, error) {
	mine := map[string]Change{}
	for _, ch := range created {
		mine[ch.PublicID] = ch
	}
	var owned []existing
	for listing := 0; ; listing++ {
		var err error
		if owned, err = c.owned(ctx, service); err != nil {
			return nil, fmt.Errorf("check for concurrent publishes: %w", err)
		}
		visible := 0
		for _, e := range owned {
			if _, ok := mine[e.publicID]; ok {
				visible++
			}
		}
		if visible == len(mine) {
			break
		}
		if listing+1 == convergeListings {
			c.log.Warn("datadog listing lags the creates; skipping the check for concurrent publishes (the next publish removes any duplicate)",
				"visible", visible, "created", len(mine))
			return nil, nil
		}
		if err := sleep(ctx, c.backoff<<listing); err != nil {
			return nil, err
		}
	}
	oldest := map[string]string{} // check id -> public id of its oldest test
	for _, e := range owned {
		if _, ok := oldest[e.checkID]; !ok {
			oldest[e.checkID] = e.publicID
		}
	}
	var dups []Change
	for id, ch := range mine {
		if keep := oldest[ch.CheckID]; keep != id {
			ch.Reason, ch.Survivor = ReasonDuplicate, keep
			dups = append(dups, ch)
			c.log.Info("a concurrent publish created this check's test first; deleting ours", "test", ch.Name, "ours", id, "kept", keep)
		}
	}
	if len(dups) == 0 {
		return nil, nil
	}
	sort.Slice(dups, func(i, j int) bool { return dups[i].PublicID < dups[j].PublicID })
	deleted, blocked, err := c.delete(ctx, service, dups)
	if err == nil && len(blocked) > 0 {
		err = fmt.Errorf("delete duplicate %s: %w", blocked[0].Name, ErrBlocked)
	}
	return deleted, err
}

// delete deletes a batch of tests and returns those deleted and those
// Datadog refused to delete. A delete is idempotent in effect: after a
// 404 (some already gone, e.g. after a retried call) the ones still
// present are deleted. When Datadog refuses the batch (another resource
// depends on a test in it), the batch is split in halves until the
// refused tests are alone: they are reported, the others deleted.
func (c *Client) delete(ctx context.Context, service string, batch []Change) (deleted []Change, blocked []Blocked, err error) {
	ids := make([]string, len(batch))
	for i, ch := range batch {
		ids[i] = ch.PublicID
	}
	sort.Strings(ids)
	for attempt := 0; ; attempt++ {
		err := c.do(ctx, "DeleteTests", true, func(ctx context.Context) (*http.Response, error) {
			body := datadogV1.SyntheticsDeleteTestsPayload{PublicIds: ids}
			_, r, err := c.api.DeleteTests(ctx, body)
			return r, err
		})
		if err == nil {
			return batch, nil, nil
		}
		var ae *APIError
		if !errors.As(err, &ae) {
			return nil, nil, fmt.Errorf("delete %d tests: %w", len(ids), err)
		}
		switch {
		case refused(ae.Status) && len(batch) > 1:
			return c.bisectDelete(ctx, service, batch)
		case refused(ae.Status):
			return nil, []Blocked{{Change: batch[0], Why: strings.Join(ae.Errors, "; ")}}, nil
		case ae.Status != http.StatusNotFound || attempt > 0:
			return nil, nil, fmt.Errorf("delete %d tests: %w", len(ids), err)
		}
		present, lerr := c.present(ctx, service)
		if lerr != nil {
			return nil, nil, fmt.Errorf("delete %d tests: %w", len(ids), lerr)
		}
		batch = slices.DeleteFunc(slices.Clone(batch), func(ch Change) bool { return !present[ch.PublicID] })
		if len(batch) == 0 {
			return nil, nil, nil
		}
		ids = ids[:0]
		for _, ch := range batch {
			ids = append(ids, ch.PublicID)
		}
		sort.Strings(ids)
	}
}

// refused reports whether a status means Datadog refused the delete for
// what it would break, not for the request (bad keys, rate limit, gone).
func refused(status int) bool {
	return status >= 400 && status < 500 && status != http.StatusNotFound &&
		status != http.StatusUnauthorized && status != http.StatusForbidden && status != http.StatusTooManyRequests
}

func (c *Client) bisectDelete(ctx context.Context, service string, batch []Change) ([]Change, []Blocked, error) {
	half := len(batch) / 2
	d1, b1, err := c.delete(ctx, service, batch[:half])
	if err != nil {
		return d1, b1, err
	}
	d2, b2, err := c.delete(ctx, service, batch[half:])
	return append(d1, d2...), append(b1, b2...), err
}

// present returns the public ids of the service's tests.
func (c *Client) present(ctx context.Context, service string) (map[string]bool, error) {
	owned, err := c.owned(ctx, service)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, e := range owned {
		out[e.publicID] = true
	}
	return out, nil
}

// EnsureVariables creates the missing global variables of a plan as
// secure variables, with values from value (typically the environment).
// Existing variables are left alone: their secure values cannot be read
// back to compare. Values are never logged.
func (c *Client) EnsureVariables(ctx context.Context, p *Plan, value func(env string) string) ([]string, error) {
	var created []string
	for _, v := range p.MissingVariables {
		val := value(v.Env)
		if val == "" {
			return created, fmt.Errorf("create global variable %s: environment variable %s is not set", v.Name, v.Env)
		}
		val2 := datadogV1.SyntheticsGlobalVariableValue{}
		val2.SetValue(val)
		val2.SetSecure(true)
		body := datadogV1.NewSyntheticsGlobalVariableRequest(
			fmt.Sprintf("Secret for smoke tests of %s, from $%s.", p.Service, v.Env), v.Name,
			[]string{TagManagedBy, ServiceTag(p.Service)})
		body.SetValue(val2)
		out, err := doValue(ctx, c, "CreateGlobalVariable", false, func(ctx context.Context) (datadogV1.SyntheticsGlobalVariable, *http.Response, error) {
			return c.api.CreateGlobalVariable(ctx, *body)
		})
		if err != nil {
			return created, fmt.Errorf("create global variable %s: %w", v.Name, err)
		}
		created = append(created, v.Name)
		id := out.GetId()
		for _, l := range [][]Change{p.Create, p.Update, p.Unchanged} {
			for _, ch := range l {
				setVariableID(ch.test, v.Name, id)
			}
		}
	}
	p.MissingVariables = nil
	return created, nil
}

func setVariableID(t *Test, name, id string) {
	if t == nil {
		return
	}
	for i, cv := range t.api.Config.ConfigVariables {
		if cv.Name == name {
			t.api.Config.ConfigVariables[i].SetId(id)
		}
	}
}
