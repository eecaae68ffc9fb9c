package synthetics_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
)

// TestDynamicValuesBecomeLocalVariables maps a dynamic check: every
// placeholder is a {{ SMOKE_… }} reference to a local variable whose
// pattern is Datadog's built-in, an escaped "$${" is a plain "${", and
// publishing it twice writes nothing the second time.
func TestDynamicValuesBecomeLocalVariables(t *testing.T) {
	ch := check("POST", "/silences", "200")
	ch.Request.Dynamic = true
	ch.Request.URL = "/silences?day=${date+1d}"
	ch.Request.Headers = []generator.Param{{Name: "X-Run", Value: "smoke${run}", Source: generator.SourceGenerated}}
	ch.Request.Body = &generator.Body{ContentType: "application/json",
		Text: `{"startsAt":"${now+1h}","endsAt":"${now+2h}","at":${unix-30m},"name":"smoke${run}","lit":"$${now}"}`}
	tests := mapChecks(t, []generator.Check{ch}, "https://api.example.com")
	raw, err := json.Marshal(tests[0])
	if err != nil {
		t.Fatal(err)
	}
	var payload struct {
		Config struct {
			Request struct {
				URL     string            `json:"url"`
				Body    string            `json:"body"`
				Headers map[string]string `json:"headers"`
			} `json:"request"`
			ConfigVariables []struct{ Name, Type, Pattern string } `json:"configVariables"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	req := payload.Config.Request
	if want := "https://api.example.com/silences?day={{ SMOKE_DATE_PLUS_1D }}"; req.URL != want {
		t.Errorf("url = %q, want %q", req.URL, want)
	}
	if want := `{"startsAt":"{{ SMOKE_NOW_PLUS_1H }}","endsAt":"{{ SMOKE_NOW_PLUS_2H }}","at":{{ SMOKE_UNIX_MINUS_30M }},"name":"smoke{{ SMOKE_RUN }}","lit":"${now}"}`; req.Body != want {
		t.Errorf("body = %s\nwant   %s", req.Body, want)
	}
	if got := req.Headers["X-Run"]; got != "smoke{{ SMOKE_RUN }}" {
		t.Errorf("X-Run = %q", got)
	}
	want := map[string]string{
		"SMOKE_DATE_PLUS_1D":   "{{ date(1d, YYYY-MM-DD) }}",
		"SMOKE_RUN":            "{{ alphanumeric(8) }}",
		"SMOKE_NOW_PLUS_1H":    "{{ date(1h, YYYY-MM-DDTHH:mm:ss) }}Z",
		"SMOKE_NOW_PLUS_2H":    "{{ date(2h, YYYY-MM-DDTHH:mm:ss) }}Z",
		"SMOKE_UNIX_MINUS_30M": "{{ timestamp(-1800, s) }}",
	}
	if len(payload.Config.ConfigVariables) != len(want) {
		t.Errorf("configVariables = %+v, want %d", payload.Config.ConfigVariables, len(want))
	}
	for _, v := range payload.Config.ConfigVariables {
		if v.Type != "text" || want[v.Name] != v.Pattern {
			t.Errorf("variable %s = %s %q, want text %q", v.Name, v.Type, v.Pattern, want[v.Name])
		}
	}
	if bytes.Contains(raw, []byte("${now+")) || bytes.Contains(raw, []byte("${run}")) {
		t.Errorf("payload still holds smoke placeholders: %s", raw)
	}

	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	if _, _, err := publish(t, c, tests, false); err != nil {
		t.Fatal(err)
	}
	emu.ResetCalls()
	p, _, err := publish(t, c, tests, false)
	if err != nil {
		t.Fatal(err)
	}
	if !p.InSync() || emu.Writes() != 0 {
		t.Errorf("second publish of a dynamic check: %d writes planned, %d made, want 0", p.Writes(), emu.Writes())
	}
}
