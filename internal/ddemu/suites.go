package ddemu

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// Synthetics suites live in Datadog's v2 API: a request and an answer
// carry the suite as data.attributes (SuiteCreateEditRequest,
// SyntheticsSuiteResponse in the v2 document).

func suiteData(su map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"attributes": su, "id": su["public_id"], "type": "suites"}}
}

// saveSuite creates (id "") or replaces a suite. Every test of a suite
// must exist. The caller holds s.mu.
func (s *Server) saveSuite(id string, in map[string]any) answer {
	data, _ := in["data"].(map[string]any)
	attrs, _ := data["attributes"].(map[string]any)
	su := maps.Clone(attrs)
	tests, _ := su["tests"].([]any)
	for _, x := range tests {
		m, _ := x.(map[string]any)
		if pid, _ := m["public_id"].(string); s.tests[pid] == nil {
			return answer{status: http.StatusBadRequest, body: errorBody(fmt.Sprintf("test %q of the suite does not exist", pid))}
		}
	}
	if !s.opts.Lax {
		normalizeTags(su)
	}
	s.seq++
	if id == "" {
		id = fmt.Sprintf("sui-%03d-%03d", s.seq/1000, s.seq%1000)
		su["monitor_id"] = float64(200000 + s.seq)
		s.suiteOrder = append(s.suiteOrder, id)
	} else {
		su["monitor_id"] = s.suites[id]["monitor_id"]
	}
	su["public_id"] = id
	if _, found := su["options"]; !found {
		su["options"] = map[string]any{}
	}
	s.suites[id] = su
	return ok(suiteData(su))
}

// searchSuites answers SearchSuites with the same query language as
// SearchTests (tag:"a:b" terms and name words), paged by start and
// count.
func (s *Server) searchSuites(q map[string][]string) answer {
	// Unlike SearchTests, the suites search ignores Options.MaxPageSize.
	matched, page := searchPage(s.suiteOrder, s.suites, first(q["query"]), q, 0)
	suites := []any{}
	for _, id := range page {
		suites = append(suites, s.suites[id])
	}
	return ok(map[string]any{"data": map[string]any{
		"attributes": map[string]any{"suites": suites, "total": float64(matched)},
		"id":         "00000000-0000-0000-0000-000000000000",
		"type":       "suites_search",
	}})
}

func (s *Server) deleteSuites(in map[string]any) answer {
	data, _ := in["data"].(map[string]any)
	attrs, _ := data["attributes"].(map[string]any)
	ids := stringList(attrs["public_ids"])
	for _, id := range ids {
		if s.suites[id] == nil {
			return answer{status: http.StatusNotFound, body: errorBody("Suite not found")}
		}
	}
	out := []any{}
	for _, id := range ids {
		delete(s.suites, id)
		s.suiteOrder = slices.DeleteFunc(s.suiteOrder, func(x string) bool { return x == id })
		out = append(out, map[string]any{
			"attributes": map[string]any{"deleted_at": "2026-01-01T00:00:00+00:00", "public_id": id},
			"id":         id, "type": "suites",
		})
	}
	return ok(map[string]any{"data": out})
}
