package hostile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/spec"
)

// Issue 9 item 2: numbers from a spec that made the generator panic
// (minItems 2^63: makeslice), hang (minLength 10^9: a quadratic loop
// that also ignored SIGTERM) or send nonsense (minimum 1e35 sent as
// -2^63, multipleOf 1e-320 sent as +Inf). Generation is now capped: a
// string of at most 4096 characters, an array of at most 64 items, 64
// extra properties, about 256 KiB per value; a schema that demands more
// gets the capped value and a note.

// generatorMaxBody bounds a generated body: the 256 KiB value budget plus
// the JSON of what is generated after it is spent (every remaining
// schema's smallest value).
const generatorMaxBody = 1 << 20

// generatorDoc is an OpenAPI document whose one POST body has the given
// properties (YAML flow mappings), all required.
func generatorDoc(props map[string]string) string {
	var names, lines []string
	for n, p := range props {
		names = append(names, n)
		lines = append(lines, fmt.Sprintf("                %s: %s", n, p))
	}
	return `openapi: 3.0.3
info: {title: Hostile, version: "1"}
paths:
  /h:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [` + strings.Join(names, ", ") + `]
              properties:
` + strings.Join(lines, "\n") + `
      responses: {"200": {description: ok}}
`
}

var generatorCases = []struct {
	name  string
	props map[string]string
	// check inspects the decoded body; note is a fragment the check's
	// notes must hold ("" for none).
	check func(t *testing.T, body map[string]any)
	note  string
}{
	{
		name:  "minItems 2^63",
		props: map[string]string{"a": "{type: array, minItems: 9223372036854775808, items: {type: string}}"},
		check: func(t *testing.T, b map[string]any) {
			if n := len(b["a"].([]any)); n != 64 {
				t.Errorf("items = %d, want the cap of 64", n)
			}
		},
		note: "minItems 9223372036854775808 exceeds smoke's cap",
	},
	{
		name:  "minLength 10^9",
		props: map[string]string{"s": "{type: string, minLength: 1000000000}"},
		check: func(t *testing.T, b map[string]any) {
			if n := len(b["s"].(string)); n != 4096 {
				t.Errorf("length = %d, want the cap of 4096", n)
			}
		},
		note: "minLength 1000000000 exceeds smoke's cap",
	},
	{
		name:  "minimum 1e35",
		props: map[string]string{"i": "{type: integer, minimum: 1e35}", "n": "{type: number, minimum: 1e300, maximum: 1e301}"},
		check: func(t *testing.T, b map[string]any) {
			if i := b["i"].(float64); i != 1e35 {
				t.Errorf("integer = %v, want 1e35 (a float: beyond int64)", i)
			}
			if n := b["n"].(float64); n < 1e300 || n > 1e301 {
				t.Errorf("number = %v, want within [1e300, 1e301]", n)
			}
		},
	},
	{
		name:  "multipleOf 1e-320",
		props: map[string]string{"m": "{type: number, multipleOf: 1e-320}", "k": "{type: integer, multipleOf: 1e308, minimum: 1}"},
		check: func(t *testing.T, b map[string]any) {
			for _, k := range []string{"m", "k"} {
				if f, ok := b[k].(float64); !ok || math.IsInf(f, 0) || math.IsNaN(f) {
					t.Errorf("%s = %v, want a finite number", k, b[k])
				}
			}
		},
	},
	{
		name:  "bounds that exclude each other",
		props: map[string]string{"x": "{type: integer, minimum: 10, maximum: 5}", "y": "{type: integer, minimum: 5, maximum: 5, exclusiveMinimum: true}"},
		note:  "no number satisfies the schema",
	},
	{
		name:  "minProperties 2^63",
		props: map[string]string{"o": "{type: object, minProperties: 9223372036854775807, additionalProperties: {type: string, minLength: 4096}}"},
		check: func(t *testing.T, b map[string]any) {
			if n := len(b["o"].(map[string]any)); n != 64 {
				t.Errorf("properties = %d, want the cap of 64", n)
			}
		},
		note: "exceeds smoke's cap of 64 properties",
	},
	{
		name: "nested arrays of long strings",
		props: map[string]string{"deep": "{type: array, minItems: 1000, items: {type: array, minItems: 1000, items: " +
			"{type: array, minItems: 1000, items: {type: string, minLength: 100000}}}}"},
		note: "size cap",
	},
	{
		name: "patterns RE2 cannot generate",
		props: map[string]string{
			"look": `{type: string, pattern: '^(?=.*\d)[a-z\d]{8,}$'}`,
			"back": `{type: string, pattern: '^(a)\1$'}`,
			"huge": `{type: string, pattern: '^a{5000}$'}`,
		},
		note: "lookahead or lookbehind",
	},
	{
		name:  "pattern with length",
		props: map[string]string{"p": `{type: string, pattern: '^[A-Z]{2}-\u0030[0-9]+$', minLength: 200, maxLength: 300}`},
		check: func(t *testing.T, b map[string]any) {
			if s := b["p"].(string); len(s) < 200 || len(s) > 300 || !strings.HasPrefix(s, "AA-0") {
				t.Errorf("p = %q (%d), want AA-0… of 200 to 300 characters", s, len(s))
			}
		},
	},
}

// TestGeneratorHostileNumbers plans and runs hostile schemas through the
// real binary: each exits as documented, within a generous deadline (a
// hang guard, not a timing assertion), and what it sends is bounded.
func TestGeneratorHostileNumbers(t *testing.T) {
	var biggest atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		for {
			old := biggest.Load()
			if n <= old || biggest.CompareAndSwap(old, n) {
				break
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()

	ran := false // subtests skip the binary under -short
	for _, tc := range generatorCases {
		t.Run(tc.name, func(t *testing.T) {
			specPath := writeFile(t, t.TempDir(), "hostile.yaml", generatorDoc(tc.props))
			r := smoke(t, invocation{args: []string{"plan", "--spec", specPath, "--format", "json"}})
			ran = true
			if r.code != 0 {
				t.Fatalf("smoke plan exit %d, want 0; stderr:\n%s", r.code, r.stderr)
			}
			stdout := r.stdout
			var plan struct {
				Checks []struct {
					Request struct {
						Body struct{ Text string } `json:"body"`
					} `json:"request"`
					Notes []string `json:"notes"`
				} `json:"checks"`
			}
			if err := json.Unmarshal([]byte(stdout), &plan); err != nil || len(plan.Checks) != 1 {
				t.Fatalf("plan = %.300s (%v), want one check", stdout, err)
			}
			c := plan.Checks[0]
			if len(c.Request.Body.Text) > generatorMaxBody {
				t.Errorf("body is %d bytes, want at most %d", len(c.Request.Body.Text), generatorMaxBody)
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(c.Request.Body.Text), &body); err != nil {
				t.Fatalf("body is not JSON: %v: %.200s", err, c.Request.Body.Text)
			}
			if tc.check != nil {
				tc.check(t, body)
			}
			if tc.note != "" && !strings.Contains(strings.Join(c.Notes, "\n"), tc.note) {
				t.Errorf("notes = %q, want one saying %q", c.Notes, tc.note)
			}

			r = smoke(t, invocation{args: []string{"run", "--spec", specPath, "--base-url", srv.URL, "--format", "json"}})
			if r.code != 0 {
				t.Errorf("smoke run exit %d, want 0; stderr:\n%s", r.code, r.stderr)
			}
		})
	}
	if n := biggest.Load(); ran && (n == 0 || n > generatorMaxBody) {
		t.Errorf("largest body the server received = %d bytes, want 1 to %d", n, generatorMaxBody)
	}
}

// FuzzGeneratorBounds feeds arbitrary numbers and patterns into one
// schema: generation never panics, stays within its caps and yields
// finite numbers, and a value generated without a note validates.
func FuzzGeneratorBounds(f *testing.F) {
	f.Add(uint64(9223372036854775808), uint64(0), 1e35, math.Inf(1), 1e-320, "")
	f.Add(uint64(0), uint64(1000000000), -1e308, 1e308, 3.0, `^[a-z]{3,}\d$`)
	f.Add(uint64(5), uint64(7), 2.5, 2.5, 0.1, `^(?=x)`)
	f.Add(uint64(1), uint64(1), 10.0, 5.0, 7.0, `(a|b){2,1000}`)
	f.Fuzz(func(t *testing.T, minItems, minLength uint64, lo, hi, multiple float64, pattern string) {
		if !utf8Valid(pattern) {
			return
		}
		doc := map[string]any{
			"openapi": "3.0.3", "info": map[string]any{"title": "f", "version": "1"},
			"paths": map[string]any{"/f": map[string]any{"post": map[string]any{
				"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{
					"schema": map[string]any{"type": "object", "required": []any{"a", "n", "i"}, "properties": map[string]any{
						"a": map[string]any{"type": "array", "minItems": minItems, "items": map[string]any{"type": "string", "minLength": minLength, "pattern": pattern}},
						"n": map[string]any{"type": "number", "minimum": lo, "maximum": hi, "multipleOf": multiple},
						"i": map[string]any{"type": "integer", "minimum": lo, "exclusiveMaximum": true, "maximum": hi},
					}},
				}}},
				"responses": map[string]any{"200": map[string]any{"description": "ok"}},
			}}},
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return // NaN or Inf: not JSON, not a document
		}
		d, err := spec.Load(t.Context(), "-", spec.Options{Stdin: bytes.NewReader(raw), SkipValidation: true})
		if err != nil {
			return
		}
		plan, err := generator.Generate(d, generator.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := plan.Checks[0].Request.Body
		if b == nil || len(b.Text) > generatorMaxBody {
			t.Fatalf("body = %v bytes, want 1 to %d", b, generatorMaxBody)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(plan.Checks[0].Rendered(generator.Vars{Now: time.Now()}).Request.Body.Text), &v); err != nil {
			t.Fatalf("body is not JSON: %v", err)
		}
		for _, k := range []string{"n", "i"} {
			if f, ok := v[k].(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
				t.Fatalf("%s = %v", k, f)
			}
		}
		if n := len(v["a"].([]any)); n > 64 {
			t.Fatalf("%d items, want at most 64", n)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s && len(s) < 200 }
