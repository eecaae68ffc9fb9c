package testenv

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Etcd runs Debian's etcd-server (etcd 3.4) as a single-member cluster on
// free loopback ports with its own data directory, and returns its client
// URL (http://127.0.0.1:PORT, where the gRPC gateway serves /v3/...) once
// /health answers 200. The process is killed when the test ends. It skips
// locally and fails in CI when etcd is not installed.
func Etcd(t testing.TB) string {
	t.Helper()
	bin := Need(t, "etcd")
	dir := t.TempDir()
	client := fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))
	peer := fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))
	var logs bytes.Buffer
	cmd := exec.Command(bin,
		"--name", "smoke",
		"--data-dir", filepath.Join(dir, "data"),
		"--listen-client-urls", client,
		"--advertise-client-urls", client,
		"--listen-peer-urls", peer,
		"--initial-advertise-peer-urls", peer,
		"--initial-cluster", "smoke="+peer,
		"--log-level", "warn",
	)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // ours to stop; Wait in the goroutine reaps it
		<-exited
	})

	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, client+"/health", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return client
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("etcd exited before it was ready: %v\n%s", err, logs.String())
		case <-deadline:
			t.Fatalf("etcd not ready on %s after 30s\n%s", client, logs.String())
		case <-tick.C:
		}
	}
}
