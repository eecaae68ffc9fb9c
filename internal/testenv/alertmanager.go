package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// AlertmanagerConfig is the smallest working Alertmanager configuration:
// one receiver that sends nothing.
const AlertmanagerConfig = "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n"

// Alertmanager runs Debian's prometheus-alertmanager on a free loopback
// port with the given configuration (AlertmanagerConfig when empty), its
// own storage and clustering off, and returns its API base URL
// (http://127.0.0.1:PORT/api/v2) once /-/ready answers 200. The process
// is killed when the test ends. It skips locally and fails in CI when the
// program is not installed.
func Alertmanager(t testing.TB, config string) string {
	t.Helper()
	bin := Need(t, "prometheus-alertmanager")
	if config == "" {
		config = AlertmanagerConfig
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
		"--log.level=warn",
	)
	base := "http://" + addr
	serve(t, "alertmanager", cmd, base+"/-/ready")
	return base + "/api/v2"
}
