package ddemu

import (
	"strings"
	"testing"
)

// TestNormalizeTag pins the tag normalisation on the cases of
// datadog-agent's normalize_test.go and the tagging documentation.
func TestNormalizeTag(t *testing.T) {
	tests := []struct{ in, want string }{
		{"#test_starting_hash", "test_starting_hash"},
		{"TestCAPSandSuch", "testcapsandsuch"},
		{"Test Conversion Of Weird !@#$%^&**() Characters", "test_conversion_of_weird_characters"},
		{"$#weird_starting", "weird_starting"},
		{"allowed:c0l0ns", "allowed:c0l0ns"},
		{"1love", "love"},
		{"ünicöde", "ünicöde"},
		{"ünicöde:metäl", "ünicöde:metäl"},
		{"Data🐨dog🐶 繋がっ⛰てて", "data_dog_繋がっ_てて"},
		{" spaces   ", "spaces"},
		{" #hashtag!@#spaces #__<>#  ", "hashtag_spaces"},
		{":testing", ":testing"},
		{"_foo", "foo"},
		{":::test", ":::test"},
		{"contiguous_____underscores", "contiguous_underscores"},
		{"foo_", "foo"},
		{"smoke-service:Pet Store", "smoke-service:pet_store"},
		{"", ""},
		{"7", ""},
		{strings.Repeat("a", 210), strings.Repeat("a", 200)},
	}
	for _, tt := range tests {
		if got := normalizeTag(tt.in); got != tt.want {
			t.Errorf("normalizeTag(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStrictTest(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"type": "api", "subtype": "http", "locations": []any{"aws:us-east-1"},
			"tags":    []any{"managed-by:smoke"},
			"options": map[string]any{"tick_every": 300.0, "retry": map[string]any{"count": 1.0, "interval": 300.0}},
			"config": map[string]any{
				"request":    map[string]any{"method": "GET", "url": "https://x/{{ API_HOST }}", "timeout": 30.0},
				"assertions": []any{map[string]any{"type": "statusCode", "operator": "is", "target": 200.0}},
				// The reference in the URL is defined: a test that
				// refers to an undefined variable is refused.
				"configVariables": []any{map[string]any{"name": "API_HOST", "type": "text", "pattern": "api.example.com"}},
			},
		}
	}
	req := func(m map[string]any) map[string]any { return m["config"].(map[string]any)["request"].(map[string]any) }
	tests := []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"valid", func(map[string]any) {}, ""},
		{"retry count", func(m map[string]any) { m["options"].(map[string]any)["retry"].(map[string]any)["count"] = 4.0 }, "retry count"},
		{"retry interval", func(m map[string]any) { m["options"].(map[string]any)["retry"].(map[string]any)["interval"] = 5001.0 }, "retry interval"},
		{"timeout", func(m map[string]any) { req(m)["timeout"] = 61.0 }, "request timeout"},
		{"body size", func(m map[string]any) { req(m)["body"] = strings.Repeat("x", 50<<10+1) }, "Request body"},
		{"request follow_redirects", func(m map[string]any) { req(m)["follow_redirects"] = false }, "follow_redirects"},
		{"no locations", func(m map[string]any) { m["locations"] = []any{} }, "locations"},
		{"tag without letter", func(m map[string]any) { m["tags"] = []any{"123"} }, "must start with a letter"},
		{"tag ending with colon", func(m map[string]any) { m["tags"] = []any{"team:"} }, "cannot end with a colon"},
		{"dangling variable", func(m map[string]any) { req(m)["url"] = "https://x/{{ _TOK }}" }, "Invalid variable reference {{ _TOK }}"},
		{"short variable", func(m map[string]any) { req(m)["headers"] = map[string]any{"A": "{{ PW }}"} }, "{{ PW }}"},
		{"builtin is fine", func(m map[string]any) {
			req(m)["method"] = "POST"
			req(m)["body"] = `{"at":"{{ timestamp(3600, s) }}","id":"{{ uuid }}","test":"{{ public-id }}","d":"{{ date(1h, YYYY-MM-DD) }}"}`
		}, ""},
		{"undefined variable", func(m map[string]any) { req(m)["body"] = `{"name":"smoke{{ SMOKE_RUN }}"}` }, "{{ SMOKE_RUN }} is not defined"},
		{"undefined in basic auth", func(m map[string]any) {
			req(m)["basicAuth"] = map[string]any{"type": "web", "username": "u", "password": "{{ SMOKE_PASSWORD }}"}
		}, "{{ SMOKE_PASSWORD }} is not defined"},
		{"global without id", func(m map[string]any) {
			m["config"].(map[string]any)["configVariables"] = []any{map[string]any{"name": "API_HOST", "type": "global"}}
		}, "config variable API_HOST of type global has no id"},
		{"unknown global", func(m map[string]any) {
			m["config"].(map[string]any)["configVariables"] = []any{map[string]any{"name": "API_HOST", "type": "global", "id": "nope"}}
		}, "refers to global variable nope, which does not exist"},
		{"variables from a script", func(m map[string]any) {
			cfg := m["config"].(map[string]any)
			delete(cfg, "configVariables")
			cfg["variablesFromScript"] = "dd.variable.set('API_HOST', 'x')"
		}, ""},
		{"config variable name", func(m map[string]any) {
			m["config"].(map[string]any)["configVariables"] = []any{map[string]any{"name": "pw", "type": "global"}}
		}, `Invalid variable name "pw"`},
		{"too many assertions", func(m map[string]any) {
			var as []any
			for range 21 {
				as = append(as, map[string]any{"type": "statusCode", "operator": "is", "target": 200.0})
			}
			m["config"].(map[string]any)["assertions"] = as
		}, "21 assertions"},
		{"schema size", func(m map[string]any) {
			m["config"].(map[string]any)["assertions"] = []any{map[string]any{"type": "body", "operator": "validatesJSONSchema",
				"target": map[string]any{"jsonSchema": `{"description":"` + strings.Repeat("é", 51200) + `"}`, "metaSchema": "draft-07"}}}
		}, "JSON schema of 51218 characters"},
		{"too many steps", func(m map[string]any) {
			m["subtype"] = "multi"
			var steps []any
			for range 11 {
				steps = append(steps, map[string]any{"name": "s", "subtype": "http",
					"request": map[string]any{"method": "GET", "url": "https://x.example/"}, "assertions": []any{}})
			}
			m["config"] = map[string]any{"steps": steps}
		}, "11 steps: a multistep test has at most 10"},
		{"step body size", func(m map[string]any) {
			m["subtype"] = "multi"
			m["config"] = map[string]any{"steps": []any{map[string]any{"name": "s", "subtype": "http",
				"request": map[string]any{"method": "POST", "url": "https://x.example/", "body": strings.Repeat("x", 50<<10+1)}, "assertions": []any{}}}}
		}, "step 0: Request body of 51201 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base()
			tt.edit(m)
			errs := strictRequest("CreateSyntheticsAPITest", m, nil)
			got := strings.Join(errs, "; ")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("strictRequest() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStrictGlobalVariable(t *testing.T) {
	for name, ok := range map[string]bool{"SMOKE_TOKEN": true, "PW": false, "_TOK": false, "TOK_": false, "api_key": false, "A1B": true} {
		errs := strictRequest("CreateGlobalVariable", map[string]any{"name": name}, nil)
		if (len(errs) == 0) != ok {
			t.Errorf("CreateGlobalVariable %q: errors %v, want accepted=%v", name, errs, ok)
		}
	}
}

// TestStrictReferences: each {{ NAME }} a request refers to must be
// defined when it is sent: a config variable of the test, a global
// variable the test declares by id and name, or, in a multistep test, a
// value an earlier step extracts.
func TestStrictReferences(t *testing.T) {
	globals := map[string]string{"0000-1": "SMOKE_TOKEN"}
	single := func(vars []any, req map[string]any) map[string]any {
		return map[string]any{
			"type": "api", "subtype": "http", "locations": []any{"aws:us-east-1"},
			"config": map[string]any{"request": req, "configVariables": vars},
		}
	}
	get := func(url string) map[string]any { return map[string]any{"method": "GET", "url": url} }
	step := func(name, url string, extract ...string) any {
		var ev []any
		for _, e := range extract {
			ev = append(ev, map[string]any{"name": e, "type": "http_body", "parser": map[string]any{"type": "json_path", "value": "$.id"}})
		}
		return map[string]any{"name": name, "subtype": "http", "request": get(url), "assertions": []any{}, "extractedValues": ev}
	}
	multi := func(vars []any, steps ...any) map[string]any {
		return map[string]any{
			"type": "api", "subtype": "multi", "locations": []any{"aws:us-east-1"},
			"config": map[string]any{"steps": steps, "configVariables": vars},
		}
	}
	run := []any{map[string]any{"name": "SMOKE_RUN", "type": "text", "pattern": "{{ alphanumeric(8) }}"}}
	token := []any{map[string]any{"name": "SMOKE_TOKEN", "type": "global", "id": "0000-1"}}
	tests := []struct {
		name string
		test map[string]any
		want string // "" when accepted
	}{
		{"config variable", single(run, get("http://x/{{ SMOKE_RUN }}")), ""},
		{"undefined", single(nil, get("http://x/{{ SMOKE_RUN }}")), "{{ SMOKE_RUN }} is not defined"},
		{"undefined header", single(run, map[string]any{"method": "GET", "url": "http://x/", "headers": map[string]any{"X-Id": "{{ SMOKE_UUID }}"}}), "{{ SMOKE_UUID }} is not defined"},
		{"declared global", single(token, map[string]any{"method": "GET", "url": "http://x/", "headers": map[string]any{"Authorization": "Bearer {{ SMOKE_TOKEN }}"}}), ""},
		{"global under another name", single([]any{map[string]any{"name": "TOKEN", "type": "global", "id": "0000-1"}}, get("http://x/{{ TOKEN }}")),
			"Global variable invalid names: TOKEN"},
		{"global not declared", single(nil, get("http://x/{{ SMOKE_TOKEN }}")), "{{ SMOKE_TOKEN }} is not defined"},
		{"step uses an earlier extraction", multi(nil, step("create", "http://x/pets", "PET_ID"), step("read", "http://x/pets/{{ PET_ID }}")), ""},
		{"step uses a config variable", multi(run, step("create", "http://x/pets?name=smoke{{ SMOKE_RUN }}"), step("read", "http://x/pets/smoke{{ SMOKE_RUN }}")), ""},
		{"step uses an undefined variable", multi(nil, step("create", "http://x/pets?name=smoke{{ SMOKE_RUN }}")),
			"step 0 (create): {{ SMOKE_RUN }} is not defined"},
		{"step uses a later extraction", multi(nil, step("read", "http://x/pets/{{ PET_ID }}"), step("create", "http://x/pets", "PET_ID")),
			"step 0 (read): {{ PET_ID }} is extracted by a later step (1)"},
		{"step uses its own extraction", multi(nil, step("create", "http://x/pets/{{ PET_ID }}", "PET_ID")),
			"step 0 (create): {{ PET_ID }} is extracted by this step's own answer"},
		{"step refers to an invalid name", multi(nil, step("read", "http://x/pets/{{ pet_id }}")),
			"step 0 (read): Invalid variable reference {{ pet_id }}"},
		{"step uses a built-in", multi(nil, step("read", "http://x/pets/{{ uuid }}?at={{ timestamp(0, ms) }}")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(strictRequest("CreateSyntheticsAPITest", tt.test, globals), "; ")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("strictRequest() = %q, want %q", got, tt.want)
			}
		})
	}
}
