package synthetics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"
)

// ErrListing means Datadog's listing cannot be trusted to be complete: a
// page repeats the one before (the server ignores page_number), or pages
// never reach the total the server reports.
var ErrListing = errors.New("listing does not page")

// maxPages bounds a listing: Datadog's largest accounts hold tens of
// thousands of tests, far fewer than this many pages of 100.
const maxPages = 10000

// existing is a test found in Datadog.
type existing struct {
	publicID  string
	name      string
	checkID   string
	createdAt string
	runs      int64 // scheduled runs per month
	view      []byte
}

// owned returns the API tests of service that smoke manages, sorted by
// creation (oldest first). It searches by the service's tag; where the
// search endpoint is missing it pages through every test of the account.
func (c *Client) owned(ctx context.Context, service string) ([]existing, error) {
	all, err := c.search(ctx, `tag:"`+ServiceTag(service)+`"`)
	if errors.Is(err, errNoSearch) {
		c.log.Info("datadog search unavailable, listing every test", "err", err)
		all, err = c.list(ctx)
	}
	if err != nil {
		return nil, err
	}
	var out []existing
	seen := map[string]bool{}
	for _, t := range all {
		checkID, ok := identity(t.Tags, service)
		if !ok || t.GetType() != datadogV1.SYNTHETICSTESTDETAILSTYPE_API || seen[t.GetPublicId()] {
			continue
		}
		seen[t.GetPublicId()] = true
		view, err := ownedView(t)
		if err != nil {
			return nil, err
		}
		created, _ := t.AdditionalProperties["created_at"].(string)
		opts := t.GetOptions()
		out = append(out, existing{
			publicID: t.GetPublicId(), name: t.GetName(), checkID: checkID, createdAt: created,
			runs: runsPerMonth(string(t.GetStatus()), opts.GetTickEvery(), len(t.Locations)), view: view,
		})
	}
	slices.SortStableFunc(out, func(a, b existing) int {
		if a.createdAt != b.createdAt {
			return strings.Compare(a.createdAt, b.createdAt)
		}
		return strings.Compare(a.publicID, b.publicID)
	})
	return out, nil
}

// errNoSearch means the site has no search endpoint.
var errNoSearch = errors.New("search endpoint not found")

// search pages through the tests matching query, with their full
// configuration, until the total the server reports.
func (c *Client) search(ctx context.Context, query string) ([]datadogV1.SyntheticsTestDetailsWithoutSteps, error) {
	p := pager{op: "search tests", size: c.page}
	for {
		resp, err := doValue(ctx, c, "SearchTests", true, func(ctx context.Context) (datadogV1.SyntheticsListTestsResponse, *http.Response, error) {
			params := datadogV1.NewSearchTestsOptionalParameters().WithText(query).WithIncludeFullConfig(true).
				WithStart(int64(p.count())).WithCount(int64(c.page))
			return c.api.SearchTests(ctx, *params)
		})
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound && p.pages == 0 {
			return nil, fmt.Errorf("%w: %w", errNoSearch, err)
		}
		if err != nil {
			return nil, fmt.Errorf("search tests: %w", err)
		}
		done, err := p.add(resp)
		if done || err != nil {
			return p.tests, err
		}
	}
}

// list pages through every Synthetics test of the account.
func (c *Client) list(ctx context.Context) ([]datadogV1.SyntheticsTestDetailsWithoutSteps, error) {
	p := pager{op: "list tests", size: c.page}
	for {
		page := int64(p.pages)
		resp, err := doValue(ctx, c, "ListTests", true, func(ctx context.Context) (datadogV1.SyntheticsListTestsResponse, *http.Response, error) {
			return c.api.ListTests(ctx, *datadogV1.NewListTestsOptionalParameters().WithPageSize(int64(c.page)).WithPageNumber(page))
		})
		if err != nil {
			return nil, fmt.Errorf("list tests: %w", err)
		}
		done, err := p.add(resp)
		if done || err != nil {
			return p.tests, err
		}
	}
}

// pager collects the pages of a listing. With the total Datadog reports
// it pages until it has that many tests (a short page before the end is
// not the end); without one it stops at the first short page. A page
// whose first test repeats one already seen means the server ignores
// the paging parameters: an error, not an endless loop.
type pager struct {
	op    string
	size  int
	pages int
	tests []datadogV1.SyntheticsTestDetailsWithoutSteps
	seen  map[string]bool
}

func (p *pager) count() int { return len(p.tests) }

func (p *pager) add(resp datadogV1.SyntheticsListTestsResponse) (done bool, err error) {
	p.pages++
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	for i, t := range resp.Tests {
		if id := t.GetPublicId(); id != "" && p.seen[id] {
			if i == 0 {
				return true, fmt.Errorf("%s: %w: page %d repeats test %s of an earlier page (the server ignores the page parameters)", p.op, ErrListing, p.pages, id)
			}
			continue
		}
		p.seen[t.GetPublicId()] = true
		p.tests = append(p.tests, t)
	}
	total, hasTotal := reportedTotal(resp)
	switch {
	case len(resp.Tests) == 0:
		return true, nil
	case hasTotal:
		if len(p.tests) >= total {
			return true, nil
		}
	case len(resp.Tests) < p.size:
		return true, nil
	}
	if p.pages >= maxPages {
		return true, fmt.Errorf("%s: %w: %d pages and still not at the end", p.op, ErrListing, p.pages)
	}
	return false, nil
}

// reportedTotal reads the "total" Datadog adds to listings and
// searches; the v1 document does not declare it, so the client keeps
// it among the additional properties.
func reportedTotal(resp datadogV1.SyntheticsListTestsResponse) (int, bool) {
	switch v := resp.AdditionalProperties["total"].(type) {
	case json.Number:
		n, err := strconv.Atoi(v.String())
		return n, err == nil && n >= 0
	case float64:
		return int(v), v >= 0
	}
	return 0, false
}
