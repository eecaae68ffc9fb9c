package hostile

import (
	"strings"
	"testing"
)

// Issue 9 item 8: smoke.yaml was silently cut at 16 MiB (a read_only: true
// at its end was lost and writes were planned), and a second YAML
// document after --- was ignored.
func TestConfigIsReadWholeOrRefused(t *testing.T) {
	writes := `openapi: 3.0.3
info: {title: writes, version: "1"}
paths:
  /items:
    delete:
      responses: {"204": {description: gone}}
`
	tests := []struct {
		name, config string
		want         []string
	}{
		{"past the size cap", "# " + strings.Repeat("padding ", 16<<17) + "\nread_only: true\n", []string{"config smoke.yaml: larger than 16 MiB"}},
		{"second document", "service: shop\n---\nread_only: true\n", []string{"config smoke.yaml:3: a second YAML document"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			target := newRecorder(t)
			writeFile(t, dir, "smoke.yaml", tt.config)
			writeFile(t, dir, "api.yaml", writes)
			r := smoke(t, invocation{dir: dir, args: []string{"run", "--spec", "api.yaml", "--base-url", target.URL}})
			wantExit(t, r, exitUsage)
			wantOneLineError(t, r.stderr, tt.want...)
			if got := target.received(); len(got) != 0 {
				t.Errorf("sent %v although the config asked for read_only", got)
			}
		})
	}
}
