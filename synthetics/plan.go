package synthetics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"

	"github.com/smoke-dev/smoke/generator"
)

// Plan is what a publish would do: tests to create, update and delete,
// tests already in sync, and what the change costs. Its JSON form is the
// shape of `smoke publish --dry-run --format json`.
type Plan struct {
	Service   string   `json:"service"`
	Create    []Change `json:"create"`
	Update    []Change `json:"update"`
	Delete    []Change `json:"delete"`
	Unchanged []Change `json:"unchanged"`
	// Kept lists owned tests whose check is gone, kept because pruning
	// is off.
	Kept []Change `json:"kept"`
	// Skipped lists the checks publish leaves out (writes without
	// AllowWrites), with the reason.
	Skipped []Skipped `json:"skipped"`
	// MissingVariables lists global variables the tests refer to that do
	// not exist in Datadog.
	MissingVariables []Variable `json:"missing_variables,omitempty"`
	// Notes say what tests leave out of their checks, one line per test.
	Notes []string `json:"notes,omitempty"`
	// Owned is the number of tests of the service smoke found.
	Owned int `json:"owned"`
	// Cost is the scheduled runs per month before and after the change.
	Cost Cost `json:"cost"`
}

// Cost counts scheduled runs in a 30-day month: for each live test, its
// locations times the runs its tick_every makes. Paused (CI-only) tests
// cost nothing until triggered. Datadog bills API test runs.
type Cost struct {
	RunsPerMonthBefore int64 `json:"runs_per_month_before"`
	RunsPerMonthAfter  int64 `json:"runs_per_month_after"`
	// RunsPerMonthAdded is After minus Before; negative when the change
	// removes runs.
	RunsPerMonthAdded int64 `json:"runs_per_month_added"`
}

// Change is one test in a plan.
type Change struct {
	CheckID  string `json:"check_id"`
	PublicID string `json:"public_id,omitempty"`
	Name     string `json:"name"`
	// Fields lists the owned fields that differ, for an update.
	Fields []string `json:"fields,omitempty"`
	// Reason says why a test is deleted or kept: ReasonRemoved,
	// ReasonWrites, ReasonChained and a test name, or ReasonDuplicate.
	Reason string `json:"reason,omitempty"`
	// Survivor is, for a duplicate a concurrent publish also created,
	// the public id of the test that was kept in its place.
	Survivor string `json:"survivor,omitempty"`

	test *Test
}

// Skipped is a check publish leaves out.
type Skipped struct {
	CheckID string `json:"check_id"`
	Name    string `json:"name"`
	Reason  string `json:"reason"`
}

// Reasons for deleting, keeping or skipping a test.
const (
	ReasonRemoved   = "not in the spec or the filters"
	ReasonDuplicate = "duplicate"
	ReasonWrites    = "writes: Datadog would send it on every run; pass --allow-writes to publish it"
	// ReasonForeign is a format: the path parameter and its value.
	ReasonForeign = "writes to a resource it did not create (path %s %q); give the id in smoke.yaml to publish it"
	ReasonBulk    = "acts on every resource of its collection (a prune, a purge); give its values in smoke.yaml to publish it"
	// ReasonChained is followed by the name of the multistep test that
	// now runs the check as one of its steps.
	ReasonChained = "now a step of "
)

// Writes returns the number of changes the plan would make.
func (p *Plan) Writes() int {
	return len(p.Create) + len(p.Update) + len(p.Delete)
}

// InSync reports whether the plan makes no change.
func (p *Plan) InSync() bool {
	return p.Writes() == 0
}

// SkipWrites splits checks into those publish sends by default (safe
// methods) and the tests it skips without allowWrites: a Synthetics test
// runs every few minutes, forever, so a published DELETE /pets/3 would
// delete pet 3 every few minutes. A chain with a write is skipped whole,
// under the multistep test's name (its safe steps are published alone);
// a write no chain takes is skipped under its own. A write that would
// name a resource neither its chain creates nor the user named
// (generator.ForeignPath) is skipped even with allowWrites.
func SkipWrites(checks []generator.Check, service string, allowWrites bool) ([]generator.Check, []Skipped) {
	var keep []generator.Check
	var skipped []Skipped
	// A write that names a resource no step creates and the user did not
	// name is never published: it would change or delete whatever
	// carries that id, every few minutes.
	for _, c := range checks {
		if name, v, foreign := generator.ForeignPath(c, nil); foreign {
			skipped = append(skipped, Skipped{CheckID: c.ID, Name: TestName(service, c), Reason: fmt.Sprintf(ReasonForeign, name, v)})
			continue
		}
		if generator.Untouchable(c) != "" {
			skipped = append(skipped, Skipped{CheckID: c.ID, Name: TestName(service, c), Reason: ReasonBulk})
			continue
		}
		keep = append(keep, c)
	}
	if allowWrites {
		return keep, skipped
	}
	checks, keep = keep, nil
	groups, member := chainGroups(checks)
	listed := map[int]bool{}
	for _, c := range checks {
		if c.Safe {
			keep = append(keep, c)
			continue
		}
		k, ok := member[c.ID]
		if !ok {
			skipped = append(skipped, Skipped{CheckID: c.ID, Name: TestName(service, c), Reason: ReasonWrites})
			continue
		}
		// A chain is listed once, at its first write: each of its tests.
		if listed[k] || firstWrite(groups[k]) != c.ID {
			continue
		}
		listed[k] = true
		for _, part := range groups[k].parts {
			skipped = append(skipped, Skipped{CheckID: part.id(), Name: part.name(service), Reason: ReasonWrites})
		}
	}
	return keep, skipped
}

// firstWrite returns the ID of the first step of g that writes, in step
// order.
func firstWrite(g chainGroup) string {
	for _, part := range g.parts {
		for _, c := range part.steps {
			if !c.Safe {
				return c.ID
			}
		}
	}
	for _, c := range g.dropped {
		if !c.Safe {
			return c.ID
		}
	}
	return ""
}

// first returns the ID of the first step of a chain group: where among
// the checks its tests are placed.
func first(g chainGroup) string {
	if len(g.parts) > 0 {
		return g.parts[0].steps[0].ID
	}
	if len(g.dropped) > 0 {
		return g.dropped[0].ID
	}
	return ""
}

// PlanOptions tunes planning.
type PlanOptions struct {
	// Prune deletes owned tests whose check is no longer desired.
	// Without it they are listed as Kept. Duplicates are always deleted.
	Prune bool
	// Skipped are the checks left out of desired on purpose (SkipWrites):
	// their published tests are kept or pruned with that reason.
	Skipped []Skipped
}

// Plan lists the service's tests in Datadog and compares them with
// desired, the tests Map made. It writes nothing.
func (c *Client) Plan(ctx context.Context, service string, desired []Test, opts PlanOptions) (*Plan, error) {
	p := &Plan{Service: service, Create: []Change{}, Update: []Change{}, Delete: []Change{}, Unchanged: []Change{}, Kept: []Change{}, Skipped: []Skipped{}}
	p.Skipped = append(p.Skipped, opts.Skipped...)
	owned, err := c.owned(ctx, service)
	if err != nil {
		return nil, err
	}
	p.Owned = len(owned)
	desired, p.MissingVariables, err = c.resolveVariables(ctx, desired)
	if err != nil {
		return nil, err
	}
	byCheck := map[string][]existing{}
	for _, e := range owned {
		byCheck[e.checkID] = append(byCheck[e.checkID], e)
		p.Cost.RunsPerMonthBefore += e.runs
	}
	want := map[string]bool{}
	stepOf := map[string]string{} // check ID → the chain test it is a step of
	for i := range desired {
		t := &desired[i]
		want[t.CheckID] = true
		for _, id := range t.Steps {
			stepOf[id] = t.Name
		}
		p.Cost.RunsPerMonthAfter += t.RunsPerMonth()
		for _, n := range t.Notes {
			p.Notes = append(p.Notes, t.Name+": "+n)
		}
		if err := p.match(t, byCheck[t.CheckID]); err != nil {
			return nil, err
		}
	}
	skipped := map[string]bool{}
	for _, s := range opts.Skipped {
		skipped[s.CheckID] = true
	}
	for _, e := range owned {
		if want[e.checkID] {
			continue
		}
		ch := Change{CheckID: e.checkID, PublicID: e.publicID, Name: e.name, Reason: ReasonRemoved}
		switch {
		case skipped[e.checkID]:
			ch.Reason = ReasonWrites
		case stepOf[e.checkID] != "":
			// Published alone by an older smoke, now a chain's step.
			ch.Reason = ReasonChained + stepOf[e.checkID]
		}
		if opts.Prune {
			p.Delete = append(p.Delete, ch)
		} else {
			p.Kept = append(p.Kept, ch)
			p.Cost.RunsPerMonthAfter += e.runs
		}
	}
	p.Cost.RunsPerMonthAdded = p.Cost.RunsPerMonthAfter - p.Cost.RunsPerMonthBefore
	for _, l := range [][]Change{p.Create, p.Update, p.Delete, p.Unchanged, p.Kept} {
		sortChanges(l)
	}
	return p, nil
}

// match plans one desired test against the tests that carry its check's
// tag: create it, update it, or leave it; more than one is a duplicate.
// The test that already matches is kept, else the oldest, so that two
// publishes racing each other keep the same one (see converge).
func (p *Plan) match(t *Test, have []existing) error {
	if len(have) == 0 {
		p.Create = append(p.Create, Change{CheckID: t.CheckID, Name: t.Name, test: t})
		return nil
	}
	view, err := ownedView(t.api)
	if err != nil {
		return err
	}
	keep := 0
	for j, e := range have {
		if bytes.Equal(e.view, view) {
			keep = j
			break
		}
	}
	e := have[keep]
	ch := Change{CheckID: t.CheckID, PublicID: e.publicID, Name: t.Name, test: t}
	if fields := diffFields(e.view, view); len(fields) > 0 {
		ch.Fields = fields
		p.Update = append(p.Update, ch)
	} else {
		p.Unchanged = append(p.Unchanged, ch)
	}
	for j, d := range have {
		if j != keep {
			p.Delete = append(p.Delete, Change{CheckID: d.checkID, PublicID: d.publicID, Name: d.name, Reason: ReasonDuplicate})
		}
	}
	return nil
}

func sortChanges(l []Change) {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Name != l[j].Name {
			return l[i].Name < l[j].Name
		}
		return l[i].PublicID < l[j].PublicID
	})
}

// resolveVariables fills each test's configVariables with the ids of the
// global variables it refers to, and reports the missing ones.
func (c *Client) resolveVariables(ctx context.Context, desired []Test) ([]Test, []Variable, error) {
	need := map[string]Variable{}
	for _, t := range desired {
		for _, v := range t.Variables {
			need[v.Name] = v
		}
	}
	if len(need) == 0 {
		return desired, nil, nil
	}
	ids, err := c.variableIDs(ctx)
	if err != nil {
		return nil, nil, err
	}
	var missing []Variable
	for n, v := range need {
		if _, ok := ids[n]; !ok {
			missing = append(missing, v)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].Name < missing[j].Name })
	out := make([]Test, len(desired))
	for i, t := range desired {
		out[i] = declareGlobals(t, ids)
	}
	return out, missing, nil
}

// declareGlobals lists the global variables t refers to among its config
// variables, each with its id when ids has it: Datadog fills a
// {{ NAME }} only from a variable the test declares.
func declareGlobals(t Test, ids map[string]string) Test {
	if len(t.Variables) == 0 {
		return t
	}
	api := t.api
	cfg := api.Config
	cfg.ConfigVariables = keepLocal(cfg.ConfigVariables)
	for _, v := range t.Variables {
		cv := datadogV1.NewSyntheticsConfigVariable(v.Name, datadogV1.SYNTHETICSCONFIGVARIABLETYPE_GLOBAL)
		if id, ok := ids[v.Name]; ok {
			cv.SetId(id)
		}
		cfg.ConfigVariables = append(cfg.ConfigVariables, *cv)
	}
	api.Config = cfg
	t.api = api
	return t
}

func (c *Client) variableIDs(ctx context.Context) (map[string]string, error) {
	resp, err := doValue(ctx, c, "ListGlobalVariables", true, c.api.ListGlobalVariables)
	if err != nil {
		return nil, fmt.Errorf("list global variables: %w", err)
	}
	ids := map[string]string{}
	for _, v := range resp.Variables {
		ids[v.Name] = v.GetId()
	}
	return ids, nil
}

// view is the part of a test smoke owns. Fields Datadog fills in
// (monitor_id, creator, defaults smoke does not set) are left out, so a
// published test never shows perpetual drift. Zero values are omitted on
// both sides: a false flag or a zero duration Datadog leaves out of its
// answer is not a difference.
type view struct {
	Name      string   `json:"name"`
	Message   string   `json:"message,omitempty"`
	Status    string   `json:"status,omitempty"`
	Type      string   `json:"type"`
	Subtype   string   `json:"subtype,omitempty"`
	Locations []string `json:"locations"`
	Tags      []string `json:"tags"`
	Config    struct {
		Request struct {
			Method          string            `json:"method"`
			URL             string            `json:"url"`
			Headers         map[string]string `json:"headers,omitempty"`
			Body            string            `json:"body,omitempty"`
			BodyType        string            `json:"bodyType,omitempty"`
			Timeout         float64           `json:"timeout,omitempty"`
			FollowRedirects bool              `json:"follow_redirects,omitempty"`
			BasicAuth       map[string]any    `json:"basicAuth,omitempty"`
		} `json:"request"`
		Assertions      []map[string]any `json:"assertions"`
		Steps           stepsView        `json:"steps,omitempty"`
		ConfigVariables []struct {
			Type    string `json:"type"`
			Name    string `json:"name"`
			ID      string `json:"id,omitempty"`
			Pattern string `json:"pattern,omitempty"`
		} `json:"configVariables,omitempty"`
	} `json:"config"`
	Options struct {
		TickEvery          int64   `json:"tick_every,omitempty"`
		MinFailureDuration int64   `json:"min_failure_duration,omitempty"`
		MinLocationFailed  int64   `json:"min_location_failed,omitempty"`
		FollowRedirects    bool    `json:"follow_redirects,omitempty"`
		HTTPVersion        string  `json:"httpVersion,omitempty"`
		Retry              *retryV `json:"retry,omitempty"`
		MonitorOptions     struct {
			RenotifyInterval int64 `json:"renotify_interval,omitempty"`
		} `json:"monitor_options"`
	} `json:"options"`
}

type retryV struct {
	Count    int64   `json:"count"`
	Interval float64 `json:"interval"`
}

// ownedView projects a test (desired or listed) onto the fields smoke
// owns, normalised: tags and locations as sets, assertion targets typed.
func ownedView(t any) ([]byte, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("compare tests: %w", err)
	}
	var v view
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("compare tests: %w", err)
	}
	for i, t := range v.Tags {
		v.Tags[i] = NormalizeTag(t)
	}
	sort.Strings(v.Tags)
	sort.Strings(v.Locations)
	if v.Options.HTTPVersion == string(datadogV1.SYNTHETICSTESTOPTIONSHTTPVERSION_ANY) {
		// "any" forces no version: the same as none. (The emulator
		// stores it for a test created without one.)
		v.Options.HTTPVersion = ""
	}
	if r := v.Options.Retry; r != nil && r.Count == 0 {
		// Without retries the interval means nothing.
		v.Options.Retry = nil
	}
	for i, a := range v.Config.Assertions {
		v.Config.Assertions[i] = normaliseAssertion(a)
	}
	return json.Marshal(v)
}

// normaliseAssertion keeps an assertion's owned keys; a numeric target
// Datadog echoes as a string is a number again.
func normaliseAssertion(a map[string]any) map[string]any {
	n := map[string]any{}
	for _, k := range []string{"type", "operator", "property", "target"} {
		if x, ok := a[k]; ok {
			n[k] = x
		}
	}
	if s, ok := n["target"].(string); ok && (n["type"] == "statusCode" || n["type"] == "responseTime") {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			n["target"] = f
		}
	}
	return n
}

// diffFields names the owned fields that differ between two views, as
// dotted paths ("config.request.url", "tags").
func diffFields(have, want []byte) []string {
	var h, w map[string]any
	if json.Unmarshal(have, &h) != nil || json.Unmarshal(want, &w) != nil {
		return []string{"test"}
	}
	var out []string
	var walk func(prefix string, a, b any, depth int)
	walk = func(prefix string, a, b any, depth int) {
		am, aok := a.(map[string]any)
		bm, bok := b.(map[string]any)
		if aok && bok && depth < 3 {
			keys := map[string]bool{}
			for k := range am {
				keys[k] = true
			}
			for k := range bm {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, am[k], bm[k], depth+1)
			}
			return
		}
		if !reflect.DeepEqual(a, b) {
			out = append(out, prefix)
		}
	}
	walk("", h, w, 0)
	return out
}
