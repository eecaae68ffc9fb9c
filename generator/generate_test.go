package generator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/spec"
)

// load writes doc to a temp file and loads it.
func load(t *testing.T, doc string) *spec.Document {
	t.Helper()
	ext := ".yaml"
	if strings.HasPrefix(strings.TrimSpace(doc), "{") {
		ext = ".json"
	}
	p := filepath.Join(t.TempDir(), "api"+ext)
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := spec.Load(t.Context(), p, spec.Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d
}

// generatePlan is the plan of doc, an OpenAPI document as text.
func generatePlan(t *testing.T, doc string, opts generator.Options) *generator.Plan {
	t.Helper()
	p, err := generator.Generate(load(t, doc), opts)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return p
}

// generate is the checks of doc, an OpenAPI document as text.
func generate(t *testing.T, doc string, opts generator.Options) []generator.Check {
	t.Helper()
	return generatePlan(t, doc, opts).Checks
}

func find(t *testing.T, checks []generator.Check, method, path string) generator.Check {
	t.Helper()
	for _, c := range checks {
		if c.Method == method && c.Path == path {
			return c
		}
	}
	t.Fatalf("no check %s %s among %d", method, path, len(checks))
	return generator.Check{}
}

const resolution = `
openapi: 3.0.3
info: {title: Resolution, version: "1"}
paths:
  /items/{a}/{b}/{c}/{d}/{e}/{f}:
    get:
      parameters:
        - {name: a, in: path, required: true, example: param-example, schema: {type: string, example: schema-example}}
        - {name: b, in: path, required: true, schema: {type: string, example: schema-example}}
        - {name: c, in: path, required: true, schema: {type: integer, default: 7}}
        - {name: d, in: path, required: true, schema: {type: string, enum: [first, second]}}
        - {name: e, in: path, required: true, schema: {type: string, format: uuid}}
        - {name: f, in: path, required: true, schema: {type: integer, minimum: 10}}
        - {name: opt, in: query, schema: {type: string}}
        - {name: optex, in: query, schema: {type: string}, example: shown}
        - {name: req, in: query, required: true, schema: {type: string, format: date}}
        - name: named
          in: query
          required: true
          schema: {type: string}
          examples:
            zeta: {value: z}
            alpha: {value: a}
      responses:
        "200": {description: ok}
`

func TestValueResolutionOrder(t *testing.T) {
	fixture := generator.Fixture{Path: map[string]string{"f": "42"}}
	checks := generate(t, resolution, generator.Options{Operations: map[string]generator.Operation{
		"GET /items/{a}/{b}/{c}/{d}/{e}/{f}": {Fixture: fixture},
	}})
	c := checks[0]
	got := map[string][2]string{}
	for _, p := range append(c.Request.Path, c.Request.Query...) {
		got[p.Name] = [2]string{p.Value, string(p.Source)}
	}
	want := map[string][2]string{
		"a":     {"param-example", "example"},
		"b":     {"schema-example", "example"},
		"c":     {"7", "default"},
		"d":     {"first", "enum"},
		"e":     {got["e"][0], "generated"},
		"f":     {"42", "fixture"},
		"optex": {"shown", "example"},
		// A date is relative to the send time: rendered by the runner.
		"req":   {"${date+1d}", "generated"},
		"named": {"a", "example"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(got["e"][0]) {
		t.Errorf("uuid value = %q, want a v4-shaped UUID", got["e"][0])
	}
	wantURL := "/items/param-example/schema-example/7/first/" + got["e"][0] + "/42?optex=shown&req=${date+1d}&named=a"
	if c.Request.URL != wantURL || !c.Request.Dynamic {
		t.Errorf("URL = %q (dynamic %v), want %q, dynamic", c.Request.URL, c.Request.Dynamic, wantURL)
	}
}

func TestPathLevelParametersMergedAndOverridden(t *testing.T) {
	doc := `
swagger: "2.0"
info: {title: Merge, version: "1"}
basePath: /api
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, required: true, type: string, default: from-path-level}
      - {name: X-Trace, in: header, required: true, type: string, default: path-level}
    get:
      parameters:
        - {name: X-Trace, in: header, required: true, type: string, default: op-level}
        - {name: tags, in: query, required: true, type: array, items: {type: string}, collectionFormat: pipes, default: [a, b]}
        - {name: multi, in: query, required: true, type: array, items: {type: integer}, collectionFormat: multi, default: [1, 2]}
      responses: {"200": {description: ok}}
    post:
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: name, in: formData, required: true, type: string}
        - {name: age, in: formData, type: integer}
      responses: {"201": {description: created}}
    put:
      parameters:
        - {name: body, in: body, required: true, schema: {type: object, required: [n], properties: {n: {type: integer, minimum: 3}}}}
      responses: {"200": {description: ok}}
`
	checks := generate(t, doc, generator.Options{})
	get := find(t, checks, "GET", "/things/{id}")
	if h, _ := get.Request.Header("X-Trace"); h.Value != "op-level" {
		t.Errorf("X-Trace = %q, want the operation's value to override the path item's", h.Value)
	}
	if len(get.Request.Headers) != 1 {
		t.Errorf("headers = %v, want one X-Trace", get.Request.Headers)
	}
	if want := "/things/from-path-level?tags=a%7Cb&multi=1&multi=2"; get.Request.URL != want {
		t.Errorf("GET URL = %q, want %q", get.Request.URL, want)
	}
	post := find(t, checks, "POST", "/things/{id}")
	if post.Request.Body == nil || post.Request.Body.ContentType != "application/x-www-form-urlencoded" || post.Request.Body.Text != "name=smoke${run}" {
		t.Errorf("formData body = %+v, want name=smoke${run} form-encoded (a name carries the run token)", post.Request.Body)
	}
	put := find(t, checks, "PUT", "/things/{id}")
	if put.Request.Body == nil || put.Request.Body.Text != `{"n":3}` {
		t.Errorf("body param = %+v, want {\"n\":3}", put.Request.Body)
	}
}

const composition = `
openapi: 3.1.0
info: {title: Composition, version: "1"}
paths:
  /nodes:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Create'}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      required: [id, name, children]
      properties:
        id: {type: string, format: uuid, readOnly: true}
        name: {type: string, minLength: 8}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        parent: {$ref: '#/components/schemas/Node'}
    Create:
      allOf:
        - {$ref: '#/components/schemas/Node'}
        - type: object
          required: [kind, note, count, ratio, tags]
          properties:
            kind:
              oneOf:
                - {type: "null"}
                - {type: string, const: leaf}
            note: {type: [string, "null"], pattern: '^[A-Z]{3}-[0-9]{2}$'}
            count: {type: integer, exclusiveMinimum: 5, multipleOf: 4}
            ratio: {type: number, maximum: 0.5}
            tags: {type: array, minItems: 2, uniqueItems: true, items: {type: string}}
`

func TestCompositionAndRecursion(t *testing.T) {
	c := generate(t, composition, generator.Options{})[0]
	var body map[string]any
	if err := json.Unmarshal([]byte(c.Request.Body.Text), &body); err != nil {
		t.Fatalf("body %q: %v", c.Request.Body.Text, err)
	}
	want := map[string]any{
		"name":     "smoke${run}", // a name carries the run token; 13 characters rendered, minLength 8
		"children": []any{},
		"kind":     "leaf",
		"note":     "AAA-00",
		"count":    float64(8),
		"ratio":    0.5,
		"tags":     []any{"smoke", "smoke2"},
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	// The generated body must validate against the request schema.
	doc := load(t, composition)
	schema := doc.T.Paths.Value("/nodes").Post.RequestBody.Value.Content["application/json"].Schema.Value
	var v any
	rendered := c.Rendered(generator.Vars{Now: time.Now(), Run: generator.NewRunToken()})
	_ = json.Unmarshal([]byte(rendered.Request.Body.Text), &v)
	// kin-openapi's 2020-12 validator does not exempt readOnly required
	// properties in requests (OpenAPI says it should); its 3.0 validator
	// does, and the rest of this schema means the same in both.
	if err := schema.VisitJSON(v, openapi3.VisitAsRequest()); err != nil {
		t.Errorf("generated body does not validate: %v", err)
	}
	if len(c.Expect.Responses) != 1 || c.Expect.Responses[0].Content[0].SchemaRef != "#/components/schemas/Node" || !c.Expect.Responses[0].Content[0].JSONSchema2020 {
		t.Errorf("expect = %+v, want the Node schema, JSON Schema 2020", c.Expect)
	}
}

func TestFormatsGenerateValidValues(t *testing.T) {
	formats := []string{"date-time", "date", "time", "uuid", "email", "uri", "hostname", "ipv4", "ipv6", "byte"}
	var props strings.Builder
	for _, f := range formats {
		props.WriteString("                f_" + strings.ReplaceAll(f, "-", "_") + ": {type: string, format: " + f + "}\n")
	}
	doc := `
openapi: 3.0.3
info: {title: Formats, version: "1"}
paths:
  /f:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [` + strings.ReplaceAll(strings.Join(append([]string{""}, formats...), ", f_")[2:], "-", "_") + `]
              properties:
` + props.String() + `
      responses: {"204": {description: ok}}
`
	d := load(t, doc)
	c := generate(t, doc, generator.Options{})[0].Rendered(generator.Vars{Now: time.Now(), Run: generator.NewRunToken()})
	var v any
	if err := json.Unmarshal([]byte(c.Request.Body.Text), &v); err != nil {
		t.Fatal(err)
	}
	// kin-openapi's format checks are lenient; these are not.
	body := v.(map[string]any)
	if _, err := time.Parse(time.RFC3339, body["f_date_time"].(string)); err != nil {
		t.Errorf("date-time %q: %v", body["f_date_time"], err)
	}
	if _, err := time.Parse(time.DateOnly, body["f_date"].(string)); err != nil {
		t.Errorf("date %q: %v", body["f_date"], err)
	}
	if n := len(v.(map[string]any)); n != len(formats) {
		t.Fatalf("body has %d fields, want %d: %s", n, len(formats), c.Request.Body.Text)
	}
	schema := d.T.Paths.Value("/f").Post.RequestBody.Value.Content["application/json"].Schema.Value
	if err := schema.VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
		t.Errorf("generated values fail format validation: %v\n%s", err, c.Request.Body.Text)
	}
}

func TestSecretsMaskedAndApplied(t *testing.T) {
	doc := `
openapi: 3.0.3
info: {title: Auth, version: "1"}
security: [{bearer: []}, {key: []}]
paths:
  /me:
    get:
      responses: {"200": {description: ok}}
  /open:
    get:
      security: [{}]
      responses: {"200": {description: ok}}
  /q:
    get:
      security: [{qkey: []}]
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
    qkey: {type: apiKey, in: query, name: api_key}
`
	checks := generate(t, doc, generator.Options{Credentials: map[string]generator.Credential{
		"bearer": {Token: "s3cr3t", Env: "API_TOKEN", TokenTemplate: "${API_TOKEN}"},
		"qkey":   {Token: "qs3cr3t", Env: "QKEY"},
	}})
	me := find(t, checks, "GET", "/me")
	h, ok := me.Request.Header("Authorization")
	if !ok || h.Value != "Bearer s3cr3t" || !h.Secret || h.Template != "Bearer ${API_TOKEN}" {
		t.Errorf("Authorization = %+v, want a secret bearer header with its template", h)
	}
	if open := find(t, checks, "GET", "/open"); len(open.Request.Headers) != 0 {
		t.Errorf("/open headers = %v, want none (security: [{}])", open.Request.Headers)
	}
	q := find(t, checks, "GET", "/q")
	if !strings.Contains(q.Request.URL, "api_key=qs3cr3t") {
		t.Errorf("/q URL = %q, want the API key in the query", q.Request.URL)
	}
	raw, err := json.Marshal(checks)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "s3cr3t") {
		t.Errorf("a secret leaked into the JSON rendering: %s", raw)
	}
	// Without credentials the check notes what is missing.
	bare := find(t, generate(t, doc, generator.Options{}), "GET", "/me")
	if len(bare.Notes) == 0 || !strings.Contains(bare.Notes[0], `"bearer"`) {
		t.Errorf("notes = %v, want a note naming the bearer scheme", bare.Notes)
	}
}

func TestEveryMethodAndStableIDs(t *testing.T) {
	doc := `
openapi: 3.0.3
info: {title: Methods, version: "1"}
paths:
  /r:
    $ref: '#/components/pathItems/R'
  /all:
    get: {responses: {"200": {description: ok}}}
    put: {responses: {"200": {description: ok}}}
    post: {responses: {"2XX": {description: ok}}}
    delete: {responses: {"204": {description: ok}}}
    options: {responses: {"200": {description: ok}}}
    head: {responses: {"200": {description: ok}}}
    patch: {responses: {"200": {description: ok}}}
    trace: {responses: {"200": {description: ok}}}
`
	// OpenAPI 3.0 has no components.pathItems; use an external-style
	// in-document ref through a 3.1 document instead.
	doc = strings.Replace(doc, "openapi: 3.0.3", "openapi: 3.1.0", 1) + `
components:
  pathItems:
    R:
      get: {responses: {"200": {description: ok}}}
`
	checks := generate(t, doc, generator.Options{Service: "svc"})
	var got []string
	for _, c := range checks {
		got = append(got, c.Method+" "+c.Path)
	}
	want := []string{"GET /all", "PUT /all", "POST /all", "DELETE /all", "OPTIONS /all", "HEAD /all", "PATCH /all", "TRACE /all", "GET /r"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if id := find(t, checks, "GET", "/all").ID; id != generator.CheckID("svc", "GET", "/all") || len(id) != 12 {
		t.Errorf("ID = %q, want CheckID(svc, GET, /all)", id)
	}
	safe := map[string]bool{}
	for _, c := range checks {
		safe[c.Method] = c.Safe
	}
	if !safe["GET"] || !safe["HEAD"] || !safe["OPTIONS"] || !safe["TRACE"] || safe["POST"] || safe["PATCH"] || safe["DELETE"] || safe["PUT"] {
		t.Errorf("safe = %v, want only GET, HEAD, OPTIONS, TRACE", safe)
	}
}

func TestExpectMatch(t *testing.T) {
	e := generator.Expect{Responses: []generator.Response{{Status: "200"}, {Status: "4XX"}, {Status: "404"}, {Status: "default"}}}
	tests := []struct {
		status int
		want   string
		ok     bool
	}{
		{200, "200", true}, {404, "404", true}, {418, "4XX", true}, {503, "default", true}, {201, "default", true},
	}
	for _, tt := range tests {
		r, ok := e.Match(tt.status)
		if r.Status != tt.want || ok != tt.ok {
			t.Errorf("Match(%d) = %q, %v, want %q, %v", tt.status, r.Status, ok, tt.want, tt.ok)
		}
	}
	if _, ok := (generator.Expect{Responses: []generator.Response{{Status: "2XX"}}}).Match(500); ok {
		t.Errorf("Match(500) on 2XX only = ok, want undocumented")
	}
}

func TestFilter(t *testing.T) {
	checks := []generator.Check{
		{ID: "1", Method: "GET", Path: "/pets", Tags: []string{"pets"}, OperationID: "listPets", Safe: true},
		{ID: "2", Method: "GET", Path: "/pets/{petId}", Tags: []string{"pets"}, Safe: true},
		{ID: "3", Method: "DELETE", Path: "/pets/{petId}", Tags: []string{"admin"}},
		{ID: "4", Method: "GET", Path: "/stores/{id}/pets/{petId}", Safe: true},
	}
	tests := []struct {
		include, exclude []string
		readOnly         bool
		want             string
	}{
		{nil, nil, false, "1234"},
		{[]string{"GET /pets/*"}, nil, false, "2"},
		{[]string{"/pets/**"}, nil, false, "123"},
		{[]string{"/**/pets/*"}, nil, false, "234"},
		{nil, []string{"tag:admin"}, false, "124"},
		{[]string{"op:listPets", "DELETE"}, nil, false, "13"},
		{nil, nil, true, "124"},
		{[]string{"GET,DELETE /pets/{petId}"}, nil, false, "23"},
	}
	for _, tt := range tests {
		f, err := generator.NewFilter(tt.include, tt.exclude, tt.readOnly)
		if err != nil {
			t.Fatalf("NewFilter(%q, %q): %v", tt.include, tt.exclude, err)
		}
		var got string
		for _, c := range f.Apply(checks) {
			got += c.ID
		}
		if got != tt.want {
			t.Errorf("filter include=%q exclude=%q readOnly=%v = %q, want %q", tt.include, tt.exclude, tt.readOnly, got, tt.want)
		}
	}
	for _, bad := range []string{"FETCH /x", "pets/*", "colour:red", ""} {
		if _, err := generator.NewFilter([]string{bad}, nil, false); err == nil {
			t.Errorf("NewFilter(%q) = nil error, want an error", bad)
		}
	}
}

func TestPathStylesKeepSeparators(t *testing.T) {
	doc := `
openapi: 3.0.3
info: {title: Styles, version: "1"}
paths:
  /s/{simple}/{label}/{matrix}/{obj}/{text}:
    get:
      parameters:
        - {name: simple, in: path, required: true, schema: {type: array, items: {type: string}}, example: [a b, c]}
        - {name: label, in: path, required: true, style: label, explode: true, schema: {type: array, items: {type: integer}}, example: [1, 2]}
        - {name: matrix, in: path, required: true, style: matrix, schema: {type: array, items: {type: string}}, example: [x, "y/z"]}
        - {name: obj, in: path, required: true, explode: true, schema: {type: object}, example: {k: v, n: 1}}
        - {name: text, in: path, required: true, schema: {type: string}, example: "a/b c,d"}
      responses: {"200": {description: ok}}
`
	c := generate(t, doc, generator.Options{})[0]
	want := "/s/a%20b,c/.1.2/;matrix=x,y%2Fz/k=v,n=1/a%2Fb%20c%2Cd"
	if c.Request.URL != want {
		t.Errorf("URL = %q, want %q", c.Request.URL, want)
	}
	if got := c.Request.Path[0].Value; got != "a b,c" {
		t.Errorf("simple path param value = %q, want the unescaped %q", got, "a b,c")
	}
}

// TestOptionalBodyWithInvalidExample: an optional body whose only example
// does not validate is still sent, generated from the schema: the document
// shows the operation takes one (GitHub's POST /markdown/raw).
func TestOptionalBodyWithInvalidExample(t *testing.T) {
	checks := generate(t, `
openapi: 3.0.3
info: {title: Raw, version: "1"}
paths:
  /render:
    post:
      requestBody:
        content:
          text/plain:
            schema: {type: string}
            examples: {default: {value: {text: "Hello"}}}
      responses: {"200": {description: ok}}
  /quiet:
    post:
      requestBody:
        content:
          text/plain:
            schema: {type: string}
      responses: {"200": {description: ok}}
`, generator.Options{})
	render := find(t, checks, "POST", "/render")
	if render.Request.Body == nil || render.Request.Body.Source != generator.SourceGenerated || render.Request.Body.Text == "" {
		t.Errorf("POST /render body = %+v, want a generated string", render.Request.Body)
	}
	if quiet := find(t, checks, "POST", "/quiet"); quiet.Request.Body != nil {
		t.Errorf("POST /quiet body = %+v, want none (optional, nothing shown)", quiet.Request.Body)
	}
}
