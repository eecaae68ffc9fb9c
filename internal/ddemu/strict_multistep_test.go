package ddemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/internal/testenv"
)

// multistepPayload is a multistep test as smoke sends it, and as the
// multi cassette of datadog-api-client-go shows Datadog accepting it: a
// create that extracts an id from its body and a Location header, a
// DELETE with a body over HTTP/1.1, every step stating its redirect
// policy.
func multistepPayload() map[string]any {
	step := func(name, method, url string, extra map[string]any) map[string]any {
		s := map[string]any{
			"name": name, "subtype": "http", "allowFailure": true, "isCritical": true,
			"request":    map[string]any{"method": method, "url": url, "timeout": 30.0, "follow_redirects": false},
			"assertions": []any{map[string]any{"type": "statusCode", "operator": "is", "target": 200.0}},
		}
		for k, v := range extra {
			s[k] = v
		}
		return s
	}
	create := step("POST /pets", "POST", "https://x.example/pets", map[string]any{"extractedValues": []any{
		map[string]any{"name": "PET_ID", "type": "http_body", "parser": map[string]any{"type": "json_path", "value": "$.id"}},
		map[string]any{"name": "PET_URL", "type": "http_header", "field": "location", "parser": map[string]any{"type": "raw"}},
	}})
	create["request"].(map[string]any)["body"] = `{"name":"rex"}`
	del := step("DELETE /pets/{petId}", "DELETE", "https://x.example/pets/{{ PET_ID }}", nil)
	del["request"].(map[string]any)["body"] = `{"reason":"smoke"}`
	del["request"].(map[string]any)["httpVersion"] = "http1"
	return map[string]any{
		"type": "api", "subtype": "multi", "name": "[svc] chain", "message": "m",
		"locations": []any{"aws:us-east-1"}, "tags": []any{"managed-by:smoke"},
		"options": map[string]any{"tick_every": 300.0, "follow_redirects": false, "min_location_failed": 1.0},
		"config": map[string]any{
			"configVariables": []any{map[string]any{"name": "SMOKE_RUN", "type": "text", "pattern": "{{ alphanumeric(8) }}"}},
			"steps":           []any{create, step("GET /pets/{petId}", "GET", "https://x.example/pets/{{ PET_ID }}", nil), del},
		},
	}
}

// TestStrictMultistep: each rule on the shape of a multistep test (and
// its counterpart on single HTTP tests) refuses the payload that breaks
// it with the reason, and accepts the compliant form. The sources are in
// strict_multistep.go; docs/datadog.md lists them.
func TestStrictMultistep(t *testing.T) {
	cfg := func(m map[string]any) map[string]any { return m["config"].(map[string]any) }
	step := func(m map[string]any, i int) map[string]any { return cfg(m)["steps"].([]any)[i].(map[string]any) }
	req := func(m map[string]any, i int) map[string]any { return step(m, i)["request"].(map[string]any) }
	ev := func(m map[string]any, k int) map[string]any {
		return step(m, 0)["extractedValues"].([]any)[k].(map[string]any)
	}
	single := func() map[string]any {
		return map[string]any{
			"type": "api", "subtype": "http", "name": "[svc] DELETE /x", "message": "m",
			"locations": []any{"aws:us-east-1"}, "tags": []any{"managed-by:smoke"},
			"options": map[string]any{"tick_every": 300.0, "follow_redirects": false},
			"config": map[string]any{
				"request":    map[string]any{"method": "DELETE", "url": "https://x.example/x", "body": `{"ids":[1]}`},
				"assertions": []any{map[string]any{"type": "statusCode", "operator": "is", "target": 204.0}},
			},
		}
	}
	tests := []struct {
		name string
		test func() map[string]any
		want string // "" when accepted
	}{
		{"compliant multistep", multistepPayload, ""},
		{"compliant single with a DELETE body over HTTP/1.1", func() map[string]any {
			m := single()
			m["options"].(map[string]any)["httpVersion"] = "http1"
			return m
		}, ""},

		// Where a multistep test keeps its requests.
		{"multistep with config.request", func() map[string]any {
			m := multistepPayload()
			cfg(m)["request"] = map[string]any{"method": "GET", "url": "https://x.example/"}
			return m
		}, "config.request is not allowed on a multistep test"},
		{"multistep with config.assertions", func() map[string]any {
			m := multistepPayload()
			cfg(m)["assertions"] = []any{map[string]any{"type": "statusCode", "operator": "is", "target": 200.0}}
			return m
		}, "config.assertions is not allowed on a multistep test"},
		{"multistep with empty config.assertions, as Terraform sends", func() map[string]any {
			m := multistepPayload()
			cfg(m)["assertions"] = []any{}
			return m
		}, ""},
		{"single test with steps", func() map[string]any {
			m := single()
			m["options"].(map[string]any)["httpVersion"] = "http1"
			cfg(m)["steps"] = cfg(multistepPayload())["steps"]
			return m
		}, "config.steps is for multistep tests: subtype is http"},

		// Extracted values.
		{"extracted name too short", func() map[string]any {
			m := multistepPayload()
			ev(m, 0)["name"] = "ID"
			// The later steps refer to it under its new name.
			req(m, 1)["url"], req(m, 2)["url"] = "https://x.example/pets/{{ ID }}", "https://x.example/pets/{{ ID }}"
			return m
		}, "Invalid extracted value 0 (ID): a variable name must match"},
		{"extracted name lower case", func() map[string]any {
			m := multistepPayload()
			ev(m, 1)["name"] = "pet_url"
			return m
		}, "Invalid extracted value 1 (pet_url)"},
		{"extracted value without type", func() map[string]any {
			m := multistepPayload()
			delete(ev(m, 0), "type")
			return m
		}, "extracted value 0 (PET_ID): type is required"},
		{"extracted value without parser", func() map[string]any {
			m := multistepPayload()
			delete(ev(m, 0), "parser")
			return m
		}, "extracted value 0 (PET_ID): a parser with a type is required"},
		{"json_path parser without value", func() map[string]any {
			m := multistepPayload()
			ev(m, 0)["parser"] = map[string]any{"type": "json_path"}
			return m
		}, "extracted value 0 (PET_ID): a json_path parser needs a value"},
		{"regex parser without value", func() map[string]any {
			m := multistepPayload()
			ev(m, 1)["parser"] = map[string]any{"type": "regex", "value": ""}
			return m
		}, "a regex parser needs a value"},
		{"header without field", func() map[string]any {
			m := multistepPayload()
			delete(ev(m, 1), "field")
			return m
		}, "extracted value 1 (PET_URL): type http_header names the header to extract in field"},
		{"ten extracted values", func() map[string]any {
			m := multistepPayload()
			step(m, 0)["extractedValues"] = extractions(10)
			return m
		}, ""},
		{"eleven extracted values", func() map[string]any {
			m := multistepPayload()
			step(m, 0)["extractedValues"] = extractions(11)
			return m
		}, "step 0 (POST /pets): 11 extracted values: a step extracts at most 10"},

		// Where a redirect policy is read.
		{"step without follow_redirects when options set it", func() map[string]any {
			m := multistepPayload()
			delete(req(m, 1), "follow_redirects")
			return m
		}, "step 1 (GET /pets/{petId}): options.follow_redirects does not apply to the steps"},
		{"steps without follow_redirects and none in options", func() map[string]any {
			m := multistepPayload()
			delete(m["options"].(map[string]any), "follow_redirects")
			for i := range 3 {
				delete(req(m, i), "follow_redirects")
			}
			return m
		}, ""},

		// A body on a method Terraform sends it with only over HTTP/1.1.
		{"single DELETE with a body", single, "a body is not sent with DELETE over HTTP/2: set options.httpVersion to http1"},
		{"single GET with a body over http2", func() map[string]any {
			m := single()
			cfg(m)["request"].(map[string]any)["method"] = "GET"
			m["options"].(map[string]any)["httpVersion"] = "http2"
			return m
		}, "a body is not sent with GET over HTTP/2"},
		{"single DELETE without a body", func() map[string]any {
			m := single()
			delete(cfg(m)["request"].(map[string]any), "body")
			return m
		}, ""},
		{"step DELETE with a body", func() map[string]any {
			m := multistepPayload()
			delete(req(m, 2), "httpVersion")
			return m
		}, "step 2 (DELETE /pets/{petId}): a body is not sent with DELETE over HTTP/2: set request.httpVersion to http1"},
		{"step HEAD with a body, http1 in the test's options only", func() map[string]any {
			m := multistepPayload()
			req(m, 1)["method"], req(m, 1)["body"] = "HEAD", "x"
			m["options"].(map[string]any)["httpVersion"] = "http1"
			return m
		}, "step 1 (GET /pets/{petId}): a body is not sent with HEAD"},

		// Config variables.
		{"secure global config variable", func() map[string]any {
			m := multistepPayload()
			cfg(m)["configVariables"] = append(cfg(m)["configVariables"].([]any),
				map[string]any{"name": "SMOKE_TOKEN", "type": "global", "id": "0000-1", "secure": true})
			return m
		}, "config variable SMOKE_TOKEN: secure is only for config variables of type text"},
		{"secure text config variable", func() map[string]any {
			m := multistepPayload()
			cfg(m)["configVariables"].([]any)[0].(map[string]any)["secure"] = true
			return m
		}, ""},
	}
	globals := map[string]string{"0000-1": "SMOKE_TOKEN"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(strictRequest("CreateSyntheticsAPITest", tt.test(), globals), "; ")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("strictRequest() = %q, want %q", got, tt.want)
			}
		})
	}
}

// extractions returns n valid extracted values, the first PET_ID.
func extractions(n int) []any {
	out := make([]any, n)
	for i := range out {
		name := fmt.Sprintf("VALUE_%d", i)
		if i == 0 {
			name = "PET_ID"
		}
		out[i] = map[string]any{"name": name, "type": "http_body", "parser": map[string]any{"type": "json_path", "value": fmt.Sprintf("$.v%d", i)}}
	}
	return out
}

// TestEchoStepIDs: a stored multistep test comes back with an id on
// every step, as Datadog answers, without changing the map it was given.
func TestEchoStepIDs(t *testing.T) {
	in := multistepPayload()
	stored := map[string]any{}
	for k, v := range in {
		stored[k] = v
	}
	n := 0
	echoStepIDs(stored, func() string { n++; return fmt.Sprintf("id-%d", n) })
	steps := stored["config"].(map[string]any)["steps"].([]any)
	for i, s := range steps {
		if id := s.(map[string]any)["id"]; id != fmt.Sprintf("id-%d", i+1) {
			t.Errorf("step %d id = %v, want id-%d", i, id, i+1)
		}
	}
	for i, s := range in["config"].(map[string]any)["steps"].([]any) {
		if _, set := s.(map[string]any)["id"]; set {
			t.Errorf("step %d of the caller's test changed: %v", i, s)
		}
	}
}

// TestServerMultistepShape: over HTTP, the server accepts the compliant
// multistep test (which also validates against the v1 document) and
// answers it with an id on every step, and refuses a broken one with
// 400 and the reason.
func TestServerMultistepShape(t *testing.T) {
	emu, err := NewServer(Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(emu)
	defer hs.Close()
	post := func(m map[string]any) (int, string) {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequestWithContext(t.Context(), "POST", hs.URL+"/api/v1/synthetics/tests/api", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("DD-API-KEY", "a")
		req.Header.Set("DD-APPLICATION-KEY", "b")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}
	code, body := post(multistepPayload())
	if code != http.StatusOK {
		t.Fatalf("create compliant = %d %s", code, body)
	}
	var got struct {
		Config struct {
			Steps []struct {
				ID string `json:"id"`
			} `json:"steps"`
		} `json:"config"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Config.Steps) != 3 {
		t.Errorf("answer has %d steps, want 3", len(got.Config.Steps))
	}
	for i, st := range got.Config.Steps {
		if st.ID == "" {
			t.Errorf("answer step %d has no id", i)
		}
	}
	broken := multistepPayload()
	delete(broken["config"].(map[string]any)["steps"].([]any)[2].(map[string]any)["request"].(map[string]any), "httpVersion")
	if code, body := post(broken); code != http.StatusBadRequest || !strings.Contains(body, "a body is not sent with DELETE over HTTP/2") {
		t.Errorf("create broken = %d %s, want 400 with the reason", code, body)
	}
}
