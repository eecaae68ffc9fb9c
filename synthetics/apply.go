package synthetics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"
)

// DefaultMaxPruneShare is the largest share of a service's owned tests a
// publish deletes without Force.
const DefaultMaxPruneShare = 0.5

// deleteBatch bounds the public ids sent in one delete call.
const deleteBatch = 100

// ErrPruneCap means a publish would delete more owned tests than allowed
// without force; nothing was written.
var ErrPruneCap = errors.New("refusing to delete that many tests")

// ErrMissingVariables means tests refer to global variables that do not
// exist; nothing was written.
var ErrMissingVariables = errors.New("global variables missing")

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
	// Calls is the number of API calls the client made so far, listing
	// and retries included.
	Calls int `json:"api_calls"`
}

// Apply writes a plan: creates, then updates, then deletes. It stops at
// the first error, returning what it did; running Plan and Apply again
// converges, because tests are matched by their identity tags.
func (c *Client) Apply(ctx context.Context, p *Plan, opts ApplyOptions) (st Stats, err error) {
	st.Unchanged = len(p.Unchanged)
	defer func() { st.Calls = c.Calls() }()
	if len(p.MissingVariables) > 0 && len(p.Create)+len(p.Update) > 0 {
		names := make([]string, len(p.MissingVariables))
		for i, v := range p.MissingVariables {
			names[i] = v.Name
		}
		return st, fmt.Errorf("%w: %v (create them in Datadog, or pass --create-variables with the environment set)", ErrMissingVariables, names)
	}
	removed := 0
	for _, d := range p.Delete {
		if d.Reason == ReasonRemoved {
			removed++
		}
	}
	share := opts.MaxPruneShare
	if share <= 0 {
		share = DefaultMaxPruneShare
	}
	if limit := max(1, int(math.Floor(share*float64(p.Owned)))); removed > limit && !opts.Force {
		return st, fmt.Errorf("%w: the plan deletes %d of %d tests of %s, more than %.0f%% (pass --force if that is intended)",
			ErrPruneCap, removed, p.Owned, p.Service, share*100)
	}
	for _, ch := range p.Create {
		id, err := c.create(ctx, p.Service, ch.test)
		if err != nil {
			return st, err
		}
		st.Created++
		ch.PublicID = id
		if opts.OnChange != nil {
			opts.OnChange("create", ch)
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
		n, err := c.delete(ctx, p.Service, batch)
		st.Deleted += n
		if err != nil {
			return st, err
		}
		if opts.OnChange != nil {
			for _, ch := range batch {
				opts.OnChange("delete", ch)
			}
		}
	}
	return st, nil
}

// create creates a test. After an answer that leaves the outcome unknown
// (5xx, connection lost) it lists the service's tests and looks for the
// check's identity tag before trying again, so a retry never makes a
// duplicate.
func (c *Client) create(ctx context.Context, service string, t *Test) (string, error) {
	for attempt := 0; ; attempt++ {
		var out datadogV1.SyntheticsAPITest
		err := c.do(ctx, "CreateSyntheticsAPITest", false, func(ctx context.Context) (*http.Response, error) {
			var r *http.Response
			var err error
			out, r, err = c.api.CreateSyntheticsAPITest(ctx, t.api)
			return r, err
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

// delete deletes a batch of tests. A delete is idempotent in effect; if
// Datadog answers 404 (some already gone, e.g. after a retried call), the
// ones still present are deleted.
func (c *Client) delete(ctx context.Context, service string, batch []Change) (int, error) {
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
			return len(batch), nil
		}
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || attempt > 0 {
			return 0, fmt.Errorf("delete %d tests: %w", len(ids), err)
		}
		owned, lerr := c.owned(ctx, service)
		if lerr != nil {
			return 0, fmt.Errorf("delete %d tests: %w", len(ids), lerr)
		}
		present := map[string]bool{}
		for _, e := range owned {
			present[e.publicID] = true
		}
		var left []string
		for _, id := range ids {
			if present[id] {
				left = append(left, id)
			}
		}
		if len(left) == 0 {
			return len(batch), nil
		}
		ids = left
	}
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
			[]string{TagManagedBy, tagService + tagValue(p.Service)})
		body.SetValue(val2)
		var out datadogV1.SyntheticsGlobalVariable
		err := c.do(ctx, "CreateGlobalVariable", false, func(ctx context.Context) (*http.Response, error) {
			var r *http.Response
			var err error
			out, r, err = c.api.CreateGlobalVariable(ctx, *body)
			return r, err
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
