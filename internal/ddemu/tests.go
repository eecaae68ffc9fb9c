package ddemu

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// epoch is the emulator's clock origin: created_at and modified_at are
// derived from the call sequence, so answers are deterministic.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// handle runs one validated call. The caller holds s.mu.
func (s *Server) handle(op string, params map[string]string, q map[string][]string, in map[string]any) answer {
	switch op {
	case "ListTests":
		return s.list(q)
	case "SearchTests":
		return s.search(q)
	case "CreateSyntheticsAPITest":
		if in["type"] != "api" {
			return answer{status: http.StatusBadRequest, body: errorBody("test type must be api")}
		}
		id := s.store("", in)
		return ok(s.tests[id])
	case "GetAPITest":
		t, found := s.tests[params["public_id"]]
		if !found || t["type"] != "api" {
			return answer{status: http.StatusNotFound, body: errorBody("Test can't be found")}
		}
		return ok(t)
	case "UpdateAPITest":
		return s.update(params["public_id"], in)
	case "DeleteTests":
		return s.delete(in)
	case "TriggerCITests":
		return s.trigger(in)
	case "GetSyntheticsCIBatch":
		return s.batch(params["batch_id"])
	case "ListGlobalVariables":
		vars := make([]any, 0, len(s.variables))
		for _, v := range s.variables {
			vars = append(vars, v)
		}
		return ok(map[string]any{"variables": vars})
	case "CreateGlobalVariable":
		return s.createVariable(in)
	case "CreateSyntheticsSuite":
		return s.saveSuite("", in)
	case "EditSyntheticsSuite":
		if _, found := s.suites[params["public_id"]]; !found {
			return answer{status: http.StatusNotFound, body: errorBody("Suite not found")}
		}
		return s.saveSuite(params["public_id"], in)
	case "GetSyntheticsSuite":
		su, found := s.suites[params["public_id"]]
		if !found {
			return answer{status: http.StatusNotFound, body: errorBody("Suite not found")}
		}
		return ok(suiteData(su))
	case "SearchSuites":
		return s.searchSuites(q)
	case "DeleteSyntheticsSuites":
		return s.deleteSuites(in)
	}
	return answer{status: http.StatusNotFound, body: errorBody("Not found")}
}

func ok(body any) answer { return answer{status: http.StatusOK, body: body} }

// store saves a test under id (a new id when empty) and fills in the
// fields Datadog fills in, so clients see realistic answers. In strict
// mode its tags are normalised as Datadog stores them. The caller holds
// s.mu.
func (s *Server) store(id string, t map[string]any) string {
	t = maps.Clone(t)
	s.seq++
	now := epoch.Add(time.Duration(s.seq) * time.Second).Format(time.RFC3339)
	var monitor float64
	if id == "" {
		id = fmt.Sprintf("smk-%03d-%03d", s.seq/1000, s.seq%1000)
		monitor = float64(100000 + s.seq)
		s.order = append(s.order, id)
		t["created_at"] = now
		if s.opts.ListLag > 0 {
			s.hidden[id] = s.opts.ListLag
		}
	} else {
		old := s.tests[id]
		monitor, _ = old["monitor_id"].(float64)
		t["created_at"] = old["created_at"]
	}
	t["modified_at"] = now
	t["public_id"] = id
	t["monitor_id"] = monitor
	if _, found := t["status"]; !found {
		t["status"] = "live"
	}
	if !s.opts.Lax {
		normalizeTags(t)
		step := 0
		echoStepIDs(t, func() string {
			step++
			return fmt.Sprintf("stp-%03d-%03d", s.seq%1000, step)
		})
	}
	opts, _ := t["options"].(map[string]any)
	opts = maps.Clone(opts)
	if opts == nil {
		opts = map[string]any{}
	}
	if _, found := opts["min_location_failed"]; !found {
		opts["min_location_failed"] = float64(1)
	}
	if _, found := opts["httpVersion"]; !found {
		opts["httpVersion"] = "any"
	}
	t["options"] = opts
	s.tests[id] = t
	return id
}

func (s *Server) update(id string, in map[string]any) answer {
	old, found := s.tests[id]
	if !found {
		return answer{status: http.StatusNotFound, body: errorBody("Test can't be found")}
	}
	if old["subtype"] != in["subtype"] {
		return answer{status: http.StatusBadRequest, body: errorBody("Updating sub-type is forbidden")}
	}
	s.store(id, in)
	return ok(s.tests[id])
}

// delete deletes tests by public id. An unknown id fails the whole call
// with 404; a test another resource depends on fails it with 400 unless
// force_delete_dependencies is set (the v1 document's description of
// that field: "Delete the Synthetic test even if it's referenced by
// other resources (for example, SLOs and composite monitors)"; the
// message has the shape Datadog gives for a monitor an SLO refers to,
// terraform-provider-datadog#439).
func (s *Server) delete(in map[string]any) answer {
	ids := stringList(in["public_ids"])
	force, _ := in["force_delete_dependencies"].(bool)
	var blocked []string
	for _, id := range ids {
		t, found := s.tests[id]
		if !found {
			return answer{status: http.StatusNotFound, body: errorBody("Tests to be deleted can't be found")}
		}
		if what, dep := s.depends[id]; dep && !force {
			name, _ := t["name"].(string)
			monitor, _ := t["monitor_id"].(float64)
			blocked = append(blocked, fmt.Sprintf("monitor [%.0f,%s] is referenced in %s", monitor, name, what))
		}
	}
	if len(blocked) > 0 {
		return answer{status: http.StatusBadRequest, body: errorBody(blocked...)}
	}
	var deleted []any
	for _, id := range ids {
		delete(s.tests, id)
		delete(s.hidden, id)
		s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
		deleted = append(deleted, map[string]any{"public_id": id, "deleted_at": "2026-01-01T00:00:00+00:00"})
	}
	return ok(map[string]any{"deleted_tests": deleted})
}

// visible returns the ids of the tests a listing shows, in creation
// order, and ages the tests hidden by Options.ListLag by one listing.
// The caller holds s.mu.
func (s *Server) visible() []string {
	var out []string
	for _, id := range s.order {
		if s.hidden[id] > 0 {
			s.hidden[id]--
			continue
		}
		out = append(out, id)
	}
	return out
}

// listed returns test id as a listing shows it.
func (s *Server) listed(id string, full bool) map[string]any {
	t := maps.Clone(s.tests[id])
	t["creator"] = map[string]any{"email": "someone@example.com", "handle": "someone@example.com", "name": "Someone"}
	if !full {
		delete(t, "config")
		delete(t, "options")
	}
	return t
}

// list answers ListTests, with the "total" real Datadog adds to the
// documented shape (recorded in datadog-api-client-go's cassette
// "Get the list of all Synthetic tests returns OK ... with pagination").
func (s *Server) list(q map[string][]string) answer {
	size, number := 100, 0
	if v := first(q["page_size"]); v != "" {
		size, _ = strconv.Atoi(v) // validated as int64 by the document
	}
	if v := first(q["page_number"]); v != "" && !s.opts.IgnorePageNumber {
		number, _ = strconv.Atoi(v)
	}
	if size <= 0 {
		size = 100
	}
	if m := s.opts.MaxPageSize; m > 0 && size > m {
		size = m
	}
	ids := s.visible()
	tests := []any{}
	for i := number * size; i >= 0 && i < len(ids) && i < (number+1)*size; i++ {
		tests = append(tests, s.listed(ids[i], true))
	}
	return ok(map[string]any{"tests": tests, "total": float64(len(ids))})
}

// search answers SearchTests: text is a list of terms, all of which must
// hold; tag:"a:b" (or tag:a:b) matches a tag exactly, any other term is
// a case-insensitive part of the name. start and count page the results,
// which come sorted by name; include_full_config adds config and options.
func (s *Server) search(q map[string][]string) answer {
	if s.opts.NoSearch {
		return answer{status: http.StatusNotFound, body: errorBody("Not found")}
	}
	matched, page := searchPage(s.visible(), s.tests, first(q["text"]), q, s.opts.MaxPageSize)
	full := first(q["include_full_config"]) == "true"
	tests := []any{}
	for _, id := range page {
		tests = append(tests, s.listed(id, full))
	}
	return ok(map[string]any{"tests": tests, "total": float64(matched)})
}

// searchPage runs a search over the objects ids name in byID: the query
// text selects them (see matches), they are sorted by name, and start and
// count (50 unless the query says otherwise, capped by maxCount when it is
// above 0) select a page. It returns how many matched and the page.
func searchPage(ids []string, byID map[string]map[string]any, text string, q map[string][]string, maxCount int) (matched int, page []string) {
	terms := searchTerms(text)
	var found []string
	for _, id := range ids {
		if matches(byID[id], terms) {
			found = append(found, id)
		}
	}
	slices.SortStableFunc(found, func(a, b string) int {
		na, _ := byID[a]["name"].(string)
		nb, _ := byID[b]["name"].(string)
		return strings.Compare(na, nb)
	})
	start, count := 0, 50
	if v := first(q["start"]); v != "" {
		start, _ = strconv.Atoi(v)
	}
	if v := first(q["count"]); v != "" {
		count, _ = strconv.Atoi(v)
	}
	if maxCount > 0 && count > maxCount {
		count = maxCount
	}
	for i := max(start, 0); i < len(found) && i < start+count; i++ {
		page = append(page, found[i])
	}
	return len(found), page
}

type term struct {
	tag  bool
	text string
}

func searchTerms(text string) []term {
	var out []term
	for _, f := range splitQuoted(text) {
		if v, isTag := strings.CutPrefix(f, "tag:"); isTag {
			out = append(out, term{tag: true, text: strings.Trim(v, `"`)})
			continue
		}
		out = append(out, term{text: strings.ToLower(strings.Trim(f, `"`))})
	}
	return out
}

// splitQuoted splits on spaces outside double quotes.
func splitQuoted(s string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			b.WriteRune(r)
		case r == ' ' && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

func matches(t map[string]any, terms []term) bool {
	name, _ := t["name"].(string)
	tags := stringList(t["tags"])
	for _, tm := range terms {
		if tm.tag {
			if !slices.Contains(tags, tm.text) {
				return false
			}
			continue
		}
		if !strings.Contains(strings.ToLower(name), tm.text) {
			return false
		}
	}
	return true
}

func (s *Server) createVariable(in map[string]any) answer {
	for _, v := range s.variables {
		if v["name"] == in["name"] {
			return answer{status: http.StatusConflict, body: errorBody("a variable with this name already exists")}
		}
	}
	s.seq++
	v := maps.Clone(in)
	v["id"] = fmt.Sprintf("00000000-0000-0000-0000-%012d", s.seq)
	if val, isMap := v["value"].(map[string]any); isMap && val["secure"] == true {
		v["value"] = map[string]any{"secure": true}
	}
	s.variables = append(s.variables, v)
	return ok(v)
}
