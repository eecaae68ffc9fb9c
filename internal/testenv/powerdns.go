package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// PowerDNSKey is the API key of the servers PowerDNS starts.
const PowerDNSKey = "smoke-test-key"

// PowerDNS starts a PowerDNS Authoritative Server (Debian's pdns-server
// with pdns-backend-sqlite3, on an empty SQLite database) on loopback,
// with its HTTP API on, and returns the API's base URL (…/api/v1). The
// API wants the header X-API-Key: PowerDNSKey; the server serves its own
// description at /api/docs. Skips locally, fails in CI, when missing.
func PowerDNS(t testing.TB) string {
	t.Helper()
	bin := Need(t, "pdns_server")
	sqlite := Need(t, "sqlite3")
	var schema string
	for _, p := range []string{
		"/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql",
		"/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql",
	} {
		if _, err := os.Stat(p); err == nil {
			schema = p
			break
		}
	}
	if schema == "" {
		Missing(t, "pdns-backend-sqlite3 not installed (bash .ci/run installs it)")
		return ""
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "pdns.db")
	sql, err := os.ReadFile(schema)
	if err != nil {
		t.Fatal(err)
	}
	init := exec.Command(sqlite, db)
	init.Stdin = bytes.NewReader(sql)
	if out, err := init.CombinedOutput(); err != nil {
		t.Fatalf("create PowerDNS database: %v\n%s", err, out)
	}
	web := FreePort(t)
	conf := fmt.Sprintf(`launch=gsqlite3
gsqlite3-database=%s
api=yes
api-key=%s
webserver=yes
webserver-address=127.0.0.1
webserver-port=%d
webserver-allow-from=127.0.0.0/8
local-address=127.0.0.1
local-port=%d
socket-dir=%s
guardian=no
daemon=no
`, db, PowerDNSKey, web, FreePort(t), dir)
	if err := os.WriteFile(filepath.Join(dir, "pdns.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-dir="+dir)
	base := fmt.Sprintf("http://127.0.0.1:%d", web)
	// The statistics page answers 200 without the key once the web
	// server is up.
	serve(t, "pdns_server", cmd, base+"/")
	return base + "/api/v1"
}
