package runner

import (
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
)

// petSchema is {"id": integer, "name": string, "tags": [string]} with id
// and name required.
func petSchema() *openapi3.Schema {
	s := openapi3.NewObjectSchema().
		WithProperty("id", openapi3.NewIntegerSchema()).
		WithProperty("name", openapi3.NewStringSchema()).
		WithProperty("tags", openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()))
	s.Required = []string{"id", "name"}
	return s
}

// petCheck documents 200 (JSON pet, X-Request-Id required), 4XX and
// default, like a typical GET /pets/{petId}.
func petCheck(v2020 bool) generator.Check {
	json := []generator.Content{{MediaType: "application/json", SchemaRef: "#/components/schemas/Pet", Schema: petSchema(), JSONSchema2020: v2020}}
	return generator.Check{
		ID: "abc123", Method: "GET", Path: "/pets/{petId}", OperationID: "getPet",
		Request: generator.Request{URL: "/pets/1"},
		Expect: generator.Expect{
			Status: []string{"200", "404"},
			Responses: []generator.Response{
				{Status: "200", Content: json, Headers: []string{"X-Request-Id"}},
				{Status: "404", Content: []generator.Content{{MediaType: "application/problem+json"}}},
			},
		},
	}
}

func resp(status int, ct, body string, hdr ...string) *Response {
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return &Response{StatusCode: status, Header: h, Body: []byte(body), Duration: 5 * time.Millisecond}
}

func TestEvaluate(t *testing.T) {
	withRange := petCheck(false)
	withRange.Expect.Responses = append(withRange.Expect.Responses,
		generator.Response{Status: "2XX", Content: []generator.Content{{MediaType: "text/*"}}},
		generator.Response{Status: "default", Content: []generator.Content{{MediaType: "*/*"}}})
	withRange.Expect.Status = []string{"200", "404", "2XX", "default"}
	head := petCheck(false)
	head.Method = "HEAD"

	const okBody = `{"id": 1, "name": "Rex", "tags": ["dog"]}`
	tests := []struct {
		name  string
		check generator.Check
		resp  *Response
		opts  Assertions
		want  []Failure
	}{
		{name: "passes", check: petCheck(false), resp: resp(200, "application/json; charset=utf-8", okBody, "X-Request-Id", "r1")},
		{name: "passes 3.1", check: petCheck(true), resp: resp(200, "application/json", okBody, "X-Request-Id", "r1")},
		{
			name: "server error", check: petCheck(false), resp: resp(500, "text/plain", "boom\n"),
			want: []Failure{
				{Check: CheckNotServerError, Message: `status 500 Internal Server Error: a server error (expected no 5xx); body: "boom"`},
				{Check: CheckStatusDocumented, Message: "status 500 Internal Server Error is not documented (documented: 200, 404)"},
			},
		},
		{name: "documented 500 still fails not_server_error", check: withRange, resp: resp(503, "text/plain", ""),
			want: []Failure{{Check: CheckNotServerError, Message: "status 503 Service Unavailable: a server error (expected no 5xx)"}}},
		{name: "range and default", check: withRange, resp: resp(201, "text/plain", "made")},
		{name: "default covers 418", check: withRange, resp: resp(418, "image/png", "x")},
		{
			name: "redirect is not followed", check: petCheck(false), resp: resp(302, "", "", "Location", "http://elsewhere.example/pets/1"),
			want: []Failure{{Check: CheckStatusDocumented, Message: "status 302 Found is not documented (documented: 200, 404); redirect to http://elsewhere.example/pets/1 was not followed"}},
		},
		{
			name: "wrong content type", check: petCheck(false), resp: resp(200, "text/html", "<html>", "X-Request-Id", "r1"),
			want: []Failure{{Check: CheckContentType, Message: "Content-Type text/html for status 200, expected application/json"}},
		},
		{
			name: "missing content type", check: petCheck(false), resp: resp(200, "", okBody, "X-Request-Id", "r1"),
			want: []Failure{{Check: CheckContentType, Message: "no Content-Type for status 200, expected application/json"}},
		},
		{name: "HEAD has no body to judge", check: head, resp: resp(200, "", "", "X-Request-Id", "r1")},
		{
			name: "schema errors carry pointers", check: petCheck(false),
			resp: resp(200, "application/json", `{"id": "x", "tags": [1]}`, "X-Request-Id", "r1"),
			want: []Failure{
				{Check: CheckResponseSchema, Pointer: "/id", Message: `body at /id: value must be an integer (value "x"; schema #/components/schemas/Pet)`},
				{Check: CheckResponseSchema, Pointer: "/tags/0", Message: `body at /tags/0: value must be a string (value 1; schema #/components/schemas/Pet)`},
				{Check: CheckResponseSchema, Pointer: "/name", Message: `body at /name: property "name" is missing (value an object of 2 fields; schema #/components/schemas/Pet)`},
			},
		},
		{
			name: "schema errors 3.1", check: petCheck(true),
			resp: resp(200, "application/json", `{"id": "x", "name": "Rex"}`, "X-Request-Id", "r1"),
			want: []Failure{{Check: CheckResponseSchema, Pointer: "/id", Message: `body at /id: got string, want integer (value "x"; schema #/components/schemas/Pet)`}},
		},
		{
			name: "malformed JSON", check: petCheck(false), resp: resp(200, "application/json", `{"id": 1,`, "X-Request-Id", "r1"),
			want: []Failure{{Check: CheckResponseSchema, Message: `body is not valid JSON under Content-Type application/json: unexpected end of JSON input (body starts "{\"id\": 1,")`}},
		},
		{
			name: "empty JSON body", check: petCheck(false), resp: resp(200, "application/json", ``, "X-Request-Id", "r1"),
			want: []Failure{{Check: CheckResponseSchema, Message: `empty body under Content-Type application/json, expected JSON matching the schema #/components/schemas/Pet`}},
		},
		{name: "JSON without schema only needs to parse", check: petCheck(false), resp: resp(404, "application/problem+json", `{"title": "no"}`)},
		{
			name: "required header", check: petCheck(false), resp: resp(200, "application/json", okBody),
			want: []Failure{{Check: CheckRequiredHeaders, Message: "required header X-Request-Id missing from the 200 response"}},
		},
		{
			name: "latency budget", check: petCheck(false), resp: resp(200, "application/json", okBody, "X-Request-Id", "r1"),
			opts: Assertions{Latency: time.Millisecond},
			want: []Failure{{Check: CheckLatency, Message: "took 5ms, budget 1ms"}},
		},
		{
			name: "skip", check: petCheck(false), resp: resp(500, "text/plain", ""),
			opts: Assertions{Skip: []string{CheckStatusDocumented}},
			want: []Failure{{Check: CheckNotServerError, Message: "status 500 Internal Server Error: a server error (expected no 5xx)"}},
		},
		{
			name: "select", check: petCheck(false), resp: resp(500, "text/plain", ""),
			opts: Assertions{Select: []string{CheckStatusDocumented}},
			want: []Failure{{Check: CheckStatusDocumented, Message: "status 500 Internal Server Error is not documented (documented: 200, 404)"}},
		},
		{
			name: "per-check settings", check: withAssertions(petCheck(false), generator.Assertions{Skip: []string{CheckStatusDocumented}, LatencyMS: 1}), resp: resp(500, "text/plain", ""),
			opts: Assertions{Latency: time.Hour},
			want: []Failure{
				{Check: CheckNotServerError, Message: "status 500 Internal Server Error: a server error (expected no 5xx)"},
				{Check: CheckLatency, Message: "took 5ms, budget 1ms"},
			},
		},
		{
			name: "per-check settings add to the run's", check: withAssertions(petCheck(false), generator.Assertions{Skip: []string{CheckNotServerError}}), resp: resp(500, "text/plain", ""),
			opts: Assertions{Skip: []string{CheckStatusDocumented}, Latency: time.Millisecond},
			want: []Failure{{Check: CheckLatency, Message: "took 5ms, budget 1ms"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(Options{Assertions: tt.opts})
			if err != nil {
				t.Fatal(err)
			}
			got := r.Evaluate(tt.check, tt.resp)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateManySchemaErrors(t *testing.T) {
	c := petCheck(false)
	c.Expect.Responses[0].Content[0].Schema = openapi3.NewArraySchema().WithItems(openapi3.NewIntegerSchema())
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Evaluate(c, resp(200, "application/json", `["a","b","c","d","e","f","g"]`, "X-Request-Id", "r"))
	if len(got) != maxSchemaFailures+1 {
		t.Fatalf("Evaluate() = %d failures, want %d", len(got), maxSchemaFailures+1)
	}
	if last := got[len(got)-1].Message; last != "2 more schema errors" {
		t.Errorf("last failure = %q, want %q", last, "2 more schema errors")
	}
}

func TestNewRejectsUnknownAssertion(t *testing.T) {
	_, err := New(Options{Assertions: Assertions{Skip: []string{"status"}}})
	if err == nil {
		t.Fatal("New(Skip: status) = nil error, want unknown assertion")
	}
}

func withAssertions(c generator.Check, a generator.Assertions) generator.Check {
	c.Assertions = &a
	return c
}
