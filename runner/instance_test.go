package runner_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/runner"
)

// grants serves generator/testdata/undo/grants.yaml the way etcd's
// gateway behaves: a revoke of what is not there is refused, a lease
// label must be unique among live leases.
type grants struct {
	mu     sync.Mutex
	roles  map[string]map[string]bool // role → granted keys
	leases map[string]string          // ID → label
	next   int
	// kvRevoke, when not zero, is what /v1/kv/lease/revoke answers.
	kvRevoke int
	calls    []string
}

func grantsServer(t *testing.T, kvRevoke int) (*grants, *httptest.Server) {
	g := &grants{roles: map[string]map[string]bool{}, leases: map[string]string{}, kvRevoke: kvRevoke}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	return g, srv
}

func (g *grants) serve(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name, Role, Key, ID, Label string
		Perm                       struct{ Key string }
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, r.URL.Path)
	status, out := http.StatusOK, map[string]any{}
	switch r.URL.Path {
	case "/v1/role/add":
		if _, dup := g.roles[in.Name]; dup || in.Name == "" {
			status = http.StatusConflict
			break
		}
		g.roles[in.Name] = map[string]bool{}
	case "/v1/role/grant":
		keys, ok := g.roles[in.Name]
		if !ok {
			status = http.StatusNotFound
			break
		}
		keys[in.Perm.Key] = true
	case "/v1/role/revoke":
		if !g.roles[in.Role][in.Key] {
			status = http.StatusPreconditionFailed
			break
		}
		delete(g.roles[in.Role], in.Key)
	case "/v1/role/delete":
		if _, ok := g.roles[in.Role]; !ok {
			status = http.StatusNotFound
			break
		}
		delete(g.roles, in.Role)
	case "/v1/lease/grant":
		for _, l := range g.leases {
			if l == in.Label {
				status = http.StatusConflict
			}
		}
		if status != http.StatusOK {
			break
		}
		g.next++
		id := strconv.Itoa(700 + g.next)
		g.leases[id] = in.Label
		out["ID"], out["TTL"] = id, 60
	case "/v1/lease/revoke", "/v1/kv/lease/revoke":
		if r.URL.Path == "/v1/kv/lease/revoke" && g.kvRevoke != 0 {
			status = g.kvRevoke
			break
		}
		if _, ok := g.leases[in.ID]; !ok {
			status = http.StatusNotFound
			break
		}
		delete(g.leases, in.ID)
	default:
		status = http.StatusNotFound
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

// TestUndoAndSecondDelete: a revoke that takes back a grant runs after
// the grant and before the role's delete; a group's second delete gets a
// lease of its own, granted after the first is revoked (so a fixed label
// does not collide), and everything is gone after the run.
func TestUndoAndSecondDelete(t *testing.T) {
	plan := plantest.Plan(t, "../generator/testdata/undo/grants.yaml", generator.Options{})
	for _, conc := range []int{1, 4} {
		api, srv := grantsServer(t, 0)
		results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL, Concurrency: conc}, plan.Checks, nil)
		if err != nil {
			t.Fatal(err)
		}
		by := byName(results)
		for _, r := range results {
			if r.StatusCode != 200 || !r.Exercised {
				t.Errorf("concurrency %d: %s %s = %d %s (%v)", conc, r.Method, r.Path, r.StatusCode, r.Reason, r.Notes)
			}
		}
		first, second := by["POST /v1/lease/revoke"], by["POST /v1/kv/lease/revoke"]
		if len(first.Bound) != 1 || len(second.Bound) != 1 || first.Bound[0].Value == second.Bound[0].Value {
			t.Errorf("concurrency %d: revokes bound %+v and %+v, want a lease each", conc, first.Bound, second.Bound)
		}
		if res.Created != 3 || res.Deleted != 3 || len(res.Left) != 0 {
			t.Errorf("concurrency %d: resources %+v, want 3 created (role, lease, lease again), 3 deleted", conc, res)
		}
		if len(api.roles) != 0 || len(api.leases) != 0 {
			t.Errorf("concurrency %d: left on the server: roles %v leases %v", conc, api.roles, api.leases)
		}
	}
}

// TestSecondDeleteFails: when the second delete fails, the lease granted
// for it is revoked at cleanup by the group's preferred delete.
func TestSecondDeleteFails(t *testing.T) {
	plan := plantest.Plan(t, "../generator/testdata/undo/grants.yaml", generator.Options{})
	api, srv := grantsServer(t, http.StatusInternalServerError)
	results, res, err := runChains(t, t.Context(), runner.Options{BaseURL: srv.URL, Concurrency: 2}, plan.Checks, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := byName(results)["POST /v1/kv/lease/revoke"]; r.StatusCode != 500 || r.Outcome != runner.Failed {
		t.Errorf("kv revoke = %d %s, want the 500 reported", r.StatusCode, r.Outcome)
	}
	if res.Created != 3 || res.Deleted != 3 || len(res.Left) != 0 || len(api.leases) != 0 {
		t.Errorf("resources %+v, leases left %v: want the second lease revoked at cleanup", res, api.leases)
	}
	if last := api.calls[len(api.calls)-1]; last != "/v1/lease/revoke" {
		t.Errorf("cleanup called %s, want the preferred revoke /v1/lease/revoke", last)
	}
}
