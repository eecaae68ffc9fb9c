package synthetics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"
)

// Plan is what a publish would do: tests to create, update and delete,
// and tests already in sync. Its JSON form is the shape of
// `smoke publish --dry-run --format json`.
type Plan struct {
	Service   string   `json:"service"`
	Create    []Change `json:"create"`
	Update    []Change `json:"update"`
	Delete    []Change `json:"delete"`
	Unchanged []Change `json:"unchanged"`
	// Kept lists owned tests whose check is gone, kept because pruning
	// is off.
	Kept []Change `json:"kept"`
	// MissingVariables lists global variables the tests refer to that do
	// not exist in Datadog.
	MissingVariables []Variable `json:"missing_variables,omitempty"`
	// Owned is the number of tests of the service smoke found.
	Owned int `json:"owned"`
}

// Change is one test in a plan.
type Change struct {
	CheckID  string `json:"check_id"`
	PublicID string `json:"public_id,omitempty"`
	Name     string `json:"name"`
	// Fields lists the owned fields that differ, for an update.
	Fields []string `json:"fields,omitempty"`
	// Reason says why a test is deleted or kept: "not in the spec or the filters" or
	// "duplicate".
	Reason string `json:"reason,omitempty"`

	test *Test
}

// Reasons for deleting a test.
const (
	ReasonRemoved   = "not in the spec or the filters"
	ReasonDuplicate = "duplicate"
)

// Writes returns the number of changes the plan would make.
func (p *Plan) Writes() int {
	return len(p.Create) + len(p.Update) + len(p.Delete)
}

// InSync reports whether the plan makes no change.
func (p *Plan) InSync() bool {
	return p.Writes() == 0
}

// WriteText writes the plan for a person: one line per change, then a
// summary.
func (p *Plan) WriteText(w io.Writer) error {
	var b bytes.Buffer
	for _, c := range p.Create {
		fmt.Fprintf(&b, "+ create  %s  (check %s)\n", c.Name, c.CheckID)
	}
	for _, c := range p.Update {
		fmt.Fprintf(&b, "~ update  %s  %s  (%s)\n", c.Name, c.PublicID, strings.Join(c.Fields, ", "))
	}
	for _, c := range p.Delete {
		fmt.Fprintf(&b, "- delete  %s  %s  (%s)\n", c.Name, c.PublicID, c.Reason)
	}
	for _, c := range p.Kept {
		fmt.Fprintf(&b, "! keep    %s  %s  (%s; pass --prune to delete)\n", c.Name, c.PublicID, c.Reason)
	}
	for _, v := range p.MissingVariables {
		fmt.Fprintf(&b, "! missing global variable %s (from $%s; pass --create-variables)\n", v.Name, v.Env)
	}
	fmt.Fprintf(&b, "%s: %d to create, %d to update, %d to delete, %d unchanged.\n",
		p.Service, len(p.Create), len(p.Update), len(p.Delete), len(p.Unchanged))
	_, err := w.Write(b.Bytes())
	return err
}

// PlanOptions tunes planning.
type PlanOptions struct {
	// Prune deletes owned tests whose check is no longer desired.
	// Without it they are listed as Kept. Duplicates are always deleted.
	Prune bool
}

// existing is a test found in Datadog.
type existing struct {
	publicID string
	name     string
	checkID  string
	view     []byte
}

// Plan lists the service's tests in Datadog and compares them with
// desired, the tests Map made. It writes nothing.
func (c *Client) Plan(ctx context.Context, service string, desired []Test, opts PlanOptions) (*Plan, error) {
	p := &Plan{Service: service, Create: []Change{}, Update: []Change{}, Delete: []Change{}, Unchanged: []Change{}, Kept: []Change{}}
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
	}
	want := map[string]bool{}
	for i := range desired {
		t := &desired[i]
		want[t.CheckID] = true
		have := byCheck[t.CheckID]
		if len(have) == 0 {
			p.Create = append(p.Create, Change{CheckID: t.CheckID, Name: t.Name, test: t})
			continue
		}
		view, err := ownedView(t.api)
		if err != nil {
			return nil, err
		}
		// Keep the test that already matches, else the first by public
		// id; the others are duplicates left by an interrupted publish.
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
	}
	for _, e := range owned {
		if want[e.checkID] {
			continue
		}
		ch := Change{CheckID: e.checkID, PublicID: e.publicID, Name: e.name, Reason: ReasonRemoved}
		if opts.Prune {
			p.Delete = append(p.Delete, ch)
		} else {
			p.Kept = append(p.Kept, ch)
		}
	}
	for _, l := range [][]Change{p.Create, p.Update, p.Delete, p.Unchanged, p.Kept} {
		sort.SliceStable(l, func(i, j int) bool {
			if l[i].Name != l[j].Name {
				return l[i].Name < l[j].Name
			}
			return l[i].PublicID < l[j].PublicID
		})
	}
	return p, nil
}

// owned lists every test and keeps the API tests of service that smoke
// manages.
func (c *Client) owned(ctx context.Context, service string) ([]existing, error) {
	all, err := c.list(ctx)
	if err != nil {
		return nil, err
	}
	var out []existing
	for _, t := range all {
		checkID, ok := identity(t.Tags, service)
		if !ok || t.GetType() != datadogV1.SYNTHETICSTESTDETAILSTYPE_API {
			continue
		}
		view, err := ownedView(t)
		if err != nil {
			return nil, err
		}
		out = append(out, existing{publicID: t.GetPublicId(), name: t.GetName(), checkID: checkID, view: view})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].publicID < out[j].publicID })
	return out, nil
}

// identity returns the check ID of a test that carries smoke's identity
// tags for service.
func identity(tags []string, service string) (string, bool) {
	managed, ours := false, false
	checkID := ""
	for _, t := range tags {
		t = strings.ToLower(t)
		switch {
		case t == TagManagedBy:
			managed = true
		case t == tagService+tagValue(service):
			ours = true
		case strings.HasPrefix(t, tagCheck):
			checkID = strings.TrimPrefix(t, tagCheck)
		}
	}
	return checkID, managed && ours && checkID != ""
}

// list pages through every Synthetics test of the account.
func (c *Client) list(ctx context.Context) ([]datadogV1.SyntheticsTestDetailsWithoutSteps, error) {
	var all []datadogV1.SyntheticsTestDetailsWithoutSteps
	size := int64(c.page)
	for page := int64(0); ; page++ {
		var resp datadogV1.SyntheticsListTestsResponse
		err := c.do(ctx, "ListTests", true, func(ctx context.Context) (*http.Response, error) {
			var r *http.Response
			var err error
			resp, r, err = c.api.ListTests(ctx, *datadogV1.NewListTestsOptionalParameters().WithPageSize(size).WithPageNumber(page))
			return r, err
		})
		if err != nil {
			return nil, fmt.Errorf("list tests: %w", err)
		}
		all = append(all, resp.Tests...)
		if int64(len(resp.Tests)) < size {
			return all, nil
		}
	}
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
		out[i] = t
		if len(t.Variables) == 0 {
			continue
		}
		api := t.api
		cfg := api.Config
		cfg.ConfigVariables = nil
		for _, v := range t.Variables {
			cv := datadogV1.NewSyntheticsConfigVariable(v.Name, datadogV1.SYNTHETICSCONFIGVARIABLETYPE_GLOBAL)
			if id, ok := ids[v.Name]; ok {
				cv.SetId(id)
			}
			cfg.ConfigVariables = append(cfg.ConfigVariables, *cv)
		}
		api.Config = cfg
		out[i].api = api
	}
	return out, missing, nil
}

func (c *Client) variableIDs(ctx context.Context) (map[string]string, error) {
	var resp datadogV1.SyntheticsListGlobalVariablesResponse
	err := c.do(ctx, "ListGlobalVariables", true, func(ctx context.Context) (*http.Response, error) {
		var r *http.Response
		var err error
		resp, r, err = c.api.ListGlobalVariables(ctx)
		return r, err
	})
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
			Type string `json:"type"`
			Name string `json:"name"`
			ID   string `json:"id,omitempty"`
		} `json:"configVariables,omitempty"`
	} `json:"config"`
	Options struct {
		TickEvery          int64   `json:"tick_every,omitempty"`
		MinFailureDuration int64   `json:"min_failure_duration,omitempty"`
		MinLocationFailed  int64   `json:"min_location_failed,omitempty"`
		FollowRedirects    bool    `json:"follow_redirects,omitempty"`
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
		v.Tags[i] = strings.ToLower(t)
	}
	sort.Strings(v.Tags)
	sort.Strings(v.Locations)
	if r := v.Options.Retry; r != nil && r.Count == 0 {
		// Without retries the interval means nothing.
		v.Options.Retry = nil
	}
	for i, a := range v.Config.Assertions {
		n := map[string]any{}
		for _, k := range []string{"type", "operator", "property", "target"} {
			if x, ok := a[k]; ok {
				n[k] = x
			}
		}
		// Datadog may echo a numeric target as a string.
		if s, ok := n["target"].(string); ok && (n["type"] == "statusCode" || n["type"] == "responseTime") {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				n["target"] = f
			}
		}
		v.Config.Assertions[i] = n
	}
	return json.Marshal(v)
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
