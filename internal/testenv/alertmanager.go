package testenv

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
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
	var logs bytes.Buffer
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
		"--log.level=warn",
	)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start alertmanager: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // ours to stop; Wait in the goroutine reaps it
		<-exited
	})

	base := "http://" + addr
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/-/ready", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base + "/api/v2"
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("alertmanager exited before it was ready: %v\n%s", err, logs.String())
		case <-deadline:
			t.Fatalf("alertmanager not ready on %s after 30s\n%s", addr, logs.String())
		case <-tick.C:
		}
	}
}
