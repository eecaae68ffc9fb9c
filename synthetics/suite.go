package synthetics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV2"
)

// A service's tests are grouped into one Datadog Synthetics suite (v2
// API), tagged like the tests, so the service has one status and one
// alert besides the per-test monitors, and `smoke trigger --suite` runs
// it. Publish keeps the suite in sync with the tests it owns.

// SuiteName is the name of a service's suite.
func SuiteName(service string) string {
	return fmt.Sprintf("[%s] smoke", service)
}

// ownedSuite is a suite found in Datadog.
type ownedSuite struct {
	publicID string
	suite    datadogV2.SyntheticsSuite
}

// suites returns the service's suites smoke manages, smallest public id
// first.
func (c *Client) suites(ctx context.Context, service string) ([]ownedSuite, error) {
	query := `tag:"` + TagManagedBy + `" tag:"` + ServiceTag(service) + `"`
	var out []ownedSuite
	for start := 0; ; {
		resp, err := doValue(ctx, c, "SearchSuites", true, func(ctx context.Context) (datadogV2.SyntheticsSuiteSearchResponse, *http.Response, error) {
			return c.v2.SearchSuites(ctx, *datadogV2.NewSearchSuitesOptionalParameters().WithQuery(query).
				WithStart(int64(start)).WithCount(int64(c.page)))
		})
		if err != nil {
			return nil, fmt.Errorf("search suites: %w", err)
		}
		data := resp.GetData()
		attrs := data.GetAttributes()
		for _, s := range attrs.Suites {
			if slices.Contains(normalizedTags(s.Tags), ServiceTag(service)) {
				out = append(out, ownedSuite{publicID: s.GetPublicId(), suite: s})
			}
		}
		start += len(attrs.Suites)
		if len(attrs.Suites) == 0 || start >= int(attrs.GetTotal()) {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].publicID < out[j].publicID })
	return out, nil
}

func normalizedTags(tags []string) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = NormalizeTag(t)
	}
	return out
}

// desiredSuite is the suite of a service holding the tests publicIDs.
func desiredSuite(service string, publicIDs []string) datadogV2.SyntheticsSuite {
	ids := sortedUnique(publicIDs)
	tests := make([]datadogV2.SyntheticsSuiteTest, len(ids))
	for i, id := range ids {
		t := datadogV2.NewSyntheticsSuiteTest(id)
		t.SetAlertingCriticality(datadogV2.SYNTHETICSSUITETESTALERTINGCRITICALITY_CRITICAL)
		tests[i] = *t
	}
	s := datadogV2.NewSyntheticsSuite(SuiteName(service), *datadogV2.NewSyntheticsSuiteOptions(), tests, datadogV2.SYNTHETICSSUITETYPE_SUITE)
	s.SetTags([]string{TagManagedBy, ServiceTag(service)})
	s.SetMessage(fmt.Sprintf("smoke checks of service %s.", service))
	return *s
}

// sameSuite compares the fields smoke owns.
func sameSuite(have, want datadogV2.SyntheticsSuite) bool {
	ids := func(s datadogV2.SyntheticsSuite) []string {
		var out []string
		for _, t := range s.Tests {
			out = append(out, t.PublicId+"/"+string(t.GetAlertingCriticality()))
		}
		slices.Sort(out)
		return out
	}
	ht, wt := normalizedTags(have.Tags), normalizedTags(want.Tags)
	slices.Sort(ht)
	slices.Sort(wt)
	return have.Name == want.Name && have.GetMessage() == want.GetMessage() &&
		slices.Equal(ht, wt) && slices.Equal(ids(have), ids(want))
}

// syncSuite makes the service's suite hold exactly publicIDs: it
// creates, updates or (with no test left) deletes it, and deletes the
// extra suites a concurrent publish may have created (the smallest
// public id is kept, by every publish alike). It returns what it did.
func (c *Client) syncSuite(ctx context.Context, service string, publicIDs []string) (string, error) {
	have, err := c.suites(ctx, service)
	if err != nil {
		return "", err
	}
	var extra []string
	for _, s := range have[min(1, len(have)):] {
		extra = append(extra, s.publicID)
	}
	action := "unchanged"
	switch {
	case len(publicIDs) == 0 && len(have) > 0:
		extra = append(extra, have[0].publicID)
		action = "deleted"
	case len(publicIDs) == 0:
		return "", nil
	case len(have) == 0:
		id, err := c.createSuite(ctx, desiredSuite(service, publicIDs))
		if errors.Is(err, errRetryable) {
			// The create may have happened: look before trying again, so a
			// retry never makes a second suite.
			c.log.Warn("suite create answered without a result; looking for it", "err", err)
			if again, lerr := c.suites(ctx, service); lerr == nil && len(again) > 0 {
				id, err = again[0].publicID, nil
				if !sameSuite(again[0].suite, desiredSuite(service, publicIDs)) {
					err = c.editSuite(ctx, id, desiredSuite(service, publicIDs))
				}
			} else if lerr == nil {
				id, err = c.createSuite(ctx, desiredSuite(service, publicIDs))
			}
		}
		if err != nil {
			return "", err
		}
		// A concurrent publish may have created one too: keep the
		// smallest public id, as it does.
		if again, err := c.suites(ctx, service); err == nil && len(again) > 0 && again[0].publicID != id {
			extra = append(extra, id)
		}
		action = "created"
	default:
		want := desiredSuite(service, publicIDs)
		if !sameSuite(have[0].suite, want) {
			if err := c.editSuite(ctx, have[0].publicID, want); err != nil {
				return "", err
			}
			action = "updated"
		}
	}
	if len(extra) > 0 {
		if err := c.deleteSuites(ctx, extra); err != nil {
			return "", err
		}
	}
	return action, nil
}

func (c *Client) createSuite(ctx context.Context, s datadogV2.SyntheticsSuite) (string, error) {
	body := datadogV2.NewSuiteCreateEditRequest(*datadogV2.NewSuiteCreateEdit(s, datadogV2.SYNTHETICSSUITETYPES_SUITES))
	out, err := doValue(ctx, c, "CreateSyntheticsSuite", false, func(ctx context.Context) (datadogV2.SyntheticsSuiteResponse, *http.Response, error) {
		return c.v2.CreateSyntheticsSuite(ctx, *body)
	})
	if err != nil {
		return "", fmt.Errorf("create suite %s: %w", s.Name, err)
	}
	data := out.GetData()
	return data.GetId(), nil
}

func (c *Client) editSuite(ctx context.Context, id string, s datadogV2.SyntheticsSuite) error {
	body := datadogV2.NewSuiteCreateEditRequest(*datadogV2.NewSuiteCreateEdit(s, datadogV2.SYNTHETICSSUITETYPES_SUITES))
	err := c.do(ctx, "EditSyntheticsSuite", true, func(ctx context.Context) (*http.Response, error) {
		_, r, err := c.v2.EditSyntheticsSuite(ctx, id, *body)
		return r, err
	})
	if err != nil {
		return fmt.Errorf("update suite %s (%s): %w", s.Name, id, err)
	}
	return nil
}

func (c *Client) deleteSuites(ctx context.Context, ids []string) error {
	attrs := datadogV2.NewDeletedSuitesRequestDeleteAttributes(ids)
	body := datadogV2.NewDeletedSuitesRequestDeleteRequest(*datadogV2.NewDeletedSuitesRequestDelete(*attrs))
	err := c.do(ctx, "DeleteSyntheticsSuites", true, func(ctx context.Context) (*http.Response, error) {
		_, r, err := c.v2.DeleteSyntheticsSuites(ctx, *body)
		return r, err
	})
	if err != nil {
		return fmt.Errorf("delete suites %v: %w", ids, err)
	}
	return nil
}

// SuiteTests returns the public ids of a suite's tests, by the suite's
// public id, or, when id is empty, of the service's suite.
func (c *Client) SuiteTests(ctx context.Context, service, id string) (string, []string, error) {
	var s datadogV2.SyntheticsSuite
	if id == "" {
		have, err := c.suites(ctx, service)
		if err != nil {
			return "", nil, err
		}
		if len(have) == 0 {
			return "", nil, fmt.Errorf("suite of %s: %w (run smoke publish first)", service, ErrNoTests)
		}
		id, s = have[0].publicID, have[0].suite
	} else {
		out, err := doValue(ctx, c, "GetSyntheticsSuite", true, func(ctx context.Context) (datadogV2.SyntheticsSuiteResponse, *http.Response, error) {
			return c.v2.GetSyntheticsSuite(ctx, id)
		})
		if err != nil {
			return "", nil, fmt.Errorf("get suite %s: %w", id, err)
		}
		data := out.GetData()
		s = data.GetAttributes()
	}
	ids := make([]string, 0, len(s.Tests))
	for _, t := range s.Tests {
		ids = append(ids, t.PublicId)
	}
	return id, ids, nil
}
