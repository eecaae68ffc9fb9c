package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/internal/testenv"
)

// TestRunAgainstPowerDNS runs a real PowerDNS Authoritative Server 4.7
// (Debian bookworm's pdns-server) against the description it serves
// itself at /api/docs. Every operation but two is scoped by
// /servers/{server_id}. With the credential alone, smoke reads what it
// can (server_id from the server list, for reads) and sends no write on
// an id it did not create. One parameters: line and a zone body make the
// zone's chain run: created, read back, used, deleted.
func TestRunAgainstPowerDNS(t *testing.T) {
	base := testenv.PowerDNS(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "powerdns.yaml")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.TrimSuffix(base, "/v1")+"/docs", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", testenv.PowerDNSKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/docs: %d %v", resp.StatusCode, err)
	}
	if err := os.WriteFile(spec, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PDNS_KEY": testenv.PowerDNSKey}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("auth:\n  APIKeyHeader: {token: \"${PDNS_KEY}\"}\n"+text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(cfg string) runReport {
		t.Helper()
		stdout, stderr, code := cli(t, env, "", "run", "--spec", spec, "--config", cfg, "--base-url", base, "--format", "json")
		if code != exitOK && code != exitFindings {
			t.Fatalf("run exited %d: %s", code, stderr)
		}
		var rep runReport
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	exercised := func(rep runReport) (n int) {
		for _, r := range rep.Results {
			if r.Exercised {
				n++
			}
		}
		return n
	}

	zero := run(write("zero.yaml", ""))
	by := zero.byOp()
	for _, op := range []string{"listServers", "listServer", "listZones", "getConfig", "getStats"} {
		if r := zero.Results[by[op]]; !r.Exercised {
			t.Errorf("zero config: %s = %d, want exercised", op, r.StatusCode)
		}
	}
	for _, r := range zero.Results {
		if strings.HasPrefix(r.Path, "/servers/{server_id}/zones/{zone_id}") && r.Method != http.MethodGet && r.Outcome != "skipped" {
			t.Errorf("zero config: %s %s was sent (%d): a write on a zone this run did not create", r.Method, r.Path, r.StatusCode)
		}
	}
	t.Logf("zero config: %d of %d exercised", exercised(zero), len(zero.Results))

	full := run(write("full.yaml", "parameters:\n  server_id: localhost\noperations:\n  createZone:\n    body: {name: \"smoke-${run}.example.\", kind: Native}\n"))
	by = full.byOp()
	for _, op := range []string{"createZone", "listZone", "putZone", "rectifyZone", "deleteZone", "listMetadata", "listCryptokeys"} {
		if r := full.Results[by[op]]; !r.Exercised {
			t.Errorf("with parameters: %s = %d %s, want exercised", op, r.StatusCode, r.Snippet)
		}
	}
	if r := full.Resources; r == nil || r.Created == 0 || r.Created != r.Deleted || len(r.Left) != 0 {
		t.Errorf("resources = %+v, want every zone created deleted", r)
	}
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/servers/localhost/zones", nil)
	req.Header.Set("X-API-Key", testenv.PowerDNSKey)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.TrimSpace(string(body)) != "[]" {
			t.Errorf("zones after the run: %s, want none", body)
		}
	}
	t.Logf("with server_id and a zone body: %d of %d exercised", exercised(full), len(full.Results))
	if n := exercised(full); n < 15 {
		t.Errorf("with parameters: %d exercised, want the zone's chain too", n)
	}
}
