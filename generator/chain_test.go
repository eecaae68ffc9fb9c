package generator_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
)

func TestParseExpr(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"$response.body#/silenceID", "$response.body#/silenceID", true},
		{"{$response.body#/a~1b}", "$response.body#/a~1b", true},
		{"$response.body", "$response.body", true},
		{"$response.header.Location", "$response.header.Location", true},
		{"$request.body#/name", "$request.body#/name", true},
		{"$request.path.id", "$request.path.id", true},
		{"$request.query.q", "$request.query.q", true},
		{"$response.body#/a%20b", "$response.body#/a b", true},
		{"$response.path.id", "", false},
		{"$url", "", false},
		{"$statusCode", "", false},
		{"$response.body#a", "", false},
		{"$response.body#/~2", "", false},
		{"$request.header.", "", false},
		{"id", "", false},
	} {
		e, err := generator.ParseExpr(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseExpr(%q) error = %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, generator.ErrExpr) {
				t.Errorf("ParseExpr(%q) error %v does not wrap ErrExpr", tc.in, err)
			}
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("ParseExpr(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseTargetAndRebind(t *testing.T) {
	for _, tc := range []struct {
		target, source string
		want           generator.Rebind
		err            string
	}{
		{"path.silenceID", "POST /silences $response.body#/silenceID",
			generator.Rebind{In: "path", Name: "silenceID", Operation: "POST /silences", From: "$response.body#/silenceID"}, ""},
		{"body#/ID", "post /v3/lease/grant {$response.body#/ID}",
			generator.Rebind{In: "body", Name: "/ID", Operation: "POST /v3/lease/grant", From: "$response.body#/ID"}, ""},
		{"query.filter", "none", generator.Rebind{In: "query", Name: "filter", None: true}, ""},
		{"header.X-Id", "", generator.Rebind{In: "header", Name: "X-Id", None: true}, ""},
		{"body#", "x $response.body#/a", generator.Rebind{}, "needs a JSON pointer"},
		{"form.x", "x $response.body#/a", generator.Rebind{}, "is not path, query"},
		{"path", "x $response.body#/a", generator.Rebind{}, "want path.NAME"},
		{"path.id", "getThing", generator.Rebind{}, "OPERATION EXPRESSION"},
		{"path.id", "getThing $response.nope", generator.Rebind{}, "unsupported runtime expression"},
	} {
		got, err := generator.ParseRebind(tc.target, tc.source)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseRebind(%q, %q) error = %v, want one containing %q", tc.target, tc.source, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRebind(%q, %q): %v", tc.target, tc.source, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseRebind(%q, %q) (-want +got):\n%s", tc.target, tc.source, diff)
		}
	}
}

func TestPathValue(t *testing.T) {
	for _, tc := range []struct {
		template, param, location, want string
		ok                              bool
	}{
		{"/pets/{petId}", "petId", "/pets/42", "42", true},
		{"/pets/{petId}", "petId", "http://127.0.0.1:8080/api/v2/pets/42", "42", true},
		{"/pets/{petId}/photos", "petId", "/pets/42", "42", true},
		{"/owners/{ownerId}/pets/{petId}", "petId", "/owners/3/pets/7", "7", true},
		{"/owners/{ownerId}/pets/{petId}", "petId", "/pets/7", "7", true},
		{"/owners/{ownerId}/pets/{petId}", "ownerId", "/owners/3", "3", true},
		{"/pets/{petId}", "petId", "/pets/a%2Fb", "a/b", true},
		{"/pets/{petId}", "petId", "/monitors/42", "", false},
		{"/pets/{petId}", "petId", "42", "", false},
		{"/pets/{petId}", "petId", "", "", false},
		{"/pets/{petId}", "id", "/pets/42", "", false},
	} {
		got, ok := generator.PathValue(tc.template, tc.param, tc.location)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PathValue(%q, %q, %q) = %q, %v; want %q, %v", tc.template, tc.param, tc.location, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWithValue(t *testing.T) {
	base := generator.Check{
		Method: "PUT", Path: "/owners/{ownerId}/pets/{petId}",
		Request: generator.Request{
			URL:   "/owners/a%20b/pets/1?limit=2&x=y",
			Path:  []generator.Param{{Name: "ownerId", Value: "a b", Source: "example"}, {Name: "petId", Value: "1", Source: "example"}},
			Query: []generator.Param{{Name: "limit", Value: "2"}, {Name: "x", Value: "y"}},
			Body:  &generator.Body{ContentType: "application/json", Text: `{"id":1,"name":"Rex","owner":{"ref":"x"}}`, Source: "example"},
		},
	}
	t.Run("path keeps the other segments", func(t *testing.T) {
		c, err := base.WithValue("path", "petId", json.Number("7/8"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Request.URL != "/owners/a%20b/pets/7%2F8?limit=2&x=y" {
			t.Errorf("URL = %q", c.Request.URL)
		}
		if c.Request.Path[1].Value != "7/8" || c.Request.Path[1].Source != generator.SourceBound {
			t.Errorf("path param = %+v", c.Request.Path[1])
		}
		if base.Request.Path[1].Value != "1" || base.Request.URL != "/owners/a%20b/pets/1?limit=2&x=y" {
			t.Errorf("WithValue changed its receiver: %+v", base.Request)
		}
	})
	t.Run("query", func(t *testing.T) {
		c, err := base.WithValue("query", "limit", "a&b")
		if err != nil {
			t.Fatal(err)
		}
		if c.Request.URL != "/owners/a%20b/pets/1?limit=a%26b&x=y" {
			t.Errorf("URL = %q", c.Request.URL)
		}
	})
	t.Run("body keeps types", func(t *testing.T) {
		c, err := base.WithValue("body", "/id", "42")
		if err != nil {
			t.Fatal(err)
		}
		c, err = c.WithValue("body", "/owner/ref", json.Number("9"))
		if err != nil {
			t.Fatal(err)
		}
		c, err = c.WithValue("body", "/new/deep", "v")
		if err != nil {
			t.Fatal(err)
		}
		want := `{"id":42,"name":"Rex","new":{"deep":"v"},"owner":{"ref":"9"}}`
		if c.Request.Body.Text != want {
			t.Errorf("body = %s, want %s", c.Request.Body.Text, want)
		}
		if base.Request.Body.Text != `{"id":1,"name":"Rex","owner":{"ref":"x"}}` {
			t.Errorf("WithValue changed its receiver's body: %s", base.Request.Body.Text)
		}
	})
	t.Run("header and cookie", func(t *testing.T) {
		c, err := base.WithValue("header", "X-Id", true)
		if err != nil {
			t.Fatal(err)
		}
		c, err = c.WithValue("cookie", "sid", "s")
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := c.Request.Header("x-id"); h.Value != "true" || len(c.Request.Cookies) != 1 {
			t.Errorf("headers %+v cookies %+v", c.Request.Headers, c.Request.Cookies)
		}
	})
	for _, tc := range []struct {
		in, name string
		v        any
		err      string
	}{
		{"path", "nope", "1", "no such path parameter"},
		{"body", "/owner/ref/x", "1", "has no field"},
		{"path", "petId", map[string]any{"id": 1}, "object is not a value"},
		{"path", "petId", nil, "null is not a value"},
		{"query", "x", []any{"a"}, "array is not a value"},
		{"elsewhere", "x", "1", "unknown location"},
	} {
		if _, err := base.WithValue(tc.in, tc.name, tc.v); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("WithValue(%s, %s, %v) error = %v, want %q", tc.in, tc.name, tc.v, err, tc.err)
		}
	}
	for _, tc := range []struct{ template, url, param, want string }{
		{"/pets/{id}/", "/pets/1/", "id", "/pets/9/"},
		{"/{id}", "/1?x=1", "id", "/9?x=1"},
		{"/files/{name}.{ext}", "/files/a.b", "ext", "/files/a.9"},
		{"/a/{x}/b/{y}", "/a/1/b/2", "x", "/a/9/b/2"},
	} {
		c := generator.Check{Path: tc.template, Request: generator.Request{URL: tc.url, Path: []generator.Param{{Name: tc.param}}}}
		got, err := c.WithValue("path", tc.param, "9")
		if err != nil || got.Request.URL != tc.want {
			t.Errorf("WithValue(%s, %s) URL = %q, %v; want %q", tc.template, tc.url, got.Request.URL, err, tc.want)
		}
	}
	form := generator.Check{Request: generator.Request{Body: &generator.Body{ContentType: "application/x-www-form-urlencoded", Text: "a=1&b=2"}}}
	c, err := form.WithValue("body", "/b", "x y")
	if err != nil || c.Request.Body.Text != "a=1&b=x+y" {
		t.Errorf("form WithValue = %q, %v", c.Request.Body.Text, err)
	}
	xml := generator.Check{Request: generator.Request{Body: &generator.Body{ContentType: "application/xml", Text: "<a/>"}}}
	if _, err := xml.WithValue("body", "/a", "1"); err == nil {
		t.Error("an XML body took a bound value")
	}
}

const chainDoc = `
openapi: 3.0.3
info: {title: Chains, version: "1"}
paths:
  /owners:
    get:
      responses:
        "200":
          description: list
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {$ref: "#/components/schemas/Owner"}}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Owner"}
      responses:
        "201":
          description: created
          headers:
            Location: {schema: {type: string}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Owner"}
  /owners/{ownerId}:
    parameters:
      - {name: ownerId, in: path, required: true, schema: {type: integer}}
    get:
      responses: {"200": {description: ok}}
    delete:
      responses: {"204": {description: gone}}
  /owners/{ownerId}/pets:
    parameters:
      - {name: ownerId, in: path, required: true, schema: {type: integer}}
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
      responses:
        "200":
          description: created
          content:
            application/json:
              schema: {type: object, properties: {pet_id: {type: string}, name: {type: string}}}
  /owners/{ownerId}/pets/{petId}:
    parameters:
      - {name: ownerId, in: path, required: true, schema: {type: integer}}
      - {name: petId, in: path, required: true, schema: {type: string}}
    get:
      responses: {"200": {description: ok}}
    put:
      responses: {"200": {description: ok}}
    delete:
      responses: {"204": {description: gone}}
  /owners/{ownerId}/pets/{petId}/walk:
    parameters:
      - {name: ownerId, in: path, required: true, schema: {type: integer}}
      - {name: petId, in: path, required: true, schema: {type: string}}
    post:
      responses: {"204": {description: walked}}
  /vets:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [clinicId], properties: {clinicId: {type: string}}}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
  /clinics:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [vetId], properties: {vetId: {type: string}}}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
components:
  schemas:
    Owner:
      type: object
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
`

func TestInference(t *testing.T) {
	plan := generatePlan(t, chainDoc, generator.Options{})
	got := map[string][]string{}
	roles := map[string]string{}
	byID := map[string]generator.Check{}
	for _, c := range plan.Checks {
		byID[c.ID] = c
		for _, b := range c.Bindings {
			got[c.Method+" "+c.Path] = append(got[c.Method+" "+c.Path], b.Short()+" ("+b.Origin+")")
		}
		if c.Chain != nil {
			roles[c.Method+" "+c.Path] = c.Chain.Role
		}
	}
	want := map[string][]string{
		"GET /owners/{ownerId}": {
			"path:ownerId ← POST /owners header:Location (location)",
			"path:ownerId ← GET /owners /items/0/id (inferred)",
		},
		"DELETE /owners/{ownerId}":    {"path:ownerId ← POST /owners header:Location (location)"},
		"POST /owners/{ownerId}/pets": {"path:ownerId ← POST /owners header:Location (location)"},
		"GET /owners/{ownerId}/pets/{petId}": {
			"path:ownerId ← POST /owners header:Location (location)",
			"path:ownerId ← GET /owners /items/0/id (inferred)",
			"path:petId ← POST /owners/{ownerId}/pets /pet_id (inferred)",
		},
		"PUT /owners/{ownerId}/pets/{petId}": {
			"path:ownerId ← POST /owners header:Location (location)",
			"path:petId ← POST /owners/{ownerId}/pets /pet_id (inferred)",
		},
		"DELETE /owners/{ownerId}/pets/{petId}": {
			"path:ownerId ← POST /owners header:Location (location)",
			"path:petId ← POST /owners/{ownerId}/pets /pet_id (inferred)",
		},
		"POST /owners/{ownerId}/pets/{petId}/walk": {
			"path:ownerId ← POST /owners header:Location (location)",
			"path:petId ← POST /owners/{ownerId}/pets /pet_id (inferred)",
		},
		// vets and clinics name each other: one of the two inferred
		// bindings is dropped, the later one in the plan.
		"POST /clinics": {"body:/vetId ← POST /vets /id (inferred)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
	wantRoles := map[string]string{
		"POST /owners":                             "create",
		"GET /owners/{ownerId}":                    "read",
		"DELETE /owners/{ownerId}":                 "delete",
		"POST /owners/{ownerId}/pets":              "create",
		"GET /owners/{ownerId}/pets/{petId}":       "read",
		"PUT /owners/{ownerId}/pets/{petId}":       "update",
		"DELETE /owners/{ownerId}/pets/{petId}":    "delete",
		"POST /owners/{ownerId}/pets/{petId}/walk": "use",
		"POST /vets":                               "create",
		"POST /clinics":                            "use",
	}
	if diff := cmp.Diff(wantRoles, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if len(plan.Graph.Broken) != 1 || !strings.Contains(plan.Graph.Broken[0], "binding cycle POST /clinics ← POST /vets ← POST /clinics: dropped body#/clinicId of POST /vets") {
		t.Errorf("broken = %q, want the vets/clinics cycle broken at POST /vets", plan.Graph.Broken)
	}
	if !slices.ContainsFunc(plan.Warnings, func(w string) bool { return strings.HasPrefix(w, "binding cycle ") }) {
		t.Errorf("warnings = %q, want the broken cycle", plan.Warnings)
	}

	// Order: producers first, the pet's read before its update and use,
	// every delete after what depends on its create.
	pos := map[string]int{}
	for i, id := range plan.Graph.Order {
		pos[byID[id].Method+" "+byID[id].Path] = i
	}
	before := [][2]string{
		{"POST /owners", "POST /owners/{ownerId}/pets"},
		{"POST /owners/{ownerId}/pets", "GET /owners/{ownerId}/pets/{petId}"},
		{"GET /owners/{ownerId}/pets/{petId}", "PUT /owners/{ownerId}/pets/{petId}"},
		{"GET /owners/{ownerId}/pets/{petId}", "POST /owners/{ownerId}/pets/{petId}/walk"},
		{"PUT /owners/{ownerId}/pets/{petId}", "DELETE /owners/{ownerId}/pets/{petId}"},
		{"POST /owners/{ownerId}/pets/{petId}/walk", "DELETE /owners/{ownerId}/pets/{petId}"},
		{"DELETE /owners/{ownerId}/pets/{petId}", "DELETE /owners/{ownerId}"},
		{"GET /owners/{ownerId}", "DELETE /owners/{ownerId}"},
	}
	for _, b := range before {
		a, okA := pos[b[0]]
		z, okZ := pos[b[1]]
		if !okA || !okZ || a >= z {
			t.Errorf("order: %s at %d (%v), %s at %d (%v); want the first before the second", b[0], a, okA, b[1], z, okZ)
		}
	}
	// The list is a fallback of the read when the create runs: the read
	// does not wait for it.
	if _, ok := pos["GET /owners"]; ok {
		t.Errorf("order %v holds GET /owners, which nothing waits for", plan.Graph.Order)
	}
	var groups []string
	for _, g := range plan.Graph.Groups {
		groups = append(groups, g.Operation+" delete="+byID[g.Delete].Method+" "+byID[g.Delete].Path)
	}
	wantGroups := []string{
		"POST /owners delete=DELETE /owners/{ownerId}",
		"POST /owners/{ownerId}/pets delete=DELETE /owners/{ownerId}/pets/{petId}",
		"POST /vets delete= ",
	}
	if diff := cmp.Diff(wantGroups, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestInferenceOverrides(t *testing.T) {
	doc := load(t, chainDoc)
	ops := map[string]generator.Operation{
		"GET /owners/{ownerId}": {Bind: []generator.Rebind{
			{In: "path", Name: "ownerId", Operation: "GET /owners", From: "$response.body#/items/1/id"},
		}},
		"PUT /owners/{ownerId}/pets/{petId}": {NoChain: true},
		"POST /owners/{ownerId}/pets/{petId}/walk": {Bind: []generator.Rebind{
			{In: "path", Name: "petId", None: true},
		}},
	}
	plan, err := generator.Generate(doc, generator.Options{Operations: ops})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, c := range plan.Checks {
		for _, b := range c.Bindings {
			got[c.Method+" "+c.Path] = append(got[c.Method+" "+c.Path], b.Short()+" ("+b.Origin+")")
		}
	}
	if diff := cmp.Diff([]string{"path:ownerId ← GET /owners /items/1/id (config)"}, got["GET /owners/{ownerId}"]); diff != "" {
		t.Errorf("configured binding (-want +got):\n%s", diff)
	}
	if g := got["PUT /owners/{ownerId}/pets/{petId}"]; len(g) != 0 {
		t.Errorf("chain: false left %q", g)
	}
	if diff := cmp.Diff([]string{"path:ownerId ← POST /owners header:Location (location)"}, got["POST /owners/{ownerId}/pets/{petId}/walk"]); diff != "" {
		t.Errorf("bind none (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		ops map[string]generator.Operation
		err string
	}{
		{map[string]generator.Operation{"GET /owners/{ownerId}": {Where: "smoke.yaml:3", Bind: []generator.Rebind{
			{In: "path", Name: "ownerId", Operation: "GET /nothing", From: "$response.body#/id", Where: "smoke.yaml:5"}}}},
			`smoke.yaml:5: operations: GET /owners/{ownerId}: bind path.ownerId: "GET /nothing" matches no operation`},
		{map[string]generator.Operation{"GET /owners/{ownerId}": {Bind: []generator.Rebind{
			{In: "path", Name: "nope", Operation: "GET /owners", From: "$response.body#/id"}}}},
			"has no such parameter"},
		{map[string]generator.Operation{"GET /owners/{ownerId}": {Bind: []generator.Rebind{
			{In: "path", Name: "ownerId", Operation: "GET /owners/{ownerId}", From: "$response.body#/id"}}}},
			"its own exchange"},
		{map[string]generator.Operation{
			"POST /vets":    {Bind: []generator.Rebind{{In: "body", Name: "/clinicId", Operation: "POST /clinics", From: "$response.body#/id"}}},
			"POST /clinics": {Bind: []generator.Rebind{{In: "body", Name: "/vetId", Operation: "POST /vets", From: "$response.body#/id"}}},
		}, "the bindings set in smoke.yaml form a cycle"},
	} {
		_, err := generator.Generate(doc, generator.Options{Operations: tc.ops})
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Generate error = %v, want one containing %q", err, tc.err)
		}
	}
}

func TestInferenceLinks(t *testing.T) {
	const doc = `
openapi: 3.0.3
info: {title: Links, version: "1"}
paths:
  /users:
    post:
      operationId: createUser
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {type: object, properties: {uuid: {type: string}, id: {type: string}}}
          links:
            GetUser:
              operationId: getUser
              parameters: {userId: $response.body#/uuid, path.unknownp: $response.body#/x, verbose: true}
            Ref:
              operationRef: "#/paths/~1users~1{userId}/delete"
              parameters: {userId: "{$response.body#/uuid}"}
            Bad:
              operationId: nobody
  /users/{userId}:
    parameters:
      - {name: userId, in: path, required: true, schema: {type: string}}
    get:
      operationId: getUser
      parameters:
        - {name: verbose, in: query, schema: {type: boolean}}
      responses: {"200": {description: ok}}
    delete:
      responses: {"204": {description: gone}}
`
	plan := generatePlan(t, doc, generator.Options{})
	var got []string
	for _, c := range plan.Checks {
		for _, b := range c.Bindings {
			got = append(got, c.Method+" "+c.Path+" "+b.Short()+" ("+b.Origin+")")
		}
	}
	want := []string{
		"GET /users/{userId} path:userId ← POST /users /uuid (links)",
		"DELETE /users/{userId} path:userId ← POST /users /uuid (links)",
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("link bindings (-want +got):\n%s", diff)
	}
	for _, w := range []string{`link "Bad": operationId "nobody"`, `link "GetUser": GET /users/{userId} has no parameter "path.unknownp"`} {
		if !slices.ContainsFunc(plan.Warnings, func(x string) bool { return strings.Contains(x, w) }) {
			t.Errorf("warnings = %q, want one containing %q", plan.Warnings, w)
		}
	}
}

// TestSelect: filters keep the graph of what they keep. A group whose
// create is filtered out is gone; a kept create's delete stays in its
// group as support, sent only to clean up; members neither kept nor
// support leave it.
func TestSelect(t *testing.T) {
	plan, err := generator.Generate(load(t, chainDoc), generator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	groups := len(plan.Graph.Groups)
	f, err := generator.NewFilter([]string{"POST /owners"}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if total := plan.Select(f); total <= len(plan.Checks) {
		t.Fatalf("Select kept %d of %d checks", len(plan.Checks), total)
	}
	if len(plan.Checks) != 1 || plan.Checks[0].Method != "POST" || plan.Checks[0].Path != "/owners" {
		t.Fatalf("checks %v, want POST /owners alone", plan.Checks)
	}
	if len(plan.Support) != 1 || plan.Support[0].Method != "DELETE" || plan.Support[0].Path != "/owners/{ownerId}" {
		t.Fatalf("support %v, want the owner's delete", plan.Support)
	}
	if groups < 2 || len(plan.Graph.Groups) != 1 {
		t.Fatalf("%d groups of %d kept, want the owner's alone", len(plan.Graph.Groups), groups)
	}
	g := plan.Graph.Groups[0]
	if g.Create != plan.Checks[0].ID || g.Delete != plan.Support[0].ID || g.Read != "" || len(g.Update)+len(g.Use) != 0 {
		t.Errorf("group %+v, want create and delete only", g)
	}
	for _, id := range plan.Graph.Order {
		if id != plan.Checks[0].ID && id != plan.Support[0].ID {
			t.Errorf("order lists %s, which is neither kept nor support", id)
		}
	}
}
