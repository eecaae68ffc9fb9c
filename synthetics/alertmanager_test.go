package synthetics_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
	"github.com/smoke-dev/smoke/synthetics"
)

// startAlertmanager runs Debian's prometheus-alertmanager on a free
// loopback port and returns its API base URL once it is ready.
func startAlertmanager(t *testing.T) string {
	t.Helper()
	bin := testenv.Need(t, "prometheus-alertmanager")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte("route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	var log strings.Builder
	cmd := exec.CommandContext(t.Context(), bin, "--config.file="+cfg, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start alertmanager: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill() // stop it even if the context is still live
		<-exited
	})
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+addr+"/-/ready", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return "http://" + addr + "/api/v2"
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("alertmanager exited before it was ready: %v\n%s", err, log.String())
		case <-deadline:
			t.Fatalf("alertmanager not ready on %s after 30s\n%s", addr, log.String())
		case <-tick.C:
		}
	}
}

// TestAlertmanagerEndToEnd publishes Alertmanager's read-only checks
// against a real Alertmanager and triggers them. The emulator really runs
// each test's request on loopback and evaluates its assertions — the JSON
// Schema ones with an independent draft-07 validator — so a pass means
// the mapped tests hold against the real service.
func TestAlertmanagerEndToEnd(t *testing.T) {
	base := startAlertmanager(t)
	doc, err := spec.Load(t.Context(), testenv.Spec(t, "alertmanager-v0.25.0.yaml"), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := generator.Generate(doc, generator.Options{Service: "alertmanager"})
	if err != nil {
		t.Fatal(err)
	}
	var checks []generator.Check
	for _, c := range plan.Checks {
		if c.Safe {
			checks = append(checks, c)
		}
	}
	tests, err := synthetics.Map(checks, synthetics.Options{Service: "alertmanager", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reasons []string
	emu := emulator(t, ddemu.Options{Outcome: func(st ddemu.StoredTest) string {
		outcome, why := ddemu.Run(st)
		if why != "" {
			mu.Lock()
			reasons = append(reasons, why)
			mu.Unlock()
		}
		return outcome
	}})
	c := client(t, emu)
	p, err := c.Plan(t.Context(), "alertmanager", tests, synthetics.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(t.Context(), p, synthetics.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Trigger(t.Context(), "alertmanager", synthetics.TriggerOptions{Wait: true, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Counts()[synthetics.StatusPassed]; got != len(checks) {
		t.Errorf("%d of %d runs passed against a real Alertmanager; failures:\n%s", got, len(checks), strings.Join(reasons, "\n"))
	}
}
