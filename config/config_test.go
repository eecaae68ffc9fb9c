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
