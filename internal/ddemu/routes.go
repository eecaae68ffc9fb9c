package ddemu

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

type route struct {
	version, method, path, op string
}

// routes are the operations the emulator implements, with their paths in
// Datadog's documents.
var routes = []route{
	{"v1", http.MethodGet, "/api/v1/synthetics/tests", "ListTests"},
	{"v1", http.MethodGet, "/api/v1/synthetics/tests/search", "SearchTests"},
	{"v1", http.MethodPost, "/api/v1/synthetics/tests/api", "CreateSyntheticsAPITest"},
	{"v1", http.MethodGet, "/api/v1/synthetics/tests/api/{public_id}", "GetAPITest"},
	{"v1", http.MethodPut, "/api/v1/synthetics/tests/api/{public_id}", "UpdateAPITest"},
	{"v1", http.MethodPost, "/api/v1/synthetics/tests/delete", "DeleteTests"},
	{"v1", http.MethodPost, "/api/v1/synthetics/tests/trigger/ci", "TriggerCITests"},
	{"v1", http.MethodGet, "/api/v1/synthetics/ci/batch/{batch_id}", "GetSyntheticsCIBatch"},
	{"v1", http.MethodGet, "/api/v1/synthetics/variables", "ListGlobalVariables"},
	{"v1", http.MethodPost, "/api/v1/synthetics/variables", "CreateGlobalVariable"},
	{"v2", http.MethodPost, "/api/v2/synthetics/suites", "CreateSyntheticsSuite"},
	{"v2", http.MethodGet, "/api/v2/synthetics/suites/search", "SearchSuites"},
	{"v2", http.MethodGet, "/api/v2/synthetics/suites/{public_id}", "GetSyntheticsSuite"},
	{"v2", http.MethodPut, "/api/v2/synthetics/suites/{public_id}", "EditSyntheticsSuite"},
	{"v2", http.MethodPost, "/api/v2/synthetics/suites/bulk-delete", "DeleteSyntheticsSuites"},
}

// writeOps are the operations that change state.
var writeOps = map[string]bool{
	"CreateSyntheticsAPITest": true,
	"UpdateAPITest":           true,
	"DeleteTests":             true,
	"CreateGlobalVariable":    true,
	"CreateSyntheticsSuite":   true,
	"EditSyntheticsSuite":     true,
	"DeleteSyntheticsSuites":  true,
}

var (
	docsMu sync.Mutex
	docs   = map[string]*openapi3.T{}
)

// loadDoc loads one of Datadog's documents once per process: they are
// large (1.7 and 8.9 MB) and take a noticeable time to parse. It checks
// that every route of that version is in the document.
func loadDoc(path, version string) (*openapi3.T, error) {
	docsMu.Lock()
	defer docsMu.Unlock()
	if d, ok := docs[path]; ok {
		return d, nil
	}
	l := openapi3.NewLoader()
	d, err := l.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load Datadog %s spec %q: %w", version, path, err)
	}
	for _, r := range routes {
		if r.version != version {
			continue
		}
		if op := operation(d, r); op == nil || op.OperationID != r.op {
			return nil, fmt.Errorf("load Datadog spec %q: no operation %s %s (%s)", path, r.method, r.path, r.op)
		}
	}
	docs[path] = d
	return d, nil
}

func operation(d *openapi3.T, r route) *openapi3.Operation {
	pi := d.Paths.Value(r.path)
	if pi == nil {
		return nil
	}
	return pi.GetOperation(r.method)
}

// match finds the route of a request and its path parameters. Literal
// segments win over parameters (".../suites/search" is not a suite id).
func match(method, path string) (route, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best route
	var bestParams map[string]string
	bestLiterals := -1
	for _, rt := range routes {
		if rt.method != method {
			continue
		}
		params, literals, ok := matchRoute(rt, segs)
		if ok && literals > bestLiterals {
			best, bestParams, bestLiterals = rt, params, literals
		}
	}
	return best, bestParams, bestLiterals >= 0
}

func matchRoute(rt route, segs []string) (map[string]string, int, bool) {
	tsegs := strings.Split(strings.Trim(rt.path, "/"), "/")
	if len(tsegs) != len(segs) {
		return nil, 0, false
	}
	params := map[string]string{}
	literals := 0
	for i, ts := range tsegs {
		if strings.HasPrefix(ts, "{") {
			if segs[i] == "" {
				return nil, 0, false
			}
			params[strings.Trim(ts, "{}")] = segs[i]
			continue
		}
		if ts != segs[i] {
			return nil, 0, false
		}
		literals++
	}
	return params, literals, true
}
