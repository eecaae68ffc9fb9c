package synthetics_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/synthetics"
)

// TestNormalizeTag pins tag normalisation on the cases of datadog-agent's
// normalize_test.go and the tagging documentation.
func TestNormalizeTag(t *testing.T) {
	tests := []struct{ in, want string }{
		{"#test_starting_hash", "test_starting_hash"},
		{"TestCAPSandSuch", "testcapsandsuch"},
		{"Test Conversion Of Weird !@#$%^&**() Characters", "test_conversion_of_weird_characters"},
		{"$#weird_starting", "weird_starting"},
		{"allowed:c0l0ns", "allowed:c0l0ns"},
		{"1love", "love"},
		{"ünicöde:metäl", "ünicöde:metäl"},
		{"Data🐨dog🐶 繋がっ⛰てて", "data_dog_繋がっ_てて"},
		{" #hashtag!@#spaces #__<>#  ", "hashtag_spaces"},
		{":testing", ":testing"},
		{"contiguous_____underscores", "contiguous_underscores"},
		{"foo_", "foo"},
		{"smoke-service:Pet Store", "smoke-service:pet_store"},
		{"7", ""},
		{strings.Repeat("a", 210), strings.Repeat("a", 200)},
		{"a" + strings.Repeat(" ", 250) + "b", "a"},
	}
	for _, tt := range tests {
		if got := synthetics.NormalizeTag(tt.in); got != tt.want {
			t.Errorf("NormalizeTag(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"123", "team:", "🐶"} {
		if _, err := synthetics.CheckTag(bad); err == nil {
			t.Errorf("CheckTag(%q) error = nil, want one", bad)
		}
	}
}

func TestVariableName(t *testing.T) {
	tests := []struct{ env, want string }{
		{"SMOKE_TOKEN", "SMOKE_TOKEN"},
		{"api_key", "API_KEY"},
		{"_tok", "TOK"},
		{"TOK_", "TOK"},
		{"PW", "SMOKE_PW"},
		{"x", "SMOKE_X"},
		{"9lives", "LIVES"},
		{"A1", "SMOKE_A1"},
	}
	for _, tt := range tests {
		got, err := synthetics.VariableName(tt.env)
		if err != nil || got != tt.want {
			t.Errorf("VariableName(%q) = %q, %v, want %q", tt.env, got, err, tt.want)
		}
		if err := synthetics.CheckVariableName(got); err != nil {
			t.Errorf("VariableName(%q) = %q, which Datadog refuses: %v", tt.env, got, err)
		}
	}
	if _, err := synthetics.VariableName("_1"); !errors.Is(err, synthetics.ErrVariableName) {
		t.Errorf("VariableName(_1) error = %v, want ErrVariableName", err)
	}
}

func secretHeader(name, env string) generator.Param {
	return generator.Param{Name: name, Value: "v4lue-" + env, Source: generator.SourceSecret, Secret: true, Env: env, Template: "${" + env + "}"}
}

func TestMapVariableNames(t *testing.T) {
	c := check("GET", "/orders", "200")
	c.Request.Headers = []generator.Param{secretHeader("X-Pw", "PW")}
	p := payload(t, c, synthetics.Options{})
	if got := dig(p, "config", "request", "headers", "X-Pw"); got != "{{ SMOKE_PW }}" {
		t.Errorf("header for ${PW} = %v, want {{ SMOKE_PW }}", got)
	}

	// Two variables mapping to one name are refused, naming both.
	c.Request.Headers = []generator.Param{secretHeader("A", "_tok"), secretHeader("B", "TOK")}
	_, err := synthetics.Map([]generator.Check{c}, synthetics.Options{Service: "orders", BaseURL: "https://api.example.com"})
	if !errors.Is(err, synthetics.ErrVariableName) || !strings.Contains(err.Error(), "$TOK and $_tok both map to the Datadog global variable TOK") {
		t.Errorf("Map with ${_tok} and ${TOK} error = %v, want a collision naming both", err)
	}

	// An explicit mapping wins, and must be a valid name.
	c.Request.Headers = []generator.Param{secretHeader("A", "_tok")}
	p = payload(t, c, synthetics.Options{Variables: map[string]string{"_tok": "ORDERS_TOKEN"}})
	if got := dig(p, "config", "request", "headers", "A"); got != "{{ ORDERS_TOKEN }}" {
		t.Errorf("mapped header = %v, want {{ ORDERS_TOKEN }}", got)
	}
	if _, err := synthetics.Map([]generator.Check{c}, synthetics.Options{Service: "orders", BaseURL: "https://api.example.com", Variables: map[string]string{"_tok": "tok"}}); err == nil {
		t.Error("Map with datadog.variables _tok: tok error = nil, want one")
	}
}

// TestOptionsValidate: every value Datadog refuses is refused by Map,
// before any call.
func TestOptionsValidate(t *testing.T) {
	ok := synthetics.Options{Service: "orders", BaseURL: "https://api.example.com"}
	tests := []struct {
		name string
		edit func(o *synthetics.Options)
		want string
	}{
		{"retries", func(o *synthetics.Options) { o.Retries = 4 }, "4 retries"},
		{"retry interval", func(o *synthetics.Options) { o.RetryInterval = 6 * time.Second }, "retry interval 6s"},
		{"timeout", func(o *synthetics.Options) { o.Timeout = 61 * time.Second }, "timeout 1m1s"},
		{"tick too often", func(o *synthetics.Options) { o.TickEvery = 10 * time.Second }, "tick every 10s"},
		{"tick too rare", func(o *synthetics.Options) { o.TickEvery = 8 * 24 * time.Hour }, "tick every 192h0m0s"},
		{"tick fraction", func(o *synthetics.Options) { o.TickEvery = 90500 * time.Millisecond }, "whole seconds"},
		{"tag", func(o *synthetics.Options) { o.Tags = []string{"team:"} }, "cannot end with a colon"},
		{"location", func(o *synthetics.Options) { o.Locations = []string{"us-east-1"} }, "location \"us-east-1\""},
		{"service", func(o *synthetics.Options) { o.Service = "🐶" }, "service"},
		{"credentials in base URL", func(o *synthetics.Options) { o.BaseURL = "https://u:p@api.example.com" }, "credentials"},
		{"variable mapping", func(o *synthetics.Options) { o.Variables = map[string]string{"T": "t"} }, "variable T"},
		{"schedule", func(o *synthetics.Options) {
			o.Schedule = []synthetics.Schedule{{Match: []string{"GET"}, TickEvery: time.Second}}
		}, "schedule rule 1"},
		{"min locations failed", func(o *synthetics.Options) { o.MinLocationFailed = 2 }, "min locations failed 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			_, err := synthetics.Map(checks(), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Map() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := synthetics.Map(checks(), synthetics.Options{Service: "orders", BaseURL: "https://api.example.com",
		Retries: 3, RetryInterval: 5 * time.Second, Timeout: time.Minute, TickEvery: 30 * time.Second}); err != nil {
		t.Errorf("Map at every upper bound: %v", err)
	}
}

func TestMapBodyTypes(t *testing.T) {
	tests := []struct {
		ct, want string
	}{
		{"application/json", "application/json"},
		{"application/problem+json", "application/json"},
		{"application/xml", "text/xml"},
		{"application/atom+xml", "text/xml"},
		{"text/xml; charset=utf-8", "text/xml"},
		{"application/yaml", "text/plain"},
		{"text/csv", "text/plain"},
		{"application/graphql", "graphql"},
		{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded"},
		{"application/octet-stream", "application/octet-stream"},
	}
	for _, tt := range tests {
		c := check("POST", "/orders", "201")
		c.Request.Body = &generator.Body{ContentType: tt.ct, Text: "x: 1"}
		p := payload(t, c, synthetics.Options{})
		if got := dig(p, "config", "request", "bodyType"); got != tt.want {
			t.Errorf("bodyType for %s = %v, want %s", tt.ct, got, tt.want)
		}
		if got := dig(p, "config", "request", "headers", "Content-Type"); got != tt.ct {
			t.Errorf("Content-Type for %s = %v, want it kept", tt.ct, got)
		}
	}
}

func TestMapMultipart(t *testing.T) {
	c := check("POST", "/upload", "201")
	body := "--b0\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n" +
		"--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\nBYTES\r\n--b0--\r\n"
	c.Request.Body = &generator.Body{ContentType: "multipart/form-data; boundary=b0", Text: body}
	p := payload(t, c, synthetics.Options{})
	req := dig(p, "config", "request").(map[string]any)
	want := map[string]any{
		"bodyType": "multipart/form-data",
		"form":     map[string]any{"note": "hello"},
		"files": []any{map[string]any{"name": "file", "originalFileName": "a.bin", "content": "BYTES", "size": 5.0,
			"type": "application/octet-stream"}},
	}
	for k, v := range want {
		if diff := cmp.Diff(v, req[k]); diff != "" {
			t.Errorf("request.%s (-want +got):\n%s", k, diff)
		}
	}
	if _, hasBody := req["body"]; hasBody || req["headers"] != nil {
		t.Errorf("request = %v: Datadog builds a multipart body and its boundary itself; want no body and no Content-Type", req)
	}
}

func TestMapRefusesLargeBody(t *testing.T) {
	c := check("POST", "/orders", "201")
	c.Request.Body = &generator.Body{ContentType: "application/json", Text: `"` + strings.Repeat("x", synthetics.MaxBodyBytes) + `"`}
	_, err := synthetics.Map([]generator.Check{c}, synthetics.Options{Service: "orders", BaseURL: "https://api.example.com"})
	if !errors.Is(err, synthetics.ErrTooLarge) || !strings.Contains(err.Error(), "POST /orders") {
		t.Errorf("Map with a 50 KiB body error = %v, want ErrTooLarge naming the check", err)
	}
}

func TestMapSchemaFormatsAndSize(t *testing.T) {
	props := openapi3.Schemas{}
	for name, f := range map[string]string{"i32": "int32", "i64": "int64", "d": "double", "b": "byte", "bin": "binary", "when": "date-time", "id": "uuid"} {
		typ := "string"
		if f == "int32" || f == "int64" {
			typ = "integer"
		}
		props[name] = openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{typ}, Format: f})
	}
	c := check("GET", "/things", "200")
	c.Expect.Responses[0].Content = []generator.Content{{MediaType: "application/json", SchemaRef: "inline", Schema: &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: props}}}
	tests, err := synthetics.Map([]generator.Check{c}, synthetics.Options{Service: "orders", BaseURL: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(tests[0])
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	js, _ := dig(p, "config", "assertions", 2, "target", "jsonSchema").(string)
	if err := json.Unmarshal([]byte(js), &schema); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{
		"i32":  {"type": "integer", "minimum": -2147483648.0, "maximum": 2147483647.0},
		"i64":  {"type": "integer"},
		"d":    {"type": "string"},
		"b":    {"type": "string", "contentEncoding": "base64"},
		"bin":  {"type": "string"},
		"when": {"type": "string", "format": "date-time"},
		"id":   {"type": "string"},
	}
	if diff := cmp.Diff(want, schema.Properties); diff != "" {
		t.Errorf("formats for draft-07 (-want +got):\n%s", diff)
	}

	// A schema over 51,200 characters is left out, with a note.
	big := openapi3.Schemas{}
	for i := range 2000 {
		big[strings.Repeat("p", 20)+string(rune('a'+i%26))+strings.Repeat("q", i%40)+"x"+string(rune('a'+i/26%26))] = openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}})
	}
	c.Expect.Responses[0].Content[0].Schema = &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: big}
	tests, err = synthetics.Map([]generator.Check{c}, synthetics.Options{Service: "orders", BaseURL: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tests[0].Notes) != 1 || !strings.Contains(tests[0].Notes[0], "Datadog accepts at most 51200") {
		t.Errorf("Notes = %v, want the schema left out", tests[0].Notes)
	}
	if b, _ := json.Marshal(tests[0]); strings.Contains(string(b), "validatesJSONSchema") {
		t.Error("the oversized schema is still in the payload")
	}
}

func TestMapSchedule(t *testing.T) {
	tests, err := synthetics.Map(checks(), synthetics.Options{
		Service: "orders", BaseURL: "https://api.example.com", Locations: []string{"aws:eu-west-1", "aws:us-east-1"},
		Schedule: []synthetics.Schedule{
			{Match: []string{"GET /orders"}, TickEvery: time.Minute},
			{Match: []string{"POST"}, CIOnly: true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]any{}
	for _, tt := range tests {
		b, _ := json.Marshal(tt)
		var p map[string]any
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		got[tt.Name] = [2]any{dig(p, "options", "tick_every"), p["status"]}
	}
	want := map[string][2]any{
		"[orders] GET /orders":      {60.0, "live"},
		"[orders] POST /orders":     {300.0, "paused"},
		"[orders] GET /orders/{id}": {300.0, "live"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
	// 2 locations: every minute is 86,400 runs a month, every 5 minutes
	// 17,280; the CI-only test runs only when triggered.
	var runs []int64
	for _, tt := range tests {
		runs = append(runs, tt.RunsPerMonth())
	}
	if diff := cmp.Diff([]int64{86400, 0, 17280}, runs); diff != "" {
		t.Errorf("RunsPerMonth (-want +got):\n%s", diff)
	}
}

func TestSkipWrites(t *testing.T) {
	safe, skipped := synthetics.SkipWrites(checks(), "orders", false)
	if len(safe) != 2 || len(skipped) != 1 || skipped[0].Name != "[orders] POST /orders" || skipped[0].Reason != synthetics.ReasonWrites {
		t.Errorf("SkipWrites = %d safe, %+v skipped, want POST /orders skipped", len(safe), skipped)
	}
	if all, skipped := synthetics.SkipWrites(checks(), "orders", true); len(all) != 3 || skipped != nil {
		t.Errorf("SkipWrites(allowWrites) = %d, %v, want all 3", len(all), skipped)
	}
	// A write on an order no step creates: never published, writes
	// allowed or not; with the user's id, it is.
	cancel := generator.Check{ID: "cancel", Method: "DELETE", Path: "/orders/{id}",
		Request: generator.Request{URL: "/orders/7", Path: []generator.Param{{Name: "id", Value: "7", Source: generator.SourceExample}}}}
	for _, allow := range []bool{false, true} {
		kept, skipped := synthetics.SkipWrites(append(checks(), cancel), "orders", allow)
		if slices.ContainsFunc(kept, func(c generator.Check) bool { return c.ID == "cancel" }) ||
			!slices.ContainsFunc(skipped, func(s synthetics.Skipped) bool {
				return s.CheckID == "cancel" && s.Reason == fmt.Sprintf(synthetics.ReasonForeign, "id", "7")
			}) {
			t.Errorf("SkipWrites(allowWrites %v) kept the DELETE on order 7: %+v", allow, skipped)
		}
	}
	prune := generator.Check{ID: "prune", Method: "POST", Path: "/orders/prune", Request: generator.Request{URL: "/orders/prune"}}
	if _, skipped := synthetics.SkipWrites([]generator.Check{prune}, "orders", true); len(skipped) != 1 || skipped[0].Reason != synthetics.ReasonBulk {
		t.Errorf("SkipWrites(allowWrites) of a prune = %+v, want it skipped", skipped)
	}
	cancel.Request.Path[0].Source = generator.SourceFixture
	if kept, _ := synthetics.SkipWrites(append(checks(), cancel), "orders", true); !slices.ContainsFunc(kept, func(c generator.Check) bool { return c.ID == "cancel" }) {
		t.Error("SkipWrites(allowWrites) left out a DELETE on the user's order")
	}
}

func TestCIMetadata(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		want *synthetics.Metadata
	}{
		{"not CI", nil, nil},
		{"github", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
			"GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_REF": "refs/heads/main", "GITHUB_SHA": "abc"},
			&synthetics.Metadata{Provider: "github", PipelineURL: "https://github.com/o/r/actions/runs/42/attempts/2", Branch: "main", CommitSHA: "abc"}},
		{"gitlab", map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_URL": "https://gitlab.example.com/p/-/pipelines/7", "CI_COMMIT_REF_NAME": "feature", "CI_COMMIT_SHA": "def"},
			&synthetics.Metadata{Provider: "gitlab", PipelineURL: "https://gitlab.example.com/p/-/pipelines/7", Branch: "feature", CommitSHA: "def"}},
		{"jenkins with credentials and overrides", map[string]string{"JENKINS_URL": "x", "BUILD_URL": "https://user:pw@ci.example.com/job/1/",
			"GIT_BRANCH": "origin/dev", "GIT_COMMIT": "111", "DD_GIT_COMMIT_SHA": "222"},
			&synthetics.Metadata{Provider: "jenkins", PipelineURL: "https://ci.example.com/job/1/", Branch: "dev", CommitSHA: "222"}},
		{"github pull request, no run id", map[string]string{"GITHUB_ACTION": "run", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
			"GITHUB_HEAD_REF": "topic", "GITHUB_REF": "refs/pull/3/merge", "GITHUB_SHA": "abc"},
			&synthetics.Metadata{Provider: "github", Branch: "topic", CommitSHA: "abc"}},
		{"circleci", map[string]string{"CIRCLECI": "true", "CIRCLE_BUILD_URL": "https://circleci.com/gh/o/r/9", "CIRCLE_BRANCH": "main", "CIRCLE_SHA1": "c1"},
			&synthetics.Metadata{Provider: "circleci", PipelineURL: "https://circleci.com/gh/o/r/9", Branch: "main", CommitSHA: "c1"}},
		{"buildkite", map[string]string{"BUILDKITE": "true", "BUILDKITE_BUILD_URL": "https://buildkite.com/o/p/builds/5", "BUILDKITE_BRANCH": "tags/v1", "BUILDKITE_COMMIT": "b1"},
			&synthetics.Metadata{Provider: "buildkite", PipelineURL: "https://buildkite.com/o/p/builds/5", Branch: "v1", CommitSHA: "b1"}},
		{"travis pull request", map[string]string{"TRAVIS": "true", "TRAVIS_BUILD_WEB_URL": "https://travis-ci.com/o/r/builds/4",
			"TRAVIS_PULL_REQUEST_BRANCH": "topic", "TRAVIS_BRANCH": "main", "TRAVIS_COMMIT": "t1"},
			&synthetics.Metadata{Provider: "travisci", PipelineURL: "https://travis-ci.com/o/r/builds/4", Branch: "topic", CommitSHA: "t1"}},
		{"travis push", map[string]string{"TRAVIS": "true", "TRAVIS_BRANCH": "main", "TRAVIS_COMMIT": "t2"},
			&synthetics.Metadata{Provider: "travisci", Branch: "main", CommitSHA: "t2"}},
		{"azure pull request", map[string]string{"TF_BUILD": "True", "SYSTEM_TEAMFOUNDATIONSERVERURI": "https://dev.azure.com/o/", "SYSTEM_TEAMPROJECTID": "p",
			"BUILD_BUILDID": "8", "SYSTEM_PULLREQUEST_SOURCEBRANCH": "refs/heads/topic", "BUILD_SOURCEBRANCH": "refs/heads/main",
			"SYSTEM_PULLREQUEST_SOURCECOMMITID": "a1", "BUILD_SOURCEVERSION": "a2"},
			&synthetics.Metadata{Provider: "azurepipelines", PipelineURL: "https://dev.azure.com/o/p/_build/results?buildId=8", Branch: "topic", CommitSHA: "a1"}},
		{"azure push, no build id", map[string]string{"TF_BUILD": "True", "SYSTEM_TEAMFOUNDATIONSERVERURI": "https://dev.azure.com/o/", "SYSTEM_TEAMPROJECTID": "p",
			"BUILD_SOURCEBRANCHNAME": "main", "BUILD_SOURCEVERSION": "a2"},
			&synthetics.Metadata{Provider: "azurepipelines", Branch: "main", CommitSHA: "a2"}},
		{"bitbucket", map[string]string{"BITBUCKET_COMMIT": "bb1", "BITBUCKET_REPO_FULL_NAME": "o/r", "BITBUCKET_BUILD_NUMBER": "6", "BITBUCKET_BRANCH": "main"},
			&synthetics.Metadata{Provider: "bitbucket", PipelineURL: "https://bitbucket.org/o/r/addon/pipelines/home#!/results/6", Branch: "main", CommitSHA: "bb1"}},
		{"first provider wins", map[string]string{"GITLAB_CI": "true", "CIRCLECI": "true", "CI_COMMIT_SHA": "g1", "CIRCLE_SHA1": "c1"},
			&synthetics.Metadata{Provider: "gitlab", CommitSHA: "g1"}},
		{"overrides alone", map[string]string{"DD_GIT_BRANCH": "refs/heads/x", "DD_GIT_COMMIT_SHA": "s1"},
			&synthetics.Metadata{Branch: "x", CommitSHA: "s1"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, synthetics.CIMetadata(env(tt.env))); diff != "" {
			t.Errorf("%s: CIMetadata (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestMapUnsetSecret: with its variable unset, a secret's value is only
// its template's text ("Bearer "), which the payload may show.
func TestMapUnsetSecret(t *testing.T) {
	c := check("GET", "/orders", "200")
	c.Request.Headers = []generator.Param{{Name: "Authorization", Value: "Bearer ", Source: generator.SourceSecret, Secret: true, Env: "TOKEN", Template: "Bearer ${TOKEN}"}}
	p := payload(t, c, synthetics.Options{})
	if got := dig(p, "config", "request", "headers", "Authorization"); got != "Bearer {{ TOKEN }}" {
		t.Errorf("Authorization = %v, want Bearer {{ TOKEN }}", got)
	}
}
