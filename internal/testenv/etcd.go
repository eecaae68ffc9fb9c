package testenv

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
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
	serve(t, "etcd", cmd, client+"/health")
	return client
}
