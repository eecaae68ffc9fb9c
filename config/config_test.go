package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/config"
)

func TestParseFull(t *testing.T) {
	cfg, err := config.Parse("smoke.yaml", strings.NewReader(`
service: orders
spec: openapi.yaml
base_url: https://staging.example.com
environments:
  old: {base_url: https://ec2.example.com}
headers: {X-Env: staging}
auth:
  bearer: {token: "${API_TOKEN}"}
operations:
  "GET /orders/{id}":
    path: {id: 42}
    expect_status: ["404"]
  createOrder:
    body: null
run:
  timeout: 5s
  concurrency: 8
diff:
  rules:
    - {action: ignore, pointer: /meta/request_id, reason: differs per request}
`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Service != "orders" || cfg.Environments["old"].BaseURL != "https://ec2.example.com" {
		t.Errorf("cfg = %+v", cfg)
	}
	if time.Duration(cfg.Run.Timeout) != 5*time.Second || cfg.Run.Concurrency != 8 {
		t.Errorf("run = %+v, want 5s and 8", cfg.Run)
	}
	if op := cfg.Operations["GET /orders/{id}"]; op.Path["id"] != 42 || op.HasBody || op.Expect[0] != "404" {
		t.Errorf("GET /orders/{id} = %+v", op)
	}
	if !cfg.Operations["createOrder"].HasBody {
		t.Errorf("createOrder.HasBody = false, want true for an explicit null body")
	}
	if r := cfg.Diff.Rules[0]; r.Line != 21 || r.Reason == "" {
		t.Errorf("rule = %+v, want line 21 with its reason", r)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unknown top key", "servce: x\n", `config smoke.yaml:1: unknown key "servce"`},
		{"unknown nested key", "operations:\n  getX:\n    pth: {id: 1}\n", `config smoke.yaml:3: unknown key "pth"`},
		{"bad duration", "run:\n  timeout: soon\n", `"soon" is not a duration`},
		{"syntax", "headers: [\n", "config smoke.yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("smoke.yaml", strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tt.want)
			}
			if _, ok := errors.AsType[*config.Error](err); !ok {
				t.Errorf("error %T is not a *config.Error", err)
			}
		})
	}
}

// TestParseOneBoundedDocument pins issue 9 item 8: the reader never keeps
// part of its input silently.
func TestParseOneBoundedDocument(t *testing.T) {
	// A key past the cap used to be cut off: read_only was lost and
	// writes were planned.
	big := "# " + strings.Repeat("x", config.MaxBytes) + "\nread_only: true\n"
	if cfg, err := config.Parse("big.yaml", strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "config big.yaml: larger than 16 MiB") {
		t.Errorf("Parse(%d bytes) = %+v, %v; want an error naming the 16 MiB cap", len(big), cfg, err)
	}
	// Exactly MaxBytes is within the cap: the file is parsed (and fails on
	// its first character, which keeps the test quick under -race).
	exact := "\tbad\n#" + strings.Repeat("x", config.MaxBytes-len("\tbad\n#"))
	if _, err := config.Parse("exact.yaml", strings.NewReader(exact)); err == nil || strings.Contains(err.Error(), "larger than") || !strings.Contains(err.Error(), "cannot start any token") {
		t.Errorf("Parse of exactly MaxBytes: error = %v, want the syntax error of its first line, not the cap", err)
	}

	tests := []struct{ name, in, want string }{
		{"second document", "service: a\n---\nread_only: true\n", `config smoke.yaml:3: a second YAML document`},
		{"third document", "service: a\n---\n---\n# x\nread_only: true\n", `config smoke.yaml:5: a second YAML document`},
		{"broken second document", "service: a\n---\nheaders: [\n", "config smoke.yaml:"},
	}
	for _, tt := range tests {
		_, err := config.Parse("smoke.yaml", strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if _, ok := errors.AsType[*config.Error](err); !ok {
			t.Errorf("%s: error %T is not a *config.Error", tt.name, err)
		}
	}
	for _, ok := range []string{"---\nservice: a\n", "service: a\n---\n", "service: a\n--- ~\n", "# only a comment\n", ""} {
		if _, err := config.Parse("smoke.yaml", strings.NewReader(ok)); err != nil {
			t.Errorf("Parse(%q) error = %v, want none", ok, err)
		}
	}
}
